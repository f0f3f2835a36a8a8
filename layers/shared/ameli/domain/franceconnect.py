"""FranceConnect identities ("identité pivot") and our matching rule (franceconnect.md).

Exactly one beneficiary must match on: normalised birth name, first given name, birth date
(exact; a date FranceConnect marks as presumed matches within its month, or its year for a NIR
whose month is unknown), gender (= NIR sex digit),
and birth place (COG, born in France) or birth country (born abroad), all cross-checked with the
NIR. Never on email.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ameli.domain.beneficiary import Beneficiary
from ameli.domain.names import first_given_name, normalize_name

FRANCE = "99100"
_SUB = re.compile(r"^[0-9a-f]{64}v1$")
_COG = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
_COUNTRY = re.compile(r"^99[0-9]{3}$")
_RAW_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


# The provider's own error codes (OAuth 2.0: RFC 6749 4.1.2.1 and 5.2, RFC 6750 3.1) go to the logs and
# metrics as they are; anything else is "other", so that a provider's free text never does.
PROVIDER_ERROR_CODES = frozenset({
    "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
    "unsupported_response_type", "invalid_scope", "invalid_token", "insufficient_scope", "access_denied",
    "server_error", "temporarily_unavailable", "login_required", "consent_required", "interaction_required",
})


def provider_error_code(code: object) -> str:
    return code if isinstance(code, str) and code in PROVIDER_ERROR_CODES else "other"


class InvalidIdentityClaims(ValueError):
    """FranceConnect sent claims that do not have the documented format (never echoes them)."""


@dataclass(frozen=True)
class FranceConnectIdentity:
    sub: str = field(repr=False)
    given_name: str = field(repr=False)
    family_name: str = field(repr=False)
    preferred_username: str = field(repr=False)
    birthdate: date = field(repr=False)
    day_unknown: bool = field(repr=False)
    month_unknown: bool = field(repr=False)
    gender: str = field(repr=False)
    birthplace: str = field(repr=False)  # "" when born abroad
    birthcountry: str = field(repr=False)
    email: str = field(repr=False)

    @property
    def born_in_france(self) -> bool:
        return self.birthcountry == FRANCE


@dataclass(frozen=True)
class ReceivedIdentity:
    """The identity FranceConnect sent, kept on the signup so that the person can check it is theirs
    (FranceConnect's rule for its partners); shown to the signup token's holder only, never logged."""

    given_names: str = field(repr=False)  # all of them, space-separated, in civil-status order
    birth_name: str = field(repr=False)
    usage_name: str = field(repr=False)  # "" when FranceConnect has none
    birth_date: date = field(repr=False)
    birth_date_precision: str = field(repr=False)  # "day"; "month" (day unknown); "year" (day and month unknown)
    gender: str = field(repr=False)
    birthplace: str = field(repr=False)  # COG commune code, "" when born abroad
    birthcountry: str = field(repr=False)  # COG country code, 99100 = France

    @classmethod
    def of(cls, identity: FranceConnectIdentity) -> ReceivedIdentity:
        precision = "year" if identity.month_unknown else "month" if identity.day_unknown else "day"
        return cls(
            given_names=identity.given_name, birth_name=identity.family_name,
            usage_name=identity.preferred_username, birth_date=identity.birthdate,
            birth_date_precision=precision, gender=identity.gender,
            birthplace=identity.birthplace, birthcountry=identity.birthcountry,
        )


def parse_identity_claims(claims: dict[str, Any]) -> FranceConnectIdentity:
    """The verified userinfo claims as an identity; `InvalidIdentityClaims` on any format error."""
    sub = _text(claims, "sub")
    if not _SUB.match(sub):
        raise InvalidIdentityClaims("sub")
    birthdate, day_unknown, month_unknown = _birthdate(claims)
    gender = _text(claims, "gender")
    if gender not in ("male", "female"):
        raise InvalidIdentityClaims("gender")
    country = _text(claims, "birthcountry")
    if not _COUNTRY.match(country):
        raise InvalidIdentityClaims("birthcountry")
    place = _text(claims, "birthplace", required=False)
    if (country == FRANCE) != bool(place) or (place and not _COG.match(place)):
        raise InvalidIdentityClaims("birthplace")
    return FranceConnectIdentity(
        sub=sub,
        given_name=_text(claims, "given_name"),
        family_name=_text(claims, "family_name"),
        preferred_username=_text(claims, "preferred_username", required=False),
        birthdate=birthdate,
        day_unknown=day_unknown,
        month_unknown=month_unknown,
        gender=gender,
        birthplace=place,
        birthcountry=country,
        email=_text(claims, "email", required=False),
    )


def _text(claims: dict[str, Any], name: str, required: bool = True) -> str:
    value = claims.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidIdentityClaims(name)
    return value.strip()


def _birthdate(claims: dict[str, Any]) -> tuple[date, bool, bool]:
    """The birth date, and whether the identity provider knew its day and month (`idp_birthdate`
    keeps the "00" that `birthdate` replaces)."""
    birthdate = _text(claims, "birthdate")
    raw = _text(claims, "idp_birthdate", required=False) or birthdate
    raw_match = _RAW_DATE.match(raw)
    try:
        parsed_date = date.fromisoformat(birthdate)
    except ValueError:
        raise InvalidIdentityClaims("birthdate") from None
    if not raw_match:
        raise InvalidIdentityClaims("idp_birthdate")
    return parsed_date, raw_match.group(3) == "00", raw_match.group(2) == "00"


def _nir_month_unknown(nir: str) -> bool:
    month = int(nir[3:5])
    return 20 <= month <= 30 or month >= 50


def _birth_dates_match(identity: FranceConnectIdentity, b: Beneficiary) -> bool:
    if identity.birthdate == b.birth_date:
        return True
    # Wider only where FranceConnect marks the date as presumed (`idp_birthdate` with 00, sent as 01):
    # an unmarked 1st of January is a date like any other.
    if identity.birthdate.year != b.birth_date.year or not (identity.month_unknown or identity.day_unknown):
        return False
    same_month = b.birth_date.month == identity.birthdate.month
    if identity.month_unknown:  # the NIR may say the month is unknown too
        return same_month or _nir_month_unknown(b.nir)
    return same_month  # only the day is unknown


def registry_birth_date_prefix(identity: FranceConnectIdentity) -> str:
    """The birth dates to look for in the registry: the exact ISO date, or only its `YYYY-MM-` or
    `YYYY-` when FranceConnect marks the day or the month as unknown (the same rule as the matching)."""
    born = identity.birthdate
    if identity.month_unknown:
        return f"{born.year:04d}-"
    if identity.day_unknown:
        return f"{born.year:04d}-{born.month:02d}-"
    return born.isoformat()


def _place_matches(identity: FranceConnectIdentity, b: Beneficiary) -> bool:
    nir_place = b.nir[5:10]
    if identity.born_in_france:
        return b.birth_place == identity.birthplace and nir_place == identity.birthplace
    # Born abroad: the NIR place is 99 followed by the country's 3-digit code.
    return b.birth_place is None and b.birth_country == identity.birthcountry and nir_place == identity.birthcountry


def identity_matches(identity: FranceConnectIdentity, b: Beneficiary) -> bool:
    sex_digit = "1" if identity.gender == "male" else "2"
    return (
        normalize_name(b.birth_name) == normalize_name(identity.family_name)
        and normalize_name(first_given_name(b.given_names)) == normalize_name(first_given_name(identity.given_name))
        and b.gender == identity.gender
        and b.nir[0] == sex_digit
        and int(b.nir[1:3]) == identity.birthdate.year % 100
        and _birth_dates_match(identity, b)
        and _place_matches(identity, b)
    )


def match_beneficiary(identity: FranceConnectIdentity, candidates: list[Beneficiary]) -> Beneficiary | None:
    """The one beneficiary this identity designates; None for zero or several (homonyms)."""
    matches = {b.nir: b for b in candidates if identity_matches(identity, b)}
    return next(iter(matches.values())) if len(matches) == 1 else None


def birth_name_key(name: str) -> str:
    """The registry index key of a birth name (the same normalisation as the matching)."""
    return normalize_name(name)
