"""Issuing a confirmation link: the one place that makes a token, saves the link, starts its deadline
workflow, emails it and masks the address (journey.md section 3).

Used by the contact step (first link), the resend from an expired link, and the new link asked for
after a login. The caller only says how to save the link (its own transactional write). Every new
link beyond the signup's own counts towards the limit (5 in 24 h), checked here and stored by the
same conditional write as the link (`Account.new_links_with`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ameli.clock import Clock
from ameli.domain import errors
from ameli.domain.account import Account, ConfirmationLink
from ameli.domain.contact import mask_email
from ameli.ports import ConfirmationWorkflow, Mailer
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
    def __init__(self, *, clock: Clock, durations: LinkDurations, web_base_url: str,
                 workflow: ConfirmationWorkflow, mailer: Mailer) -> None:
        self.clock = clock
        self.durations = durations
        self.web_base_url = web_base_url
        self.workflow = workflow
        self.mailer = mailer

    def issue(self, save: Callable[[ConfirmationLink], Account], *, account: Account | None = None) -> LinkSent:
        """The signup's own first link (no `account` yet), or a new link for `account`, which
        replaces its current one and must be within the limit of new links (else `TooManyLinks`).

        `save(link)` stores it and returns the account as it now is (if it raises, nothing is
        started nor sent); then the workflow of the link it replaces stops, its own starts, and the
        email leaves."""
        now = self.clock.now()
        if account is not None:
            wait = account.new_link_wait(now)
            if wait:
                raise errors.TooManyLinks(retry_after=wait)
        token = tokens.new_token()
        number = account.link_count + 1 if account is not None else 1
        link = ConfirmationLink.issue(tokens.token_hash(token), number, now,
                                      self.durations.validity, self.durations.retention)
        saved = save(link)
        if account is not None and account.link is not None:
            self.workflow.stop(saved, account.link.number)
        self.workflow.start(saved, link)
        address = saved.email or ""
        self.mailer.send(confirmation_email(address, confirmation_url(self.web_base_url, token), link.expires_at))
        return LinkSent(saved, mask_email(address), link.expires_at)
