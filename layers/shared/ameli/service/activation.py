"""Activating an account with the link of its email (journey.md section 3.2)."""

from __future__ import annotations

from datetime import datetime

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.account import Account, AccountState
from ameli.ports import AccountRepository, ConfirmationWorkflow, Telemetry
from ameli.service import tokens


class Activation:
    def __init__(self, *, clock: Clock, accounts: AccountRepository, workflow: ConfirmationWorkflow,
                 telemetry: Telemetry) -> None:
        self.clock = clock
        self.accounts = accounts
        self.workflow = workflow
        self.telemetry = telemetry

    def confirm(self, token: str) -> None:
        """Activate the account of a link. Answers quietly if it is already active."""
        found = self.accounts.find_by_link(tokens.token_hash(token)) if token else None
        if found is None:
            raise errors.LinkInvalid()
        account, link_number = found
        if account.status is AccountState.ACTIVE:
            return
        now = self.clock.now()
        _ensure_link_usable(account, link_number, now)
        if not self.accounts.activate(account, link_number, now):
            # Another request or the workflow changed the account meanwhile: answer from what it is now.
            fresh = self.accounts.get_account(account.nir_hash)
            if fresh is None or fresh.status is not AccountState.ACTIVE:
                _ensure_link_usable(fresh or account, link_number, self.clock.now())
                raise errors.LinkInvalid()
            return
        self.workflow.stop(account, link_number)
        self.telemetry.count("AccountActivated", method=account.signup_method)


def _ensure_link_usable(account: Account, link_number: int, now: datetime) -> None:
    if account.link is None:
        raise errors.PendingEmailDeleted()
    if account.link.number != link_number:
        raise errors.LinkInvalid()
    state = account.state_at(now)
    if state is AccountState.LINK_EXPIRED:
        raise errors.LinkExpired(resend_options=["same_address", "other_address"])
    if state is AccountState.EMAIL_REQUIRED:
        raise errors.PendingEmailDeleted()
