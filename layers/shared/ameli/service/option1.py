"""Option 1 (journey.md section 2): the identity typed by the person, then the proof of possession
of the Carte Vitale and the bank account."""

from __future__ import annotations

from dataclasses import dataclass

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.beneficiary import option1_refusal
from ameli.domain.errors import FieldErrors
from ameli.domain.nir import nir_matches_birth_date, parse_birth_date, parse_nir, parse_postal_code
from ameli.domain.proof import (
    ProofAttempts,
    carte_vitale_serial_prefix,
    mask_iban,
    parse_iban_last7,
    parse_serial_last11,
    proof_matches,
)
from ameli.domain.signup import Signup
from ameli.ports import BeneficiaryRegistry, Pseudonymizer, SignupRepository, Telemetry
from ameli.service.fields import parse_field
from ameli.service.signup_opening import SignupOpener


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

    def start(self, *, last_name: str | None, nir: str | None, birth_date: str | None,
              postal_code: str | None) -> StartedSignup:
        """A signup at the proof step, if the identity is a known, eligible beneficiary's."""
        now = self.clock.now()
        problems = FieldErrors()
        name = (last_name or "").strip()
        if not name:
            problems.add("last_name", "REQUIRED", "Indiquez votre nom.")
        elif len(name) > 100:
            problems.add("last_name", "TOO_LONG", "Votre nom ne peut pas dépasser 100 caractères.")
        parsed_nir = parse_field(problems, "nir", parse_nir, nir or "")
        parsed_birth = parse_field(problems, "birth_date", parse_birth_date, birth_date or "", now.date())
        parsed_postal = parse_field(problems, "postal_code", parse_postal_code, postal_code or "")
        if parsed_nir and parsed_birth and not nir_matches_birth_date(parsed_nir, parsed_birth):
            problems.add(
                "birth_date",
                "INCONSISTENT_WITH_NIR",
                "Votre date de naissance ne correspond pas à votre numéro de sécurité sociale. Vérifiez les deux.",
            )
        problems.raise_if_any()

        nir_hash = self.pseudonymizer.nir_hash(parsed_nir.value)
        beneficiary = self.registry.find_by_nir(parsed_nir.value)
        refusal = option1_refusal(beneficiary, name, parsed_nir, parsed_birth, parsed_postal)
        if beneficiary is None or refusal is not None:
            self.telemetry.count("SignupRefused", method="carte_vitale", reason=refusal.value)
            raise errors.OnlineSignupUnavailable()
        _ensure_not_locked(self.signups.load_attempts(nir_hash), now, self.telemetry)
        opened = self.opener.open(beneficiary, nir_hash=nir_hash, method="carte_vitale", next_step="proof")
        return StartedSignup(
            signup=opened.signup,
            signup_token=opened.token,
            iban_masked=mask_iban(beneficiary.iban),
            carte_vitale_serial_prefix=carte_vitale_serial_prefix(beneficiary.carte_vitale.serial),
        )

    def submit_proof(self, signup: Signup, *, iban_last7: str | None, serial_last11: str | None) -> Signup:
        """The signup at the terms step, if both tails match; each failure counts towards the lock."""
        signup.ensure_step_allowed("proof")
        problems = FieldErrors()
        iban_tail = parse_field(problems, "iban_last7", parse_iban_last7, iban_last7 or "")
        serial_tail = parse_field(problems, "carte_vitale_serial_last11", parse_serial_last11, serial_last11 or "")
        problems.raise_if_any()

        now = self.clock.now()
        guard = self.signups.load_proof_guard(signup.nir_hash)
        _ensure_not_locked(guard.attempts, now)
        beneficiary = self.registry.find_by_nir(signup.nir)
        if beneficiary is None or not proof_matches(beneficiary, iban_tail, serial_tail):
            self._refuse_proof(signup, guard.attempts)
        if guard.account_exists:
            raise errors.AccountAlreadyExists(next_step="login")
        updated = signup.step_completed("proof")
        self.signups.save_step(signup, updated)
        self.telemetry.count("ProofSucceeded", method="carte_vitale")
        return updated

    def _refuse_proof(self, signup: Signup, attempts: ProofAttempts) -> None:
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


def _ensure_not_locked(attempts: ProofAttempts, now, telemetry: Telemetry | None = None) -> None:
    if attempts.is_locked(now):
        if telemetry is not None:
            telemetry.count("ProofLocked", method="carte_vitale")
        raise errors.TooManyAttempts(retry_after=attempts.retry_after_seconds(now))
