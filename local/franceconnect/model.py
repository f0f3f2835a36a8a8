"""The data of the local FranceConnect provider: client registrations, identities, codes and tokens.

Nothing here logs or prints identity data, passwords or tokens: the `repr` of every object shows
identifiers only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oidc.core import AuthorizationCodeMixin

SUPPORTED_ALGS = ("ES256", "RS256")

#: The five identity providers of the choice page: (form value, label shown to the person).
IDENTITY_PROVIDERS: tuple[tuple[str, str], ...] = (
    ("impots", "impots.gouv.fr"),
    ("ameli", "ameli.fr"),
    ("laposte", "L'Identité Numérique La Poste"),
    ("msa", "MSA"),
    ("france-identite", "France Identité"),
)

#: FranceConnect (fcp-low) scopes and the claims each one releases, as in `france-connect/sources`
#: (`back/libs/scopes/src/data/fcp-low/fcp-low.scopes.ts`), restricted to the claims this stand-in
#: holds (no phone, no address).
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "identite_pivot": (
        "given_name",
        "given_name_array",
        "family_name",
        "birthdate",
        "gender",
        "birthplace",
        "birthcountry",
    ),
    "profile": ("given_name", "given_name_array", "family_name", "birthdate", "gender", "preferred_username"),
    "birth": ("birthplace", "birthcountry"),
    "given_name": ("given_name", "given_name_array"),
    "family_name": ("family_name",),
    "birthdate": ("birthdate",),
    "gender": ("gender",),
    "birthplace": ("birthplace",),
    "birthcountry": ("birthcountry",),
    "preferred_username": ("preferred_username",),
    "email": ("email",),
    "idp_birthdate": ("idp_birthdate",),
}

IDENTITY_CLAIMS = (
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
)

IDENTITY_FIELDS = (
    "login",
    "password",
    "identity_provider",
    "given_name",
    "family_name",
    "preferred_username",
    "gender",
    "birthdate",
    "birthplace",
    "birthcountry",
    "email",
)

_RAW_BIRTHDATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


@dataclass(frozen=True)
class ClientRegistration:
    """A service provider registered at the local FranceConnect.

    Client authentication at the token endpoint is `client_secret_post` only, as at FranceConnect.
    `client_name` is the service named on the buttons ("Continuer sur L'Assurance Maladie").
    """

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: list[str] = field(default_factory=list)
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    id_token_signed_response_alg: str = "ES256"
    userinfo_signed_response_alg: str = "ES256"
    client_name: str = "L'Assurance Maladie"

    def __post_init__(self) -> None:
        if not self.client_id or not self.client_secret:
            raise ValueError("ClientRegistration: client_id and client_secret are required")
        if not self.redirect_uris:
            raise ValueError(f"ClientRegistration {self.client_id!r}: at least one redirect URI is required")
        for name in ("id_token_signed_response_alg", "userinfo_signed_response_alg"):
            if getattr(self, name) not in SUPPORTED_ALGS:
                raise ValueError(f"ClientRegistration {self.client_id!r}: {name} must be one of {SUPPORTED_ALGS}")


class Client(ClientMixin):
    """authlib's view of a `ClientRegistration`."""

    def __init__(self, registration: ClientRegistration) -> None:
        self.registration = registration
        self.client_id = registration.client_id
        self.client_name = registration.client_name
        self.id_token_signed_response_alg = registration.id_token_signed_response_alg
        self.userinfo_signed_response_alg = registration.userinfo_signed_response_alg
        self.client_metadata = {
            "client_name": registration.client_name,
            "redirect_uris": list(registration.redirect_uris),
            "post_logout_redirect_uris": list(registration.post_logout_redirect_uris),
            "id_token_signed_response_alg": registration.id_token_signed_response_alg,
            "userinfo_signed_response_alg": registration.userinfo_signed_response_alg,
            "token_endpoint_auth_method": "client_secret_post",
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
        }

    def __repr__(self) -> str:
        return f"<Client {self.client_id}>"

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # FranceConnect requires redirect_uri on every request

    def get_allowed_scope(self, scope: str | None) -> str | None:
        return scope or None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.registration.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.registration.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_post"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass(frozen=True)
