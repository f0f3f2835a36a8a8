"""The steps both options share before the contact step: the signup's own session, the terms of
use and the code personnel (journey.md sections 2.3 and 2.4)."""

from __future__ import annotations

import uuid

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.errors import FieldErrors
from ameli.domain.password_policy import PASSWORD_MESSAGES, PasswordContext, PasswordVerdict, check_password
from ameli.domain.signup import Signup
from ameli.domain.terms import CURRENT_TERMS
from ameli.ports import PasswordHasher, SignupRepository, Telemetry
from ameli.service import tokens


class SignupSteps:
    def __init__(self, *, clock: Clock, signups: SignupRepository, hasher: PasswordHasher,
                 telemetry: Telemetry) -> None:
        self.clock = clock
        self.signups = signups
        self.hasher = hasher
        self.telemetry = telemetry

    def authenticate(self, signup_id: str, bearer_token: str | None) -> Signup:
        """The signup addressed by the URL, if the bearer token is its own and it has not expired."""
        signup = self.signups.get(signup_id) if bearer_token and _looks_like_id(signup_id) else None
        if signup is None or not bearer_token or not tokens.token_matches(bearer_token, signup.token_hash):
            raise errors.SignupSessionInvalid()
        signup.ensure_open(self.clock.now())
        return signup

    def cancel(self, signup: Signup) -> None:
        self.signups.close(signup.signup_id)
        self.telemetry.count("SignupCancelled", method=signup.method, step=signup.next_step)

    def answer_terms(self, signup: Signup, *, accepted: bool, version: str) -> Signup | None:
        """The signup after the answer; `None` when the person refused (the signup is closed)."""
        signup.ensure_step_allowed("terms")
        if not accepted:
            self.signups.close(signup.signup_id)
            self.telemetry.count("TermsRefused", method=signup.method)
            return None
        if version != CURRENT_TERMS.version:
            raise errors.TermsVersionOutdated(current_version=CURRENT_TERMS.version)
        updated = signup.step_completed(
            "terms", terms_version=CURRENT_TERMS.version, terms_accepted_at=self.clock.now()
        )
        self.signups.save_step(signup, updated)
        return updated

    def check_password(self, signup: Signup, password: str) -> PasswordVerdict:
        signup.ensure_step_allowed("password")
        return check_password(password, _password_context(signup))

    def choose_password(self, signup: Signup, *, password: str, confirmation: str | None) -> Signup:
        signup.ensure_step_allowed("password")
        verdict = check_password(password, _password_context(signup))
        problems = FieldErrors()
        for code in verdict.violations:
            problems.add("password", code, PASSWORD_MESSAGES[code])
        if confirmation != password:
            problems.add("password_confirmation", "MISMATCH", PASSWORD_MESSAGES["MISMATCH"])
        problems.raise_if_any(errors.PasswordRejected)
        updated = signup.step_completed("password", password_hash=self.hasher.hash(password))
        self.signups.save_step(signup, updated)
        return updated


def _password_context(signup: Signup) -> PasswordContext:
    return PasswordContext(nir13=signup.nir, birth_date=signup.birth_date, names=signup.names)


def _looks_like_id(signup_id: str) -> bool:
    try:
        uuid.UUID(signup_id)
    except ValueError:
        return False
    return True
