"""The ports the use cases depend on. AWS adapters live in `ameli.adapters`, fakes in the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ameli.domain.account import Account, ConfirmationLink, Consent, LinkDelivery
from ameli.domain.beneficiary import Beneficiary
from ameli.domain.franceconnect import FranceConnectIdentity
from ameli.domain.login_throttle import LoginThrottle
from ameli.domain.proof import ProofAttempts
from ameli.domain.session import Session
from ameli.domain.signup import Signup


class BeneficiaryRegistry(Protocol):
    """The Assurance Maladie's registry of insured people (read-only for this service)."""

    def find_by_nir(self, nir: str) -> Beneficiary | None: ...

    def find_by_birth_name(self, birth_name_key: str, birth_date_prefix: str) -> list[Beneficiary]:
        """Everyone with this normalised birth name whose ISO birth date starts with the prefix (a
        whole date, `YYYY-MM-` or `YYYY-`): the FranceConnect matching candidates, all of them."""


@dataclass(frozen=True)
class FranceConnectState:
    """What the authorize redirect must find again at the callback (single use, short-lived)."""

    state: str
    nonce: str
    return_to: str
    browser_binding_hash: str
    expires_at: datetime


@dataclass(frozen=True)
class FranceConnectLogin:
    identity: FranceConnectIdentity
    id_token: str = field(repr=False)


class FranceConnectFailure(Exception):
    """Any failed check of the FranceConnect exchange; `reason` is safe to log (no token, no identity)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FranceConnectClient(Protocol):
    def authorization_url(self, *, state: str, nonce: str) -> str:
        """Raises `FranceConnectFailure` when the provider's discovery document cannot be read."""

    def complete(self, *, code: str, nonce: str, callback_issuer: str | None) -> FranceConnectLogin:
        """Exchange the code and verify ID token and userinfo; raises `FranceConnectFailure`."""

    def logout_url(self, *, id_token: str, state: str) -> str: ...


@dataclass(frozen=True)
class ProofGuard:
    """What the proof step reads, in one request: the per-NIR lock, an existing account, and the
    registry's beneficiary (compared only once the attempt is counted)."""

    attempts: ProofAttempts
    account_exists: bool
    beneficiary: Beneficiary | None


class SignupRepository(Protocol):
    """A signup in progress, its NIR's proof attempts, the FranceConnect state leading to it."""

    def create(self, signup: Signup) -> None: ...

    def get(self, signup_id: str) -> Signup | None: ...

    def save_step(self, previous: Signup, updated: Signup) -> None:
        """Store `updated` only if the stored signup still expects `previous.next_step`.

        Raises `StepNotAllowed` when another request moved it first.
        """

    def close(self, signup_id: str) -> None: ...

    def account_exists(self, nir_hash: str) -> bool:
        """Whether an account exists for this NIR (a read by key: the account is not this repository's)."""

    def load_attempts(self, nir_hash: str) -> ProofAttempts: ...

    def load_proof_guard(self, nir_hash: str, nir: str) -> ProofGuard: ...

    def count_proof_attempt(self, nir_hash: str, seen: ProofAttempts,
                            counted: ProofAttempts) -> tuple[bool, ProofAttempts]:
        """Store `counted` only if the stored attempts are still `seen` (one conditional write).

        Returns (True, counted as stored) or (False, the attempts another request stored meanwhile).
        """

    def take_back_proof_attempt(self, nir_hash: str, counted: ProofAttempts,
                                restored: ProofAttempts) -> ProofAttempts | None:
        """Store `restored` only if the stored attempts are still `counted`: None once stored, else them."""

    def complete_proof(self, previous: Signup, updated: Signup, counted: ProofAttempts,
                       restored: ProofAttempts) -> bool:
        """Atomically: `save_step(previous, updated)` and `restored` replacing `counted`.

        False (nothing written) when the attempts changed since `counted`; raises `StepNotAllowed`.
        """

    def save_franceconnect_state(self, state: FranceConnectState) -> None: ...

    def take_franceconnect_state(self, state: str) -> FranceConnectState | None:
        """Read and delete in one step: a state is single use."""


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

    def note(self, message: str, **fields: str) -> None:
        """A log line for operators; `fields` are codes and reasons, never personal data."""


@dataclass(frozen=True)
class NewAddress:
    """An address replacing the account's one: what is shown and sent to, and its uniqueness hash."""

    address: str
    email_key: str