class Identity:
    """One `franceconnect_identities` entry of the fixture file (`fixtures.md`)."""

    login: str
    password: str = field(repr=False)
    identity_provider: str = field(repr=False)
    given_name: str = field(repr=False)
    family_name: str = field(repr=False)
    preferred_username: str = field(repr=False)
    gender: str = field(repr=False)
    birthdate: str = field(repr=False)
    birthplace: str = field(repr=False)
    birthcountry: str = field(repr=False)
    email: str = field(repr=False)

    @classmethod
    def from_fixture(cls, entry: dict[str, Any], index: int) -> "Identity":
        """Checks the shape (never echoing a value) and builds the identity."""
        where = f"franceconnect_identities[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: not an object")
        values: dict[str, str] = {}
        for name in IDENTITY_FIELDS:
            value = entry.get(name, "" if name == "preferred_username" else None)
            if value is None and name in ("birthplace", "preferred_username"):
                value = ""
            if not isinstance(value, str):
                raise ValueError(f'{where}: field "{name}": missing or not a string')
            values[name] = value
        for name in ("login", "password", "given_name", "family_name", "birthcountry", "email"):
            if not values[name].strip():
                raise ValueError(f'{where}: field "{name}": empty')
        if values["gender"] not in ("female", "male"):
            raise ValueError(f'{where}: field "gender": must be "female" or "male"')
        if not _RAW_BIRTHDATE.match(values["birthdate"]):
            raise ValueError(f'{where}: field "birthdate": not YYYY-MM-DD (00 allowed for an unknown day or month)')
        return cls(**values)

    @property
    def given_names(self) -> list[str]:
        return self.given_name.split()

    @property
    def presumed_birthdate(self) -> str:
        """`birthdate` as FranceConnect sends it: an unknown day or month (`00`) becomes `01`."""
        year, month, day = _RAW_BIRTHDATE.match(self.birthdate).groups()  # type: ignore[union-attr]
        return f"{year}-{'01' if month == '00' else month}-{'01' if day == '00' else day}"

    def sub_for(self, client_id: str) -> str:
        """64 lowercase hex + "v1", pairwise per client, derived from the identity pivot (not from the
        login nor the identity provider): the same person gets the same `sub` whichever provider she
        picks, and the value is stable across restarts."""
        pivot = "\x1f".join(
            (
                client_id,
                self.given_name,
                self.family_name,
                self.birthdate,
                self.gender,
                self.birthplace,
                self.birthcountry,
            )
        )
        return hashlib.sha256(("local-franceconnect\x1f" + pivot).encode("utf-8")).hexdigest() + "v1"

    def claims(self) -> dict[str, Any]:
        """Every identity claim FranceConnect can release (filtered by scope elsewhere)."""
        return {
            "given_name": self.given_name,
            "given_name_array": self.given_names,
            "family_name": self.family_name,
            "preferred_username": self.preferred_username,
            "birthdate": self.presumed_birthdate,
            "gender": self.gender,
            "birthplace": self.birthplace,
            "birthcountry": self.birthcountry,
            "email": self.email,
            "idp_birthdate": self.birthdate,
        }

    def claims_for_scope(self, scope: str) -> dict[str, Any]:
        allowed: set[str] = set()
        for name in (scope or "").split():
            allowed.update(SCOPE_CLAIMS.get(name, ()))
        everything = self.claims()
        return {name: everything[name] for name in IDENTITY_CLAIMS if name in allowed}


@dataclass(frozen=True)
class Subject:
    """The person as seen by one client (authlib's "user"): identity + pairwise `sub`."""

    identity: Identity
    client_id: str
    identity_provider: str = ""
    auth_time: int = 0

    @property
    def sub(self) -> str:
        return self.identity.sub_for(self.client_id)

    def __repr__(self) -> str:
        return f"<Subject of client {self.client_id}>"


class AuthorizationCode(AuthorizationCodeMixin):
    """Single use, lives `lifetime` seconds (30 at FranceConnect)."""

    def __init__(
        self,
        *,
        code: str,
        client_id: str,
        redirect_uri: str,
        scope: str,
        nonce: str,
        subject: Subject,
        auth_time: int,
        issued_at: float,
        lifetime: int,
        clock: Callable[[], float],
    ) -> None:
        self.code = code
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.nonce = nonce
        self.subject = subject
        self.auth_time = auth_time
        self.issued_at = issued_at
        self.lifetime = lifetime
        self.used = False
        self.access_tokens: list[str] = []
        self._clock = clock

    def __repr__(self) -> str:
        return f"<AuthorizationCode of client {self.client_id}>"

    def is_expired(self) -> bool:
        return self._clock() >= self.issued_at + self.lifetime

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return "eidas1"

    def get_amr(self) -> list[str]:
        return ["pwd"]


class AccessToken(TokenMixin):
    """Opaque bearer token, valid `expires_in` seconds (60 at FranceConnect)."""

    def __init__(
        self,
        *,
        value: str,
        client: Client,
        subject: Subject,
        scope: str,
        issued_at: float,
        expires_in: int,
        clock: Callable[[], float],
    ) -> None:
        self.value = value
        self.client = client
        self.subject = subject
        self.scope = scope
        self.issued_at = issued_at
        self.expires_in = expires_in
        self.revoked = False
        self._clock = clock

    def __repr__(self) -> str:
        return f"<AccessToken of client {self.client.client_id}>"

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return self._clock() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> Subject:
        return self.subject

    def get_client(self) -> Client:
        return self.client
