"""The NIR (numéro de sécurité sociale), the birth date and the postal code of the identity step.

journey.md 2.1. The NIR key comes from `stdnum.fr.nir` (Corsican 2A/2B handled there).
A `Nir` never shows its value in `repr`: the NIR must not reach logs (journey.md 6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from stdnum.fr import nir as stdnum_nir

from ameli.domain.errors import FieldValidationError

_SEPARATORS = re.compile(r"[\s.\-]+")
# sex/provisional digit, year, month, department (2 digits or 2A/2B), commune, order, optional key
_NIR_SHAPE = re.compile(r"^[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?$")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_POSTAL_CODE = re.compile(r"^[0-9]{5}$")

NIR_MESSAGES: dict[str, str] = {
    "REQUIRED": "Indiquez votre numéro de sécurité sociale.",
    "INVALID_FORMAT": (
        "Ce numéro de sécurité sociale n'est pas valide. Il comporte 13 caractères, "
        "par exemple 1 62 12 2B 010 001 (ou 15 avec la clé). Vous le trouvez sur votre carte Vitale."
    ),
    "INVALID_KEY": (
        "La clé (les 2 derniers chiffres) ne correspond pas au numéro de sécurité sociale. "
        "Vérifiez votre saisie, ou saisissez seulement les 13 premiers caractères."
    ),
    "PROVISIONAL_NIR": (
        "Ce numéro est un numéro provisoire : il ne permet pas de créer un compte ameli en ligne. "
        "Contactez votre caisse d'assurance maladie."
    ),
}


def normalize_nir(raw: str) -> str:
    """Remove spaces, dots and hyphens, and upper-case (`1 62 12 2b 010 001` -> `162122B010001`)."""
    return _SEPARATORS.sub("", raw or "").upper()


def nir_key(nir13: str) -> str:
    """The 2-digit key of a 13-character NIR: 97 - (N mod 97), with 2A -> 19 and 2B -> 18."""
    return stdnum_nir.calc_check_digits(normalize_nir(nir13)[:13])


@dataclass(frozen=True)
class Nir:
    """A well-formed 13-character NIR (without its key)."""

    value: str = field(repr=False)

    @property
    def sex_digit(self) -> int:
        return int(self.value[0])

    @property
    def year_digits(self) -> int:
        return int(self.value[1:3])

    @property
    def month_field(self) -> int:
        return int(self.value[3:5])

    @property
    def place(self) -> str:
        """Department + commune, 5 characters (`2B010`, `75107`, `99126`)."""
        return self.value[5:10]

    @property
    def order(self) -> str:
        return self.value[10:13]

    @property
    def key(self) -> str:
        return nir_key(self.value)


def _invalid(code: str) -> FieldValidationError:
    return FieldValidationError(code, NIR_MESSAGES[code])


def _month_is_valid(month: int) -> bool:
    return 1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99


def parse_nir(raw: str) -> Nir:
    """Parse a NIR typed with or without its key (13 or 15 characters after normalisation).

    Codes: REQUIRED, INVALID_FORMAT, PROVISIONAL_NIR (starts with 7 or 8), INVALID_KEY.
    """
    value = normalize_nir(raw)
    if not value:
        raise _invalid("REQUIRED")
    if len(value) not in (13, 15) or not _NIR_SHAPE.match(value):
        raise _invalid("INVALID_FORMAT")
    if value[0] in "78":
        raise _invalid("PROVISIONAL_NIR")
    if value[0] not in "12" or not _month_is_valid(int(value[3:5])):
        raise _invalid("INVALID_FORMAT")
    nir13 = value[:13]
    if len(value) == 15 and value[13:] != nir_key(nir13):
        raise _invalid("INVALID_KEY")
    return Nir(nir13)


def nir_matches_birth_date(nir: Nir, birth_date: date) -> bool:
    """Year digits = birth year mod 100; month 01-12 = birth month, 31-42 = birth month + 30.

    Months 20-30 and 50-99 mean "unknown month" and are not checked.
    """
    if nir.year_digits != birth_date.year % 100:
        return False
    month = nir.month_field
    if 1 <= month <= 12:
        return month == birth_date.month
    if 31 <= month <= 42:
        return month == birth_date.month + 30
    return True


def parse_birth_date(raw: str, today: date) -> date:
    """Parse an ISO `YYYY-MM-DD` birth date: a real calendar date, not after `today`.

    Codes: REQUIRED, INVALID_FORMAT (not `YYYY-MM-DD`), INVALID_DATE (no such day), FUTURE_DATE.
    """
    text = (raw or "").strip()
    if not text:
        raise FieldValidationError("REQUIRED", "Indiquez votre date de naissance.")
    match = _ISO_DATE.match(text)
    if not match:  # `18/12/1962` is a real date in the wrong format: say which format is expected
        raise FieldValidationError(
            "INVALID_FORMAT", "La date de naissance doit être au format AAAA-MM-JJ, par exemple 1962-12-18.")
    try:
        parsed = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise FieldValidationError(
            "INVALID_DATE",
            "Cette date de naissance n'existe pas. Vérifiez le jour, le mois et l'année.",
        ) from None
    if parsed > today:
        raise FieldValidationError(
            "FUTURE_DATE", "La date de naissance ne peut pas être dans le futur. Vérifiez l'année."
        )
    return parsed


def parse_postal_code(raw: str) -> str:
    """5 digits once spaces are removed (`63 000` -> `63000`). Codes: REQUIRED, INVALID_POSTAL_CODE."""
    text = re.sub(r"\s+", "", raw or "")
    if not text:
        raise FieldValidationError("REQUIRED", "Indiquez votre code postal.")
    if not _POSTAL_CODE.match(text):
        raise FieldValidationError(
            "INVALID_POSTAL_CODE", "Le code postal doit comporter 5 chiffres, par exemple 63000."
        )
    return text
