"""Issuing a confirmation link: the one place that makes a token, saves the link, starts its deadline
workflow, emails it and masks the address (journey.md section 3).

Used by the contact step (first link), the resend from an expired link, and the new link asked for
after a login. The caller only says how to save the link (its own transactional write).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ameli.clock import Clock
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

    def issue(self, number: int, save: Callable[[ConfirmationLink], Account],
              replacing: ConfirmationLink | None = None) -> LinkSent:
        """Link number `number`: `save(link)` stores it and returns the account as it now is
        (if it raises, nothing is started nor sent); then the workflow of the link it replaces
        stops, its own starts, and the email leaves."""
        token = tokens.new_token()
        link = ConfirmationLink.issue(tokens.token_hash(token), number, self.clock.now(),
                                      self.durations.validity, self.durations.retention)
        account = save(link)
        if replacing is not None:
            self.workflow.stop(account, replacing.number)
        self.workflow.start(account, link)
        address = account.email or ""
        self.mailer.send(confirmation_email(address, confirmation_url(self.web_base_url, token), link.expires_at))
        return LinkSent(account, mask_email(address), link.expires_at)
