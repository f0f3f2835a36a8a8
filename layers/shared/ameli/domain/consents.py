"""Marketing consents changed from the account (issue 13, item 7; the terms promise it): each answer
stored with its time and the version of the wording the person saw, as at signup (journey.md 2.5)."""

from __future__ import annotations

from datetime import datetime

from ameli.domain.account import Account, Consent
from ameli.domain.errors import FieldErrors
from ameli.domain.terms import CONSENT_WORDING_VERSION

# A phone consent needs its phone (the signup asks for the number with it).
CONSENT_PHONE = {"mobile_marketing_call": "mobile_phone", "mobile_marketing_sms": "mobile_phone",
                 "landline_marketing_call": "landline_phone"}
_NO_PHONE = {"mobile_phone": "Aucun numéro de mobile n'est associé à votre compte : ce choix ne peut pas s'appliquer.",
             "landline_phone": "Aucun numéro de fixe n'est associé à votre compte : ce choix ne peut pas s'appliquer."}


def consent_changes(account: Account, choices: dict[str, bool], now: datetime) -> dict[str, Consent]:
    """The consents to record: each choice that differs from the stored answer, or was given under an
    older wording (an unchanged answer keeps the time it was given). Raises a 422 for a phone consent
    without its phone."""
    issues = FieldErrors()
    for name in choices:
        phone = CONSENT_PHONE.get(name)
        if phone is not None and getattr(account, phone) is None:
            issues.add(name, "PHONE_MISSING", _NO_PHONE[phone])
    issues.raise_if_any()
    changes = {}
    for name, given in choices.items():
        current = account.consents.get(name)
        if current is None or current.given != given or current.wording_version != CONSENT_WORDING_VERSION:
            changes[name] = Consent(given, now, CONSENT_WORDING_VERSION)
    return changes
