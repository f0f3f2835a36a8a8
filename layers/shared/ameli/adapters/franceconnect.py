"""FranceConnect (OpenID Connect) client: authlib for the OAuth flow, joserfc for the JWTs.

Everything that FranceConnect sends is checked (franceconnect.md, "Our client must check"); any
failure raises `FranceConnectFailure` with a short reason that is safe to log. That includes an
answer that is not what the protocol says (a maintenance page instead of JSON, a JSON array, a
missing endpoint): the person is sent back with FRANCECONNECT_FAILED, never a 5xx. A reason names
the step and the check (`jwks_not_json`, `id_token_aud`, `token_error_invalid_client`), never a
token nor an identity value.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core.util import create_half_hash
from joserfc import jwt
from joserfc.errors import ClaimError, InvalidPayloadError, JoseError, MissingClaimError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from ameli.domain.franceconnect import InvalidIdentityClaims, parse_identity_claims, provider_error_code
from ameli.ports import FranceConnectFailure, FranceConnectLogin

SCOPES = "openid identite_pivot preferred_username email idp_birthdate"
ACR = "eidas1"
ALLOWED_ALGORITHMS = ("ES256", "RS256")  # never HS256 nor "none"
LEEWAY_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 5
# FranceConnect's kids are names kept across rotations (`pkcs11:ES256:hsm`): an unknown kid does not
# reveal every rotation, so the keys and the discovery document are also read again after this long.
CACHE_LIFETIME_SECONDS = 3600
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint")

T = TypeVar("T")


@dataclass(frozen=True)
class _Cached(Generic[T]):
    """A value read from the provider, with the time it was read."""

    value: T
    read_at: float


class OidcFranceConnectClient:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: Callable[[], str],
        redirect_uri: str,
        post_logout_redirect_uri: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.post_logout_redirect_uri = post_logout_redirect_uri
        self.clock = clock
        self._discovery: _Cached[dict[str, Any]] | None = None
        self._key_set: _Cached[KeySet] | None = None
        self._http: requests.Session | None = None

    # -- HTTP -----------------------------------------------------------------------------------
    def _get(self, step: str, url: str, **kwargs: Any) -> requests.Response:
        if self._http is None:
            self._http = requests.Session()
        try:
            # OIDC endpoints answer directly: a redirect is a portal or a maintenance page.
            return self._http.get(url, timeout=HTTP_TIMEOUT_SECONDS, allow_redirects=False, **kwargs)
        except requests.RequestException:
            raise FranceConnectFailure(f"{step}_unreachable") from None

    @staticmethod
    def _json_object(step: str, response: requests.Response) -> dict[str, Any]:
        if response.status_code != 200:
            raise FranceConnectFailure(f"{step}_status")
        try:
            document = response.json()
        except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
            raise FranceConnectFailure(f"{step}_not_json") from None
        if not isinstance(document, dict):
            raise FranceConnectFailure(f"{step}_malformed")
        return document

    def _fresh(self, cached: _Cached[Any]) -> bool:
        return self.clock() - cached.read_at < CACHE_LIFETIME_SECONDS

    # -- discovery and keys ---------------------------------------------------------------------
    def _metadata(self, *, stale_ok: bool = False) -> dict[str, Any]:
        cached = self._discovery
        if cached is not None and (stale_ok or self._fresh(cached)):
            return cached.value
        url = f"{self.issuer}/.well-known/openid-configuration"
        document = self._json_object("discovery", self._get("discovery", url))
        if document.get("issuer") != self.issuer:
            raise FranceConnectFailure("discovery_issuer")
        if not all(isinstance(document.get(name), str) and document[name] for name in ENDPOINTS):
            raise FranceConnectFailure("discovery_malformed")
        self._discovery = _Cached(document, self.clock())
        return document

    def _keys(self, *, refresh: bool = False) -> KeySet:
        cached = self._key_set
        if cached is not None and not refresh and self._fresh(cached):
            return cached.value
        document = self._json_object("jwks", self._get("jwks", self._metadata()["jwks_uri"]))
        try:
            key_set = KeySet.import_key_set(document)  # type: ignore[arg-type]  # checked right here
        except (JoseError, ValueError, TypeError, KeyError, AttributeError):
            raise FranceConnectFailure("jwks_malformed") from None
        self._key_set = _Cached(key_set, self.clock())
        return key_set

    # -- signed tokens --------------------------------------------------------------------------
    def _verify(self, token: object, kind: str) -> tuple[dict[str, Any], str]:
        """Signature (allow-listed algorithms, key by kid), then iss, aud, sub, exp and iat.
        Returns the claims and the algorithm."""
        if not isinstance(token, str):
            raise FranceConnectFailure(f"{kind}_malformed")
        try:
            header = extract_compact(token.encode()).protected
        except (JoseError, ValueError, RecursionError):
            raise FranceConnectFailure(f"{kind}_malformed") from None
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise FranceConnectFailure(f"{kind}_algorithm")
        claims = self._signed_claims(token, header.get("kid"), alg, kind)
        self._check_registered_claims(claims, kind)
        return claims, alg

    def _signed_claims(self, token: str, kid: object, alg: str, kind: str) -> dict[str, Any]:
        # Keys rotate: on an unknown kid, or a signature that no cached key of that kid verifies
        # (FranceConnect keeps its kids across rotations), read the keys once more, then fail closed.
        failure = ""
        for attempt in ("cached", "read again"):
            keys = self._keys(refresh=attempt == "read again").keys
            candidates = [key for key in keys if isinstance(kid, str) and key.kid == kid]
            failure = f"{kind}_signature" if candidates else f"{kind}_unknown_kid"
            for key in candidates:  # during a rotation two keys may carry the same name
                try:
                    return jwt.decode(token, key, algorithms=[alg]).claims
                except (InvalidPayloadError, RecursionError):  # signed, but not a JSON object
                    raise FranceConnectFailure(f"{kind}_malformed") from None
                except (JoseError, ValueError):
                    continue
        raise FranceConnectFailure(failure)

    def _check_registered_claims(self, claims: dict[str, Any], kind: str) -> None:
        # OIDC Core 3.1.3.7: our client id must be the audience, and the only one.
        if claims.get("aud") not in (self.client_id, [self.client_id]):
            raise FranceConnectFailure(f"{kind}_aud")
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(self.clock()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )
        try:
            registry.validate(claims)
        except MissingClaimError:
            raise FranceConnectFailure(f"{kind}_missing_claim") from None
        except ClaimError as error:
            raise FranceConnectFailure(f"{kind}_{error.claim}") from None

    # -- the flow ---------------------------------------------------------------------------------
    def authorization_url(self, *, state: str, nonce: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": SCOPES,
            "acr_values": ACR,
            "state": state,
            "nonce": nonce,
        }
        return f"{self._metadata()['authorization_endpoint']}?{urlencode(query)}"

    def complete(self, *, code: str, nonce: str, callback_issuer: str | None) -> FranceConnectLogin:
        if callback_issuer != self.issuer:
            raise FranceConnectFailure("callback_iss")
        try:
            return self._complete(code, nonce)
        except FranceConnectFailure:
            raise
        except Exception as error:  # noqa: BLE001 - the state is spent: fail closed, never a 5xx
            raise FranceConnectFailure(f"unexpected_{type(error).__name__}") from None

    def _complete(self, code: str, nonce: str) -> FranceConnectLogin:
        id_token, access_token = self._exchange(code)
        claims, alg = self._verify(id_token, "id_token")
        if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
            raise FranceConnectFailure("id_token_nonce")
        if claims.get("acr") != ACR:
            raise FranceConnectFailure("id_token_acr")
        if "at_hash" in claims:
            expected = create_half_hash(access_token, alg)
            at_hash = claims["at_hash"]
            if expected is None or not isinstance(at_hash, str) or not hmac.compare_digest(at_hash, expected.decode()):
                raise FranceConnectFailure("id_token_at_hash")
        userinfo = self._userinfo(access_token)
        if userinfo.get("sub") != claims.get("sub"):
            raise FranceConnectFailure("userinfo_sub")
        try:
            identity = parse_identity_claims(userinfo)
        except InvalidIdentityClaims as error:
            raise FranceConnectFailure(f"claim_format_{error}") from None
        return FranceConnectLogin(identity=identity, id_token=id_token)

    def _exchange(self, code: str) -> tuple[str, str]:
        """The code for the tokens, at once (it lives 30 s), with `client_secret_post`."""
        token_endpoint = self._metadata()["token_endpoint"]
        with OAuth2Session(
            self.client_id,
            self._client_secret(),
            token_endpoint_auth_method="client_secret_post",
            redirect_uri=self.redirect_uri,
        ) as session:
            try:
                tokens = session.fetch_token(
                    token_endpoint, code=code, grant_type="authorization_code",
                    timeout=HTTP_TIMEOUT_SECONDS, allow_redirects=False,
                )
            except OAuthError as error:  # the provider's answer {"error": ...}
                raise FranceConnectFailure(f"token_error_{provider_error_code(error.error)}") from None
            except requests.HTTPError:  # a status and no JSON object: a gateway's page
                raise FranceConnectFailure("token_status") from None
            except requests.RequestException:
                raise FranceConnectFailure("token_unreachable") from None
            except (ValueError, TypeError, RecursionError):  # no JSON object, or fields authlib cannot read
                raise FranceConnectFailure("token_malformed") from None
        id_token, access_token = tokens.get("id_token"), tokens.get("access_token")
        if not isinstance(id_token, str) or not id_token or not isinstance(access_token, str) or not access_token:
            raise FranceConnectFailure("token_response")
        return id_token, access_token

    def _userinfo(self, access_token: str) -> dict[str, Any]:
        response = self._get("userinfo", self._metadata()["userinfo_endpoint"],
                             headers={"Authorization": f"Bearer {access_token}"})
        if response.status_code != 200:
            error = _bearer_error(response.headers.get("WWW-Authenticate", ""))
            raise FranceConnectFailure(f"userinfo_error_{provider_error_code(error)}" if error else "userinfo_status")
        if response.headers.get("Content-Type", "").split(";")[0].strip() != "application/jwt":
            raise FranceConnectFailure("userinfo_not_jwt")
        userinfo, _ = self._verify(response.text.strip(), "userinfo")
        return userinfo

    def logout_url(self, *, id_token: str, state: str) -> str:
        # Called right after `complete`: the discovery document read for it is good enough.
        query = {"id_token_hint": id_token, "state": state, "post_logout_redirect_uri": self.post_logout_redirect_uri}
        return f"{self._metadata(stale_ok=True)['end_session_endpoint']}?{urlencode(query)}"


def _bearer_error(challenge: str) -> str | None:
    """The `error` of a `WWW-Authenticate: Bearer error="invalid_token"` challenge (RFC 6750 3)."""
    for part in challenge.partition(" ")[2].split(","):
        name, _, value = part.strip().partition("=")
        if name == "error":
            return value.strip('"')
    return None
