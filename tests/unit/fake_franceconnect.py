"""A FranceConnect that answers at the HTTP level, inside the test process: every `requests` session
(ours and authlib's) is given this transport, so the client under test runs unchanged, down to the
parsing of status codes, headers and bodies. Tokens are signed here with joserfc; a test changes an
answer, a claim or a key to make the provider misbehave, and reads what the client asked for."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.oidc.core.util import create_half_hash
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

ISSUER = "https://fc.test/api/v2"
CLIENT_ID = "ameli-client-id"
CLIENT_SECRET = "ameli-client-secret"
REDIRECT_URI = "https://api.ameli.test/v1/franceconnect/callback"
POST_LOGOUT_REDIRECT_URI = "https://ameli.test/creer-mon-compte/messagerie"
CODE = "code-0123456789"
ACCESS_TOKEN = "access-token-0123456789abcdef"
NONCE = "N" * 64
SUB = "b" * 64 + "v1"
NOW = 1_780_000_000.0
EC_KID = "pkcs11:ES256:hsm"  # FranceConnect names its keys, and keeps the name across rotations
RSA_KID = "pkcs11:RS256:hsm"

IDENTITY = {
    "given_name": "Angela Claire Louise", "given_name_array": ["Angela", "Claire", "Louise"],
    "family_name": "DUBOIS", "preferred_username": "", "birthdate": "1962-08-24", "gender": "female",
    "birthplace": "75107", "birthcountry": "99100", "email": "angela.dubois@example.fr",
}


def ec_key(kid: str = EC_KID) -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig", "alg": "ES256"})


def rsa_key(kid: str = RSA_KID) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    @classmethod
    def json(cls, value: Any, status: int = 200, **headers: str) -> Answer:
        return cls(status, {"Content-Type": "application/json", **headers}, json.dumps(value))

    @classmethod
    def html(cls, status: int = 200) -> Answer:  # what a maintenance page looks like
        return cls(status, {"Content-Type": "text/html; charset=utf-8"},
                   "<!doctype html><html lang=fr><title>Maintenance</title><p>Service indisponible</p></html>")


class FakeFranceConnect(BaseAdapter):
    """Discovery, JWKS, token and userinfo of one FranceConnect, well behaved until told otherwise."""

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__()
        self.clock = clock
        self.signing_keys: dict[str, Any] = {"ES256": ec_key(), "RS256": rsa_key()}
        self.published_keys: list[Any] = list(self.signing_keys.values())
        self.id_token_alg = "ES256"
        self.id_token_changes: dict[str, Any] = {}  # a value of None removes the claim
        self.userinfo_changes: dict[str, Any] = {}
        self.id_token_header: dict[str, Any] = {}
        self.userinfo_header: dict[str, Any] = {}
        self.id_token_key: Any = None  # None: the published key of the algorithm
        self.userinfo_key: Any = None
        self.overrides: dict[str, Answer | Callable[[], Answer] | Exception] = {}  # by path
        self.requests: Counter[str] = Counter()
        self.token_forms: list[dict[str, str]] = []

    # -- what a test changes --------------------------------------------------------------------
    def rotate_keys_keeping_kids(self) -> None:
        """New keys under the same kids, published at once (the way FranceConnect rotates)."""
        self.signing_keys = {"ES256": ec_key(), "RS256": rsa_key()}
        self.published_keys = list(self.signing_keys.values())

    def answer(self, path: str, answer: Answer | Callable[[], Answer] | Exception) -> None:
        self.overrides[path] = answer

    # -- tokens ---------------------------------------------------------------------------------
    def sign(self, claims: dict[str, Any], *, alg: str | None = None, header: dict[str, Any] | None = None,
             key: Any = None) -> str:
        alg = alg or self.id_token_alg
        key = key or self.signing_keys[alg]
        protected = {"alg": alg, "typ": "JWT", "kid": key.kid, **(header or {})}
        return jwt.encode({k: v for k, v in protected.items() if v is not None}, claims, key)

    def id_token_claims(self) -> dict[str, Any]:
        now = int(self.clock())
        claims = {
            "iss": ISSUER, "sub": SUB, "aud": CLIENT_ID, "iat": now, "exp": now + 60, "auth_time": now,
            "acr": "eidas1", "nonce": NONCE, "amr": ["pwd"],
            "at_hash": create_half_hash(ACCESS_TOKEN, self.id_token_alg).decode(),
        }
        return _changed(claims, self.id_token_changes)

    def userinfo_claims(self) -> dict[str, Any]:
        now = int(self.clock())
        claims = {"iss": ISSUER, "sub": SUB, "aud": CLIENT_ID, "iat": now, "exp": now + 60, **IDENTITY}
        return _changed(claims, self.userinfo_changes)

    # -- the endpoints --------------------------------------------------------------------------
    def _discovery(self) -> Answer:
        return Answer.json({
            "issuer": ISSUER,
            "authorization_endpoint": f"{ISSUER}/authorize",
            "token_endpoint": f"{ISSUER}/token",
            "userinfo_endpoint": f"{ISSUER}/userinfo",
            "jwks_uri": f"{ISSUER}/jwks",
            "end_session_endpoint": f"{ISSUER}/session/end",
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        })

    def _jwks(self) -> Answer:
        return Answer.json(KeySet(self.published_keys).as_dict(private=False))

    def _token(self, form: dict[str, str]) -> Answer:
        self.token_forms.append(form)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return Answer.json({"error": "invalid_client"}, status=401)
        if form.get("code") != CODE or form.get("redirect_uri") != REDIRECT_URI:
            return Answer.json({"error": "invalid_grant"}, status=400)
        return Answer.json({
            "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 60, "scope": "openid",
            "id_token": self.sign(self.id_token_claims(), header=self.id_token_header, key=self.id_token_key),
        }, **{"Cache-Control": "no-store"})

    def _userinfo(self, authorization: str | None) -> Answer:
        if authorization != f"Bearer {ACCESS_TOKEN}":
            return Answer(401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, "")
        return Answer(200, {"Content-Type": "application/jwt"},
                      self.sign(self.userinfo_claims(), header=self.userinfo_header, key=self.userinfo_key))

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url)
        path = url.path.removeprefix(urlsplit(ISSUER).path)
        self.requests[path] += 1
        override = self.overrides.get(path)
        if isinstance(override, Exception):
            raise override
        if override is not None:
            answer = override() if callable(override) else override
        elif f"{url.scheme}://{url.netloc}" != "https://fc.test":
            raise requests.ConnectionError(f"no route to {url.netloc}")
        elif path == "/.well-known/openid-configuration" and request.method == "GET":
            answer = self._discovery()
        elif path == "/jwks" and request.method == "GET":
            answer = self._jwks()
        elif path == "/token" and request.method == "POST":
            body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
            answer = self._token({k: v[0] for k, v in parse_qs(body).items()})
        elif path == "/userinfo" and request.method == "GET":
            answer = self._userinfo(request.headers.get("Authorization"))
        else:
            answer = Answer(404, {"Content-Type": "text/plain"}, "not found")
        return self._response(request, answer)

    @staticmethod
    def _response(request: requests.PreparedRequest, answer: Answer) -> requests.Response:
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.body.encode()
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        response.reason = "fake"
        return response

    def close(self) -> None:
        pass


def _changed(claims: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**claims, **changes}
    return {k: v for k, v in merged.items() if v is not None}
