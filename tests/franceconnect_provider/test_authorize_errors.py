"""Validation at the authorization endpoint: an HTML page when the client or the redirect URI is not
trusted, an error redirect otherwise."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests

from .conftest import CLIENT_ID
from .oidc_client import Page, random_alphanumeric


def _params(rp, **changes):
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": rp.redirect_uri,
        "scope": "openid identite_pivot",
        "acr_values": "eidas1",
        "state": random_alphanumeric(),
        "nonce": random_alphanumeric(),
    }
    params.update(changes)
    return {key: value for key, value in params.items() if value is not None}


def _authorize(rp, params: dict | None = None, **changes) -> requests.Response:
    params = params if params is not None else _params(rp, **changes)
    url = rp.metadata["authorization_endpoint"] + "?" + urlencode(params)
    return requests.get(url, allow_redirects=False, timeout=10)


@pytest.mark.parametrize(
    "changes",
    [
        {"client_id": "inconnu"},
        {"client_id": None},
        {"redirect_uri": "http://127.0.0.1:1/ailleurs"},
        {"redirect_uri": None},
        {"redirect_uri": "REDIRECT/"},  # a registered URI plus one character
    ],
)
def test_untrusted_client_or_redirect_uri_gives_a_french_page_without_redirect(rp, changes):
    if changes.get("redirect_uri") == "REDIRECT/":
        changes = {"redirect_uri": rp.redirect_uri + "/"}
    response = _authorize(rp, **changes)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")
    page = Page.of(response)
    assert page.parser.html_lang == "fr"
    assert page.title


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"nonce": "a" * 31}, "invalid_request"),
        ({"nonce": None}, "invalid_request"),
        ({"acr_values": None}, "invalid_request"),
        ({"acr_values": "eidas2"}, "invalid_request"),
        ({"prompt": "none"}, "invalid_request"),
        ({"prompt": "select_account"}, "invalid_request"),
        ({"scope": "identite_pivot email"}, "invalid_scope"),
        ({"scope": "openid inconnu"}, "invalid_scope"),
        ({"scope": None}, "invalid_scope"),
    ],
)
def test_invalid_request_redirects_with_an_error_and_the_state(rp, changes, error):
    params = _params(rp, **changes)
    response = _authorize(rp, params)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(rp.redirect_uri + "?")
    query = rp.callback_params(location)
    assert query["error"] == error
    assert query["error_description"]
    assert query["state"] == params["state"]
    assert "code" not in query


def test_missing_state_is_refused(rp):
    response = _authorize(rp, state=None)
    assert response.status_code == 302
    assert rp.callback_params(response.headers["Location"])["error"] == "invalid_request"


def test_wrong_response_type_is_refused(rp):
    response = _authorize(rp, response_type="token")
    assert response.status_code == 302
    query = rp.callback_params(response.headers["Location"])
    assert query["error"] == "unsupported_response_type"
    assert "code" not in query


def test_nonce_of_32_characters_and_prompt_login_consent_are_accepted(rp):
    response = _authorize(rp, nonce="n" * 32, prompt="login consent")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(rp.issuer + "/interaction/")
