"""Issuing a confirmation link: the one place that makes a token, saves the link, emails it, starts its
deadline workflow and masks the address (journey.md section 3).

Saving and delivering are decoupled. The link is committed first, undelivered (due at once for the
daily safety net); then its email leaves; then its workflow starts, and its first state records the
delivery, so a request that goes well writes nothing after SES (the DynamoDB budget). The workflow
starts only once SES has accepted the email: an execution started `emailed` is the proof it left.
- SES fails: the workflow starts for the deadlines only (an address never reached is still released at
  21 days) and the request answers 503; its retry, or the safety net, sends the same link (the token
  is derived from the account id and link number, never stored) and records the delivery itself.
- Step Functions fails after SES: the request records the link `emailed` and answers 503; the retry or
  the safety net starts the workflow without emailing again.
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
from ameli.domain.account import Account, AccountState, ConfirmationLink
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
        started nor sent); then the workflow of the link it replaces stops, and the new link is
        delivered (`deliver`)."""
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
        return self._deliver(saved, new=True)

    def undelivered(self, account: Account) -> bool:
        """Whether the account's current link was saved but not delivered, and may still confirm."""
        link = account.link
        return link is not None and not link.delivered \
            and account.state_at(self.clock.now()) is AccountState.PENDING_EMAIL_CONFIRMATION

    def deliver(self, account: Account) -> LinkSent:
        """The account's current link on its way again, after a failure (a retried request, the safety
        net): a link delivered or emailed is not emailed twice, nor one whose `emailed` workflow runs
        (its first state had not recorded it yet). A failing dependency raises, the link saved as far
        as it got."""
        return self._deliver(account, new=False)

    def _deliver(self, account: Account, *, new: bool) -> LinkSent:
        link = account.link
        assert link is not None and account.email is not None
        if not link.delivered:
            if not new and not link.emailed and self.workflow.emailed(account, link):
                # Started once SES had accepted the email: only the record is missing.
                self.accounts.record_email_sent(account, link.number, workflow_started=True)
            else:
                self._email_then_start(account, link)
            account = replace(account, link=replace(link, delivered=True))
        return LinkSent(account, mask_email(account.email or ""), link.expires_at)

    def _email_then_start(self, account: Account, link: ConfirmationLink) -> None:
        if not link.emailed:
            self._email(account, link)
        try:
            started = self.workflow.start(account, link, emailed=True)
        except Exception:
            if not link.emailed:  # the retry starts the workflow, without emailing again
                self.accounts.record_email_sent(account, link.number, workflow_started=False)
            raise
        if not started:  # a workflow for its deadlines alone runs already: it cannot record the email
            self.accounts.record_email_sent(account, link.number, workflow_started=True)

    def _email(self, account: Account, link: ConfirmationLink) -> None:
        token = self.pseudonymizer.link_token(account.account_id, link.number)
        assert account.email is not None
        try:
            self.mailer.send(confirmation_email(account.email, confirmation_url(self.web_base_url, token),
                                                link.expires_at))
        except Exception:
            # The deadlines run even if the email never leaves: the address is released at 21 days. The
            # email's own failure is what the caller sees (a failing start changes nothing to it).
            with contextlib.suppress(Exception):
                self.workflow.start(account, link, emailed=False)
            raise
