"""Token endpoint (client_secret_post only, single-use 30 s codes) and userinfo (60 s bearer tokens)."""

from __future__ import annotations

import requests

from .conftest import CLIENT_ID, CLIENT_SECRET, RSA_CLIENT_ID, RSA_CLIENT_SECRET


def _code(rp) -> tuple[str, str]:
    authorization = rp.authorization()
    callback = rp.log_in(authorization)
    return rp.callback_params(callback)["code"], callback


def _post_token(rp, code: str, **changes) -> requests.Response:
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": rp.redirect_uri,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    body.update(changes)
    auth = body.pop("auth", None)
    body = {key: value for key, value in body.items() if value is not None}
    return requests.post(rp.metadata["token_endpoint"], data=body, auth=auth, timeout=10)


def test_token_response_shape(rp):
    code, _ = _code(rp)
    response = _post_token(rp, code)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = response.json()
    assert set(token) == {"access_token", "token_type", "expires_in", "id_token", "scope"}
    assert token["token_type"] == "Bearer" and token["expires_in"] == 60


def test_code_is_single_use_and_a_replay_revokes_its_tokens(rp):
    code, _ = _code(rp)
    first = _post_token(rp, code)
    assert first.status_code == 200
    second = _post_token(rp, code)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert rp.userinfo_response(first.json()["access_token"]).status_code == 401


def test_code_lives_30_seconds(rp, clock):
    code, _ = _code(rp)
    clock.advance(29)
    assert _post_token(rp, code).status_code == 200

    code, _ = _code(rp)
    clock.advance(30.5)
    response = _post_token(rp, code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_client_secret_basic_is_refused(rp):
    code, _ = _code(rp)
    response = _post_token(rp, code, client_id=None, client_secret=None, auth=(CLIENT_ID, CLIENT_SECRET))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic ")
    # even with the body credentials as well
    response = _post_token(rp, code, auth=(CLIENT_ID, CLIENT_SECRET))
    assert response.status_code == 401
    # the code is still good for a proper request
    assert _post_token(rp, code).status_code == 200


def test_wrong_secret_or_other_client_is_refused(rp):
    code, _ = _code(rp)
    assert _post_token(rp, code, client_secret="faux").json()["error"] == "invalid_client"
    response = _post_token(rp, code, client_id=RSA_CLIENT_ID, client_secret=RSA_CLIENT_SECRET)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_redirect_uri_must_match_the_authorization_request(rp):
    code, _ = _code(rp)
    response = _post_token(rp, code, redirect_uri=rp.redirect_uri + "/autre")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    response = _post_token(rp, code, redirect_uri=None)
    assert response.status_code == 400


def test_other_grant_types_are_refused(rp):
    code, _ = _code(rp)
    assert _post_token(rp, code, grant_type="refresh_token").json()["error"] == "unsupported_grant_type"
    assert _post_token(rp, code, grant_type="client_credentials").json()["error"] == "unsupported_grant_type"


def test_access_token_lives_60_seconds(rp, clock):
    code, _ = _code(rp)
    access_token = _post_token(rp, code).json()["access_token"]
    clock.advance(59)
    assert rp.userinfo_response(access_token).status_code == 200
    clock.advance(2)
    response = rp.userinfo_response(access_token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_userinfo_refuses_unknown_or_missing_tokens(rp, provider):
    response = rp.userinfo_response("inconnu")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers
    response = requests.get(rp.metadata["userinfo_endpoint"], timeout=10)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers
