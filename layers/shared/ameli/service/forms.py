"""Form checks shared by several use cases: each adds its field issues to a `FieldErrors`."""

from __future__ import annotations

from ameli.domain.contact import Email, parse_email
from ameli.domain.errors import FieldErrors, FieldValidationError

MISMATCH_MESSAGE = "Les deux adresses email ne sont pas identiques."


def email_typed_twice(problems: FieldErrors, field: str, email: str | None, confirmation: str | None, *,
                      test_environment: bool) -> Email | None:
    """The address of `field`, if valid and typed the same in `<field>_confirmation` (case aside)."""
    try:
        parsed = parse_email(email or "", test_environment=test_environment)
    except FieldValidationError as issue:
        problems.add(field, issue.code, issue.message)
        return None
    if (confirmation or "").strip().casefold() != (email or "").strip().casefold():
        problems.add(f"{field}_confirmation", "MISMATCH", MISMATCH_MESSAGE)
    return parsed
