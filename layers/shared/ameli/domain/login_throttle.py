"""Throttling of failed logins per NIR (journey.md section 5).

From the 5th failure in a row each new try waits a growing delay (30 s, 1 min, 2 min, 4 min,
8 min); the 10th failure blocks for 24 h. A success resets everything. The counter is kept per
NIR whether or not an account exists, so the throttle itself reveals nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

DELAY_FROM_FAILURES = 5
BLOCK_AT_FAILURES = 10
BLOCK = timedelta(hours=24)
FIRST_DELAY = timedelta(seconds=30)


@dataclass(frozen=True)
class LoginThrottle:
    consecutive_failures: int = 0
    last_failure_at: datetime | None = None
    blocked_until: datetime | None = None

    def is_blocked(self, now: datetime) -> bool:
        return self.blocked_until is not None and now < self.blocked_until

    def retry_after_seconds(self, now: datetime) -> int:
        """0 when a try is allowed now, else the seconds to wait."""
        until = self._next_try_at()
        return max(0, math.ceil((until - now).total_seconds())) if until else 0

    def after_failure(self, now: datetime) -> LoginThrottle:
        failures = 0 if self._block_is_over(now) else self.consecutive_failures
        failures += 1
        blocked_until = now + BLOCK if failures >= BLOCK_AT_FAILURES else None
        return LoginThrottle(failures, now, blocked_until)

    def _block_is_over(self, now: datetime) -> bool:
        return self.blocked_until is not None and now >= self.blocked_until

    def _next_try_at(self) -> datetime | None:
        if self.blocked_until is not None:
            return self.blocked_until
        if self.consecutive_failures >= DELAY_FROM_FAILURES and self.last_failure_at is not None:
            doublings: int = 2 ** (self.consecutive_failures - DELAY_FROM_FAILURES)
            return self.last_failure_at + FIRST_DELAY * doublings
        return None
