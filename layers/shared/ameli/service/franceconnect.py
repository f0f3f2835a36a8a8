"""Option 2: signup with FranceConnect (journey.md section 4, franceconnect.md).

`begin` sends the browser to FranceConnect; `complete` checks everything that comes back,
matches the identity to exactly one beneficiary, and opens a signup that continues with the
terms. Every outcome is a redirect to the client's `return_to` with a URL fragment.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.beneficiary import common_refusal
from ameli.domain.franceconnect import (
    ReceivedIdentity,
    birth_name_key,
    match_beneficiary,
    provider_error_code,
    registry_birth_date_prefix,
)
from ameli.ports import (
    BeneficiaryRegistry,
    FranceConnectClient,
    FranceConnectFailure,
    FranceConnectLogin,
    FranceConnectState,
    Pseudonymizer,
    SignupRepository,
    Telemetry,
)
from ameli.service import tokens
from ameli.service.signup_opening import SignupOpener
from ameli.settings import Settings

STATE_LIFETIME = timedelta(minutes=10)
_ALPHANUMERIC = string.ascii_letters + string.digits


def _random_alphanumeric(length: int = 64) -> str:
    # FranceConnect rejects short nonces; 64 alphanumerics carry about 380 bits.
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


@dataclass(frozen=True)
class Redirect:
    location: str
    browser_binding: str | None = None  # to set as a cookie, when the flow starts


class FranceConnectService:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        registry: BeneficiaryRegistry,
        store: SignupRepository,
        client: FranceConnectClient,
        pseudonymizer: Pseudonymizer,
        opener: SignupOpener,
        telemetry: Telemetry,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.registry = registry
        self.store = store
        self.client = client
        self.pseudonymizer = pseudonymizer
        self.opener = opener
        self.telemetry = telemetry

    # -- allow-list of where the person comes back --------------------------------------------
    def allowed_return_to(self, return_to: str | None) -> str | None:
        """`return_to` rebuilt from its parsed parts when it is on the allow-list, else None.

        Only printable ASCII is taken: `urlsplit` silently drops tab, CR and LF, so a value that
        passed the list could still carry them into the stored state and the callback's Location
        header; the value stored is the one rebuilt here, never the raw one."""
        if not return_to or len(return_to) > 500 or not all("!" <= c <= "~" for c in return_to) or "\\" in return_to:
            return None
        try:
            parts = urlsplit(return_to)
        except ValueError:  # e.g. an unclosed IPv6 bracket
            return None
        if parts.fragment or "@" in parts.netloc:
            return None
        for allowed in self.settings.franceconnect_return_to_allowed:
            allowed_parts = urlsplit(allowed)
            if allowed_parts.scheme in ("http", "https"):
                if (parts.scheme, parts.netloc) != (allowed_parts.scheme, allowed_parts.netloc):
                    continue
            elif parts.scheme != allowed_parts.scheme:  # a mobile app scheme such as fr.ameli.app://
                continue
            return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        return None

    def begin(self, return_to: str | None) -> Redirect:
        allowed = self.allowed_return_to(return_to)
        if allowed is None:
            raise errors.InvalidRequest(errors=[errors.FieldIssue(
                "return_to", "NOT_ALLOWED", "Cette adresse de retour n'est pas autorisée.")])
        state, nonce, binding = _random_alphanumeric(), _random_alphanumeric(), tokens.new_token()
        try:
            location = self.client.authorization_url(state=state, nonce=nonce)
        except FranceConnectFailure as failure:  # its discovery document is unreadable: back, no state kept
            return self._failed(allowed, "FRANCECONNECT_FAILED", failure.reason)
        self.store.save_franceconnect_state(FranceConnectState(
            state=state, nonce=nonce, return_to=allowed,
            browser_binding_hash=tokens.token_hash(binding),
            expires_at=self.clock.now() + STATE_LIFETIME,
        ))
        self.telemetry.count("FranceConnectStarted")
        return Redirect(location, browser_binding=binding)

    def complete(self, params: dict[str, str], browser_binding: str | None) -> Redirect:
        saved = self.store.take_franceconnect_state(params["state"]) if params.get("state") else None
        if saved is None:
            return self._failed(self.settings.franceconnect_default_return_to, "FRANCECONNECT_FAILED", "unknown_state")
        if self.clock.now() >= saved.expires_at:
            return self._failed(saved.return_to, "FRANCECONNECT_FAILED", "expired_state")
        if not browser_binding or not tokens.token_matches(browser_binding, saved.browser_binding_hash):
            return self._failed(saved.return_to, "FRANCECONNECT_FAILED", "other_browser")
        if params.get("error"):
            cancelled = params["error"] == "access_denied"
            return self._failed(
                saved.return_to, "FRANCECONNECT_CANCELLED" if cancelled else "FRANCECONNECT_FAILED",
                "cancelled" if cancelled else f"provider_error_{provider_error_code(params['error'])}",
            )
        if not params.get("code"):
            return self._failed(saved.return_to, "FRANCECONNECT_FAILED", "no_code")
        try:
            login = self.client.complete(code=params["code"], nonce=saved.nonce, callback_issuer=params.get("iss"))
        except FranceConnectFailure as failure:
            return self._failed(saved.return_to, "FRANCECONNECT_FAILED", failure.reason)
        return self._open_signup(saved.return_to, login)

    # -- internals ----------------------------------------------------------------------------
    def _open_signup(self, return_to: str, login: FranceConnectLogin) -> Redirect:
        identity = login.identity
        candidates = self.registry.find_by_birth_name(birth_name_key(identity.family_name),
                                                      registry_birth_date_prefix(identity))
        beneficiary = match_beneficiary(identity, candidates)
        if beneficiary is None:
            self.telemetry.count("SignupRefused", method="franceconnect", reason="NO_MATCH")
            return self._to(return_to, error="ONLINE_SIGNUP_UNAVAILABLE")
        refusal = common_refusal(beneficiary)
        if refusal is not None:
            self.telemetry.count("SignupRefused", method="franceconnect", reason=refusal.value)
            return self._to(return_to, error="ONLINE_SIGNUP_UNAVAILABLE")
        nir_hash = self.pseudonymizer.nir_hash(beneficiary.nir)
        if self.store.account_exists(nir_hash):
            return self._to(return_to, error="ACCOUNT_ALREADY_EXISTS")
        opened = self.opener.open(
            beneficiary, nir_hash=nir_hash, method="franceconnect", next_step="terms",
            franceconnect_sub=identity.sub,
            # Built now, while the provider's metadata is at hand, for the contact step to hand out.
            franceconnect_logout_url=self.client.logout_url(id_token=login.id_token, state=_random_alphanumeric()),
            email_suggestion=identity.email or None,
            franceconnect_identity=ReceivedIdentity.of(identity),
        )
        signup, token = opened.signup, opened.token
        return self._to(return_to, signup_id=signup.signup_id, signup_token=token, next_step="terms")

    def _failed(self, return_to: str, code: str, reason: str) -> Redirect:
        self.telemetry.note("franceconnect refused", code=code, reason=reason)
        self.telemetry.count("FranceConnectFailed", reason=reason if code != "FRANCECONNECT_CANCELLED" else "cancelled")
        return self._to(return_to, error=code)

    @staticmethod
    def _to(return_to: str, **fragment: str) -> Redirect:
        # A fragment never reaches a server: the signup token stays out of every access log.
        return Redirect(f"{return_to}#{urlencode(fragment)}")
