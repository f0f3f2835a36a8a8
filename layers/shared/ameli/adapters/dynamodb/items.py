"""What every DynamoDB repository shares: item (de)serialisation, garbage-collection deadlines, and
transactions whose items have names, so a cancellation says by name which condition failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# Records are kept this long after their own deadline before DynamoDB may collect them (`ttl`, epoch
# seconds, only collects garbage: every read checks the time itself).
GRACE = timedelta(days=2)

Item = dict[str, Any]


def to_item(values: dict[str, Any]) -> Item:
    return {key: _serializer.serialize(value) for key, value in values.items() if value is not None}


def from_item(item: Item) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def serialize(value: Any) -> dict[str, Any]:
    serialized: dict[str, Any] = _serializer.serialize(value)
    return serialized


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def key(pk: str) -> Item:
    return {"pk": {"S": pk}}


def condition_failed(error: ClientError) -> bool:
    return bool(error.response["Error"]["Code"] == "ConditionalCheckFailedException")


class TransactionCancelled(Exception):
    """A transaction DynamoDB cancelled; `failed` names the items whose condition did not hold."""

    def __init__(self, failed: frozenset[str]) -> None:
        super().__init__(", ".join(sorted(failed)) or "cancelled")
        self.failed = failed


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
            codes = [reason.get("Code") for reason in reasons]
            failed = {name for name, code in zip(self.names, codes, strict=False) if code == "ConditionalCheckFailed"}
            raise TransactionCancelled(frozenset(failed)) from None
