"""In-memory implementations of the ports, for use-case tests and the benchmark (no AWS)."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ameli.domain import errors
from ameli.domain import franceconnect as names
from ameli.domain.account import Account, AccountState, ConfirmationLink, Consent, LinkDelivery
from ameli.domain.beneficiary import Beneficiary
from ameli.domain.login_throttle import LoginThrottle
from ameli.domain.proof import ProofAttempts
from ameli.domain.session import Session
from ameli.domain.signup import Signup
from ameli.ports import (
    FranceConnectFailure,
    FranceConnectLogin,
    FranceConnectState,
    NewAddress,
    OutgoingEmail,
    OverdueLink,
    ProofGuard,
)
from ameli.settings import Settings
from tests import values
from tests.people import PASSWORD, VENTURI_IDENTITY, VENTURI_PROOF


class FrozenClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += timedelta(**delta)


class InMemoryRegistry:
    def __init__(self, beneficiaries: Sequence[Beneficiary] = ()) -> None:
        self.by_nir = {b.nir: b for b in beneficiaries}

    def find_by_nir(self, nir: str) -> Beneficiary | None:
        return self.by_nir.get(nir)

    def find_by_birth_name(self, birth_name_key: str, birth_date_prefix: str) -> list[Beneficiary]:
        return [b for b in self.by_nir.values()
                if names.birth_name_key(b.birth_name) == birth_name_key
                and b.birth_date.isoformat().startswith(birth_date_prefix)]


class InMemoryTables:
    """The shared state of the in-memory repositories (what the two DynamoDB tables hold)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.signups: dict[str, Signup] = {}
        self.attempts: dict[str, ProofAttempts] = {}
        self.franceconnect_states: dict[str, FranceConnectState] = {}
        self.accounts: dict[str, Account] = {}
        self.email_owners: dict[str, str] = {}
        self.links: dict[str, tuple[str, int]] = {}
        self.sessions: dict[str, Session] = {}
        self.throttles: dict[str, LoginThrottle] = {}


class InMemorySignupRepository:
    def __init__(self, tables: InMemoryTables, registry: InMemoryRegistry | None = None) -> None:
        self.tables = tables
        self.signups = tables.signups
        self.registry = registry or InMemoryRegistry()  # the proof step's batched read takes its beneficiary

    def create(self, signup: Signup) -> None:
        with self.tables.lock:
            if signup.signup_id in self.signups:
                raise AssertionError("signup ids are unique")
            self.signups[signup.signup_id] = signup

    def get(self, signup_id: str) -> Signup | None:
        return self.signups.get(signup_id)

    def save_step(self, previous: Signup, updated: Signup) -> None:
        with self.tables.lock:
            current = self.signups.get(previous.signup_id)
            if current is None or current.next_step != previous.next_step:
                raise errors.StepNotAllowed()
            self.signups[updated.signup_id] = updated

    def close(self, signup_id: str) -> None:
        self.signups.pop(signup_id, None)

    def account_exists(self, nir_hash: str) -> bool:
        return nir_hash in self.tables.accounts

    def load_attempts(self, nir_hash: str) -> ProofAttempts:
        return self.tables.attempts.get(nir_hash, ProofAttempts())

    def load_proof_guard(self, nir_hash: str, nir: str) -> ProofGuard:
        return ProofGuard(self.load_attempts(nir_hash), self.account_exists(nir_hash), self.registry.find_by_nir(nir))

    def count_proof_attempt(self, nir_hash: str, seen: ProofAttempts,
                            counted: ProofAttempts) -> tuple[bool, ProofAttempts]:
        current = self.take_back_proof_attempt(nir_hash, seen, counted)
        return (True, self.tables.attempts[nir_hash]) if current is None else (False, current)

    def take_back_proof_attempt(self, nir_hash: str, counted: ProofAttempts,
                                restored: ProofAttempts) -> ProofAttempts | None:
        with self.tables.lock:  # the adapter's version condition (checked on moto in tests/functional)
            current = self.load_attempts(nir_hash)
            if current.version != counted.version:
                return current
            self.tables.attempts[nir_hash] = replace(restored, version=uuid.uuid4().hex)
            return None

    def complete_proof(self, previous: Signup, updated: Signup, counted: ProofAttempts,
                       restored: ProofAttempts) -> bool:
        if self.load_attempts(updated.nir_hash).version != counted.version:
            return False
        self.save_step(previous, updated)
        return self.take_back_proof_attempt(updated.nir_hash, counted, restored) is None

    def save_franceconnect_state(self, state: FranceConnectState) -> None:
        self.tables.franceconnect_states[state.state] = state

    def take_franceconnect_state(self, state: str) -> FranceConnectState | None:
        return self.tables.franceconnect_states.pop(state, None)


