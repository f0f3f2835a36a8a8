"""Email and phone numbers of the contact step (journey.md 2.5), and their masked forms (section 6).

email-validator and phonenumbers are imported inside the functions (Lambda cold start).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ameli.domain.errors import FieldValidationError

PhoneKind = Literal["mobile", "landline"]

# Overseas first: libphonenumber's metropolitan ranges are broad and also accept some overseas
# blocks dialled in national form (0596 Martinique, 0269 Mayotte), which would give a wrong +33 number.
OVERSEAS_REGIONS = ("GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF")
FRENCH_REGIONS = frozenset({"FR", *OVERSEAS_REGIONS})
_MAX_PHONE_INPUT = 40

EMAIL_MESSAGES: dict[str, str] = {
    "REQUIRED": "Indiquez votre adresse email.",
    "INVALID_EMAIL": (
        "Cette adresse email n'est pas valide. Vérifiez-la : elle doit ressembler à "
        "prenom.nom@exemple.fr, sans espace ni accent avant le signe @."
    ),
}

PHONE_MESSAGES: dict[str, str] = {
    "INVALID_MOBILE": (
        "Ce numéro de téléphone portable n'est pas valide. Saisissez un numéro français, "
        "par exemple 06 12 34 56 78."
    ),
    "MOBILE_IS_LANDLINE": (
        "Ce numéro est celui d'un téléphone fixe. Saisissez-le dans le champ du téléphone fixe, "
        "ou indiquez ici un numéro de téléphone portable."
    ),
    "INVALID_LANDLINE": (
        "Ce numéro de téléphone fixe n'est pas valide. Saisissez un numéro français, "
        "par exemple 01 23 45 67 89."
    ),
    "LANDLINE_IS_MOBILE": (
        "Ce numéro est celui d'un téléphone portable. Saisissez-le dans le champ du téléphone portable, "
        "ou indiquez ici un numéro de téléphone fixe."
    ),
    "REQUIRED": "Indiquez un numéro de téléphone.",
}


@dataclass(frozen=True)
class Email:
    """A syntactically valid address.

    `address`: as typed (trimmed), domain normalised by email-validator (lower-case, Unicode form).
    `uniqueness_key`: local part case-folded + `@` + domain lower-cased in ASCII (IDNA) form.
    `ascii_address`: the same address with an ASCII domain, for sending.
    """

    address: str = field(repr=False)
    uniqueness_key: str = field(repr=False)
    ascii_address: str = field(default="", repr=False)


def parse_email(raw: str, *, test_environment: bool = False) -> Email:
    """Validate the syntax (no DNS lookup). Codes: REQUIRED, INVALID_EMAIL.

    Non-ASCII characters before the `@` are refused (not deliverable by every mail server);
    internationalised domains are accepted. `test_environment=True` also accepts the reserved
    `.test` domain (local stack and demo data only).
    """
    text = (raw or "").strip()
    if not text:
        raise FieldValidationError("REQUIRED", EMAIL_MESSAGES["REQUIRED"])
    from email_validator import EmailNotValidError, validate_email  # lazy: heavy import

    try:
        valid = validate_email(
            text, check_deliverability=False, allow_smtputf8=False, test_environment=test_environment
        )
    except EmailNotValidError:
        raise FieldValidationError("INVALID_EMAIL", EMAIL_MESSAGES["INVALID_EMAIL"]) from None
    return Email(
        address=valid.normalized,
        uniqueness_key=f"{valid.local_part.casefold()}@{valid.ascii_domain.lower()}",
        ascii_address=valid.ascii_email or valid.normalized,
    )


def mask_email(address: str) -> str:
    """First character of the local part, then `***`, then the domain (`v***@example.fr`)."""
    local, at, domain = (address or "").rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def _phone_error(code: str, message_key: str | None = None) -> FieldValidationError:
    return FieldValidationError(code, PHONE_MESSAGES[message_key or code])


def parse_french_phone(raw: str, kind: PhoneKind) -> str:
    """A French number (metropolitan or overseas) of the expected kind, in E.164.

    Accepts national (`06 12 34 56 78`, `0690 12 34 56`) and international (`+33 6...`,
    `0033 6...`, `+590 690...`) forms. A number given as +33/0033 is read as its national
    form. National forms are tried in the overseas regions first, then in metropolitan France.
    A mobile field refuses a landline and vice versa (FIXED_LINE_OR_MOBILE fits both; VoIP
    "box" numbers such as 09 count as landlines). Codes: REQUIRED (blank: callers treat a
    blank optional field as "no number" before calling), INVALID_MOBILE, INVALID_LANDLINE.
    """
    invalid_code = "INVALID_MOBILE" if kind == "mobile" else "INVALID_LANDLINE"
    text = (raw or "").strip()
    if not text:
        raise _phone_error("REQUIRED")
    if len(text) > _MAX_PHONE_INPUT:
        raise _phone_error(invalid_code)

    import phonenumbers  # lazy: heavy import
    from phonenumbers import PhoneNumberType

    number = _resolve_french_number(phonenumbers, text)
    if number is None:
        raise _phone_error(invalid_code)
    number_type = phonenumbers.number_type(number)
    mobile_types = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
    landline_types = {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.VOIP}
    if kind == "mobile" and number_type not in mobile_types:
        raise _phone_error(invalid_code, "MOBILE_IS_LANDLINE" if number_type in landline_types else None)
    if kind == "landline" and number_type not in landline_types:
        raise _phone_error(invalid_code, "LANDLINE_IS_MOBILE" if number_type in mobile_types else None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _resolve_french_number(phonenumbers: Any, text: str) -> Any:
    """The first valid reading of `text` as a French (metropolitan or overseas) number, or None."""
    try:
        first = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        return None
    if first.country_code != 33:
        # Given with another country code (+590, +262...): only French territories are accepted.
        valid = phonenumbers.is_valid_number(first)
        return first if valid and phonenumbers.region_code_for_number(first) in FRENCH_REGIONS else None
    national = "0" + phonenumbers.national_significant_number(first)
    for region in (*OVERSEAS_REGIONS, "FR"):
        try:
            candidate = phonenumbers.parse(national, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(candidate) and phonenumbers.region_code_for_number(candidate) in FRENCH_REGIONS:
            return candidate
    return None


def mask_phone(e164: str) -> str:
    """Country code, first digit and last 2 digits visible: `+33612345678` -> `+33 6 ** ** ** 78`."""
    import phonenumbers  # lazy: heavy import

    try:
        number = phonenumbers.parse(e164, None)
        country = f"+{number.country_code}"
        national = phonenumbers.national_significant_number(number)
    except phonenumbers.NumberParseException:
        return "***"
    if len(national) < 4:
        return f"{country} ***"
    rest = "*" * (len(national) - 3) + national[-2:]
    pairs: list[str] = []
    while rest:
        pairs.insert(0, rest[-2:])
        rest = rest[:-2]
    return f"{country} {national[0]} {' '.join(pairs)}"


@dataclass(frozen=True)
class ContactDetails:
    """The contact step's answers, each value already well-formed (phones in E.164).

    A phone's consents only count with that phone (the HTTP layer refuses a consent without it)."""

    email: Email
    email_marketing_consent: bool
    mobile_phone: str | None = field(default=None, repr=False)
    mobile_marketing_call_consent: bool = False
    mobile_marketing_sms_consent: bool = False
    landline_phone: str | None = field(default=None, repr=False)
    landline_marketing_call_consent: bool = False
