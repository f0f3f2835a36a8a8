"""A new confirmation link (journey.md section 3.3): from the expired link itself, to the same
address or (with the password) another one; or after a login, with its pending token."""

from __future__ import annotations

from dataclasses import replace

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.account import Account, AccountState, ConfirmationLink
from ameli.domain.contact import Email
from ameli.ports import AccountRepository, NewAddress, Pseudonymizer, Telemetry
from ameli.service import tokens
from ameli.service.confirmation_links import ConfirmationLinks, LinkSent
from ameli.service.login import Login


class NewLinks:
    def __init__(self, *, clock: Clock, accounts: AccountRepository, pseudonymizer: Pseudonymizer,
                 links: ConfirmationLinks, login: Login, telemetry: Telemetry) -> None:
        self.clock = clock
        self.accounts = accounts
        self.pseudonymizer = pseudonymizer
        self.links = links
        self.login = login
        self.telemetry = telemetry

    def resend(self, token: str, *, new_email: Email | None = None, password: str | None = None) -> LinkSent:
        """A new link, to the same address (the link is enough) or another one (password needed)."""
        found = self.accounts.find_by_link(tokens.token_hash(token)) if token else None
        if found is None:
            raise errors.LinkInvalid()
        account, link_number = found
        if account.status is AccountState.ACTIVE:
            raise errors.AccountAlreadyActive()
        if account.link is None or account.state_at(self.clock.now()) is AccountState.EMAIL_REQUIRED:
            raise errors.PendingEmailDeleted()
        new_address = self._new_address(new_email) if new_email is not None else None
        if account.link.number == link_number + 1:
            retried = self._redelivered_if_retried(account, new_address)
            if retried is not None:
                return retried
        if account.link.number != link_number:
            raise errors.LinkInvalid()
        if new_address is None:
            return self._send(account, None)
        self.login.check_account_password(account, password)
        return self._send(account, new_address)

    def send_after_login(self, pending_token: str | None, *, email: Email | None) -> LinkSent:
        """With the pending token of a login, or the correction right of the contact step (a mistyped
        address, just after the signup): resend to the pending address, or to a new one."""
        account = self.login.account_of_session(pending_token, "pending", "correction")
        state = account.state_at(self.clock.now())
        if state is AccountState.ACTIVE:
            raise errors.AccountAlreadyActive()
        new_address = self._new_address(email) if email is not None else None
        retried = self._redelivered_if_retried(account, new_address)
        if retried is not None:
            return retried
        if new_address is None:
            if state is AccountState.EMAIL_REQUIRED:
                raise errors.InvalidRequest(errors=[errors.FieldIssue(
                    "email", "REQUIRED", "Votre adresse précédente a été supprimée : indiquez une adresse email.")])
            return self._send(account, None)
        return self._send(account, new_address)

    def _redelivered_if_retried(self, account: Account, new_address: NewAddress | None) -> LinkSent | None:
        """The current link on its way again if this request is the same one again (to the address it
        set) after it failed to send that link; None for a request of its own, which makes a new link:
        one after the current link left, or for another address."""
        same_target = new_address is None or new_address.email_key == account.email_key
        return self.links.redeliver_if_lost(account) if same_target else None

    def _new_address(self, email: Email) -> NewAddress:
        return NewAddress(email.address, self.pseudonymizer.email_hash(email.uniqueness_key))

    def _send(self, account: Account, new_address: NewAddress | None) -> LinkSent:
        if new_address is not None and new_address.email_key == account.email_key:
            new_address = None  # the same address typed again: a plain resend

        def replace_link(link: ConfirmationLink) -> Account:
            self.accounts.replace_link(account, link, new_address)
            stored = replace(account, link=link, link_count=link.number, new_links_sent_at=account.new_links_with(link),
                             status=AccountState.PENDING_EMAIL_CONFIRMATION)
            if new_address is None:
                return stored
            return replace(stored, email=new_address.address, email_key=new_address.email_key)

        sent = self.links.issue(account.account_id, replace_link, account=account)
        self.telemetry.count("ConfirmationLinkSent", reason="new_address" if new_address else "same_address")
        return sent
