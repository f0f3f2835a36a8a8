"""Login and sessions (journey.md section 5): a full session for an active account, a short pending
token for an account whose email is not confirmed yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from ameli.clock import Clock, to_rfc3339
from ameli.domain import errors
from ameli.domain.account import Account, AccountState
from ameli.domain.contact import mask_email
from ameli.domain.login_throttle import LoginThrottle
from ameli.domain.nir import Nir
from ameli.domain.session import PENDING_TOKEN_DURATION, Session
from ameli.ports import AccountRepository, PasswordHasher, Pseudonymizer, SessionRepository, Telemetry
from ameli.service import tokens

# Conditional writes tried before giving up when other tries of the same NIR keep counting first.
COUNT_RETRIES = 4


@dataclass(frozen=True)
class OpenedSession:
    token: str
    expires_at: datetime


class Login:
    def __init__(self, *, clock: Clock, accounts: AccountRepository, sessions: SessionRepository,
                 hasher: PasswordHasher,
                 pseudonymizer: Pseudonymizer, session_duration: timedelta, telemetry: Telemetry) -> None:
        self.clock = clock
        self.accounts = accounts
        self.sessions = sessions
        self.hasher = hasher
        self.pseudonymizer = pseudonymizer
        self.session_duration = session_duration
        self.telemetry = telemetry

    def login(self, nir: Nir, password: str) -> OpenedSession:
        """A session for an active account; a pending account gets a 403 carrying a pending token."""
        nir_hash = self.pseudonymizer.nir_hash(nir.value)
        now = self.clock.now()
        account, throttle = self.sessions.load_for_login(nir_hash)
        counted = self._count_attempt(nir_hash, throttle, now)
        # An unknown NIR pays for one verification too, so that it answers in the time of a wrong password.
        stored_hash = account.password_hash if account else self.hasher.unknown_account_hash()
        verified = self.hasher.verify(stored_hash, password)
        if account is None or not verified:
            self._refuse(counted, now)
        rehash = self.hasher.hash(password) if self.hasher.needs_rehash(account.password_hash) else None
        state = account.state_at(now)
        if state is AccountState.ACTIVE:
            opened = self._open(account, "session", now + self.session_duration, rehash)
            self.telemetry.count("LoginSucceeded")
            return opened
        pending = self._open(account, "pending", now + PENDING_TOKEN_DURATION, rehash)
        raise _pending_refusal(account, state, pending)

    def logout(self, session_token: str | None) -> None:
        if session_token:
            self.sessions.close_session(tokens.token_hash(session_token))

    def active_account(self, session_token: str | None) -> Account:
        account = self.account_of_session(session_token, "session")
        if account.state_at(self.clock.now()) is not AccountState.ACTIVE:
            raise errors.AuthenticationRequired()
        return account

    def account_of_session(self, token: str | None, *kinds: str) -> Account:
        """The account of a valid bearer token of one of these kinds ("session", "pending", "correction"), or a 401."""
        session = self.sessions.find_session(tokens.token_hash(token)) if token else None
        if session is None or not session.is_valid(self.clock.now(), *kinds):
            raise errors.AuthenticationRequired()
        account = self.accounts.get_account(session.nir_hash)
        if account is None:
            raise errors.AuthenticationRequired()
        return account

    def check_account_password(self, account: Account, password: str | None) -> None:
        """The account's password, under the same throttle as the login (a new address needs it)."""
        now = self.clock.now()
        _, throttle = self.sessions.load_for_login(account.nir_hash)
        self._count_attempt(account.nir_hash, throttle, now)
        if not password or not self.hasher.verify(account.password_hash, password):
            self.telemetry.count("PasswordCheckFailed")
            raise errors.InvalidCredentials("Le code personnel est incorrect.")
        self.sessions.reset_login_throttle(account.nir_hash)

    def _count_attempt(self, nir_hash: str, throttle: LoginThrottle, now: datetime) -> LoginThrottle:
        """Counts this try as a failure before any password is compared (a success resets the count),
        unless the NIR is blocked or within its delay. Tries running in parallel each get a count of
        their own: a write made meanwhile by another makes this one start again from what it stored."""
        for _ in range(COUNT_RETRIES):
            _ensure_not_blocked(throttle, now)
            counted = throttle.after_failure(now)
            current = self.sessions.count_login_attempt(nir_hash, throttle, counted)
            if current is None:
                return counted
            throttle = current
        # Many tries at the same instant for one NIR: nobody types that fast.
        self.telemetry.count("LoginContended")
        raise errors.AccountLocked(retry_after=1)

    def _refuse(self, counted: LoginThrottle, now: datetime) -> NoReturn:
        self.telemetry.count("LoginFailed")
        if counted.is_blocked(now):
            raise errors.AccountLocked(
                "Trop d'essais de connexion ont échoué : la connexion est bloquée pendant 24 heures.",
                retry_after=counted.retry_after_seconds(now),
            )
        raise errors.InvalidCredentials()

    def _open(self, account: Account, kind: str, expires_at: datetime, rehash: str | None) -> OpenedSession:
        token = tokens.new_token()
        self.sessions.open_session(Session(tokens.token_hash(token), kind, account.nir_hash, expires_at))
        if rehash:
            self.accounts.update_password_hash(account.nir_hash, rehash)
        return OpenedSession(token, expires_at)


def _ensure_not_blocked(throttle: LoginThrottle, now: datetime) -> None:
    wait = throttle.retry_after_seconds(now)
    if wait:
        raise errors.AccountLocked(retry_after=wait)


def _pending_refusal(account: Account, state: AccountState, pending: OpenedSession) -> errors.AppError:
    """The 403 of a pending account, carrying the pending token that lets it ask for a new link."""
    token, expires_at = pending.token, to_rfc3339(pending.expires_at)
    if state is AccountState.EMAIL_REQUIRED or account.email is None:
        return errors.EmailRequired(pending_token=token, pending_token_expires_at=expires_at)
    masked = mask_email(account.email)
    if state is AccountState.LINK_EXPIRED:
        return errors.LoginLinkExpired(resend_options=["same_address", "other_address"], pending_token=token,
                                       pending_token_expires_at=expires_at, email_masked=masked)
    return errors.EmailConfirmationPending(pending_token=token, pending_token_expires_at=expires_at,
                                           email_masked=masked)
