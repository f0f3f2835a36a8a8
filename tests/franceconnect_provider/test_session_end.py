"""RP-initiated logout at /session/end."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests

from .oidc_client import Page, random_alphanumeric


@pytest.fixture
def signed_in(rp):
    authorization = rp.authorization()
    token = rp.exchange(rp.log_in(authorization), authorization.state)
    return token


def _end(rp, **params) -> requests.Response:
    url = rp.metadata["end_session_endpoint"] + "?" + urlencode({k: v for k, v in params.items() if v is not None})
    return requests.get(url, allow_redirects=False, timeout=10)


def test_session_end_redirects_with_the_state(rp, signed_in, base_url):
    state = random_alphanumeric()
    response = _end(
        rp,
        id_token_hint=signed_in["id_token"],
        state=state,
        post_logout_redirect_uri=f"{base_url}/logged-out",
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{base_url}/logged-out?")
    assert rp.callback_params(location) == {"state": state}
    # the tokens of that session are over
    assert rp.userinfo_response(signed_in["access_token"]).status_code == 401


def test_session_end_works_after_key_rotation(rp, signed_in, provider, base_url):
    provider.rotate_keys()
    response = _end(
        rp, id_token_hint=signed_in["id_token"], state="s" * 32, post_logout_redirect_uri=f"{base_url}/logged-out"
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "changes",
    [
        {"post_logout_redirect_uri": "http://127.0.0.1:1/ailleurs"},
        {"post_logout_redirect_uri": None},
        {"state": None},
        {"id_token_hint": None},
        {"id_token_hint": "pas.un.jeton"},
        {"id_token_hint": "FORGED"},
    ],
)
def test_session_end_errors_give_a_french_page(rp, signed_in, base_url, changes):
    params = {
        "id_token_hint": signed_in["id_token"],
        "state": random_alphanumeric(),
        "post_logout_redirect_uri": f"{base_url}/logged-out",
    }
    params.update(changes)
    if params["id_token_hint"] == "FORGED":
        header, payload, _ = signed_in["id_token"].split(".")
        params["id_token_hint"] = f"{header}.{payload}.{'A' * 86}"
    response = _end(rp, **params)
    assert response.status_code == 400
    assert "Location" not in response.headers
    page = Page.of(response)
    assert page.parser.html_lang == "fr"
    assert page.title


def test_session_end_refuses_an_id_token_signed_elsewhere(rp, provider, base_url):
    provider.misbehave("wrong_signature")
    authorization = rp.authorization()
    token = rp.exchange(rp.log_in(authorization), authorization.state)
    response = _end(
        rp, id_token_hint=token["id_token"], state="s" * 32, post_logout_redirect_uri=f"{base_url}/logged-out"
    )
    assert response.status_code == 400
