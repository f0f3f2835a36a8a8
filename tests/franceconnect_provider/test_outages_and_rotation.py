"""The misbehaviours that a real FranceConnect shows without being faulty in the JWT sense: keys
rotated under the same kid (its kids are HSM names), maintenance pages instead of JSON or JWTs, an
extra audience, a token endpoint refusing our client."""

from __future__ import annotations

import json

import pytest
import requests
from authlib.integrations.base_client.errors import OAuthError
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError

from .conftest import CLIENT_ID


def _tokens(rp):
    authorization = rp.authorization()
    return authorization, rp.exchange(rp.log_in(authorization), authorization.state)


def test_rotation_keeping_the_kids_signs_with_new_keys_under_the_old_names(rp, provider):
    before = rp.jwks()
    kids = {key["kid"] for key in provider.jwks()["keys"]}
    assert set(provider.rotate_keys(keep_kids=True)) == kids
    assert {key["kid"] for key in provider.jwks()["keys"]} == kids
    _, token = _tokens(rp)
    with pytest.raises(BadSignatureError):  # a client that kept the keys of that kid is wrong now
        jwt.decode(token["id_token"], before, algorithms=["ES256", "RS256"])
    jwt.decode(token["id_token"], rp.jwks(), algorithms=["ES256", "RS256"])  # the published ones verify


def test_rotation_keeping_the_kids_through_the_control_endpoint(base_url, provider):
    kids = {key["kid"] for key in provider.jwks()["keys"]}
    keys = provider.jwks()["keys"]
    response = requests.post(f"{base_url}/_fc/_control/rotate-keys", json={"keep_kids": True}, timeout=10)
    assert response.status_code == 200 and set(response.json()["kids"]) == kids
    assert provider.jwks()["keys"] != keys


def test_aud_with_another_audience(rp, provider):
    provider.misbehave("aud_with_another_audience")
    _, token = _tokens(rp)
    claims = json.loads(jws.extract_compact(token["id_token"].encode()).payload)
    assert claims["aud"][0] == CLIENT_ID and len(claims["aud"]) == 2


def test_token_invalid_client(rp, provider):
    provider.misbehave("token_invalid_client")
    with pytest.raises(OAuthError) as refused:
        _tokens(rp)
    assert refused.value.error == "invalid_client"


@pytest.mark.parametrize(("mode", "path", "status"), [
    ("maintenance_discovery", "/.well-known/openid-configuration", 200),
    ("maintenance_jwks", "/jwks", 200),
    ("maintenance_userinfo", "/userinfo", 200),
])
def test_maintenance_pages(issuer, provider, mode, path, status):
    provider.misbehave(mode)
    response = requests.get(f"{issuer}{path}", timeout=10)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        response.json()


def test_maintenance_token(rp, provider, issuer):
    provider.misbehave("maintenance_token")
    response = requests.post(f"{issuer}/token", data={"grant_type": "authorization_code"}, timeout=10)
    assert response.status_code == 503 and response.headers["Content-Type"].startswith("text/html")
