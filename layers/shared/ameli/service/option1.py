"""Option 1 (journey.md section 2): the identity typed by the person, then the proof of possession
of the Carte Vitale and the bank account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NoReturn

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.beneficiary import Beneficiary, DeclaredIdentity, RefusalReason, option1_refusal
from ameli.domain.proof import ProofAttempts, ProofTails, carte_vitale_serial_prefix, mask_iban, proof_matches
from ameli.domain.signup import Signup
from ameli.ports import BeneficiaryRegistry, Pseudonymizer, SignupRepository, Telemetry
from ameli.service.signup_opening import SignupOpener

# Conditional writes tried before giving up when other attempts of the same NIR keep counting first.
COUNT_RETRIES = 4


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
        # An absent NIR is compared too (with a beneficiary nobody matches): refusing it does the same
        # work as refusing a present one, so the time of the refusal does not tell them apart.
        refusal = option1_refusal(beneficiary or _nobody(identity.nir.value), identity.last_name, identity.nir,
                                  identity.birth_date, identity.postal_code)
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
        """The signup at the terms step, if both tails match. Every attempt counts as a failure
        before the tails are compared; a right one then takes its count back."""
        signup.ensure_step_allowed("proof")
        now = self.clock.now().replace(microsecond=0)  # as stored: a right attempt finds its own count
        guard = self.signups.load_proof_guard(signup.nir_hash, signup.nir)  # read with the registry's beneficiary
        counted = self._count_attempt(signup.nir_hash, guard.attempts, now)
        beneficiary = guard.beneficiary  # compared only now that the attempt is counted
        if beneficiary is None or not proof_matches(beneficiary, proof.iban_last7, proof.serial_last11):
            self._refuse_proof(counted, now)
        if guard.account_exists:
            self._take_back(signup, counted, now)
            raise errors.AccountAlreadyExists(next_step="login")
        updated = signup.step_completed("proof")
        if not self.signups.complete_proof(signup, updated, counted, counted.without_failure_at(now)):
            self._take_back(signup, counted, now)  # other attempts counted meanwhile
            self.signups.save_step(signup, updated)
        self.telemetry.count("ProofSucceeded", method="carte_vitale")
        return updated

    def _count_attempt(self, nir_hash: str, attempts: ProofAttempts, now: datetime) -> ProofAttempts:
        """This attempt counted as a failure, unless the NIR is locked; attempts in parallel each count."""
        for _ in range(COUNT_RETRIES):
            _ensure_not_locked(attempts, now)
            stored, attempts = self.signups.count_proof_attempt(nir_hash, attempts, attempts.after_failure(now))
            if stored:
                return attempts
        self.telemetry.count("ProofContended", method="carte_vitale")
        raise errors.TooManyAttempts(retry_after=1)

    def _take_back(self, signup: Signup, counted: ProofAttempts, now: datetime) -> None:
        for _ in range(COUNT_RETRIES):
            current = self.signups.take_back_proof_attempt(signup.nir_hash, counted, counted.without_failure_at(now))
            if current is None:
                return
            counted = current
        # Still contended: the right attempt's count stays; it ages out with the others (24 h).
        self.telemetry.count("ProofContended", method="carte_vitale")

    def _refuse_proof(self, counted: ProofAttempts, now: datetime) -> NoReturn:
        self.telemetry.count("ProofFailed", method="carte_vitale")
        _ensure_not_locked(counted, now)  # the 3rd failure answers with the lock
        left = counted.attempts_left(now)
        raise errors.ProofMismatch(
            f"{errors.ProofMismatch.detail} Il vous reste {left} essai{'s' if left > 1 else ''}.",
            attempts_left=left,
        )


def _nobody(nir: str) -> Beneficiary:
    """Compared with when the registry does not know the NIR: no typed name, date or code matches it."""
    return Beneficiary(nir=nir, nir_certified=False, birth_name="\x00", usage_name=None, given_names=(),
                       gender="", birth_date=date.min, birth_place=None, birth_country="", postal_code="\x00",
                       previous_postal_codes=(), regime="", rights_holder=False, iban=None, carte_vitale=None)


def _ensure_not_locked(attempts: ProofAttempts, now: datetime, telemetry: Telemetry | None = None) -> None:
    if attempts.is_locked(now):
        if telemetry is not None:
            telemetry.count("ProofLocked", method="carte_vitale")
        raise errors.TooManyAttempts(retry_after=attempts.retry_after_seconds(now))