class InMemoryAccountRepository:
    def __init__(self, tables: InMemoryTables) -> None:
        self.tables = tables
        self.lock = tables.lock
        self.accounts = tables.accounts
        self.email_owners = tables.email_owners
        self.links = tables.links

    def get_account(self, nir_hash: str) -> Account | None:
        return self.accounts.get(nir_hash)

    def find_by_link(self, token_hash: str) -> tuple[Account, int] | None:
        found = self.links.get(token_hash)
        return (self.accounts[found[0]], found[1]) if found else None

    def create_from_signup(self, signup: Signup, account: Account, correction: Session | None = None) -> None:
        assert account.link is not None and account.email_key is not None
        with self.lock:
            current = self.tables.signups.get(signup.signup_id)
            if current is None or current.next_step != "contact":
                raise errors.StepNotAllowed()
            if account.nir_hash in self.accounts:
                raise errors.AccountAlreadyExists()
            if account.email_key in self.email_owners:
                raise errors.EmailAlreadyUsed()
            self.accounts[account.nir_hash] = account
            self.email_owners[account.email_key] = account.nir_hash
            self.links[account.link.token_hash] = (account.nir_hash, account.link.number)
            self.tables.signups[signup.signup_id] = replace(current, next_step="done", password_hash=None)
            if correction is not None:
                self.tables.sessions[correction.token_hash] = correction

    def activate(self, account: Account, link_number: int, now: datetime) -> bool:
        # The adapter's condition, imitated: tests/functional/test_account_repository.py checks the real one.
        with self.lock:
            current = self.accounts[account.nir_hash]
            link = current.link
            if current.status is not AccountState.PENDING_EMAIL_CONFIRMATION or link is None \
                    or link.number != link_number or now >= link.expires_at:
                return False
            self.accounts[account.nir_hash] = current.activated(now)
            return True

    def replace_link(self, account: Account, link: ConfirmationLink, new_address: NewAddress | None) -> None:
        with self.lock:
            current = self.accounts[account.nir_hash]
            if current.status is AccountState.ACTIVE and account.status is not AccountState.ACTIVE:
                raise errors.AccountAlreadyActive()
            waiting = (AccountState.PENDING_EMAIL_CONFIRMATION, AccountState.LINK_EXPIRED)  # the expiry may pass
            same_status = current.status is account.status or {current.status, account.status} <= set(waiting)
            # The 21-day deletion may pass too, for a new address (the deleted one is what it replaces).
            deleted_since = new_address is not None and account.status in waiting \
                and current.status is AccountState.EMAIL_REQUIRED and current.email_key is None
            if not deleted_since and (not same_status or current.email_key != account.email_key):
                raise errors.PendingEmailDeleted() if current.status is AccountState.EMAIL_REQUIRED \
                    else errors.LinkInvalid()
            if current.link_count != account.link_count:
                raise errors.LinkInvalid()
            changes = {}
            if new_address is not None:
                if new_address.email_key in self.email_owners:
                    raise errors.EmailAlreadyUsed()
                if current.email_key is not None:
                    self.email_owners.pop(current.email_key, None)
                self.email_owners[new_address.email_key] = account.nir_hash
                changes = {"email": new_address.address, "email_key": new_address.email_key}
            self.accounts[account.nir_hash] = replace(
                current, link=link, link_count=link.number, status=AccountState.PENDING_EMAIL_CONFIRMATION,
                new_links_sent_at=account.new_links_with(link), **changes
            )
            self.links[link.token_hash] = (account.nir_hash, link.number)

    def record_delivery(self, account: Account, link_number: int, delivery: LinkDelivery) -> None:
        with self.lock:
            current = self.accounts[account.nir_hash]
            if current.link is not None and current.link.number == link_number \
                    and current.status is AccountState.PENDING_EMAIL_CONFIRMATION:
                self.accounts[account.nir_hash] = replace(current, link=replace(current.link, delivery=delivery))

    def update_password_hash(self, nir_hash: str, password_hash: str) -> None:
        self.accounts[nir_hash] = replace(self.accounts[nir_hash], password_hash=password_hash)


    def record_consents(self, nir_hash: str, consents: dict[str, Consent]) -> None:
        with self.tables.lock:
            current = self.accounts[nir_hash]
            if current.status is not AccountState.ACTIVE:
                raise errors.AuthenticationRequired()
            self.accounts[nir_hash] = replace(current, consents={**current.consents, **consents})
    def overdue_links(self, now: datetime, limit: int, not_before: datetime | None = None) -> list[OverdueLink]:
        found = []
        for account in self.accounts.values():
            if account.status is AccountState.ACTIVE or account.link is None:
                continue
            deadline = account.link.expires_at if account.status is AccountState.PENDING_EMAIL_CONFIRMATION \
                else account.link.retention_until
            if account.link.delivery is LinkDelivery.FAILED:
                deadline = account.link.sent_at
            if deadline <= now and (not_before is None or deadline >= not_before):
                found.append(OverdueLink(account.account_id, account.nir_hash, account.email_key, account.link))
        return found[:limit]

    # What the state machine does at each deadline, for tests that play the lifecycle without AWS.
    def expire_link(self, nir_hash: str) -> None:
        self.accounts[nir_hash] = replace(self.accounts[nir_hash], status=AccountState.LINK_EXPIRED)

    def delete_pending_email(self, nir_hash: str) -> None:
        account = self.accounts[nir_hash]
        if account.email_key is not None:
            self.email_owners.pop(account.email_key, None)
        self.accounts[nir_hash] = replace(
            account, status=AccountState.EMAIL_REQUIRED, email=None, email_key=None, link=None
        )


