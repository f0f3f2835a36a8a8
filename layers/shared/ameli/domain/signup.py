"""A signup in progress: which step comes next, and what it has gathered so far.

The signup holds the proven identity (from the registry) between steps; it never holds
what the person typed as proof (IBAN tail, card serial).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from ameli.domain.errors import SignupExpired, StepNotAllowed
from ameli.domain.franceconnect import ReceivedIdentity

STEPS = ("proof", "terms", "password", "contact", "done")
# Steps a person may submit again while a later one is expected (the "back" button);
# proof and contact are one-shot: proof is spent, contact ends the signup.
REPEATABLE_STEPS = frozenset({"terms", "password"})


@dataclass(frozen=True)
class Signup:
    signup_id: str
    token_hash: str
    method: str  # "carte_vitale" or "franceconnect"
    nir: str  # 13 characters
    nir_hash: str
    birth_date: date
    names: tuple[str, ...]
    next_step: str
    created_at: datetime
    expires_at: datetime
    terms_version: str | None = None
    terms_accepted_at: datetime | None = None
    password_hash: str | None = None
    franceconnect_sub: str | None = None
    franceconnect_logout_url: str | None = None
    # The address FranceConnect's identity provider knows (unverified): only offered to prefill.
    email_suggestion: str | None = None
    # What FranceConnect said of the person, for them to check on return (Option 2 only).
    franceconnect_identity: ReceivedIdentity | None = field(default=None, repr=False)

    def ensure_open(self, now: datetime) -> None:
        if now >= self.expires_at:
            raise SignupExpired()

    def ensure_step_allowed(self, step: str) -> None:
        """A step is allowed when it is the expected one, or a repeatable step already passed."""
        expected = STEPS.index(self.next_step)
        wanted = STEPS.index(step)
        if self.next_step == "done" or wanted > expected or (wanted < expected and step not in REPEATABLE_STEPS):
            raise StepNotAllowed(next_step=self.next_step)

    def step_completed(self, step: str, **changes: Any) -> Signup:
        """The signup after `step`, never moving `next_step` backwards."""
        following = STEPS[STEPS.index(step) + 1]
        next_step = following if STEPS.index(following) > STEPS.index(self.next_step) else self.next_step
        return replace(self, next_step=next_step, **changes)
