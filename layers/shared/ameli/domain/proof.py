"""Proof of possession (journey.md 2.2): IBAN tail + Carte Vitale serial tail, and the per-NIR lock.

The typed tails are compared in constant time and never stored or logged.
"""

from __future__ import annotations

import hmac
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ameli.domain.beneficiary import Beneficiary
from ameli.domain.errors import FieldValidationError

MAX_PROOF_FAILURES = 3
PROOF_WINDOW = timedelta(hours=24)
LOCK = timedelta(hours=24)

IBAN_TAIL_LENGTH = 7
SERIAL_TAIL_LENGTH = 11
SERIAL_PREFIX_LENGTH = 10
_IBAN_VISIBLE_START = 9  # country code, check digits, 5-digit French bank code: "FR76 3000 4"

_WHITESPACE = re.compile(r"\s+")
_IBAN_TAIL = re.compile(r"^[0-9A-Z]{7}$")
_SERIAL_TAIL = re.compile(r"^[0-9]{11}$")


def _compact(value: str) -> str:
    return _WHITESPACE.sub("", value or "").upper()


def mask_iban(iban: str) -> str:
    """The IBAN on file as the proof screen shows it; its last 7 characters are never revealed.

    Rule: at most the first 9 characters stay visible (country code, check digits and the
    5-digit bank code of a French IBAN), and never any of the last 7 (what the person must type).
    Everything before the last 7 characters is grouped by 4; the last 7 form a final
    `*** ****` block. `FR7630004000031234567890143` -> `FR76 3000 4*** **** **** *** ****`.
    """
    compact = _compact(iban)
    if len(compact) <= IBAN_TAIL_LENGTH:
        return "*" * len(compact)
    head = compact[:-IBAN_TAIL_LENGTH]
    visible = min(_IBAN_VISIBLE_START, len(head))
    masked_head = head[:visible] + "*" * (len(head) - visible)
    groups = [masked_head[i : i + 4] for i in range(0, len(masked_head), 4)]
    return " ".join([*groups, "***", "****"])


def carte_vitale_serial_prefix(serial21: str) -> str:
    """The first 10 digits of the Carte Vitale serial, shown on the proof screen (`8025000002`)."""
    return _compact(serial21)[:SERIAL_PREFIX_LENGTH]


def parse_iban_last7(raw: str) -> str:
    """The last 7 characters of the IBAN as typed: spaces removed, upper-cased, `[0-9A-Z]{7}`.

    Codes: REQUIRED, INVALID_FORMAT.
    """
    value = _compact(raw)
    if not value:
        raise FieldValidationError("REQUIRED", "Saisissez les 7 derniers caractères de votre IBAN.")
    if not _IBAN_TAIL.match(value):
        raise FieldValidationError(
            "INVALID_FORMAT",
            "Saisissez exactement les 7 derniers caractères de votre IBAN (chiffres, et parfois lettres).",
        )
    return value


def parse_serial_last11(raw: str) -> str:
    """The last 11 digits of the Carte Vitale serial as typed (spaces removed). Codes: REQUIRED, INVALID_FORMAT."""
    value = _compact(raw)
    if not value:
        raise FieldValidationError(
            "REQUIRED", "Saisissez les 11 derniers chiffres du numéro de série de votre carte Vitale."
        )
    if not _SERIAL_TAIL.match(value):
        raise FieldValidationError(
            "INVALID_FORMAT",
            "Saisissez exactement les 11 derniers chiffres du numéro de série de votre carte Vitale.",
        )
    return value


def proof_matches(b: Beneficiary, iban_last7: str, serial_last11: str) -> bool:
    """Both tails equal those on file (IBAN, active Carte Vitale), compared in constant time.

    Both comparisons always run, even when data is missing, so timing does not tell which one failed.
    """
    iban = _compact(b.iban or "")
    card = b.carte_vitale
    active_serial = _compact(card.serial) if card is not None and card.status == "active" else ""
    has_data = len(iban) > IBAN_TAIL_LENGTH and len(active_serial) > SERIAL_TAIL_LENGTH
    expected_iban = iban[-IBAN_TAIL_LENGTH:] if iban else "\x00" * IBAN_TAIL_LENGTH
    expected_serial = active_serial[-SERIAL_TAIL_LENGTH:] if active_serial else "\x00" * SERIAL_TAIL_LENGTH
    iban_ok = hmac.compare_digest(expected_iban.encode(), _compact(iban_last7).encode())
    serial_ok = hmac.compare_digest(expected_serial.encode(), _compact(serial_last11).encode())
    return has_data & iban_ok & serial_ok


@dataclass(frozen=True)
class ProofAttempts:
    """Failed proofs of one NIR (across signups, devices and addresses) and its lock.

    3 failures within 24 h lock the online signup of that NIR for 24 h. Failures older than
    24 h are forgotten. Pure value: every change returns a new instance.
    """

    failures: tuple[datetime, ...] = ()
    locked_until: datetime | None = None

    def recent_failures(self, now: datetime) -> tuple[datetime, ...]:
        """Failures less than 24 h old."""
        return tuple(moment for moment in self.failures if now - moment < PROOF_WINDOW)

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def retry_after_seconds(self, now: datetime) -> int:
        """Whole seconds (rounded up) until the lock ends; 0 when not locked."""
        if self.locked_until is None or now >= self.locked_until:
            return 0
        return max(1, math.ceil((self.locked_until - now).total_seconds()))

    def after_failure(self, now: datetime) -> ProofAttempts:
        """The attempts once one more failure at `now` is counted.

        The 3rd failure within 24 h sets the lock to `now + 24 h`. While locked, nothing is
        counted (the service refuses before comparing), so the lock is never extended.
        """
        if self.is_locked(now):
            return self
        failures = (*self.recent_failures(now), now)
        locked_until = now + LOCK if len(failures) >= MAX_PROOF_FAILURES else None
        return ProofAttempts(failures=failures, locked_until=locked_until)

    def attempts_left(self, now: datetime) -> int:
        """Attempts still allowed: 3 minus the failures of the last 24 h (0 while locked)."""
        if self.is_locked(now):
            return 0
        return max(0, MAX_PROOF_FAILURES - len(self.recent_failures(now)))


@dataclass(frozen=True, repr=False)
class ProofTails:
    """The typed end of the IBAN (7 characters) and of the Carte Vitale serial (11 digits)."""

    iban_last7: str
    serial_last11: str

    def __repr__(self) -> str:
        return "ProofTails(<redacted>)"
