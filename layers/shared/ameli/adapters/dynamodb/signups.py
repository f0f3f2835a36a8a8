"""The signup-in-progress aggregate (signups table): the signup itself, its NIR's proof attempts,
and the FranceConnect state that leads to it.

Two reads look at the accounts table by key only (an account exists for this NIR?), batched where a
step must stay within its DynamoDB budget; this repository never writes there.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, replace
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from ameli.adapters.dynamodb.items import (
    GRACE,
    Item,
    Transaction,
    TransactionCancelled,
    condition_failed,
    epoch,
    from_item,
    key,
    put_if_version,
    to_item,
)
from ameli.adapters.keys import account_key, franceconnect_state_key, proof_attempts_key, signup_key
from ameli.clock import from_rfc3339, to_rfc3339
from ameli.domain import errors
from ameli.domain.franceconnect import ReceivedIdentity
from ameli.domain.proof import PROOF_WINDOW, ProofAttempts
from ameli.domain.signup import Signup
from ameli.ports import FranceConnectState, ProofGuard


def signup_to_item(signup: Signup) -> Item:
    values = asdict(signup)
    values.update(
        pk=signup_key(signup.signup_id),
        birth_date=signup.birth_date.isoformat(),
        names=list(signup.names),
        created_at=to_rfc3339(signup.created_at),
        expires_at=to_rfc3339(signup.expires_at),
        terms_accepted_at=to_rfc3339(signup.terms_accepted_at) if signup.terms_accepted_at else None,
        franceconnect_identity=_identity_map(signup.franceconnect_identity),
        ttl=epoch(signup.expires_at + GRACE),
    )
    return to_item(values)


def _identity_map(identity: ReceivedIdentity | None) -> dict[str, str] | None:
    if identity is None:
        return None
    return {**asdict(identity), "birth_date": identity.birth_date.isoformat()}


def _identity_of(stored: dict[str, str] | None) -> ReceivedIdentity | None:
    if not stored:
        return None
    birth_date = date.fromisoformat(stored["birth_date"])
    return ReceivedIdentity(**{name: value for name, value in stored.items() if name != "birth_date"},
                            birth_date=birth_date)


def signup_from_item(item: Item) -> Signup:
    values = from_item(item)
    return Signup(
        signup_id=values["signup_id"],
        token_hash=values["token_hash"],
        method=values["method"],
        nir=values["nir"],
        nir_hash=values["nir_hash"],
        birth_date=date.fromisoformat(values["birth_date"]),
        names=tuple(values.get("names", ())),
        next_step=values["next_step"],
        created_at=from_rfc3339(values["created_at"]),
        expires_at=from_rfc3339(values["expires_at"]),
        terms_version=values.get("terms_version"),
        terms_accepted_at=from_rfc3339(values["terms_accepted_at"]) if values.get("terms_accepted_at") else None,
        password_hash=values.get("password_hash"),
        franceconnect_sub=values.get("franceconnect_sub"),
        franceconnect_logout_url=values.get("franceconnect_logout_url"),
        email_suggestion=values.get("email_suggestion"),
        franceconnect_identity=_identity_of(values.get("franceconnect_identity")),
    )


def attempts_from_item(item: Item | None) -> ProofAttempts:
    if not item:
        return ProofAttempts(failures=(), locked_until=None)
    values = from_item(item)
    return ProofAttempts(
        failures=tuple(from_rfc3339(moment) for moment in values.get("failures", [])),
        locked_until=from_rfc3339(values["locked_until"]) if values.get("locked_until") else None,
        version=values.get("version"),
    )


def attempts_item(nir_hash: str, attempts: ProofAttempts, version: str) -> Item:
    moments = [*attempts.failures, *([attempts.locked_until] if attempts.locked_until else [])]
    keep_until = max(moments) + PROOF_WINDOW + GRACE if moments else None
    return to_item({
        "pk": proof_attempts_key(nir_hash),
        "failures": [to_rfc3339(moment) for moment in attempts.failures],
        "locked_until": to_rfc3339(attempts.locked_until) if attempts.locked_until else None,
        "version": version,
        "ttl": epoch(keep_until) if keep_until else None,
    })


class DynamoSignupRepository:
    def __init__(self, client: Any, signups_table: str, accounts_table: str) -> None:
        self.client = client
        self.signups_table = signups_table
        self.accounts_table = accounts_table

    # -- the signup
    def create(self, signup: Signup) -> None:
        self.client.put_item(
            TableName=self.signups_table,
            Item=signup_to_item(signup),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get(self, signup_id: str) -> Signup | None:
        item = self.client.get_item(
            TableName=self.signups_table, Key=key(signup_key(signup_id)), ConsistentRead=True
        ).get("Item")
        return signup_from_item(item) if item else None

    def save_step(self, previous: Signup, updated: Signup) -> None:
        try:
            self.client.put_item(
                TableName=self.signups_table,
                Item=signup_to_item(updated),
                ConditionExpression="next_step = :expected",
                ExpressionAttributeValues={":expected": {"S": previous.next_step}},
            )
        except ClientError as error:
            if condition_failed(error):
                raise errors.StepNotAllowed() from None
            raise

    def close(self, signup_id: str) -> None:
        self.client.delete_item(TableName=self.signups_table, Key=key(signup_key(signup_id)))

    def account_exists(self, nir_hash: str) -> bool:
        return "Item" in self.client.get_item(
            TableName=self.accounts_table, Key=key(account_key(nir_hash)), ProjectionExpression="pk",
            ConsistentRead=True,
        )

    # -- proof attempts of a NIR
    def load_attempts(self, nir_hash: str) -> ProofAttempts:
        item = self.client.get_item(
            TableName=self.signups_table, Key=key(proof_attempts_key(nir_hash)), ConsistentRead=True
        ).get("Item")
        return attempts_from_item(item)

    def load_proof_guard(self, nir_hash: str) -> ProofGuard:
        """The attempt counter and whether an account exists, in one request."""
        response = self.client.batch_get_item(RequestItems={
            self.signups_table: {"Keys": [key(proof_attempts_key(nir_hash))], "ConsistentRead": True},
            self.accounts_table: {
                "Keys": [key(account_key(nir_hash))],
                "ConsistentRead": True,
                "ProjectionExpression": "pk",
            },
        })
        found = response.get("Responses", {})
        attempts_items = found.get(self.signups_table, [])
        return ProofGuard(
            attempts=attempts_from_item(attempts_items[0] if attempts_items else None),
            account_exists=bool(found.get(self.accounts_table)),
        )

    def count_proof_attempt(self, nir_hash: str, seen: ProofAttempts,
                            counted: ProofAttempts) -> tuple[bool, ProofAttempts]:
        """Store `counted` if the stored attempts are still `seen`, in one conditional write:
        (True, counted as stored) or (False, the attempts another request stored meanwhile)."""
        version = uuid.uuid4().hex
        current = put_if_version(self.client, self.signups_table, attempts_item(nir_hash, counted, version),
                                 seen.version, attempts_from_item)
        return (True, replace(counted, version=version)) if current is None else (False, current)

    def take_back_proof_attempt(self, nir_hash: str, counted: ProofAttempts,
                                restored: ProofAttempts) -> ProofAttempts | None:
        """Store `restored` if the stored attempts are still `counted`; None once stored, else them."""
        return put_if_version(self.client, self.signups_table, attempts_item(nir_hash, restored, uuid.uuid4().hex),
                              counted.version, attempts_from_item)

    def complete_proof(self, previous: Signup, updated: Signup, counted: ProofAttempts,
                       restored: ProofAttempts) -> bool:
        """Together: the signup moves on (raises `StepNotAllowed` if another request moved it first)
        and the right attempt takes its count back; False, with nothing written, if the attempts
        changed since `counted` (the caller takes the count back from what they are now)."""
        tx = Transaction()
        tx.add("attempts", "Put", TableName=self.signups_table,
               Item=attempts_item(updated.nir_hash, restored, uuid.uuid4().hex),
               ConditionExpression="version = :counted", ExpressionAttributeValues={":counted": {"S": counted.version}})
        tx.add("signup", "Put", TableName=self.signups_table, Item=signup_to_item(updated),
               ConditionExpression="next_step = :expected",
               ExpressionAttributeValues={":expected": {"S": previous.next_step}})
        try:
            tx.write(self.client)
        except TransactionCancelled as cancelled:
            if "signup" in cancelled.failed:
                raise errors.StepNotAllowed() from None
            if "attempts" in cancelled.failed:
                return False
            raise
        return True

    # -- FranceConnect state, between the authorize redirect and the callback
    def save_franceconnect_state(self, state: FranceConnectState) -> None:
        self.client.put_item(TableName=self.signups_table, Item=to_item({
            "pk": franceconnect_state_key(state.state),
            "nonce": state.nonce,
            "return_to": state.return_to,
            "browser_binding_hash": state.browser_binding_hash,
            "expires_at": to_rfc3339(state.expires_at),
            "ttl": epoch(state.expires_at + GRACE),
        }))

    def take_franceconnect_state(self, state: str) -> FranceConnectState | None:
        old = self.client.delete_item(
            TableName=self.signups_table, Key=key(franceconnect_state_key(state)), ReturnValues="ALL_OLD"
        ).get("Attributes")
        if not old:
            return None
        values = from_item(old)
        return FranceConnectState(
            state=state,
            nonce=values["nonce"],
            return_to=values["return_to"],
            browser_binding_hash=values["browser_binding_hash"],
            expires_at=from_rfc3339(values["expires_at"]),
        )
