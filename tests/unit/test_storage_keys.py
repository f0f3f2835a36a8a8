"""The state machine updates the very items the repositories write: same keys, same status strings."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from ameli.adapters import keys
from ameli.adapters.aws import workflow_input
from ameli.adapters.dynamodb.items import Transaction, TransactionCancelled, batch_get
from ameli.domain.account import AccountState, ConfirmationLink
from tests.fakes import FrozenClock

DEFINITION = json.loads((Path(__file__).parents[2] / "statemachine" / "confirmation.asl.json").read_text())


def _string_values(node):
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "S" and isinstance(value, str):
                yield value
            yield from _string_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _string_values(value)


def test_every_status_the_state_machine_writes_or_expects_is_an_account_status():
    written = set(_string_values(DEFINITION))
    assert written, "the definition compares and sets statuses"
    assert written <= {state.value for state in AccountState}
    assert {keys.STATUS_PENDING, keys.STATUS_LINK_EXPIRED, keys.STATUS_EMAIL_REQUIRED} <= written


def test_the_workflow_input_names_the_account_and_email_claim_items_by_the_repositories_keys():
    link = ConfirmationLink.issue("t" * 64, 2, FrozenClock().now(), timedelta(days=7), timedelta(days=21))
    payload = json.loads(workflow_input("nirhash", "emailhash", link, emailed=True))
    assert payload["account_pk"] == keys.account_key("nirhash")
    assert payload["email_claim_pk"] == keys.email_claim_key("emailhash")
    assert payload["link_number"] == payload["emailed_link_number"] == 2
    # For the deadlines only (SES failed, or a catch-up): `emailed` (DescribeExecution) tells it from the proof of an email.
    assert json.loads(workflow_input("nirhash", "emailhash", link, emailed=False))["emailed_link_number"] == 0


class _CancellingClient:
    def __init__(self, codes):
        self.codes = codes

    def transact_write_items(self, TransactItems):  # noqa: N803 - boto3's own spelling
        assert len(TransactItems) == len(self.codes)
        raise ClientError({"Error": {"Code": "TransactionCanceledException"},
                           "CancellationReasons": [{"Code": code} for code in self.codes]}, "TransactWriteItems")


def test_a_cancelled_transaction_names_the_items_whose_condition_failed():
    tx = Transaction()
    tx.add("account", "Update", TableName="t")
    tx.add("new_email_claim", "Put", TableName="t")
    tx.add("link", "Put", TableName="t")
    with pytest.raises(TransactionCancelled) as cancelled:
        tx.write(_CancellingClient(["None", "ConditionalCheckFailed", "None"]))
    assert cancelled.value.failed == {"new_email_claim"}


class _ThrottledBatchClient:
    """Leaves every key unprocessed for its first `rounds` answers, as DynamoDB does when throttled."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self.asked: list[dict] = []

    def batch_get_item(self, RequestItems):  # noqa: N803 - boto3's own spelling
        self.asked.append(RequestItems)
        if self.rounds:
            self.rounds -= 1
            return {"Responses": {}, "UnprocessedKeys": RequestItems}
        return {"Responses": {table: [request["Keys"][0]] for table, request in RequestItems.items()}}


def test_a_batched_read_asks_again_for_the_keys_left_unprocessed_instead_of_reading_them_as_absent():
    client = _ThrottledBatchClient(rounds=1)
    found = batch_get(client, {"attempts": {"Keys": [{"pk": {"S": "PROOF#x"}}]}})
    assert found == {"attempts": [{"pk": {"S": "PROOF#x"}}]} and len(client.asked) == 2


def test_keys_still_unprocessed_fail_like_a_throttled_request():
    with pytest.raises(ClientError) as failed:
        batch_get(_ThrottledBatchClient(rounds=5), {"attempts": {"Keys": [{"pk": {"S": "PROOF#x"}}]}})
    assert failed.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_a_link_is_due_at_its_expiry_unless_marked_failed_and_older_items_read_as_what_they_were():
    from dataclasses import replace

    from ameli.adapters.dynamodb.accounts import _link_from_dict, _link_to_dict, pending_index_values
    from ameli.clock import to_rfc3339
    from ameli.domain.account import LinkDelivery

    link = ConfirmationLink.issue("t" * 64, 1, FrozenClock().now(), timedelta(days=7), timedelta(days=21))
    pending = AccountState.PENDING_EMAIL_CONFIRMATION
    assert pending_index_values(link, pending)["next_deadline"] == to_rfc3339(link.expires_at)
    assert pending_index_values(replace(link, delivery=LinkDelivery.EMAILED), pending)["next_deadline"] == \
        to_rfc3339(link.expires_at)
    assert pending_index_values(replace(link, delivery=LinkDelivery.FAILED), pending)["next_deadline"] == \
        to_rfc3339(link.sent_at)
    stored = _link_to_dict(link)
    assert _link_from_dict(stored) == link
    # Written when the workflow's first state recorded deliveries, or before (neither flag).
    older = {name: value for name, value in stored.items() if name != "delivery"}
    assert _link_from_dict(older).delivery is LinkDelivery.EMAILED
    assert _link_from_dict({**older, "delivered": True}).delivery is LinkDelivery.EMAILED
    assert _link_from_dict({**older, "delivered": False, "emailed": True}).delivery is LinkDelivery.EMAILED
    assert _link_from_dict({**older, "delivered": False}).delivery is LinkDelivery.FAILED  # due at once then: may not have left
