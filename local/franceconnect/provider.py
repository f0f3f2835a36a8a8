"""A local FranceConnect (fcp-low, API v2): a real OpenID Connect provider on authlib + joserfc, served
as a WSGI application.

Mounting: the application expects PATH_INFO relative to its mount point. With the issuer
`http://127.0.0.1:3000/_fc/api/v2`, the stack strips `/_fc` (moving it to SCRIPT_NAME) and the routes
seen here are `/api/v2/.well-known/openid-configuration`, `/api/v2/jwks`, `/api/v2/authorize`, ...
The mount prefix is read from the issuer (its path minus `/api/v2`); a PATH_INFO that still starts
with it is accepted too. Every URL the provider prints (discovery, redirects, form actions) is built
from the issuer.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import (
    AccessDeniedError,
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Payload,
    OAuth2Request,
    ResourceProtector,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oidc import rpinitiated
from authlib.oidc.core import UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.discovery import OpenIDProviderMetadata
from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc import jwt
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from . import pages
from .keys import SigningKeys
from .model import (
    IDENTITY_CLAIMS,
    IDENTITY_PROVIDERS,
    SCOPE_CLAIMS,
    SUPPORTED_ALGS,
    AccessToken,
    AuthorizationCode,
    Client,
    ClientRegistration,
    Identity,
    Subject,
)

log = logging.getLogger("local.franceconnect")

API_PATH = "/api/v2"
CODE_LIFETIME = 30
ACCESS_TOKEN_LIFETIME = 60
ID_TOKEN_LIFETIME = 60
INTERACTION_LIFETIME = 600
MIN_NONCE_LENGTH = 32
BROWSER_COOKIE = "fc_browser"
ABORT_DESCRIPTION = "user authentication aborted"

#: Misbehaviour modes, each affecting every following flow until `behave()` (or mode `none`).
MISBEHAVIOURS: dict[str, str] = {
    # ID token
    "wrong_signature": "ID token signed by a key absent from the JWKS, under the kid of a published key",
    "unknown_kid": "ID token signed by the published key but under a kid that is not (and never will be) in the JWKS",
    "wrong_iss": "ID token iss is another issuer",
    "wrong_aud": "ID token aud is another client",
    "wrong_nonce": "ID token nonce differs from the one of the authorization request",
    "wrong_acr": "ID token acr is not eidas1",
    "expired_token": "ID token exp (and iat, auth_time) in the past",
    "wrong_at_hash": "ID token at_hash does not match the access token",
    # userinfo
    "json_userinfo": "userinfo answered as application/json instead of a signed JWT",
    "userinfo_other_sub": "userinfo JWT carries another sub than the ID token",
    "userinfo_wrong_signature": "userinfo JWT signed by a key absent from the JWKS, under a published kid",
    "userinfo_unknown_kid": "userinfo JWT under a kid that is not in the JWKS",
    "userinfo_wrong_iss": "userinfo JWT iss is another issuer",
    "userinfo_wrong_aud": "userinfo JWT aud is another client",
    "userinfo_expired_token": "userinfo JWT exp in the past",
    # callback
    "server_error_callback": "authorization ends with error=server_error",
    "temporarily_unavailable_callback": "authorization ends with error=temporarily_unavailable",
    "wrong_callback_iss": "the callback's iss parameter is another issuer",
    # answers that are not the protocol's
    "aud_with_another_audience": "ID token aud is an array of this client and another audience",
    "token_invalid_client": "the token endpoint answers 401 invalid_client (a revoked client secret)",
    "maintenance_discovery": "the discovery document is an HTML maintenance page (200)",
    "maintenance_jwks": "the JWKS is an HTML maintenance page (200)",
    "maintenance_token": "the token endpoint answers an HTML maintenance page (503)",
    "maintenance_userinfo": "the userinfo endpoint answers an HTML maintenance page (200)",
}

OTHER_ISSUER = "https://faux-fournisseur.invalid/api/v2"
OTHER_AUDIENCE = "client-inconnu-de-ce-service"
WRONG_ACR = "eidas0"


def _now(clock: Callable[[], float]) -> int:
    return int(clock())


# --------------------------------------------------------------------------- authlib framework glue


class _Payload(OAuth2Payload):
    def __init__(self, values: CombinedMultiDict) -> None:
        self._values = values

    @property
    def data(self) -> CombinedMultiDict:
        return self._values

    @cached_property
    def datalist(self) -> defaultdict[str, list]:
        values: defaultdict[str, list] = defaultdict(list)
        for key in self._values:
            values[key].extend(self._values.getlist(key))
        return values


class _OAuth2Request(OAuth2Request):
    """authlib's request, built from a werkzeug request or from saved authorization parameters."""

    def __init__(self, method: str, uri: str, headers: Any, args: MultiDict, form: MultiDict) -> None:
        # The transport check of authlib (https or loopback) is for real deployments; this stand-in
        # serves plain http on whatever host the stack uses, so the check is made on a placeholder.
        super().__init__(method, "https://localhost/", headers=headers)
        self.uri = uri
        self._args = args
        self._form = form
        self.payload = _Payload(CombinedMultiDict([args, form]))

    @classmethod
    def from_werkzeug(cls, request: Request) -> "_OAuth2Request":
        form = request.form if request.method == "POST" else MultiDict()
        return cls(request.method, request.url, request.headers, request.args, form)

    @property
    def args(self) -> MultiDict:
        return self._args

    @property
    def form(self) -> MultiDict:
        return self._form


