"""What every DynamoDB repository shares: item (de)serialisation, garbage-collection deadlines,
transactions whose items have names, so a cancellation says by name which condition failed, and the
session record (opened at login, or with the account by the contact step's transaction)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from ameli.adapters.keys import session_key
from ameli.clock import from_rfc3339, to_rfc3339
from ameli.domain.session import Session

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# Records are kept this long after their own deadline before DynamoDB may collect them (`ttl`, epoch
# seconds, only collects garbage: every read checks the time itself).
GRACE = timedelta(days=2)

Item = dict[str, Any]
T = TypeVar("T")


def to_item(values: dict[str, Any]) -> Item:
    return {key: _serializer.serialize(value) for key, value in values.items() if value is not None}


def from_item(item: Item) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def serialize(value: Any) -> dict[str, Any]:
    serialized: dict[str, Any] = _serializer.serialize(value)
    return serialized


def optional_rfc3339(moment: datetime | None) -> str | None:
    """An optional moment as stored: absent when None (`to_item` leaves it out)."""
    return to_rfc3339(moment) if moment else None


def optional_moment(values: dict[str, Any], name: str) -> datetime | None:
    """The moment stored as `name`, or None when the item has none."""
    return from_rfc3339(values[name]) if values.get(name) else None


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def key(pk: str) -> Item:
    return {"pk": {"S": pk}}


def session_item(session: Session) -> Item:
    return to_item({
        "pk": session_key(session.token_hash),
        "kind": session.kind,
        "nir_hash": session.nir_hash,
        "expires_at": to_rfc3339(session.expires_at),
        "ttl": epoch(session.expires_at + GRACE),
    })


def condition_failed(error: ClientError) -> bool:
    return bool(error.response["Error"]["Code"] == "ConditionalCheckFailedException")


def put_if_version(client: Any, table: str, item: Item, seen_version: str | None,
                   parse: Callable[[Item | None], T]) -> T | None:
    """Optimistic concurrency for a counter: put `item` (which carries a fresh `version`) only if the
    stored record still has `seen_version` (or, for None, has no version: absent or written before
    versions existed). None when written; else `parse` of the record as it is now, which the failed
    write returns itself, so a retry costs no extra read."""
    condition = ({"ConditionExpression": "version = :seen", "ExpressionAttributeValues": {":seen": {"S": seen_version}}}
                 if seen_version else {"ConditionExpression": "attribute_not_exists(version)"})
    try:
        client.put_item(TableName=table, Item=item, ReturnValuesOnConditionCheckFailure="ALL_OLD", **condition)
    except ClientError as error:
        if condition_failed(error):
            return parse(error.response.get("Item"))
        raise
    return None


def batch_get(client: Any, request_items: dict[str, Any], attempts: int = 3) -> dict[str, list[Item]]:
    """`BatchGetItem`, every key answered: DynamoDB may leave some unprocessed (throttling), and a key
    read as absent would decide wrongly (a right proof refused, a lock missed). Asks again for those;
    still unprocessed after `attempts`, it raises as a throttled request does."""
    found: dict[str, list[Item]] = {}
    pending = request_items
    for _ in range(attempts):
        response = client.batch_get_item(RequestItems=pending)
        for table, items in response.get("Responses", {}).items():
            found.setdefault(table, []).extend(items)
        pending = response.get("UnprocessedKeys") or {}
        if not pending:
            return found
    raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException",
                                 "Message": "keys left unprocessed"}}, "BatchGetItem")


class TransactionCancelled(Exception):
    """A transaction DynamoDB cancelled; `failed` names the items whose condition did not hold."""

    def __init__(self, failed: frozenset[str], current: dict[str, Item] | None = None) -> None:
        super().__init__(", ".join(sorted(failed)) or "cancelled")
        self.failed = failed
        self.current = current or {}  # items as they are, for those asking ReturnValuesOnConditionCheckFailure


@dataclass
class Transaction:
    """`TransactWriteItems` with a name per item: `tx.put("email_claim", ...)`, then `tx.write(client)`."""

    names: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    def add(self, name: str, operation: str, **request: Any) -> None:
        self.names.append(name)
        self.items.append({operation: request})

    def write(self, client: Any) -> None:
        try:
            client.transact_write_items(TransactItems=self.items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            # One reason per item, in the order of the request.
            reasons = error.response.get("CancellationReasons", [])
            failed = [(name, reason) for name, reason in zip(self.names, reasons, strict=False)
                      if reason.get("Code") == "ConditionalCheckFailed"]
            current = {name: reason["Item"] for name, reason in failed if reason.get("Item")}
            raise TransactionCancelled(frozenset(name for name, _ in failed), current) from None
