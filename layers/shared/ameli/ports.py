"""The ports the use cases depend on. AWS adapters live in `ameli.adapters`, fakes in the tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ameli.domain.account import Account, ConfirmationLink
from ameli.domain.beneficiary import Beneficiary
from ameli.domain.proof import ProofAttempts
from ameli.domain.signup import Signup


class BeneficiaryRegistry(Protocol):
    """The Assurance Maladie's registry of insured people (read-only for this service)."""

    def find_by_nir(self, nir: str) -> Beneficiary | None: ...


@dataclass(frozen=True)
class ProofGuard:
    """What the proof step must know besides the registry: the per-NIR lock and an existing account."""

    attempts: ProofAttempts
    account_exists: bool


class SignupStore(Protocol):
    def load_attempts(self, nir_hash: str) -> ProofAttempts: ...

    def load_proof_guard(self, nir_hash: str) -> ProofGuard: ...

    def record_proof_attempts(self, nir_hash: str, attempts: ProofAttempts) -> None: ...

    def create(self, signup: Signup) -> None: ...

    def get(self, signup_id: str) -> Signup | None: ...

    def save_step(self, previous: Signup, updated: Signup) -> None:
        """Store `updated` only if the stored signup still expects `previous.next_step`.

        Raises `StepNotAllowed` when another request moved it first.
        """

    def close(self, signup_id: str) -> None: ...

    def create_pending_account(self, signup: Signup, account: Account) -> None:
        """Atomically: create the account, claim its email, register its link, end the signup.

        Raises `EmailAlreadyUsed`, `AccountAlreadyExists` or `StepNotAllowed`.
        """


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str


class Mailer(Protocol):
    def send(self, email: OutgoingEmail) -> None: ...


class Telemetry(Protocol):
    """Business counters for operators: what happened, never who."""

    def count(self, name: str, **dimensions: str) -> None: ...


class ConfirmationWorkflow(Protocol):
    def start(self, account: Account, link: ConfirmationLink) -> None:
        """Start the deadline workflow of this link (idempotent: the execution name is deterministic)."""


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class Pseudonymizer(Protocol):
    """Keyed hashes: stable identifiers for storage keys and logs that reveal nothing without the key."""

    def nir_hash(self, nir: str) -> str: ...

    def email_hash(self, email_key: str) -> str: ...