@dataclass(frozen=True)
class OverdueLink:
    """A pending account whose link passed a deadline the workflow should have applied."""

    account_id: str
    nir_hash: str
    email_key: str | None
    link: ConfirmationLink


class AccountRepository(Protocol):
    """An account, the claim of its email address, its links."""

    def get_account(self, nir_hash: str) -> Account | None: ...

    def find_by_link(self, token_hash: str) -> tuple[Account, int] | None:
        """The account a link belongs to, with that link's number (compare with `account.link`)."""

    def create_from_signup(self, signup: Signup, account: Account, correction: Session | None = None) -> None:
        """Atomically: create the account, claim its email, register its link, end the signup, and
        open the `correction` session if given.

        Raises `EmailAlreadyUsed`, `AccountAlreadyExists` or `StepNotAllowed`.
        """

    def activate(self, account: Account, link_number: int, now: datetime) -> bool:
        """Activate if that link is still current and unexpired at `now`; False otherwise."""

    def replace_link(self, account: Account, link: ConfirmationLink, new_address: NewAddress | None) -> None:
        """Make `link` the account's current link (and its address, if new), atomically.

        Raises `EmailAlreadyUsed`, or `LinkInvalid` when the account changed meanwhile.
        """

    def record_delivery(self, account: Account, link_number: int, delivery: LinkDelivery) -> None:
        """Mark what a failure left of this link's delivery, if it is still the current pending link:
        `FAILED` (SES did not take it: due at once for the safety net) or `EMAILED` (it left: never emailed
        again, due at its own deadline). The path that works marks nothing."""

    def update_password_hash(self, nir_hash: str, password_hash: str) -> None: ...

    def record_consents(self, nir_hash: str, consents: dict[str, Consent]) -> None:
        """Set these consents of an active account, each on its own path (others untouched)."""

    def overdue_links(self, now: datetime, limit: int, not_before: datetime | None = None) -> list[OverdueLink]:
        """Pending accounts whose next deadline is at or before `now` (and not before `not_before`)."""


class SessionRepository(Protocol):
    """Sessions after login and each NIR's login throttle."""

    def load_for_login(self, nir_hash: str) -> tuple[Account | None, LoginThrottle]:
        """The account of a NIR (if any) with its throttle, in one read."""

    def count_login_attempt(self, nir_hash: str, seen: LoginThrottle, counted: LoginThrottle) -> LoginThrottle | None:
        """Store `counted` only if the stored throttle is still `seen`, in one conditional write.

        Returns None once stored, else the throttle as another request stored it meanwhile.
        """

    def reset_login_throttle(self, nir_hash: str) -> None: ...

    def open_session(self, session: Session) -> None:
        """Store the session and reset the NIR's failure count."""

    def find_session(self, token_hash: str) -> Session | None: ...

    def close_session(self, token_hash: str) -> None: ...


class ConfirmationWorkflow(Protocol):
    def start(self, account: Account, link: ConfirmationLink, *, emailed: bool) -> bool:
        """Start the deadline workflow of this link; False if it already had one (the execution name is
        deterministic). Started `emailed` only once SES accepted the email, so that such an execution is the
        proof the email left; else for the deadlines only (an address never reached is released all the same)."""

    def emailed(self, account: Account, link: ConfirmationLink) -> bool:
        """Whether this link's workflow was started `emailed` (so its email left)."""

    def stop(self, account: Account, link_number: int) -> None:
        """Stop the workflow of a link that was confirmed or replaced (saves its remaining transitions)."""

    def catch_up(self, overdue: OverdueLink, now: datetime) -> None:
        """Run the workflow again for a link whose deadline passed without effect."""


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    def unknown_account_hash(self) -> str:
        """A hash with the current parameters that no password is known to match (unknown NIRs)."""


class Pseudonymizer(Protocol):
    """Keyed hashes: stable identifiers for storage keys and logs that reveal nothing without the key."""

    def nir_hash(self, nir: str) -> str: ...

    def email_hash(self, email_key: str) -> str: ...

    def link_token(self, account_id: str, link_number: int) -> str:
        """The secret of a confirmation link, derived rather than stored: whoever delivers the link
        again (a retried request, the safety net) rebuilds the same one; only its SHA-256 is kept."""
