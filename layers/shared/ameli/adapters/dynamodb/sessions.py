"""Sessions after login and the login throttle of each NIR (short-lived, in the signups table).

The login reads the account with its throttle in one batched request (by key only, through
`ameli.adapters.keys`); this repository never writes an account.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from ameli.adapters.dynamodb.accounts import account_from_item
from ameli.adapters.dynamodb.items import (
    GRACE,
    Item,
    Transaction,
    batch_get,
    epoch,
    from_item,
    key,
    optional_moment,
    optional_rfc3339,
    put_if_version,
    session_item,
    to_item,
)
from ameli.adapters.keys import account_key, login_throttle_key, session_key
from ameli.clock import from_rfc3339
from ameli.domain.account import Account
from ameli.domain.login_throttle import LoginThrottle
from ameli.domain.session import Session


def throttle_from_item(item: Item | None) -> LoginThrottle:
    if not item:
        return LoginThrottle()
    values = from_item(item)
    return LoginThrottle(
        consecutive_failures=int(values.get("consecutive_failures", 0)),
        last_failure_at=optional_moment(values, "last_failure_at"),
        blocked_until=optional_moment(values, "blocked_until"),
        version=values.get("version"),
    )


class DynamoSessionRepository:
    def __init__(self, client: Any, signups_table: str, accounts_table: str) -> None:
        self.client = client
        self.signups_table = signups_table
        self.accounts_table = accounts_table

    def load_for_login(self, nir_hash: str) -> tuple[Account | None, LoginThrottle]:
        found = batch_get(self.client, {
            self.accounts_table: {"Keys": [key(account_key(nir_hash))], "ConsistentRead": True},
            self.signups_table: {"Keys": [key(login_throttle_key(nir_hash))], "ConsistentRead": True},
        })
        accounts = found.get(self.accounts_table, [])
        throttles = found.get(self.signups_table, [])
        account = account_from_item(accounts[0]) if accounts else None
        return account, throttle_from_item(throttles[0] if throttles else None)

    def count_login_attempt(self, nir_hash: str, seen: LoginThrottle, counted: LoginThrottle) -> LoginThrottle | None:
        """Store `counted` if the stored throttle is still `seen` (one conditional write); None once
        stored, else the throttle another request stored meanwhile (returned by the failed write)."""
        last = counted.blocked_until or counted.last_failure_at
        assert last is not None  # a counted try has its time
        item = to_item({
            "pk": login_throttle_key(nir_hash),
            "consecutive_failures": counted.consecutive_failures,
            "last_failure_at": optional_rfc3339(counted.last_failure_at),
            "blocked_until": optional_rfc3339(counted.blocked_until),
            "version": uuid.uuid4().hex,
            "ttl": epoch(last + timedelta(hours=24) + GRACE),
        })
        return put_if_version(self.client, self.signups_table, item, seen.version, throttle_from_item)

    def open_session(self, session: Session) -> None:
        """Store the session and reset the NIR's failure count, together."""
        tx = Transaction()
        tx.add("session", "Put", TableName=self.signups_table, Item=session_item(session))
        tx.add("throttle", "Delete", TableName=self.signups_table, Key=key(login_throttle_key(session.nir_hash)))
        tx.write(self.client)

    def reset_login_throttle(self, nir_hash: str) -> None:
        """After a right password: the count starts again from zero."""
        self.client.delete_item(TableName=self.signups_table, Key=key(login_throttle_key(nir_hash)))

    def find_session(self, token_hash: str) -> Session | None:
        # Consistent: a session closed a moment ago (logout) must already be refused.
        item = self.client.get_item(TableName=self.signups_table, Key=key(session_key(token_hash)),
                                    ConsistentRead=True).get("Item")
        if not item:
            return None
        values = from_item(item)
        return Session(token_hash, values["kind"], values["nir_hash"], from_rfc3339(values["expires_at"]))

    def close_session(self, token_hash: str) -> None:
        self.client.delete_item(TableName=self.signups_table, Key=key(session_key(token_hash)))