class InMemorySessionRepository:
    def __init__(self, tables: InMemoryTables) -> None:
        self.tables = tables
        self.sessions = tables.sessions
        self.throttles = tables.throttles

    def load_for_login(self, nir_hash: str) -> tuple[Account | None, LoginThrottle]:
        return self.tables.accounts.get(nir_hash), self.throttles.get(nir_hash, LoginThrottle())

    def count_login_attempt(self, nir_hash: str, seen: LoginThrottle, counted: LoginThrottle) -> LoginThrottle | None:
        with self.tables.lock:  # the adapter's version condition (checked on moto in tests/functional)
            current = self.throttles.get(nir_hash, LoginThrottle())
            if current.version != seen.version:
                return current
            self.throttles[nir_hash] = replace(counted, version=uuid.uuid4().hex)
            return None

    def reset_login_throttle(self, nir_hash: str) -> None:
        self.throttles.pop(nir_hash, None)

    def open_session(self, session: Session) -> None:
        self.sessions[session.token_hash] = session
        self.throttles.pop(session.nir_hash, None)

    def find_session(self, token_hash: str) -> Session | None:
        return self.sessions.get(token_hash)

    def close_session(self, token_hash: str) -> None:
        self.sessions.pop(token_hash, None)


@dataclass
class FakeFranceConnectClient:
    """The FranceConnect port: `login` is what the next `complete` returns, `failure` what it raises."""

    login: FranceConnectLogin | None = None
    failure: str | None = None
    completed: list[dict[str, str | None]] = field(default_factory=list)

    def authorization_url(self, *, state: str, nonce: str) -> str:
        return f"https://fc.example/authorize?state={state}&nonce={nonce}"

    def complete(self, *, code: str, nonce: str, callback_issuer: str | None) -> FranceConnectLogin:
        self.completed.append({"code": code, "nonce": nonce, "iss": callback_issuer})
        if self.failure is not None:
            raise FranceConnectFailure(self.failure)
        assert self.login is not None, "the test says who logs in"
        return self.login

    def logout_url(self, *, id_token: str, state: str) -> str:
        return f"https://fc.example/logout?state={state}"


