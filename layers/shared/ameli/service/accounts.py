"""After the signup: email confirmation, new links, login and sessions (journey.md sections 3 and 5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from ameli.clock import Clock, to_rfc3339
from ameli.domain import errors
from ameli.domain.account import Account, AccountState, ConfirmationLink
from ameli.domain.errors import FieldErrors, FieldValidationError
from ameli.domain.session import PENDING_TOKEN_DURATION, Session
from ameli.ports import (
    AccountStore,
    ConfirmationWorkflow,
    Mailer,
    NewAddress,
    PasswordHasher,
    Pseudonymizer,
    Telemetry,
)
from ameli.service import tokens
from ameli.service.emails import confirmation_email, confirmation_url
from ameli.service.forms import email_typed_twice
from ameli.settings import Settings

# A deadline a workflow is applying right now is not overdue: leave it an hour before catching up.
OVERDUE_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class LinkSent:
    email_masked: str
    link_expires_at: datetime


@dataclass(frozen=True)
class OpenedSession:
    token: str
    expires_at: datetime


class AccountService:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        accounts: AccountStore,
        mailer: Mailer,
        workflow: ConfirmationWorkflow,
        hasher: PasswordHasher,
        pseudonymizer: Pseudonymizer,
        telemetry: Telemetry,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.accounts = accounts
        self.mailer = mailer
        self.workflow = workflow
        self.hasher = hasher
        self.pseudonymizer = pseudonymizer
        self.telemetry = telemetry

    # -- the link of the email ----------------------------------------------------------------
    def confirm(self, token: str) -> None:
        """Activate the account of a link. Answers quietly if it is already active."""
        account, link_number = self._account_of_link(token)
        if account.status is AccountState.ACTIVE:
            return
        now = self.clock.now()
        self._ensure_link_usable(account, link_number, now)
        if not self.accounts.activate(account, link_number, now):
            # Another request or the workflow changed the account meanwhile: answer from what it is now.
            fresh = self.accounts.get_account(account.nir_hash)
            if fresh is None or fresh.status is not AccountState.ACTIVE:
                self._ensure_link_usable(fresh or account, link_number, self.clock.now())
                raise errors.LinkInvalid()
            return
        self.workflow.stop(account, link_number)
        self.telemetry.count("AccountActivated", method=account.signup_method)

    def resend(self, token: str, *, new_email: str | None = None, new_email_confirmation: str | None = None,
               password: str | None = None) -> LinkSent:
        """A new link, to the same address (the link is enough) or another one (password needed)."""
        account, link_number = self._account_of_link(token)
        if account.status is AccountState.ACTIVE:
            raise errors.AccountAlreadyActive()
        now = self.clock.now()
        if account.link is None or account.state_at(now) is AccountState.EMAIL_REQUIRED:
            raise errors.PendingEmailDeleted()
        if account.link.number != link_number:
            raise errors.LinkInvalid()
        if not new_email:
            return self._send_new_link(account, None)
        address = self._parse_new_address(new_email, new_email_confirmation)
        self._check_password(account, password, now)
        return self._send_new_link(account, address)

    # -- login ----------------------------------------------------------------------------------
    def login(self, nir: str | None, password: str | None) -> OpenedSession:
        """A session for an active account; a pending account gets a 403 carrying a pending token."""
        from ameli.domain.contact import mask_email
        from ameli.domain.nir import parse_nir

        problems = FieldErrors()
        try:
            parsed = parse_nir(nir or "")
        except FieldValidationError as issue:
            problems.add("nir", issue.code, issue.message)
        if not password:
            problems.add("password", "REQUIRED", "Indiquez votre code personnel.")
        problems.raise_if_any()

        nir_hash = self.pseudonymizer.nir_hash(parsed.value)
        now = self.clock.now()
        account, throttle = self.accounts.load_for_login(nir_hash)
        wait = throttle.retry_after_seconds(now)
        if wait:
            raise errors.AccountLocked(retry_after=wait)
        if not self.hasher.verify(account.password_hash if account else self._unknown_nir_hash, password) \
                or account is None:
            throttle = throttle.after_failure(now)
            self.accounts.record_login_failure(nir_hash, throttle)
            self.telemetry.count("LoginFailed")
            if throttle.is_blocked(now):
                raise errors.AccountLocked(
                    "Trop d'essais de connexion ont échoué : la connexion est bloquée pendant 24 heures.",
                    retry_after=throttle.retry_after_seconds(now),
                )
            raise errors.InvalidCredentials()

        rehash = self.hasher.hash(password) if self.hasher.needs_rehash(account.password_hash) else None
        state = account.state_at(now)
        if state is AccountState.ACTIVE:
            opened = self._open(account, "session", now + self.settings.session_duration, rehash)
            self.telemetry.count("LoginSucceeded")
            return opened
        pending = self._open(account, "pending", now + PENDING_TOKEN_DURATION, rehash)
        details = {"pending_token": pending.token, "pending_token_expires_at": to_rfc3339(pending.expires_at)}
        if state is AccountState.EMAIL_REQUIRED:
            raise errors.EmailRequired(**details)
        details["email_masked"] = mask_email(account.email)
        if state is AccountState.LINK_EXPIRED:
            raise errors.LoginLinkExpired(resend_options=["same_address", "other_address"], **details)
        raise errors.EmailConfirmationPending(**details)

    def logout(self, session_token: str | None) -> None:
        if session_token:
            self.accounts.close_session(tokens.token_hash(session_token))

    def active_account(self, session_token: str | None) -> Account:
        account = self._account_of_session(session_token, "session")
        if account.state_at(self.clock.now()) is not AccountState.ACTIVE:
            raise errors.AuthenticationRequired()
        return account

    def send_link_after_login(self, pending_token: str | None, *, email: str | None,
                              email_confirmation: str | None) -> LinkSent:
        """With the pending token of a login: resend to the pending address, or to a new one."""
        account = self._account_of_session(pending_token, "pending")
        state = account.state_at(self.clock.now())
        if state is AccountState.ACTIVE:
            raise errors.AccountAlreadyActive()
        if not email:
            if state is AccountState.EMAIL_REQUIRED:
                raise errors.InvalidRequest(errors=[errors.FieldIssue(
                    "email", "REQUIRED", "Votre adresse précédente a été supprimée : indiquez une adresse email.")])
            return self._send_new_link(account, None)
        return self._send_new_link(account, self._parse_new_address(email, email_confirmation, field="email"))

    # -- safety net -----------------------------------------------------------------------------
    def catch_up_overdue_links(self, limit: int = 500, grace: timedelta = OVERDUE_GRACE) -> int:
        """Re-run the workflow of links whose deadline passed `grace` ago without its effect
        (an execution that failed or never started); returns how many."""
        now = self.clock.now()
        overdue = self.accounts.overdue_links(now - grace, limit)
        for link in overdue:
            self.workflow.catch_up(link, now)
        if overdue:
            self.telemetry.count("OverdueLinksCaughtUp")
        return len(overdue)

    # -- internals ------------------------------------------------------------------------------
    @cached_property
    def _unknown_nir_hash(self) -> str:
        """Verified against when the NIR has no account, so that "unknown NIR" costs the time of
        "wrong password" (made with the current parameters, once per container)."""
        return self.hasher.hash(tokens.new_token())

    def _account_of_link(self, token: str) -> tuple[Account, int]:
        found = self.accounts.find_by_link(tokens.token_hash(token)) if token else None
        if found is None:
            raise errors.LinkInvalid()
        return found

    def _ensure_link_usable(self, account: Account, link_number: int, now: datetime) -> None:
        if account.link is None:
            raise errors.PendingEmailDeleted()
        if account.link.number != link_number:
            raise errors.LinkInvalid()
        state = account.state_at(now)
        if state is AccountState.LINK_EXPIRED:
            raise errors.LinkExpired(resend_options=["same_address", "other_address"])
        if state is AccountState.EMAIL_REQUIRED:
            raise errors.PendingEmailDeleted()

    def _account_of_session(self, token: str | None, kind: str) -> Account:
        session = self.accounts.find_session(tokens.token_hash(token)) if token else None
        if session is None or not session.is_valid(self.clock.now(), kind):
            raise errors.AuthenticationRequired()
        account = self.accounts.get_account(session.nir_hash)
        if account is None:
            raise errors.AuthenticationRequired()
        return account

    def _open(self, account: Account, kind: str, expires_at: datetime, rehash: str | None) -> OpenedSession:
        token = tokens.new_token()
        self.accounts.open_session(Session(tokens.token_hash(token), kind, account.nir_hash, expires_at), rehash)
        return OpenedSession(token, expires_at)

    def _parse_new_address(self, email: str, confirmation: str | None, field: str = "new_email") -> NewAddress:
        problems = FieldErrors()
        parsed = email_typed_twice(problems, field, email, confirmation,
                                   test_environment=self.settings.allow_test_email_domains)
        problems.raise_if_any()
        return NewAddress(parsed.address, self.pseudonymizer.email_hash(parsed.uniqueness_key))

    def _check_password(self, account: Account, password: str | None, now: datetime) -> None:
        """The account password, under the same throttle as the login."""
        _, throttle = self.accounts.load_for_login(account.nir_hash)
        wait = throttle.retry_after_seconds(now)
        if wait:
            raise errors.AccountLocked(retry_after=wait)
        if not password or not self.hasher.verify(account.password_hash, password):
            self.accounts.record_login_failure(account.nir_hash, throttle.after_failure(now))
            raise errors.InvalidCredentials("Le code personnel est incorrect.")

    def _send_new_link(self, account: Account, new_address: NewAddress | None) -> LinkSent:
        from ameli.domain.contact import mask_email

        if new_address is not None and new_address.email_key == account.email_key:
            new_address = None  # the same address typed again: a plain resend
        now = self.clock.now()
        number = account.link_count + 1
        token = tokens.new_token()
        link = ConfirmationLink.issue(
            tokens.token_hash(token), number, now,
            self.settings.confirmation_link_validity, self.settings.pending_email_retention,
        )
        self.accounts.replace_link(account, link, new_address)
        if account.link is not None:
            self.workflow.stop(account, account.link.number)
        self.workflow.start(account, link)
        address = new_address.address if new_address else account.email
        self.mailer.send(confirmation_email(address, confirmation_url(self.settings, token), link.expires_at))
        self.telemetry.count("ConfirmationLinkSent", reason="new_address" if new_address else "same_address")
        return LinkSent(mask_email(address), link.expires_at)
