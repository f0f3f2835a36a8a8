"""Bearer sessions after login: a full session (active account) or a pending token (section 5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# A pending token only lets the person resend the link or give a new address: keep it short.
PENDING_TOKEN_DURATION = timedelta(minutes=15)


@dataclass(frozen=True)
class Session:
    token_hash: str
    kind: str  # "session" (active account) or "pending" (email not confirmed yet)
    nir_hash: str
    expires_at: datetime

    def is_valid(self, now: datetime, kind: str) -> bool:
        return self.kind == kind and now < self.expires_at
