"""Configuration read once from the environment (the only module that reads it)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import timedelta

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def parse_iso_duration(text: str) -> timedelta:
    """`P7D` -> 7 days, `PT4S` -> 4 seconds. Months and years are refused: they have no fixed length."""
    match = _DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in ("P", "PT"):
        raise ValueError(f"durée ISO 8601 invalide : {text!r} (exemples : P7D, PT4S)")
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    duration = timedelta(**parts)
    if duration <= timedelta(0):
        raise ValueError(f"durée ISO 8601 nulle : {text!r}")
    return duration


@dataclass(frozen=True)
class Settings:
    registry_table: str
    signups_table: str
    accounts_table: str
    idempotency_table: str
    confirmation_state_machine_arn: str
    sender_email: str
    web_base_url: str
    hmac_secret_name: str
    allowed_origins: tuple[str, ...]
    confirmation_link_validity: timedelta
    pending_email_retention: timedelta
    signup_session_duration: timedelta
    session_duration: timedelta
    allow_test_email_domains: bool = False
    franceconnect_issuer: str = ""
    franceconnect_client_id: str = ""
    franceconnect_client_secret_name: str = ""
    franceconnect_redirect_uri: str = ""
    franceconnect_post_logout_redirect_uri: str = ""
    franceconnect_return_to_allowed: tuple[str, ...] = ()
    cookie_secure: bool = True
    ses_configuration_set: str = ""  # bounces and complaints are published through it

    @property
    def franceconnect_default_return_to(self) -> str:
        """Where a callback with no known state goes back to: the web client's FranceConnect page."""
        return f"{self.web_base_url}/franceconnect/retour"

    @classmethod
    def from_environment(cls) -> "Settings":
        env = os.environ
        link_validity = parse_iso_duration(env.get("CONFIRMATION_LINK_VALIDITY", "P7D"))
        retention = parse_iso_duration(env.get("PENDING_EMAIL_RETENTION", "P21D"))
        if retention <= link_validity:
            raise ValueError("PENDING_EMAIL_RETENTION doit être plus longue que CONFIRMATION_LINK_VALIDITY")
        origins = tuple(o.strip() for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip())
        return cls(
            registry_table=env.get("REGISTRY_TABLE", "ameli-registry"),
            signups_table=env.get("SIGNUPS_TABLE", "ameli-signups"),
            accounts_table=env.get("ACCOUNTS_TABLE", "ameli-accounts"),
            idempotency_table=env.get("IDEMPOTENCY_TABLE", "ameli-idempotency"),
            confirmation_state_machine_arn=env.get("CONFIRMATION_STATE_MACHINE_ARN", ""),
            sender_email=env.get("SENDER_EMAIL", "ne-pas-repondre@ameli.example"),
            web_base_url=env.get("WEB_BASE_URL", "http://127.0.0.1:3000").rstrip("/"),
            hmac_secret_name=env.get("HMAC_SECRET_NAME", "ameli/pseudonymisation-key"),
            allowed_origins=origins,
            confirmation_link_validity=link_validity,
            pending_email_retention=retention,
            signup_session_duration=parse_iso_duration(env.get("SIGNUP_SESSION_DURATION", "PT30M")),
            session_duration=parse_iso_duration(env.get("SESSION_DURATION", "PT30M")),
            # Only the local stack and tests accept reserved domains such as example.test.
            allow_test_email_domains=env.get("ALLOW_TEST_EMAIL_DOMAINS", "false").lower() == "true",
            franceconnect_issuer=env.get("FC_ISSUER", "").rstrip("/"),
            franceconnect_client_id=env.get("FC_CLIENT_ID", ""),
            franceconnect_client_secret_name=env.get("FC_CLIENT_SECRET_NAME", ""),
            franceconnect_redirect_uri=env.get("FC_REDIRECT_URI", ""),
            franceconnect_post_logout_redirect_uri=env.get("FC_POST_LOGOUT_REDIRECT_URI", ""),
            # The web origin(s) and the mobile app's scheme (e.g. fr.ameli.app://).
            franceconnect_return_to_allowed=tuple(
                v.strip() for v in env.get("FC_RETURN_TO_ALLOWED", "").split(",") if v.strip()
            ) or origins,
            cookie_secure=env.get("COOKIE_SECURE", "true").lower() != "false",
            ses_configuration_set=env.get("SES_CONFIGURATION_SET", ""),
        )
