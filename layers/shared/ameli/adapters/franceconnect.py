"""FranceConnect (OpenID Connect) client: authlib for the OAuth flow, joserfc for the JWTs.

Everything that FranceConnect sends is checked (franceconnect.md, "Our client must check"); any
failure raises `FranceConnectFailure` with a short reason that is safe to log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

from ameli.domain.franceconnect import InvalidIdentityClaims, parse_identity_claims
from ameli.ports import FranceConnectFailure, FranceConnectLogin

SCOPES = "openid identite_pivot preferred_username email idp_birthdate"
ACR = "eidas1"
ALLOWED_ALGORITHMS = ["ES256", "RS256"]  # never HS256 nor "none"
LEEWAY_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 5


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
        self._key_set = None

    # -- discovery and keys ---------------------------------------------------------------------
    @cached_property
    def http(self):
        import requests

        return requests.Session()

    def _get(self, url: str, **kwargs):
        try:
            response = self.http.get(url, timeout=HTTP_TIMEOUT_SECONDS, **kwargs)
        except Exception:
            raise FranceConnectFailure("unreachable") from None
        return response

    @cached_property
    def metadata(self) -> dict:
        response = self._get(f"{self.issuer}/.well-known/openid-configuration")
        if response.status_code != 200:
            raise FranceConnectFailure("discovery")
        metadata = response.json()
        if metadata.get("issuer") != self.issuer:
            raise FranceConnectFailure("discovery_issuer")
        return metadata

    def _keys(self, refresh: bool = False):
        from joserfc.jwk import KeySet

        if self._key_set is None or refresh:
            response = self._get(self.metadata["jwks_uri"])
            if response.status_code != 200:
                raise FranceConnectFailure("jwks")
            self._key_set = KeySet.import_key_set(response.json())
        return self._key_set

    def _verify(self, token: str, kind: str) -> tuple[dict, str]:
        """Signature (allow-listed algorithms, key by kid, one re-fetch on an unknown kid), then
        iss, aud, exp and iat. Returns the claims and the algorithm."""
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jws import extract_compact

        try:
            header = extract_compact(token.encode()).protected
        except (JoseError, ValueError):
            raise FranceConnectFailure(f"{kind}_malformed") from None
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise FranceConnectFailure(f"{kind}_algorithm")
        kid = header.get("kid")
        keys = self._keys()
        if kid is None or not any(key.kid == kid for key in keys.keys):
            keys = self._keys(refresh=True)  # keys rotate: look once more, then fail closed
            if kid is None or not any(key.kid == kid for key in keys.keys):
                raise FranceConnectFailure(f"{kind}_unknown_kid")
        try:
            decoded = jwt.decode(token, keys, algorithms=ALLOWED_ALGORITHMS)
        except JoseError:
            raise FranceConnectFailure(f"{kind}_signature") from None
        claims = decoded.claims
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(self.clock()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as error:
            raise FranceConnectFailure(f"{kind}_{getattr(error, 'claim', None) or 'claims'}") from None
        return claims, header["alg"]

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
        return f"{self.metadata['authorization_endpoint']}?{urlencode(query)}"

    def complete(self, *, code: str, nonce: str, callback_issuer: str | None) -> FranceConnectLogin:
        import hmac

        from authlib.integrations.requests_client import OAuth2Session
        from authlib.oidc.core.util import create_half_hash

        if callback_issuer != self.issuer:
            raise FranceConnectFailure("callback_iss")
        session = OAuth2Session(
            self.client_id,
            self._client_secret(),
            token_endpoint_auth_method="client_secret_post",
            redirect_uri=self.redirect_uri,
        )
        try:
            tokens = session.fetch_token(
                self.metadata["token_endpoint"], code=code, grant_type="authorization_code",
                timeout=HTTP_TIMEOUT_SECONDS,
            )
        except Exception:
            raise FranceConnectFailure("token_exchange") from None
        id_token, access_token = tokens.get("id_token"), tokens.get("access_token")
        if not id_token or not access_token:
            raise FranceConnectFailure("token_response")

        claims, alg = self._verify(id_token, "id_token")
        if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
            raise FranceConnectFailure("id_token_nonce")
        if claims.get("acr") != ACR:
            raise FranceConnectFailure("id_token_acr")
        if "at_hash" in claims:
            expected = create_half_hash(access_token, alg)
            if expected is None or not hmac.compare_digest(claims["at_hash"], expected.decode()):
                raise FranceConnectFailure("id_token_at_hash")

        response = self._get(self.metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {access_token}"})
        if response.status_code != 200:
            raise FranceConnectFailure("userinfo_status")
        if response.headers.get("Content-Type", "").split(";")[0].strip() != "application/jwt":
            raise FranceConnectFailure("userinfo_not_jwt")
        userinfo, _ = self._verify(response.text.strip(), "userinfo")
        if userinfo.get("sub") != claims.get("sub"):
            raise FranceConnectFailure("userinfo_sub")
        try:
            identity = parse_identity_claims(userinfo)
        except InvalidIdentityClaims as error:
            raise FranceConnectFailure(f"claim_format_{error}") from None
        return FranceConnectLogin(identity=identity, id_token=id_token)

    def logout_url(self, *, id_token: str, state: str) -> str:
        query = {"id_token_hint": id_token, "state": state, "post_logout_redirect_uri": self.post_logout_redirect_uri}
        return f"{self.metadata['end_session_endpoint']}?{urlencode(query)}"
