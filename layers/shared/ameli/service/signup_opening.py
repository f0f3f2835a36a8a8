"""Opening a signup: the one place that gives a signup its id, its bearer token and its deadline.

Used by both options: Option 1 once the identity matches the registry (next step: proof), Option 2
once FranceConnect's identity matches exactly one beneficiary (next step: terms).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ameli.clock import Clock
from ameli.domain.beneficiary import Beneficiary
from ameli.domain.signup import Signup
from ameli.ports import SignupRepository, Telemetry
from ameli.service import tokens


@dataclass(frozen=True)
class OpenedSignup:
    signup: Signup
    token: str = field(repr=False)  # given to the client once; only its hash is stored


class SignupOpener:
    def __init__(self, *, clock: Clock, signups: SignupRepository, session_duration: timedelta,
                 telemetry: Telemetry) -> None:
        self.clock = clock
        self.signups = signups
        self.session_duration = session_duration
        self.telemetry = telemetry

    def open(self, beneficiary: Beneficiary, *, nir_hash: str, method: str, next_step: str,
             **details: Any) -> OpenedSignup:
        """A new signup for `beneficiary`, stored; `details` are the method's own fields."""
        now = self.clock.now()
        token = tokens.new_token()
        signup = Signup(
            signup_id=str(uuid.uuid4()),
            token_hash=tokens.token_hash(token),
            method=method,
            nir=beneficiary.nir,
            nir_hash=nir_hash,
            birth_date=beneficiary.birth_date,
            names=names_of(beneficiary),
            next_step=next_step,
            created_at=now,
            expires_at=now + self.session_duration,
            **details,
        )
        self.signups.create(signup)
        self.telemetry.count("SignupStarted", method=method)
        return OpenedSignup(signup, token)


def names_of(beneficiary: Beneficiary) -> tuple[str, ...]:
    """The names a password must not contain: birth name, usage name, given names."""
    names = [beneficiary.birth_name, beneficiary.usage_name, *beneficiary.given_names]
    return tuple(name for name in names if name)
