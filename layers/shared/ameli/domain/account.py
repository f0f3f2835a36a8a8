"""An account and its email-confirmation lifecycle (journey.md section 3).

The state is derived from the stored status *and* the clock, so a late workflow never lets an
expired link work: `state_at(now)` is what every read uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import Enum

# New links per account beyond the signup's own (api.md "Rate limited"): each one is an email to an
# address anyone holding the link or the password may choose.
NEW_LINKS_PER_WINDOW = 5
NEW_LINKS_WINDOW = timedelta(hours=24)


class AccountState(str, Enum):
    PENDING_EMAIL_CONFIRMATION = "pending_email_confirmation"
    LINK_EXPIRED = "link_expired"
    EMAIL_REQUIRED = "email_required"
    ACTIVE = "active"


class LinkDelivery(str, Enum):
    """What is known of a link's email. A request that goes well writes nothing after SES accepts it
    (the DynamoDB budget), so a link is saved `PRESUMED` on its way and only failures are marked; the
    proof that a presumed link left is its workflow execution, started `emailed` once SES accepted."""

    PRESUMED = "presumed"  # saved as on its way, due at its own deadline: unproven until its workflow runs
    FAILED = "failed"  # SES did not take it: due at once, for the safety net to deliver
    EMAILED = "emailed"  # SES took it, after a failure around it (its workflow may not have started): never again


@dataclass(frozen=True)
class ConfirmationLink:
    """One emailed link. Only the SHA-256 of its token is kept."""

    token_hash: str
    number: int  # 1 for the first link of the account, +1 at each resend
    sent_at: datetime
    expires_at: datetime
    retention_until: datetime
    delivery: LinkDelivery = LinkDelivery.PRESUMED

    @classmethod
    def issue(cls, token_hash: str, number: int, now: datetime, validity: timedelta,
              retention: timedelta) -> ConfirmationLink:
        # Deadlines travel as whole seconds (the workflow's timestamps): round up, so that a link is
        # never valid for less than promised.
        return cls(token_hash, number, now, _whole_second_after(now + validity), _whole_second_after(now + retention))


def _whole_second_after(moment: datetime) -> datetime:
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


@dataclass(frozen=True)
class Consent:
    given: bool
    at: datetime
    wording_version: str


@dataclass(frozen=True)
class Account:
    account_id: str
    nir: str
    nir_hash: str
    birth_date: date
    names: tuple[str, ...]
    signup_method: str
    password_hash: str
    terms_version: str
    terms_accepted_at: datetime
    created_at: datetime
    status: AccountState
    email: str | None
    email_key: str | None
    link: ConfirmationLink | None
    link_count: int = 0  # number of the last link ever sent (kept when the pending address is deleted)
    consents: dict[str, Consent] = field(default_factory=dict)
    mobile_phone: str | None = None
    landline_phone: str | None = None
    franceconnect_sub: str | None = None
    activated_at: datetime | None = None
    new_links_sent_at: tuple[datetime, ...] = ()  # the new links of the last 24 h (not the signup's own)

    def new_link_wait(self, now: datetime) -> int:
        """0 if another new link may be sent now, else the whole seconds until one may."""
        recent = sorted(self._recent_new_links(now))
        if len(recent) < NEW_LINKS_PER_WINDOW:
            return 0
        frees_at = recent[-NEW_LINKS_PER_WINDOW] + NEW_LINKS_WINDOW
        return max(1, math.ceil((frees_at - now).total_seconds()))

    def new_links_with(self, link: ConfirmationLink) -> tuple[datetime, ...]:
        """What `new_links_sent_at` becomes once `link` is sent."""
        return (*self._recent_new_links(link.sent_at), link.sent_at)

    def _recent_new_links(self, now: datetime) -> tuple[datetime, ...]:
        return tuple(moment for moment in self.new_links_sent_at if now - moment < NEW_LINKS_WINDOW)

    def state_at(self, now: datetime) -> AccountState:
        """The stored status, corrected by the clock for deadlines a workflow has not applied yet."""
        if self.status is AccountState.ACTIVE:
            return AccountState.ACTIVE
        if self.link is None or self.email is None:
            return AccountState.EMAIL_REQUIRED
        if now >= self.link.retention_until:
            return AccountState.EMAIL_REQUIRED
        if now >= self.link.expires_at or self.status is AccountState.LINK_EXPIRED:
            return AccountState.LINK_EXPIRED
        return AccountState.PENDING_EMAIL_CONFIRMATION

    def activated(self, now: datetime) -> Account:
        return replace(self, status=AccountState.ACTIVE, activated_at=now)
