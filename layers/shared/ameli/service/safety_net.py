"""The daily safety net: links SES did not take are delivered, and deadlines whose workflow failed or
never started are applied anyway.

Only failures are due before their deadline (a link is saved as on its way, `LinkDelivery`): a night's
run reads the links marked `FAILED` and the deadlines passed without effect, not every link of the day.
A link whose workflow never started (Step Functions failing after SES, or the function dying before
SES) is not seen until its 7-day deadline, which the run then applies.

A deadline is retried on at most `RETRY_DAYS` daily runs: one still not applied after that is stuck
for a reason a rerun will not fix (the FailedExecutions alarm has fired), and is left to operators
rather than started again every day forever."""

from __future__ import annotations

from datetime import timedelta

from ameli.clock import Clock
from ameli.domain.account import LinkDelivery
from ameli.ports import AccountRepository, ConfirmationWorkflow, OverdueLink, Telemetry
from ameli.service.confirmation_links import ConfirmationLinks

# A deadline a workflow is applying right now is not overdue: leave it an hour before catching up.
OVERDUE_GRACE = timedelta(hours=1)
RETRY_DAYS = 3


class SafetyNet:
    def __init__(self, *, clock: Clock, accounts: AccountRepository, workflow: ConfirmationWorkflow,
                 links: ConfirmationLinks, telemetry: Telemetry) -> None:
        self.clock = clock
        self.accounts = accounts
        self.workflow = workflow
        self.links = links
        self.telemetry = telemetry

    def catch_up_overdue_links(self, limit: int = 500, grace: timedelta = OVERDUE_GRACE) -> int:
        """Re-run the workflow of links whose deadline passed `grace` ago without its effect; returns how many."""
        now = self.clock.now()
        overdue = self.accounts.overdue_links(now - grace, limit, not_before=now - timedelta(days=RETRY_DAYS))
        for link in overdue:
            if link.link.delivery is not LinkDelivery.FAILED or not self._deliver(link):
                self.workflow.catch_up(link, now)
        if overdue:
            self.telemetry.count("OverdueLinksCaughtUp")
        return len(overdue)

    def _deliver(self, overdue: OverdueLink) -> bool:
        """Delivers a link nobody could deliver, if it can still be used; False when it is past that."""
        account = self.accounts.get_account(overdue.nir_hash)
        if account is None or account.link is None or account.link.number != overdue.link.number \
                or not self.links.undelivered(account):
            return False
        try:
            self.links.redeliver_if_lost(account)
        except Exception:  # noqa: BLE001 - one link failing must not hold up the others; it is tried next run
            self.telemetry.count("UndeliveredLinkFailed")  # its deadlines run all the same (`_email`)
            return True
        self.telemetry.count("UndeliveredLinkDelivered")
        return True
