"""The beneficiary registry extract, loaded in DynamoDB (one item per NIR)."""

from __future__ import annotations

from typing import Any

from ameli.adapters.dynamodb.items import Item, from_item, to_item
from ameli.adapters.keys import BIRTH_NAME_INDEX
from ameli.domain.beneficiary import Beneficiary
from ameli.domain.franceconnect import birth_name_key


def registry_key(nir: str) -> Item:
    return {"nir": {"S": nir}}


def beneficiary_from_item(item: Item) -> Beneficiary:
    return Beneficiary.from_dict(from_item(item))


class DynamoBeneficiaryRegistry:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def find_by_nir(self, nir: str) -> Beneficiary | None:
        item = self.client.get_item(TableName=self.table, Key=registry_key(nir)).get("Item")
        return beneficiary_from_item(item) if item else None

    def find_by_birth_name(self, birth_name_key: str, birth_date_prefix: str) -> list[Beneficiary]:
        # Every page: a common name has thousands of bearers (about 230,000 MARTINs), and a person
        # beyond the first page would be refused.
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table,
            IndexName=BIRTH_NAME_INDEX,
            KeyConditionExpression="birth_name_key = :name AND begins_with(birth_date, :born)",
            ExpressionAttributeValues={":name": {"S": birth_name_key}, ":born": {"S": birth_date_prefix}},
        )
        return [beneficiary_from_item(item) for page in pages for item in page.get("Items", [])]

    def put_all(self, beneficiaries: list[Beneficiary]) -> None:
        """Loads an extract (used by the fixture loader and operators' import job)."""
        for start in range(0, len(beneficiaries), 25):
            batch = beneficiaries[start:start + 25]
            requests = [
                {"PutRequest": {"Item": to_item({**b.to_dict(), "birth_name_key": birth_name_key(b.birth_name)})}}
                for b in batch
            ]
            pending: dict[str, Any] = {self.table: requests}
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
