"""The API's field types: pydantic validates each value once, with the domain's parsers, and a bad
value becomes the API's French field code (`INVALID_KEY`, `INVALID_MOBILE`...) in the one 422.

Each type's Python value is the domain's value object (`Nir`, `date`, `Email`, an E.164 phone); its
JSON schema stays a string. Cross-field rules (birth date against the NIR, an address typed twice,
a consent without its phone) are field validators of the models in `ameli.http.models`, placed on
the field the error is about.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from ameli.clock import SystemClock
from ameli.domain.errors import FieldValidationError
from ameli.settings import allow_test_email_domains

if TYPE_CHECKING:
    from ameli.domain.contact import Email, PhoneKind
    from ameli.domain.nir import Nir

# The domain's parsers are imported by the validators, at their first value: a function imports
# every field type with the models, and validates only its own routes' fields.

T = TypeVar("T")

# Marks the errors whose type is an API field code, so `ameli.http.problems` passes them through.
API_FIELD_CODE = "api_field_code"


def field_error(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message, {API_FIELD_CODE: True})


def parsed(parser: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`parser(*args, **kwargs)`, its `FieldValidationError` turned into the API's field error."""
    try:
        return parser(*args, **kwargs)
    except FieldValidationError as issue:
        raise field_error(issue.code, issue.message) from None


def _last_name(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise field_error("REQUIRED", "Indiquez votre nom.")
    if len(name) > 100:
        raise field_error("TOO_LONG", "Votre nom ne peut pas dépasser 100 caractères.")
    return name


def _nir(raw: str) -> Nir:
    from ameli.domain.nir import parse_nir

    return parsed(parse_nir, raw)


def _birth_date(raw: str) -> date:
    from ameli.domain.nir import parse_birth_date

    return parsed(parse_birth_date, raw, SystemClock().now().date())


def _postal_code(raw: str) -> str:
    from ameli.domain.nir import parse_postal_code

    return parsed(parse_postal_code, raw)


def _iban_last7(raw: str) -> str:
    from ameli.domain.proof import parse_iban_last7

    return parsed(parse_iban_last7, raw)


def _serial_last11(raw: str) -> str:
    from ameli.domain.proof import parse_serial_last11

    return parsed(parse_serial_last11, raw)


def _email(raw: str) -> Email:
    from ameli.domain.contact import parse_email

    return parsed(parse_email, raw, test_environment=allow_test_email_domains())


def _optional_email(raw: str | None) -> Email | None:
    """An absent or blank address means "no new address" (a plain resend)."""
    return _email(raw) if raw else None


def _phone(kind: PhoneKind) -> Callable[[str | None], str | None]:
    def phone(raw: str | None) -> str | None:
        from ameli.domain.contact import parse_french_phone

        return parsed(parse_french_phone, raw, kind) if raw and raw.strip() else None

    return phone


def _password(raw: str) -> str:
    if not raw:
        raise field_error("REQUIRED", "Indiquez votre code personnel.")
    return raw


if TYPE_CHECKING:  # what the handlers and services see
    LastName = str
    NirValue = Nir
    BirthDate = date
    PostalCode = str
    IbanLast7 = str
    SerialLast11 = str
    EmailAddress = Email
    OptionalEmail = Email | None
    MobilePhone = str | None
    LandlinePhone = str | None
    Password = str
else:  # what pydantic validates (the schema of each stays the string the client sends)
    LastName = Annotated[str, AfterValidator(_last_name)]
    NirValue = Annotated[str, AfterValidator(_nir)]
    BirthDate = Annotated[str, AfterValidator(_birth_date)]
    PostalCode = Annotated[str, AfterValidator(_postal_code)]
    IbanLast7 = Annotated[str, AfterValidator(_iban_last7)]
    SerialLast11 = Annotated[str, AfterValidator(_serial_last11)]
    EmailAddress = Annotated[str, AfterValidator(_email)]
    OptionalEmail = Annotated[str | None, AfterValidator(_optional_email)]
    MobilePhone = Annotated[str | None, AfterValidator(_phone("mobile"))]
    LandlinePhone = Annotated[str | None, AfterValidator(_phone("landline"))]
    Password = Annotated[str, AfterValidator(_password)]
