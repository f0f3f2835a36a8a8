"""Bearer sessions: a full session (active account), a pending token (section 5), or the correction
right given by the contact step (fix a mistyped address while its link is unused)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# A pending token only lets the person resend the link or give a new address: keep it short.
PENDING_TOKEN_DURATION = timedelta(minutes=15)
# The correction right replaces the password only while the person is plausibly still on the end
# screen of their own signup: the signup session's own length. After it, a new address needs the
# password again (journey.md section 3).
CORRECTION_TOKEN_DURATION = timedelta(minutes=30)


@dataclass(frozen=True)
class Session:
    token_hash: str
    kind: str  # "session" (active account), "pending" (email not confirmed yet) or "correction"
    nir_hash: str
    expires_at: datetime

    def is_valid(self, now: datetime, *kinds: str) -> bool:
        return self.kind in kinds and now < self.expires_at
