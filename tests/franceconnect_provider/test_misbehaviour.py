"""Each misbehaviour mode produces what it says, for every following flow until reset."""

from __future__ import annotations

import json

import pytest
import requests
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError, InvalidClaimError, JoseError

from local.franceconnect import MISBEHAVIOURS

from .conftest import CLIENT_ID


def _flow(rp):
    authorization = rp.authorization()
    callback = rp.log_in(authorization)
    return authorization, callback


def _tokens(rp):
    authorization, callback = _flow(rp)
    return authorization, rp.exchange(callback, authorization.state)


def _unverified(token: str) -> tuple[dict, dict]:
    compact = jws.extract_compact(token.encode())
    return compact.protected, json.loads(compact.payload)


def test_wrong_signature(rp, provider):
    provider.misbehave("wrong_signature")
    authorization, token = _tokens(rp)
    header, _ = _unverified(token["id_token"])
    assert header["kid"] in {key["kid"] for key in provider.jwks()["keys"]}
    with pytest.raises(BadSignatureError):
        jwt.decode(token["id_token"], rp.jwks(), algorithms=["ES256", "RS256"])


def test_unknown_kid(rp, provider):
    provider.misbehave("unknown_kid")
    authorization, token = _tokens(rp)
    header, _ = _unverified(token["id_token"])
    assert header["kid"] not in {key["kid"] for key in rp.jwks().as_dict()["keys"]}
    with pytest.raises((JoseError, ValueError, KeyError)):
        jwt.decode(token["id_token"], rp.jwks(), algorithms=["ES256", "RS256"])
    provider.rotate_keys(keep_previous=True)  # "not appearing later"
    assert header["kid"] not in {key["kid"] for key in rp.jwks().as_dict()["keys"]}


@pytest.mark.parametrize(
    ("mode", "claim", "check"),
    [
        ("wrong_iss", "iss", lambda value, rp, authorization: value != rp.issuer),
        ("wrong_aud", "aud", lambda value, rp, authorization: value != CLIENT_ID and CLIENT_ID not in value),
        ("wrong_nonce", "nonce", lambda value, rp, authorization: value != authorization.nonce),
        ("wrong_acr", "acr", lambda value, rp, authorization: value != "eidas1"),
    ],
)
def test_wrong_claims_are_correctly_signed_but_refused(rp, provider, mode, claim, check):
    provider.misbehave(mode)
    authorization, token = _tokens(rp)
    decoded = jwt.decode(token["id_token"], rp.jwks(), algorithms=["ES256", "RS256"])  # signature is fine
    assert check(decoded.claims[claim], rp, authorization)
    with pytest.raises(JoseError):
        rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])


def test_expired_token(rp, provider, clock):
    provider.misbehave("expired_token")
    authorization, token = _tokens(rp)
    claims = jwt.decode(token["id_token"], rp.jwks(), algorithms=["ES256", "RS256"]).claims
    assert claims["exp"] < clock() - 60
    with pytest.raises(JoseError):
        rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])


def test_wrong_at_hash(rp, provider):
    provider.misbehave("wrong_at_hash")
    authorization, token = _tokens(rp)
    with pytest.raises(InvalidClaimError):
        rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])


def _verified_flow(rp):
    authorization, token = _tokens(rp)
    sub = rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])["sub"]
    return sub, rp.userinfo_response(token["access_token"])


def test_json_userinfo(rp, provider):
    provider.misbehave("json_userinfo")
    sub, response = _verified_flow(rp)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["sub"] == sub
    with pytest.raises(AssertionError):
        rp.verify_userinfo(response, sub=sub)


def test_userinfo_other_sub(rp, provider):
    provider.misbehave("userinfo_other_sub")
    sub, response = _verified_flow(rp)
    claims = jwt.decode(response.text, rp.jwks(), algorithms=["ES256", "RS256"]).claims
    assert claims["sub"] != sub
    with pytest.raises(JoseError):
        rp.verify_userinfo(response, sub=sub)


@pytest.mark.parametrize(
    "mode",
    [
        "userinfo_wrong_signature",
        "userinfo_unknown_kid",
        "userinfo_wrong_iss",
        "userinfo_wrong_aud",
        "userinfo_expired_token",
    ],
)
def test_userinfo_jwt_misbehaviours(rp, provider, mode):
    provider.misbehave(mode)
    sub, response = _verified_flow(rp)  # the ID token is fine
    assert response.headers["Content-Type"].startswith("application/jwt")
    with pytest.raises((JoseError, ValueError)):
        rp.verify_userinfo(response, sub=sub)


@pytest.mark.parametrize(
    ("mode", "error"),
    [("server_error_callback", "server_error"), ("temporarily_unavailable_callback", "temporarily_unavailable")],
)
def test_error_callbacks(rp, provider, mode, error):
    provider.misbehave(mode)
    authorization, callback = _flow(rp)
    params = rp.callback_params(callback)
    assert params["error"] == error
    assert params["error_description"]
    assert params["state"] == authorization.state
    assert "code" not in params


def test_wrong_callback_iss(rp, provider):
    provider.misbehave("wrong_callback_iss")
    _, callback = _flow(rp)
    params = rp.callback_params(callback)
    assert params["code"] and params["iss"] != rp.issuer


def test_modes_last_until_reset(rp, provider):
    provider.misbehave("wrong_acr")
    for _ in range(2):
        _, token = _tokens(rp)
        assert jwt.decode(token["id_token"], rp.jwks()).claims["acr"] != "eidas1"
    provider.behave()
    authorization, token = _tokens(rp)
    rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])


def test_unknown_mode_is_refused(provider):
    with pytest.raises(ValueError):
        provider.misbehave("nimporte_quoi")


def test_control_endpoint_sets_and_resets_modes(rp, provider, base_url):
    url = f"{base_url}/_fc/_control/misbehave"
    response = requests.post(url, data={"mode": "wrong_nonce"}, timeout=10)
    assert response.status_code == 200
    assert response.json()["modes"] == ["wrong_nonce"]
    assert provider.misbehaviours == {"wrong_nonce"}
    authorization, token = _tokens(rp)
    assert jwt.decode(token["id_token"], rp.jwks()).claims["nonce"] != authorization.nonce

    response = requests.post(url, json={"mode": "json_userinfo"}, timeout=10)
    assert response.json()["modes"] == ["json_userinfo"]
    response = requests.post(url, json={"modes": ["wrong_iss", "wrong_aud"]}, timeout=10)
    assert response.json()["modes"] == ["wrong_aud", "wrong_iss"]

    assert requests.post(url, json={"mode": "inconnu"}, timeout=10).status_code == 400
    assert provider.misbehaviours == {"wrong_iss", "wrong_aud"}

    response = requests.post(url, data={"mode": "none"}, timeout=10)
    assert response.json()["modes"] == []
    assert requests.get(url, timeout=10).json()["known"].keys() == MISBEHAVIOURS.keys()
    authorization, token = _tokens(rp)
    rp.verify_id_token(token["id_token"], nonce=authorization.nonce, access_token=token["access_token"])