@dataclass
class RecordingMailer:
    sent: list[OutgoingEmail] = field(default_factory=list)

    def send(self, email: OutgoingEmail) -> None:
        self.sent.append(email)

    def last_token(self) -> str:
        return self.sent[-1].text.split("token=", 1)[1].split()[0]


@dataclass
class RecordingWorkflow:
    started: list[tuple[str, int]] = field(default_factory=list)
    stopped: list[tuple[str, int]] = field(default_factory=list)
    caught_up: list[OverdueLink] = field(default_factory=list)
    claims_to_release: list[str | None] = field(default_factory=list)  # each start's email claim (its 21-day effect)
    started_emailed: list[tuple[str, int]] = field(default_factory=list)  # the starts made once SES accepted

    def start(self, account: Account, link: ConfirmationLink, *, emailed: bool) -> bool:
        if (account.account_id, link.number) in self.started:
            return False  # the execution name is taken
        self.started.append((account.account_id, link.number))
        self.claims_to_release.append(account.email_key)
        if emailed:
            self.started_emailed.append((account.account_id, link.number))
        return True

    def emailed(self, account: Account, link: ConfirmationLink) -> bool:
        return (account.account_id, link.number) in self.started_emailed

    def stop(self, account: Account, link_number: int) -> None:
        self.stopped.append((account.account_id, link_number))

    def catch_up(self, overdue: OverdueLink, now: datetime) -> None:
        self.caught_up.append(overdue)


class PlainHasher:
    """Stands in for Argon2 where its cost would only slow the tests. Bumping `parameters`
    plays a change of Argon2 parameters: older hashes still verify but need a rehash."""

    def __init__(self) -> None:
        self.parameters = "v1"

    def hash(self, password: str) -> str:
        return f"{self.parameters}$" + hashlib.sha256(password.encode()).hexdigest()

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash.split("$", 1)[1] == hashlib.sha256(password.encode()).hexdigest()

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"{self.parameters}$")

    def unknown_account_hash(self) -> str:
        return f"{self.parameters}$" + "0" * 64


class FakePseudonymizer:
    def nir_hash(self, nir: str) -> str:
        return "n" + hashlib.sha256(nir.encode()).hexdigest()[:16]

    def email_hash(self, email_key: str) -> str:
        return "e" + hashlib.sha256(email_key.encode()).hexdigest()[:16]

    def link_token(self, account_id: str, link_number: int) -> str:
        return "t" + hashlib.sha256(f"{account_id}:{link_number}".encode()).hexdigest()


@dataclass
class CountingTelemetry:
    counts: list[tuple[str, dict]] = field(default_factory=list)
    notes: list[tuple[str, dict]] = field(default_factory=list)

    def count(self, name: str, **dimensions: str) -> None:
        self.counts.append((name, dimensions))

    def note(self, message: str, **fields: str) -> None:
        self.notes.append((message, fields))


# The variables template.yaml gives every function (values of a test stack).
TEMPLATE_ENVIRONMENT = {
    "REGISTRY_TABLE": "registry", "SIGNUPS_TABLE": "signups", "ACCOUNTS_TABLE": "accounts",
    "IDEMPOTENCY_TABLE": "idempotency",
    "CONFIRMATION_STATE_MACHINE_ARN": "arn:aws:states:eu-west-3:123456789012:stateMachine:confirmation",
    "SENDER_EMAIL": "ne-pas-repondre@ameli.example", "WEB_BASE_URL": "https://compte.ameli.example/",
    "HMAC_SECRET_NAME": "stack/pseudonymisation-key", "ALLOWED_ORIGINS": "https://compte.ameli.example",
    "FC_ISSUER": "https://fc.example/api/v2/", "FC_CLIENT_ID": "client", "FC_CLIENT_SECRET_NAME": "stack/fc",
    "FC_REDIRECT_URI": "https://api.example/v1/franceconnect/callback",
    "FC_POST_LOGOUT_REDIRECT_URI": "https://compte.ameli.example/creer-mon-compte/messagerie",
}


