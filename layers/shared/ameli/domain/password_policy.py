"""The "code personnel" rules (journey.md 2.4).

Strength uses zxcvbn (imported lazily: it is heavy for a Lambda cold start).
The password is never truncated, case-folded, logged or echoed in a message.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date

MIN_LENGTH = 8
MAX_LENGTH = 50
MIN_STRENGTH = 2  # zxcvbn scale 0-4
NIR_RUN = 6  # a run of 6 consecutive NIR characters is forbidden
_STRENGTH_MAX_INPUT = 100  # longer inputs are refused anyway (TOO_LONG) and not scored: zxcvbn is slow on them

_LOWER = frozenset(string.ascii_lowercase)
_UPPER = frozenset(string.ascii_uppercase)
_DIGITS = frozenset(string.digits)
_SPECIAL = frozenset(string.punctuation)  # the 32 ASCII punctuation marks
_ALLOWED = _LOWER | _UPPER | _DIGITS | _SPECIAL
_DATE_SEPARATORS = "/-."

PASSWORD_MESSAGES: dict[str, str] = {
    "TOO_SHORT": "Votre code personnel doit comporter au moins 8 caractères.",
    "TOO_LONG": "Votre code personnel ne doit pas dépasser 50 caractères.",
    "MISSING_LOWERCASE": "Votre code personnel doit contenir au moins une lettre minuscule (a à z, sans accent).",
    "MISSING_UPPERCASE": "Votre code personnel doit contenir au moins une lettre majuscule (A à Z, sans accent).",
    "MISSING_DIGIT_OR_SPECIAL": (
        "Votre code personnel doit contenir au moins un chiffre ou un caractère spécial "
        "(par exemple ! ? - _ . @ #)."
    ),
    "FORBIDDEN_CHARACTER": (
        "Votre code personnel contient un caractère non autorisé. Utilisez seulement des lettres "
        "sans accent, des chiffres et des caractères spéciaux comme ! ? - _ . @ # (pas d'espace)."
    ),
    "CONTAINS_NIR": (
        "Votre code personnel ne doit pas contenir votre numéro de sécurité sociale, "
        "ni une partie de celui-ci (6 caractères qui se suivent ou plus)."
    ),
    "CONTAINS_BIRTH_DATE": (
        "Votre code personnel ne doit pas contenir votre date de naissance, ni une partie de celle-ci "
        "(par exemple votre année de naissance, ou le jour et le mois)."
    ),
    "TOO_WEAK": (
        "Votre code personnel est trop facile à deviner. Allongez-le ou mélangez davantage "
        "lettres, chiffres et caractères spéciaux, en évitant les mots et suites courants."
    ),
    "MISMATCH": "Les deux codes personnels saisis ne sont pas identiques.",
}


@dataclass(frozen=True)
class PasswordContext:
    """What the password must not contain or resemble. Never shown in `repr`."""

    nir13: str = field(repr=False)
    birth_date: date = field(repr=False)
    names: tuple[str, ...] = field(repr=False)


@dataclass(frozen=True)
class PasswordVerdict:
    violations: tuple[str, ...]
    strength: int  # 0-4, for the "Niveau indicatif de sécurité"

    @property
    def valid(self) -> bool:
        return not self.violations


def _birth_date_parts(birth: date) -> list[list[str]]:
    """The forbidden forms, as lists of parts that may be separated by `/`, `-` or `.`."""
    dd, mm = f"{birth.day:02d}", f"{birth.month:02d}"
    yyyy = f"{birth.year:04d}"
    yy = yyyy[-2:]
    return [[yyyy], [dd, mm], [dd, mm, yy], [dd, mm, yyyy], [yyyy, mm, dd], [yy, mm, dd]]


def _birth_date_forms(birth: date) -> set[str]:
    """Every spelling of the forbidden forms: no separator, or any of `/ - .` between each part."""
    forms: set[str] = set()
    for parts in _birth_date_parts(birth):
        spellings = [parts[0]]
        for part in parts[1:]:
            spellings = [f"{prefix}{sep}{part}" for prefix in spellings for sep in ("", *_DATE_SEPARATORS)]
        forms.update(spellings)
    return forms


def contains_nir(password: str, nir13: str) -> bool:
    """The NIR, or any run of 6+ consecutive characters of it, appears (case-insensitive)."""
    nir = nir13.upper()
    upper = password.upper()
    return any(nir[i : i + NIR_RUN] in upper for i in range(len(nir) - NIR_RUN + 1))


def contains_birth_date(password: str, birth: date) -> bool:
    return any(form in password for form in _birth_date_forms(birth))


def _user_inputs(ctx: PasswordContext) -> list[str]:
    """Context for zxcvbn: names (and their words), the NIR and the birth date forms."""
    inputs: list[str] = []
    for name in ctx.names:
        if name:
            inputs.append(name)
            inputs.extend(name.replace("-", " ").replace("'", " ").split())
    inputs.append(ctx.nir13)
    birth = ctx.birth_date
    inputs.extend(
        [
            f"{birth.day:02d}{birth.month:02d}{birth.year:04d}",
            f"{birth.year:04d}{birth.month:02d}{birth.day:02d}",
            f"{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}",
            f"{birth.day:02d}/{birth.month:02d}/{birth.year:04d}",
            f"{birth.year:04d}",
        ]
    )
    return inputs


def password_strength(password: str, ctx: PasswordContext) -> int:
    """zxcvbn score 0-4 with the person's context; 0 for an empty or overlong input."""
    if not password or len(password) > _STRENGTH_MAX_INPUT:
        return 0
    from zxcvbn import zxcvbn  # lazy: heavy import

    return int(zxcvbn(password, user_inputs=_user_inputs(ctx), max_length=_STRENGTH_MAX_INPUT)["score"])


def check_password(password: str, ctx: PasswordContext) -> PasswordVerdict:
    """Every rule the password breaks (codes of `PASSWORD_MESSAGES`) and its strength 0-4."""
    password = password or ""
    violations: list[str] = []
    if len(password) < MIN_LENGTH:
        violations.append("TOO_SHORT")
    if len(password) > MAX_LENGTH:
        violations.append("TOO_LONG")
    chars = set(password)
    if not chars & _LOWER:
        violations.append("MISSING_LOWERCASE")
    if not chars & _UPPER:
        violations.append("MISSING_UPPERCASE")
    if not chars & (_DIGITS | _SPECIAL):
        violations.append("MISSING_DIGIT_OR_SPECIAL")
    if chars - _ALLOWED:
        violations.append("FORBIDDEN_CHARACTER")
    if ctx.nir13 and contains_nir(password, ctx.nir13):
        violations.append("CONTAINS_NIR")
    if contains_birth_date(password, ctx.birth_date):
        violations.append("CONTAINS_BIRTH_DATE")
    strength = password_strength(password, ctx)
    # Strength is judged only when computed (non-empty, at most 100 characters).
    if 0 < len(password) <= _STRENGTH_MAX_INPUT and strength < MIN_STRENGTH:
        violations.append("TOO_WEAK")
    return PasswordVerdict(violations=tuple(violations), strength=strength)
