"""Issuing a confirmation link: the one place that makes a token, saves the link, emails it, starts its
deadline workflow and masks the address (journey.md section 3).

The delivery is recorded optimistically and only failures are marked, so that a request that goes
well writes nothing after SES (the DynamoDB budget) and its workflow costs one state transition, the
wait, when the link is confirmed in time. The link is committed `PRESUMED` on its way, due at its own
deadline in the pending index; then its email leaves; then its workflow starts `emailed`, which only
happens once SES has accepted the email: such an execution is the proof the link left.
- SES fails: the link is marked `FAILED` (due at once: the daily safety net delivers it), its workflow
  starts for the deadlines only (an address never reached is still released at 21 days) and the
  request answers 503; its retry, or the safety net, sends the same link (the token is derived from
  the account id and link number, never stored) and marks it `EMAILED`.
- Step Functions fails after SES: the link is marked `EMAILED` and the request answers 503; the retry
  starts the workflow without emailing again. Nobody retrying, no workflow runs: the link's deadline
  passes without effect and the safety net applies it (`SafetyNet`: its next daily run after an hour).
- A function dying between the commit and SES (no failure path ran): the link looks on its way. A
  retried request (the contact step's, a resend's, a login's new link) does not trust that: it asks
  Step Functions whether the link's `emailed` execution exists and, if not, emails the same link.
  Nobody retrying, the link is never emailed: its deadlines are applied late by the safety net (7 days
  plus up to a day, then the address is released at 21 days), and a login meanwhile gets the offer
  of a link, which sends that same link again.
- A function dying between SES accepting the email and the workflow start: the retry sends the same
  link a second time. SES has no idempotency key; the same link twice (either email works) is the
  safe side of a lost one.

Used by the contact step (first link), the resend from an expired link, and the new link asked for
after a login. The caller only says how to save the link (its own transactional write). Every new
link beyond the signup's own counts towards the limit (5 in 24 h), checked here and stored by the
same conditional write as the link (`Account.new_links_with`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.account import Account, AccountState, ConfirmationLink, LinkDelivery
from ameli.domain.contact import mask_email
from ameli.ports import AccountRepository, ConfirmationWorkflow, Mailer, Pseudonymizer
from ameli.service import tokens
from ameli.service.emails import confirmation_email, confirmation_url


@dataclass(frozen=True)
class LinkDurations:
    """How long a link confirms (7 days), and how long its address is kept unconfirmed (21 days)."""

    validity: timedelta
    retention: timedelta


@dataclass(frozen=True)
class LinkSent:
    account: Account  # as stored with the new link
    email_masked: str
    link_expires_at: datetime


class ConfirmationLinks:
    def __init__(self, *, clock: Clock, durations: LinkDurations, web_base_url: str, workflow: ConfirmationWorkflow,
                 mailer: Mailer, accounts: AccountRepository, pseudonymizer: Pseudonymizer) -> None:
        self.clock = clock
        self.durations = durations
        self.web_base_url = web_base_url
        self.workflow = workflow
        self.mailer = mailer
        self.accounts = accounts
        self.pseudonymizer = pseudonymizer

    def issue(self, account_id: str, save: Callable[[ConfirmationLink], Account], *,
              account: Account | None = None) -> LinkSent:
        """The signup's own first link (no `account` yet), or a new link for `account`, which
        replaces its current one and must be within the limit of new links (else `TooManyLinks`).

        `save(link)` stores it and returns the account as it now is (if it raises, nothing is
        started nor sent); then the workflow of the link it replaces stops, and the new link is emailed
        and its workflow started. A failing dependency raises, the link marked as far as it got."""
        now = self.clock.now()
        if account is not None:
            wait = account.new_link_wait(now)
            if wait:
                raise errors.TooManyLinks(retry_after=wait)
        number = account.link_count + 1 if account is not None else 1
        token = self.pseudonymizer.link_token(account_id, number)
        link = ConfirmationLink.issue(tokens.token_hash(token), number, now,
                                      self.durations.validity, self.durations.retention)
        saved = save(link)
        if account is not None and account.link is not None:
            self.workflow.stop(saved, account.link.number)
        self._email_then_start(saved, link)
        return self.sent(saved)

    def sent(self, account: Account) -> LinkSent:
        """The answer about the account's current link."""
        assert account.link is not None
        return LinkSent(account, mask_email(account.email or ""), account.link.expires_at)

    def undelivered(self, account: Account) -> bool:
        """Whether the account's current link is marked as not taken by SES, and may still confirm."""
        link = account.link
        return link is not None and link.delivery is LinkDelivery.FAILED \
            and account.state_at(self.clock.now()) is AccountState.PENDING_EMAIL_CONFIRMATION

    def redeliver_if_lost(self, account: Account) -> LinkSent | None:
        """For a retried request and the safety net: the account's current link on its way again if it may
        still confirm and is not known to have left; None if it left (or can no longer confirm), so that
        the caller treats the request as one of its own.

        Marked `FAILED`, it is emailed again; `EMAILED`, its workflow is started if it was not (None when
        it runs already). `PRESUMED`, the request that saved it may have died before SES: Step Functions
        is asked whether its `emailed` execution exists, and if not the same link is emailed. A failing
        dependency raises, the link marked as far as it got."""
        link = account.link
        if link is None or account.state_at(self.clock.now()) is not AccountState.PENDING_EMAIL_CONFIRMATION:
            return None
        if link.delivery is LinkDelivery.EMAILED:
            return self.sent(account) if self.workflow.start(account, link, emailed=True) else None
        if link.delivery is LinkDelivery.PRESUMED and self.workflow.emailed(account, link):
            return None
        started = self._email_then_start(account, link)
        if link.delivery is LinkDelivery.FAILED or not started:
            # No execution can prove it left (a deadlines-only one holds the name, also when the `FAILED`
            # mark itself could not be written): without the mark, each retry would email it again.
            self.accounts.record_delivery(account, link.number, LinkDelivery.EMAILED)
            account = replace(account, link=replace(link, delivery=LinkDelivery.EMAILED))
        return self.sent(account)

    def _email_then_start(self, account: Account, link: ConfirmationLink) -> bool:
        """Whether the link's `emailed` workflow started: False when a deadlines-only run (SES failed
        before) holds its name. Nothing is written when both succeed (the link was saved as on its way)."""
        self._email(account, link)
        try:
            return self.workflow.start(account, link, emailed=True)
        except Exception:
            # The retry starts the workflow without emailing again; nobody retrying, the safety net
            # applies the deadline the workflow would have.
            self.accounts.record_delivery(account, link.number, LinkDelivery.EMAILED)
            raise

    def _email(self, account: Account, link: ConfirmationLink) -> None:
        token = self.pseudonymizer.link_token(account.account_id, link.number)
        assert account.email is not None
        try:
            self.mailer.send(confirmation_email(account.email, confirmation_url(self.web_base_url, token),
                                                link.expires_at))
        except Exception:
            # Due at once for the safety net; and the deadlines run even if the email never leaves: the
            # address is released at 21 days. The email's own failure is what the caller sees.
            if link.delivery is not LinkDelivery.FAILED:
                with contextlib.suppress(Exception):
                    self.accounts.record_delivery(account, link.number, LinkDelivery.FAILED)
            with contextlib.suppress(Exception):
                self.workflow.start(account, link, emailed=False)
            raise