def settings_for_tests(**overrides) -> Settings:
    values = dict(
        registry_table="registry", signups_table="signups", accounts_table="accounts", idempotency_table="idem",
        confirmation_state_machine_arn="arn:aws:states:eu-west-3:123456789012:stateMachine:confirmation",
        sender_email="ne-pas-repondre@ameli.example", web_base_url="https://compte.ameli.example",
        hmac_secret_name="key", allowed_origins=(),
        confirmation_link_validity=timedelta(days=7), pending_email_retention=timedelta(days=21),
        signup_session_duration=timedelta(minutes=30), session_duration=timedelta(minutes=30),
        allow_test_email_domains=True,
        franceconnect_return_to_allowed=("https://compte.ameli.example", "fr.ameli.app://"),
    )
    values.update(overrides)
    return Settings(**values)


@dataclass
class FakeWorld:
    """Every port wired to its fake, with the two services on top."""

    beneficiaries: list[Beneficiary]
    clock: FrozenClock = field(default_factory=FrozenClock)

    def __post_init__(self) -> None:
        from ameli.bootstrap import Container

        self.settings = settings_for_tests()
        self.registry = InMemoryRegistry(self.beneficiaries)
        self.tables = InMemoryTables()
        self.signup_store = InMemorySignupRepository(self.tables, self.registry)
        self.account_store = InMemoryAccountRepository(self.tables)
        self.session_store = InMemorySessionRepository(self.tables)
        self.mailer = RecordingMailer()
        self.workflow = RecordingWorkflow()
        self.hasher = PlainHasher()
        self.pseudonymizer = FakePseudonymizer()
        self.telemetry = CountingTelemetry()
        self.franceconnect_client = FakeFranceConnectClient()
        # The composition root's own wiring, with every port swapped for its fake.
        self.container = Container(self.settings).override(
            clock=self.clock, registry=self.registry, signup_repository=self.signup_store,
            account_repository=self.account_store, session_repository=self.session_store, mailer=self.mailer, workflow=self.workflow,
            password_hasher=self.hasher, pseudonymizer=self.pseudonymizer, telemetry=self.telemetry,
            franceconnect_client=self.franceconnect_client,
        )
        for use_case in ("option1", "signup_steps", "contact_step", "activation", "login", "new_links",
                         "safety_net", "franceconnect", "consent_choices"):
            setattr(self, use_case, getattr(self.container, use_case))

    def signup_until_contact(self, identity: dict[str, str] | None = None) -> Signup:
        """An Option 1 signup (the guide's person by default) at the contact step."""
        option1, steps = self.container.option1, self.container.signup_steps
        signup = option1.start(values.identity(identity or VENTURI_IDENTITY)).signup
        signup = option1.submit_proof(signup, values.proof(VENTURI_PROOF))
        accepted = steps.answer_terms(signup, accepted=True, version="2020-04")
        assert accepted is not None
        return steps.choose_password(accepted, password=PASSWORD, confirmation=PASSWORD)


if TYPE_CHECKING:  # `make lint` (mypy) checks that each fake implements its whole port
    from ameli import ports

    _tables = InMemoryTables()
    _registry: ports.BeneficiaryRegistry = InMemoryRegistry()
    _signups: ports.SignupRepository = InMemorySignupRepository(_tables)
    _accounts: ports.AccountRepository = InMemoryAccountRepository(_tables)
    _sessions: ports.SessionRepository = InMemorySessionRepository(_tables)
    _mailer: ports.Mailer = RecordingMailer()
    _workflow: ports.ConfirmationWorkflow = RecordingWorkflow()
    _hasher: ports.PasswordHasher = PlainHasher()
    _pseudonymizer: ports.Pseudonymizer = FakePseudonymizer()
    _telemetry: ports.Telemetry = CountingTelemetry()
    _franceconnect: ports.FranceConnectClient = FakeFranceConnectClient()
