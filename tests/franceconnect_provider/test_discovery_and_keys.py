"""Discovery document, JWKS and key rotation."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import requests
from authlib.oidc import rpinitiated
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from werkzeug.test import EnvironBuilder

from local.franceconnect import ClientRegistration, create_provider


def test_discovery_document(issuer, provider):
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    doc = response.json()
    OpenIDProviderMetadata(doc).validate(metadata_classes=[rpinitiated.OpenIDProviderMetadata])
    assert doc["issuer"] == issuer
    for name, path in (
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks"),
        ("end_session_endpoint", "/session/end"),
    ):
        assert doc[name] == issuer + path
    assert set(doc["scopes_supported"]) >= {
        "openid",
        "identite_pivot",
        "given_name",
        "family_name",
        "birthdate",
        "gender",
        "birthplace",
        "birthcountry",
        "preferred_username",
        "email",
        "idp_birthdate",
    }
    assert doc["response_types_supported"] == ["code"]
    assert doc["acr_values_supported"] == ["eidas1"]
    assert doc["id_token_signing_alg_values_supported"] == ["ES256", "RS256"]
    assert doc["userinfo_signing_alg_values_supported"] == ["ES256", "RS256"]
    assert doc["token_endpoint_auth_methods_supported"] == ["client_secret_post"]
    assert set(doc["claims_supported"]) >= {
        "sub",
        "given_name",
        "given_name_array",
        "family_name",
        "preferred_username",
        "birthdate",
        "gender",
        "birthplace",
        "birthcountry",
        "email",
        "idp_birthdate",
    }


def test_jwks_has_one_es256_and_one_rs256_public_key(issuer, provider):
    keys = requests.get(f"{issuer}/jwks", timeout=10).json()["keys"]
    assert sorted((key["kty"], key["alg"]) for key in keys) == [("EC", "ES256"), ("RSA", "RS256")]
    for key in keys:
        assert key["kid"] and key["use"] == "sig"
        assert "d" not in key and "p" not in key  # public parts only
    ec = next(key for key in keys if key["kty"] == "EC")
    rsa = next(key for key in keys if key["kty"] == "RSA")
    assert ec["crv"] == "P-256"
    assert len(base64.urlsafe_b64decode(rsa["n"] + "==")) * 8 == 2048


def test_keys_are_generated_at_start(issuer, provider):
    other = create_provider(issuer, [ClientRegistration("c", "s", ["http://x/cb"])], [])
    assert {k["kid"] for k in other.jwks()["keys"]}.isdisjoint({k["kid"] for k in provider.jwks()["keys"]})


def test_rotation_publishes_new_kids_and_signs_with_them(rp, provider, issuer):
    old = {key["kid"] for key in requests.get(f"{issuer}/jwks", timeout=10).json()["keys"]}
    new = set(provider.rotate_keys())
    assert new.isdisjoint(old)
    assert {key["kid"] for key in requests.get(f"{issuer}/jwks", timeout=10).json()["keys"]} == new

    authorization = rp.authorization()
    token = rp.exchange(rp.log_in(authorization), authorization.state)
    assert jwt.decode(token["id_token"], rp.jwks()).header["kid"] in new

    kept = set(provider.rotate_keys(keep_previous=True))
    assert {key["kid"] for key in provider.jwks()["keys"]} == kept | new


def test_rotation_through_the_control_endpoint(base_url, provider):
    old = {key["kid"] for key in provider.jwks()["keys"]}
    response = requests.post(f"{base_url}/_fc/_control/rotate-keys", timeout=10)
    assert response.status_code == 200
    assert set(response.json()["kids"]) == {key["kid"] for key in provider.jwks()["keys"]}
    assert set(response.json()["kids"]).isdisjoint(old)


def test_routes_work_with_or_without_prefix_stripping(issuer, provider):
    environ_stripped = {"PATH_INFO": "/api/v2/jwks", "SCRIPT_NAME": "/_fc"}
    environ_full = {"PATH_INFO": "/_fc/api/v2/jwks", "SCRIPT_NAME": ""}
    for extra in (environ_stripped, environ_full):
        environ = EnvironBuilder(path="/", base_url="http://127.0.0.1/").get_environ()
        environ.update(extra)
        statuses = []
        body = b"".join(provider(environ, lambda status, headers, exc_info=None: statuses.append(status)))
        assert statuses == ["200 OK"]
        assert b'"keys"' in body


def test_home_page_in_french(base_url, provider):
    response = requests.get(f"{base_url}/_fc/api/v2", timeout=10)
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text


def test_unknown_route_is_404(base_url, provider):
    assert requests.get(f"{base_url}/_fc/api/v2/nope", timeout=10).status_code == 404
    assert requests.get(f"{base_url}/_fc/api/v2/token", timeout=10).status_code == 405


def test_demo_fixture_identities_are_accepted(issuer):
    demo = Path(__file__).resolve().parents[2] / "local" / "demo_fixtures.json"
    if not demo.exists():  # pragma: no cover - the file belongs to the stack
        pytest.skip("no demo fixture file")
    identities = json.loads(demo.read_text(encoding="utf-8"))["franceconnect_identities"]
    provider = create_provider(issuer, [ClientRegistration("c", "s", ["http://x/cb"])], identities)
    assert len(provider.identities) == len(identities)


def test_bad_identity_is_reported_without_its_values(issuer):
    bad = {"login": "x", "password": "secret-value", "gender": "female"}
    with pytest.raises(ValueError) as caught:
        create_provider(issuer, [ClientRegistration("c", "s", ["http://x/cb"])], [bad])
    assert "franceconnect_identities[0]" in str(caught.value)
    assert "secret-value" not in str(caught.value)
