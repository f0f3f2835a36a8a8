"""The daily safety net: deadlines whose workflow failed or never started are applied anyway."""

from __future__ import annotations

from datetime import timedelta

from ameli.clock import Clock
from ameli.ports import AccountRepository, ConfirmationWorkflow, Telemetry

# A deadline a workflow is applying right now is not overdue: leave it an hour before catching up.
OVERDUE_GRACE = timedelta(hours=1)


class SafetyNet:
    def __init__(self, *, clock: Clock, accounts: AccountRepository, workflow: ConfirmationWorkflow,
                 telemetry: Telemetry) -> None:
        self.clock = clock
        self.accounts = accounts
        self.workflow = workflow
        self.telemetry = telemetry

    def catch_up_overdue_links(self, limit: int = 500, grace: timedelta = OVERDUE_GRACE) -> int:
        """Re-run the workflow of links whose deadline passed `grace` ago without its effect; returns how many."""
        now = self.clock.now()
        overdue = self.accounts.overdue_links(now - grace, limit)
        for link in overdue:
            self.workflow.catch_up(link, now)
        if overdue:
            self.telemetry.count("OverdueLinksCaughtUp")
        return len(overdue)