class _AuthorizationServer(AuthorizationServer):
    def __init__(self, provider: "FranceConnectProvider") -> None:
        super().__init__(scopes_supported=list(SCOPE_CLAIMS))
        self.provider = provider

    def query_client(self, client_id: str) -> Client | None:
        return self.provider._clients.get(client_id)

    def save_token(self, token: dict, request: OAuth2Request) -> None:
        self.provider._save_token(token, request)

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        return _OAuth2Request.from_werkzeug(request)

    def create_json_request(self, request: Any) -> Any:  # pragma: no cover - no JSON endpoint here
        raise NotImplementedError()

    def handle_response(self, status: int, body: Any, headers: list) -> Response:
        if isinstance(body, dict):
            body = json.dumps(body)
        return Response(body, status=status, headers=headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class _CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post"]

    @property
    def provider(self) -> "FranceConnectProvider":
        return self.server.provider

    def validate_authorization_request(self) -> str:
        """authlib's checks (client, redirect_uri, response_type, supported scopes, nonce present),
        then FranceConnect's own."""
        redirect_uri = super().validate_authorization_request()
        data = self.request.payload.data
        scopes = (data.get("scope") or "").split()
        if "openid" not in scopes:
            raise InvalidScopeError("The 'openid' scope is mandatory.", redirect_uri=redirect_uri)
        if data.get("acr_values") != "eidas1":
            raise InvalidRequestError("'acr_values' must be 'eidas1'.", redirect_uri=redirect_uri)
        if not data.get("state"):
            raise InvalidRequestError("Missing 'state' in request.", redirect_uri=redirect_uri)
        nonce = data.get("nonce") or ""
        if len(nonce) < MIN_NONCE_LENGTH:
            raise InvalidRequestError(
                f"'nonce' must be at least {MIN_NONCE_LENGTH} characters long.", redirect_uri=redirect_uri
            )
        prompt = data.get("prompt")
        if prompt is not None and (not prompt.split() or not set(prompt.split()) <= {"login", "consent"}):
            raise InvalidRequestError("'prompt' accepts only 'login' and 'consent'.", redirect_uri=redirect_uri)
        for name in ("nonce", "acr_values", "prompt"):
            if len(self.request.payload.datalist.get(name, [])) > 1:
                raise InvalidRequestError(f"Multiple '{name}' in request.", redirect_uri=redirect_uri)
        return redirect_uri

    def create_authorization_response(self, redirect_uri: str, grant_user: Subject | None) -> tuple:
        if grant_user is None:
            raise AccessDeniedError(ABORT_DESCRIPTION, redirect_uri=redirect_uri)
        status, body, headers = super().create_authorization_response(redirect_uri, grant_user)
        iss = OTHER_ISSUER if self.provider._mode("wrong_callback_iss") else self.provider.issuer
        location = add_params_to_uri(dict(headers)["Location"], [("iss", iss)])
        return status, body, [("Location", location), ("Cache-Control", "no-store")]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        provider = self.provider
        subject: Subject = request.user
        provider._codes[code] = AuthorizationCode(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=data.get("redirect_uri"),
            scope=request.scope,
            nonce=data.get("nonce"),
            subject=subject,
            auth_time=subject.auth_time or _now(provider.clock),
            issued_at=provider.clock(),
            lifetime=CODE_LIFETIME,
            clock=provider.clock,
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        found = self.provider._codes.get(code)
        if found is None or found.client_id != client.client_id:
            return None
        if found.used:
            # RFC 6749 4.1.2: a code used twice revokes the tokens it gave.
            self.provider._revoke(found.access_tokens)
            log.info("token: authorization code replayed, its tokens are revoked")
            return None
        if found.is_expired():
            return None
        return found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        authorization_code.used = True

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Subject:
        return authorization_code.subject


class _OpenIDCode(OpenIDCode):
    """The ID token: authlib builds and signs it; FranceConnect's claims and the misbehaviours come
    from the hooks below."""

    def __init__(self, provider: "FranceConnectProvider") -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return False  # FranceConnect does not reject a nonce seen before; the client must check it

    def get_client_algorithm(self, client: Client) -> str:
        return client.id_token_signed_response_alg

    def get_encode_header(self, client: Client) -> dict:
        alg = self.get_client_algorithm(client)
        return {"alg": alg, "typ": "JWT", "kid": self.provider._kid_for(alg, "unknown_kid")}

    def resolve_client_private_key(self, client: Client) -> Any:
        return self.provider._key_for(self.get_client_algorithm(client), "wrong_signature")

    def get_client_claims(self, client: Client) -> dict:
        p = self.provider
        iat = _now(p.clock) - (600 if p._mode("expired_token") else 0)
        return {
            "iss": OTHER_ISSUER if p._mode("wrong_iss") else p.issuer,
            "aud": OTHER_AUDIENCE if p._mode("wrong_aud") else (
                [client.client_id, OTHER_AUDIENCE] if p._mode("aud_with_another_audience") else client.client_id),
            "iat": iat,
            "exp": iat + ID_TOKEN_LIFETIME,
        }

    def get_authorization_code_claims(self, authorization_code: AuthorizationCode) -> dict:
        claims = super().get_authorization_code_claims(authorization_code)
        p = self.provider
        if p._mode("wrong_nonce"):
            claims["nonce"] = secrets.token_urlsafe(48)
        if p._mode("wrong_acr"):
            claims["acr"] = WRONG_ACR
        if p._mode("expired_token"):
            claims["auth_time"] = claims.get("auth_time", _now(p.clock)) - 600
        return claims

    def generate_user_info(self, user: Subject, scope: str) -> dict:
        return {"sub": user.sub}

    def encode_id_token(self, token: dict, request: OAuth2Request) -> str:
        if self.provider._mode("wrong_at_hash"):
            token = dict(token, access_token=secrets.token_urlsafe(32))
        return super().encode_id_token(token, request)


class _BearerTokenValidator(BearerTokenValidator):
    def __init__(self, provider: "FranceConnectProvider") -> None:
        super().__init__(realm=None)
        self.provider = provider

    def authenticate_token(self, token_string: str) -> AccessToken | None:
        return self.provider._tokens.get(token_string)


class _UserInfoEndpoint(UserInfoEndpoint):
    def __init__(self, provider: "FranceConnectProvider", resource_protector: ResourceProtector) -> None:
        super().__init__(resource_protector=resource_protector)
        self.provider = provider

    def get_issuer(self) -> str:
        return self.provider.issuer

    def generate_user_info(self, user: Subject, scope: str) -> dict:
        claims = {"sub": user.sub}
        claims.update(user.identity.claims_for_scope(scope))
        return claims

    def __call__(self, request: OAuth2Request) -> tuple:
        p = self.provider
        token: AccessToken = self.resource_protector.validate_request(["openid"], request)
        client = token.get_client()
        claims = self.generate_user_info(token.get_user(), token.scope)
        if p._mode("userinfo_other_sub"):
            claims["sub"] = secrets.token_hex(32) + "v1"
        if p._mode("json_userinfo"):
            return 200, claims, [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
        iat = _now(p.clock) - (600 if p._mode("userinfo_expired_token") else 0)
        claims.update(
            iss=OTHER_ISSUER if p._mode("userinfo_wrong_iss") else self.get_issuer(),
            aud=OTHER_AUDIENCE if p._mode("userinfo_wrong_aud") else client.client_id,
            iat=iat,
            exp=iat + ACCESS_TOKEN_LIFETIME,
        )
        alg = client.userinfo_signed_response_alg
        header = {"alg": alg, "typ": "JWT", "kid": p._kid_for(alg, "userinfo_unknown_kid")}
        key = p._key_for(alg, "userinfo_wrong_signature")
        body = jwt.encode(header, claims, key, algorithms=[alg])
        return 200, body, [("Content-Type", "application/jwt"), ("Cache-Control", "no-store")]


class _EndSessionEndpoint(EndSessionEndpoint):
    def __init__(self, provider: "FranceConnectProvider") -> None:
        super().__init__()
        self.provider = provider

    def get_server_jwks(self) -> Any:
        return self.provider.keys.verification_keys()

    def get_algorithms(self) -> list[str]:
        return list(SUPPORTED_ALGS)

    def end_session(self, end_session_request: Any) -> None:
        claims = end_session_request.id_token_claims or {}
        client = end_session_request.client
        if client is None:
            return
        self.provider._revoke(
            value
            for value, token in self.provider._tokens.items()
            if token.client.client_id == client.client_id and token.subject.sub == claims.get("sub")
        )


# --------------------------------------------------------------------------- the provider


@dataclass
class _Interaction:
    uid: str
    browser: str
    client_id: str
    params: list[tuple[str, str]]
    created: float
    identity_provider: str | None = None
    subject: Subject | None = field(default=None, repr=False)


class FranceConnectProvider:
    """WSGI application of the local FranceConnect. Build it with `create_provider`."""

    def __init__(
        self,
        issuer: str,
        clients: Iterable[ClientRegistration],
        identities: Iterable[dict | Identity],
        clock: Callable[[], float] = time.time,
    ) -> None:
        issuer = issuer.rstrip("/")
        parts = urlsplit(issuer)
        if parts.scheme not in ("http", "https") or not parts.netloc or not parts.path.endswith(API_PATH):
            raise ValueError(f"the issuer must be an http(s) URL ending with {API_PATH}")
        self.issuer = issuer
        self.mount_prefix = parts.path[: -len(API_PATH)]  # "" or e.g. "/_fc"
        self.clock = clock
        self.keys = SigningKeys()
        self._clients: dict[str, Client] = {}
        for registration in clients:
            if registration.client_id in self._clients:
                raise ValueError(f"client {registration.client_id!r} registered twice")
            self._clients[registration.client_id] = Client(registration)
        self.identities: list[Identity] = []
        for index, entry in enumerate(identities):
            identity = entry if isinstance(entry, Identity) else Identity.from_fixture(entry, index)
            if any(known.login == identity.login for known in self.identities):
                raise ValueError(f'franceconnect_identities[{index}]: field "login": used twice')
            self.identities.append(identity)
        self._codes: dict[str, AuthorizationCode] = {}
        self._tokens: dict[str, AccessToken] = {}
        self._interactions: dict[str, _Interaction] = {}
        self._modes: frozenset[str] = frozenset()
        self._lock = threading.RLock()
        self._server = self._build_server()

    # ----------------------------------------------------------------- public API for tests

    def misbehave(self, *modes: str) -> None:
        """From now on, misbehave in the given ways (replacing any previous ones); `none` resets."""
        wanted = frozenset(mode for mode in modes if mode != "none")
        unknown = wanted - set(MISBEHAVIOURS)
        if unknown:
            raise ValueError(f"unknown misbehaviour mode(s): {sorted(unknown)}; known: {sorted(MISBEHAVIOURS)}")
        with self._lock:
            self._modes = wanted
        log.info("misbehaviour modes: %s", sorted(wanted) or "none")

    def behave(self) -> None:
        self.misbehave()

    @property
    def misbehaviours(self) -> frozenset[str]:
        return self._modes

    def rotate_keys(self, keep_previous: bool = False, keep_kids: bool = False) -> list[str]:
        """New signing keys (new kids, or the same ones with `keep_kids`). The JWKS publishes only
        them unless `keep_previous`."""
        with self._lock:
            kids = self.keys.rotate(keep_previous=keep_previous, keep_kids=keep_kids)
        log.info("signing keys rotated")
        return kids

    def jwks(self) -> dict:
        return self.keys.jwks()

    def sub_for(self, client_id: str, login: str) -> str:
        """The `sub` the provider gives the identity `login` at client `client_id`."""
        for identity in self.identities:
            if identity.login == login:
                return identity.sub_for(client_id)
        raise KeyError(login)

    def discovery_document(self) -> dict:
        claims = ["sub", "iss", "aud", "iat", "exp", "auth_time", "acr", "amr", "nonce", "at_hash"]
        metadata = OpenIDProviderMetadata(
            issuer=self.issuer,
            authorization_endpoint=f"{self.issuer}/authorize",
            token_endpoint=f"{self.issuer}/token",
            userinfo_endpoint=f"{self.issuer}/userinfo",
            end_session_endpoint=f"{self.issuer}/session/end",
            jwks_uri=f"{self.issuer}/jwks",
            scopes_supported=list(SCOPE_CLAIMS),
            response_types_supported=["code"],
            response_modes_supported=["query"],
            grant_types_supported=["authorization_code"],
            acr_values_supported=["eidas1"],
            subject_types_supported=["pairwise"],
            id_token_signing_alg_values_supported=list(SUPPORTED_ALGS),
            userinfo_signing_alg_values_supported=list(SUPPORTED_ALGS),
            token_endpoint_auth_methods_supported=["client_secret_post"],
            claims_supported=claims + list(IDENTITY_CLAIMS),
            claims_parameter_supported=False,
            request_parameter_supported=False,
            request_uri_parameter_supported=False,
            ui_locales_supported=["fr"],
            authorization_response_iss_parameter_supported=True,
            prompt_values_supported=["login", "consent"],
        )
        metadata.validate(metadata_classes=[rpinitiated.OpenIDProviderMetadata])
        return dict(metadata)

    # ----------------------------------------------------------------- internals used by authlib hooks

    def _mode(self, mode: str) -> bool:
        return mode in self._modes

    def _kid_for(self, alg: str, unknown_mode: str) -> str:
        if self._mode(unknown_mode):
            return self.keys.unknown_kid()
        return self.keys.signing_key(alg).kid  # type: ignore[return-value]

    def _key_for(self, alg: str, wrong_signature_mode: str) -> Any:
        if self._mode(wrong_signature_mode):
            return self.keys.rogue_key(alg)
        return self.keys.signing_key(alg)

    def _save_token(self, token: dict, request: OAuth2Request) -> None:
        value = token["access_token"]
        self._tokens[value] = AccessToken(
            value=value,
            client=request.client,
            subject=request.user,
            scope=token.get("scope", ""),
            issued_at=self.clock(),
            expires_in=ACCESS_TOKEN_LIFETIME,
            clock=self.clock,
        )
        if request.authorization_code is not None:
            request.authorization_code.access_tokens.append(value)

    def _revoke(self, values: Iterable[str]) -> None:
        for value in list(values):
            token = self._tokens.get(value)
            if token is not None:
                token.revoked = True

    def _build_server(self) -> _AuthorizationServer:
        server = _AuthorizationServer(self)
        server.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: secrets.token_urlsafe(32),
                refresh_token_generator=None,
                expires_generator=ACCESS_TOKEN_LIFETIME,
            ),
        )
        server.register_grant(_CodeGrant, [_OpenIDCode(self)])
        protector = ResourceProtector()
        protector.register_token_validator(_BearerTokenValidator(self))
        server.register_endpoint(_UserInfoEndpoint(self, protector))
        server.register_endpoint(_EndSessionEndpoint(self))
        return server

    def _purge(self) -> None:
        now = self.clock()
        for code, found in list(self._codes.items()):
            if now > found.issued_at + 600:
                del self._codes[code]
        for value, token in list(self._tokens.items()):
            if now > token.issued_at + 600:
                del self._tokens[value]
        for uid, interaction in list(self._interactions.items()):
            if now > interaction.created + INTERACTION_LIFETIME:
                del self._interactions[uid]

    # ----------------------------------------------------------------- WSGI

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if self.mount_prefix and (path == self.mount_prefix or path.startswith(self.mount_prefix + "/")):
            path = path[len(self.mount_prefix) :] or "/"
        request = Request(environ)
        try:
            with self._lock:
                self._purge()
                response = self._dispatch(request, path)
        except HTTPException as exc:
            response = exc.get_response(environ)
        except Exception:  # noqa: BLE001 - never leak a traceback (it may hold identity data)
            log.exception("local FranceConnect: internal error on %s", path)
            response = self._html(
                pages.error_page("Erreur technique", "Une erreur technique est survenue."), status=500
            )
        return response(environ, start_response)

    _INTERACTION = re.compile(r"^/api/v2/interaction/([A-Za-z0-9_-]{16,64})(?:/(idp|login|confirm|cancel))?$")

    def _dispatch(self, request: Request, path: str) -> Response:
        routes: dict[str, tuple[tuple[str, ...], Callable[[Request], Response]]] = {
            "/": (("GET",), self._home),
            API_PATH: (("GET",), self._home),
            f"{API_PATH}/.well-known/openid-configuration": (("GET",), self._discovery),
            f"{API_PATH}/jwks": (("GET",), self._jwks),
            f"{API_PATH}/authorize": (("GET",), self._authorize),
            f"{API_PATH}/token": (("POST",), self._token),
            f"{API_PATH}/userinfo": (("GET", "POST"), self._userinfo),
            f"{API_PATH}/session/end": (("GET",), self._session_end),
            "/_control/misbehave": (("GET", "POST"), self._control_misbehave),
            "/_control/rotate-keys": (("POST",), self._control_rotate_keys),
        }
        if path in routes:
            methods, view = routes[path]
            if request.method not in methods:
                raise MethodNotAllowed(valid_methods=list(methods))
            return view(request)
        match = self._INTERACTION.match(path)
        if match:
            return self._interaction(request, match.group(1), match.group(2) or "choice")
        raise NotFound()

    # ----------------------------------------------------------------- responses

    @staticmethod
    def _html(body: str, status: int = 200) -> Response:
        response = Response(body, status=status, content_type="text/html; charset=utf-8")
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
        )
        return response

    @staticmethod
    def _json(body: Any, status: int = 200) -> Response:
        response = Response(json.dumps(body), status=status, content_type="application/json")
        response.headers["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _redirect(location: str, status: int = 303) -> Response:
        response = Response("", status=status)
        response.headers["Location"] = location
        response.headers["Cache-Control"] = "no-store"
        return response

    def _url(self, path: str) -> str:
        """Absolute path (mount prefix included) of one of our own routes."""
        return self.mount_prefix + path

    # ----------------------------------------------------------------- views

    def _home(self, request: Request) -> Response:
        return self._html(pages.home_page(issuer=self.issuer))

    def _maintenance(self, mode: str, status: int = 200) -> Response | None:
        if not self._mode(mode):
            return None
        log.info("%s: maintenance page (misbehaviour)", mode.removeprefix("maintenance_"))
        return self._html(pages.error_page("Maintenance", "FranceConnect est en maintenance."), status=status)

    def _discovery(self, request: Request) -> Response:
        return self._maintenance("maintenance_discovery") or self._json(self.discovery_document())

    def _jwks(self, request: Request) -> Response:
        if maintenance := self._maintenance("maintenance_jwks"):
            return maintenance
        response = self._json(self.keys.jwks())
        response.headers["Cache-Control"] = "no-cache"
        return response

    def _authorize(self, request: Request) -> Response:
        client = self._clients.get(request.args.get("client_id", ""))
        redirect_uri = request.args.get("redirect_uri")
        if client is None:
            log.info("authorize: unknown client")
            return self._html(
                pages.error_page(
                    "Service inconnu", "Le service qui vous a envoyé ici n’est pas connu de FranceConnect."
                ),
                status=400,
            )
        if (
            not redirect_uri
            or not client.check_redirect_uri(redirect_uri)
            or len(request.args.getlist("redirect_uri")) > 1
        ):
            log.info("authorize: redirect_uri not registered for client %s", client.client_id)
            return self._html(
                pages.error_page(
                    "Adresse de retour invalide",
                    "L’adresse de retour demandée par le service n’est pas enregistrée auprès de FranceConnect.",
                ),
                status=400,
            )
        try:
            self._server.get_consent_grant(request, end_user=None)
        except OAuth2Error as error:
            log.info("authorize: refused (%s) for client %s", error.error, client.client_id)
            return self._server.handle_error_response(None, error)

        browser = request.cookies.get(BROWSER_COOKIE) or ""
        new_browser = not re.fullmatch(r"[A-Za-z0-9_-]{32,64}", browser)
        if new_browser:
            browser = secrets.token_urlsafe(32)
        uid = secrets.token_urlsafe(24)
        self._interactions[uid] = _Interaction(
            uid=uid,
            browser=browser,
            client_id=client.client_id,
            params=list(request.args.items(multi=True)),
            created=self.clock(),
        )
        log.info("authorize: interaction started for client %s", client.client_id)
        response = self._redirect(f"{self.issuer}/interaction/{uid}", status=302)
        if new_browser:
            response.set_cookie(
                BROWSER_COOKIE, browser, path=self.mount_prefix or "/", httponly=True, samesite="Lax"
            )
        return response

    def _interaction(self, request: Request, uid: str, step: str) -> Response:
        interaction = self._interactions.get(uid)
        if (
            interaction is None
            or interaction.browser != request.cookies.get(BROWSER_COOKIE)
            or self.clock() > interaction.created + INTERACTION_LIFETIME
        ):
            return self._html(
                pages.error_page(
                    "Session expirée",
                    "Cette connexion n’existe pas ou a expiré, ou elle a commencé dans un autre navigateur.",
                ),
                status=400,
            )
        client = self._clients[interaction.client_id]
        base = self._url(f"{API_PATH}/interaction/{uid}")
        if step == "choice":
            if request.method != "GET":
                raise MethodNotAllowed(valid_methods=["GET"])
            return self._html(
                pages.choice_page(action=f"{base}/idp", cancel_action=f"{base}/cancel", client_name=client.client_name)
            )
        if step == "cancel":
            if request.method != "POST":
                raise MethodNotAllowed(valid_methods=["POST"])
            return self._finish(interaction, grant=False)
        if step == "idp":
            if request.method != "POST":
                raise MethodNotAllowed(valid_methods=["POST"])
            chosen = request.form.get("identity_provider", "")
            label = next((lab for value, lab in IDENTITY_PROVIDERS if chosen in (value, lab)), None)
            if label is None:
                return self._redirect(base)
            interaction.identity_provider = label
            interaction.subject = None
            return self._redirect(f"{base}/login")
        if interaction.identity_provider is None:
            return self._redirect(base)
        if step == "login":
            if request.method == "GET":
                return self._login_page(interaction, base, error=None, login="")
            if request.method != "POST":
                raise MethodNotAllowed(valid_methods=["GET", "POST"])
            login = request.form.get("login", "")
            password = request.form.get("password", "")
            identity = self._check_credentials(login, password)
            if identity is None:
                log.info("login: wrong credentials")
                return self._login_page(
                    interaction, base, error="Identifiant ou mot de passe incorrect.", login=login
                )
            interaction.subject = Subject(
                identity, client.client_id, interaction.identity_provider, auth_time=_now(self.clock)
            )
            log.info("login: success at the local identity provider")
            return self._redirect(f"{base}/confirm")
        # step == "confirm"
        if interaction.subject is None:
            return self._redirect(f"{base}/login")
        if request.method == "GET":
            return self._html(
                pages.confirm_page(
                    action=f"{base}/confirm",
                    identity=interaction.subject.identity,
                    provider_label=interaction.identity_provider,
                    client_name=client.client_name,
                )
            )
        if request.method != "POST":
            raise MethodNotAllowed(valid_methods=["GET", "POST"])
        return self._finish(interaction, grant=request.form.get("action") == "continue")

    def _login_page(self, interaction: _Interaction, base: str, *, error: str | None, login: str) -> Response:
        return self._html(
            pages.login_page(
                action=f"{base}/login",
                provider_label=interaction.identity_provider or "",
                error=error,
                login=login,
                logins=[identity.login for identity in self.identities],
            )
        )

    def _check_credentials(self, login: str, password: str) -> Identity | None:
        found = None
        for identity in self.identities:
            same_login = hmac.compare_digest(identity.login.encode(), login.encode())
            same_password = hmac.compare_digest(identity.password.encode(), password.encode())
            if same_login and same_password:
                found = identity
        return found

    def _finish(self, interaction: _Interaction, *, grant: bool) -> Response:
        """Ends the interaction with a redirect to the client: code, access_denied or a forced error."""
        del self._interactions[interaction.uid]
        oauth_request = _OAuth2Request(
            "GET", f"{self.issuer}/authorize", {}, MultiDict(interaction.params), MultiDict()
        )
        data = oauth_request.payload.data
        for mode, error in (
            ("server_error_callback", "server_error"),
            ("temporarily_unavailable_callback", "temporarily_unavailable"),
        ):
            if grant and self._mode(mode):
                log.info("authorize: forced %s (misbehaviour)", error)
                params = [
                    ("error", error),
                    ("error_description", f"forced {error} (local misbehaviour)"),
                    ("state", data.get("state", "")),
                ]
                location = add_params_to_uri(data["redirect_uri"], params)
                return self._redirect(location, status=302)
        try:
            consent_grant = self._server.get_consent_grant(oauth_request, end_user=interaction.subject)
        except OAuth2Error as error:  # pragma: no cover - the request was validated at /authorize
            return self._server.handle_error_response(None, error)
        response = self._server.create_authorization_response(
            request=oauth_request,
            grant_user=interaction.subject if grant else None,
            grant=consent_grant,
        )
        log.info("authorize: %s for client %s", "code issued" if grant else "access_denied", interaction.client_id)
        return response

    def _token(self, request: Request) -> Response:
        if maintenance := self._maintenance("maintenance_token", status=503):
            return maintenance
        if self._mode("token_invalid_client"):
            log.info("token: forced invalid_client (misbehaviour)")
            return self._server.handle_error_response(None, InvalidClientError(status_code=401))
        if request.headers.get("Authorization"):
            log.info("token: HTTP authentication refused (client_secret_post only)")
            error = InvalidClientError(
                status_code=401,
                description="Only 'client_secret_post' is supported: send client_id and client_secret in the body.",
            )
            return self._server.handle_error_response(None, error)
        return self._server.create_token_response(request)

    def _userinfo(self, request: Request) -> Response:
        return self._maintenance("maintenance_userinfo") or self._server.create_endpoint_response("userinfo", request)

    def _session_end(self, request: Request) -> Response:
        def refuse(message: str) -> Response:
            log.info("session/end: refused")
            return self._html(pages.error_page("Déconnexion impossible", message), status=400)

        for name in ("id_token_hint", "state", "post_logout_redirect_uri"):
            if not request.args.get(name):
                return refuse(f"Le paramètre « {name} » est obligatoire.")
        try:
            end_request = self._server.validate_endpoint_request("end_session", request)
        except OAuth2Error:
            return refuse("Le jeton « id_token_hint » n’a pas été émis par FranceConnect.")
        if (end_request.id_token_claims or {}).get("iss") != self.issuer:
            return refuse("Le jeton « id_token_hint » n’a pas été émis par FranceConnect.")
        if end_request.client is None or end_request.redirect_uri is None:
            return refuse("L’adresse de retour après déconnexion n’est pas enregistrée pour ce service.")
        response = self._server.create_endpoint_response("end_session", end_request)
        log.info("session/end: redirect for client %s", end_request.client.client_id)
        return response

    # ----------------------------------------------------------------- control endpoints (tests)

    def _control_misbehave(self, request: Request) -> Response:
        if request.method == "POST":
            modes: list[str] = []
            if request.is_json:
                body = request.get_json(silent=True) or {}
                raw = body.get("modes", body.get("mode", []))
                modes = [raw] if isinstance(raw, str) else list(raw or [])
            else:
                modes = request.form.getlist("mode")
            modes = [part.strip() for mode in modes for part in str(mode).split(",") if part.strip()]
            if not modes:
                return self._json({"error": "missing_mode", "known": sorted(MISBEHAVIOURS)}, status=400)
            try:
                self.misbehave(*modes)
            except ValueError:
                return self._json({"error": "unknown_mode", "known": sorted(MISBEHAVIOURS)}, status=400)
        return self._json({"modes": sorted(self._modes), "known": MISBEHAVIOURS})

    def _control_rotate_keys(self, request: Request) -> Response:
        options = {name: request.values.get(name, "") in ("1", "true", "yes") for name in ("keep_previous", "keep_kids")}
        if request.is_json:
            body = request.get_json(silent=True) or {}
            options = {name: bool(body.get(name)) for name in options}
        return self._json({"kids": self.rotate_keys(**options)})


def _keep_tokens_out_of_authlib_debug_logs() -> None:
    """authlib logs issued tokens at DEBUG ("Issue token ..."): never let that through."""
    authlib_logger = logging.getLogger("authlib")
    if authlib_logger.getEffectiveLevel() < logging.INFO:
        authlib_logger.setLevel(logging.INFO)


def create_provider(
    issuer: str,
    clients: list[ClientRegistration],
    identities: list[dict],
    clock: Callable[[], float] = time.time,
) -> FranceConnectProvider:
    """Builds the local FranceConnect.

    `issuer`: the public issuer URL, ending with `/api/v2` (e.g. `http://127.0.0.1:3000/_fc/api/v2`).
    `clients`: the registered service providers. `identities`: the `franceconnect_identities` entries
    of the fixture file. `clock`: seconds since the epoch (inject a fake one to test expiries).
    """
    _keep_tokens_out_of_authlib_debug_logs()
    return FranceConnectProvider(issuer, clients, identities, clock=clock)
