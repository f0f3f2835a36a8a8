"""Configuration read once from the environment: the only module of the layer that reads it."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
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


class MissingSetting(ValueError):
    """A required environment variable is absent or empty: the deploy is misconfigured."""

    def __init__(self, variable: str) -> None:
        super().__init__(f"variable d'environnement obligatoire absente ou vide : {variable}")
        self.variable = variable


def _required(env: Mapping[str, str], variable: str) -> str:
    value = env.get(variable, "").strip()
    if not value:
        raise MissingSetting(variable)
    return value


def _list(env: Mapping[str, str], variable: str) -> tuple[str, ...]:
    return tuple(value.strip() for value in env.get(variable, "").split(",") if value.strip())


def allowed_origins(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The web origins CORS allows (`ALLOWED_ORIGINS`). Read on its own because the resolver is
    built when a handler module is imported, before any container exists."""
    return _list(os.environ if env is None else env, "ALLOWED_ORIGINS")


def running_in_lambda(env: Mapping[str, str] | None = None) -> bool:
    """Inside AWS Lambda (or `sam local`), where importing a handler module is the container's init."""
    return bool((os.environ if env is None else env).get("AWS_LAMBDA_FUNCTION_NAME"))


def allow_test_email_domains(env: Mapping[str, str] | None = None) -> bool:
    """Whether reserved domains such as example.test are valid addresses (the local stack and tests
    only). Read on its own because request bodies are validated before any container exists."""
    return (os.environ if env is None else env).get("ALLOW_TEST_EMAIL_DOMAINS", "false").lower() == "true"


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
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Every variable template.yaml gives the functions; raises `MissingSetting` naming the first
        required one that is absent, so a misconfigured deploy fails when its container is built."""
        env = os.environ if env is None else env
        link_validity = parse_iso_duration(env.get("CONFIRMATION_LINK_VALIDITY", "P7D"))
        retention = parse_iso_duration(env.get("PENDING_EMAIL_RETENTION", "P21D"))
        if retention <= link_validity:
            raise ValueError("PENDING_EMAIL_RETENTION doit être plus longue que CONFIRMATION_LINK_VALIDITY")
        origins = allowed_origins(env)
        return cls(
            registry_table=_required(env, "REGISTRY_TABLE"),
            signups_table=_required(env, "SIGNUPS_TABLE"),
            accounts_table=_required(env, "ACCOUNTS_TABLE"),
            idempotency_table=_required(env, "IDEMPOTENCY_TABLE"),
            confirmation_state_machine_arn=_required(env, "CONFIRMATION_STATE_MACHINE_ARN"),
            sender_email=_required(env, "SENDER_EMAIL"),
            web_base_url=_required(env, "WEB_BASE_URL").rstrip("/"),
            hmac_secret_name=_required(env, "HMAC_SECRET_NAME"),
            allowed_origins=origins,
            confirmation_link_validity=link_validity,
            pending_email_retention=retention,
            signup_session_duration=parse_iso_duration(env.get("SIGNUP_SESSION_DURATION", "PT30M")),
            session_duration=parse_iso_duration(env.get("SESSION_DURATION", "PT30M")),
            # Only the local stack and tests accept reserved domains such as example.test.
            allow_test_email_domains=allow_test_email_domains(env),
            franceconnect_issuer=_required(env, "FC_ISSUER").rstrip("/"),
            franceconnect_client_id=_required(env, "FC_CLIENT_ID"),
            franceconnect_client_secret_name=_required(env, "FC_CLIENT_SECRET_NAME"),
            franceconnect_redirect_uri=_required(env, "FC_REDIRECT_URI"),
            franceconnect_post_logout_redirect_uri=_required(env, "FC_POST_LOGOUT_REDIRECT_URI"),
            # The web origin(s) and the mobile app's scheme (e.g. fr.ameli.app://).
            franceconnect_return_to_allowed=_list(env, "FC_RETURN_TO_ALLOWED") or origins,
            cookie_secure=env.get("COOKIE_SECURE", "true").lower() != "false",
            ses_configuration_set=env.get("SES_CONFIGURATION_SET", ""),
        )
