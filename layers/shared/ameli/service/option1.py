"""Option 1 (journey.md section 2): the identity typed by the person, then the proof of possession
of the Carte Vitale and the bank account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.beneficiary import DeclaredIdentity, RefusalReason, option1_refusal
from ameli.domain.proof import ProofAttempts, ProofTails, carte_vitale_serial_prefix, mask_iban, proof_matches
from ameli.domain.signup import Signup
from ameli.ports import BeneficiaryRegistry, Pseudonymizer, SignupRepository, Telemetry
from ameli.service.signup_opening import SignupOpener


@dataclass(frozen=True)
class ProofDisplay:
    iban_masked: str
    carte_vitale_serial_prefix: str


@dataclass(frozen=True)
class StartedSignup:
    signup: Signup
    signup_token: str
    iban_masked: str
    carte_vitale_serial_prefix: str


class Option1Signup:
    def __init__(self, *, clock: Clock, registry: BeneficiaryRegistry, signups: SignupRepository,
                 pseudonymizer: Pseudonymizer, opener: SignupOpener, telemetry: Telemetry) -> None:
        self.clock = clock
        self.registry = registry
        self.signups = signups
        self.pseudonymizer = pseudonymizer
        self.opener = opener
        self.telemetry = telemetry

    def start(self, identity: DeclaredIdentity) -> StartedSignup:
        """A signup at the proof step, if the identity is a known, eligible beneficiary's."""
        now = self.clock.now()
        nir_hash = self.pseudonymizer.nir_hash(identity.nir.value)
        beneficiary = self.registry.find_by_nir(identity.nir.value)
        refusal = option1_refusal(beneficiary, identity.last_name, identity.nir, identity.birth_date,
                                  identity.postal_code)
        if refusal is not None or beneficiary is None:  # no beneficiary is a refusal (NO_MATCH)
            reason = (refusal or RefusalReason.NO_MATCH).value
            self.telemetry.count("SignupRefused", method="carte_vitale", reason=reason)
            raise errors.OnlineSignupUnavailable()
        _ensure_not_locked(self.signups.load_attempts(nir_hash), now, self.telemetry)
        # Eligible for Option 1 means an IBAN and an active Carte Vitale on file (`option1_refusal`).
        assert beneficiary.iban is not None and beneficiary.carte_vitale is not None
        opened = self.opener.open(beneficiary, nir_hash=nir_hash, method="carte_vitale", next_step="proof")
        return StartedSignup(
            signup=opened.signup,
            signup_token=opened.token,
            iban_masked=mask_iban(beneficiary.iban),
            carte_vitale_serial_prefix=carte_vitale_serial_prefix(beneficiary.carte_vitale.serial),
        )

    def proof_display(self, signup: Signup) -> ProofDisplay | None:
        """What the proof screen shows again (a client resuming after a restart), while proof is the next step.

        Read again from the registry: the signup never holds the IBAN nor the card serial."""
        if signup.method != "carte_vitale" or signup.next_step != "proof":
            return None
        beneficiary = self.registry.find_by_nir(signup.nir)
        if beneficiary is None or beneficiary.iban is None or beneficiary.carte_vitale is None:
            return None  # changed in the registry since the identity step: the proof will be refused
        return ProofDisplay(mask_iban(beneficiary.iban), carte_vitale_serial_prefix(beneficiary.carte_vitale.serial))

    def submit_proof(self, signup: Signup, proof: ProofTails) -> Signup:
        """The signup at the terms step, if both tails match; each failure counts towards the lock."""
        signup.ensure_step_allowed("proof")
        now = self.clock.now()
        guard = self.signups.load_proof_guard(signup.nir_hash)
        _ensure_not_locked(guard.attempts, now)
        beneficiary = self.registry.find_by_nir(signup.nir)
        if beneficiary is None or not proof_matches(beneficiary, proof.iban_last7, proof.serial_last11):
            self._refuse_proof(signup, guard.attempts)
        if guard.account_exists:
            raise errors.AccountAlreadyExists(next_step="login")
        updated = signup.step_completed("proof")
        self.signups.save_step(signup, updated)
        self.telemetry.count("ProofSucceeded", method="carte_vitale")
        return updated

    def _refuse_proof(self, signup: Signup, attempts: ProofAttempts) -> NoReturn:
        now = self.clock.now()
        attempts = attempts.after_failure(now)
        self.signups.record_proof_attempts(signup.nir_hash, attempts)
        self.telemetry.count("ProofFailed", method="carte_vitale")
        _ensure_not_locked(attempts, now)
        left = attempts.attempts_left(now)
        raise errors.ProofMismatch(
            f"{errors.ProofMismatch.detail} Il vous reste {left} essai{'s' if left > 1 else ''}.",
            attempts_left=left,
        )


def _ensure_not_locked(attempts: ProofAttempts, now: datetime, telemetry: Telemetry | None = None) -> None:
    if attempts.is_locked(now):
        if telemetry is not None:
            telemetry.count("ProofLocked", method="carte_vitale")
        raise errors.TooManyAttempts(retry_after=attempts.retry_after_seconds(now))
