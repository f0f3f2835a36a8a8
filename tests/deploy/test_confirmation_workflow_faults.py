"""The deadline workflow when the deletion's transaction is cancelled: throttling inside it is retried,
a superseded link ends quietly, and throttling that lasts fails the execution (the alarm and the daily
safety net take over). Run by moto's Step Functions interpreter on statemachine/confirmation.asl.json;
DynamoDB's throttling is injected (moto never throttles). The 60 s pause between retries is shortened."""

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.exceptions import TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend

ROOT = Path(__file__).resolve().parents[2]
TABLE = "accounts"
ACCOUNT, CLAIM = "ACCOUNT#nir-hash", "EMAIL#email-key"


def _at(seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def aws(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "eu-west-3"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        dynamodb.put_item(TableName=TABLE, Item={
            "pk": {"S": ACCOUNT}, "status": {"S": "pending_email_confirmation"}, "email": {"S": "x@example.org"},
            "email_key": {"S": "email-key"}, "link": {"M": {"number": {"N": "1"}}}})
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": CLAIM}, "owner": {"S": ACCOUNT}})
        definition = json.loads((ROOT / "statemachine" / "confirmation.asl.json").read_text().replace("${AccountsTable}", TABLE))
        definition["States"]["WaitBeforeRetryingDeletion"]["Seconds"] = 0
        sfn = boto3.client("stepfunctions")
        arn = sfn.create_state_machine(name="confirmation", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::123456789012:role/confirmation")["stateMachineArn"]
        yield dynamodb, sfn, arn


def _start(sfn, arn, retention_in: float = 1, expires_in: float = -1, emailed_link_number: int = 0) -> str:
    payload = {"account_pk": ACCOUNT, "email_claim_pk": CLAIM, "link_number": 1,
               "emailed_link_number": emailed_link_number,  # 0: for the deadlines only, as a catch-up
               "link_expires_at": _at(expires_in), "retention_until": _at(retention_in)}
    return sfn.start_execution(stateMachineArn=arn, name="link-1", input=json.dumps(payload))["executionArn"]


def _finished(sfn, execution: str, timeout: float = 60) -> tuple[str, list[str]]:
    deadline = time.monotonic() + timeout
    while True:
        status = sfn.describe_execution(executionArn=execution)["status"]
        if status != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    events = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    return status, [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def _throttle_transactions(monkeypatch, times: int) -> list[int]:
    """The next `times` TransactWriteItems are cancelled as DynamoDB does when an item is throttled."""
    calls = []
    original = DynamoDBBackend.transact_write_items

    def throttled(self, transact_items):
        calls.append(1)
        if len(calls) <= times:
            raise TransactionCanceledException([("ThrottlingError", "Throughput exceeds the current capacity", None),
                                                (None, None, None)])
        return original(self, transact_items)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", throttled)
    return calls


def _status(dynamodb) -> str:
    return dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": ACCOUNT}})["Item"]["status"]["S"]


def test_throttling_inside_the_deletion_transaction_is_retried_until_it_passes(aws, monkeypatch):
    dynamodb, sfn, arn = aws
    calls = _throttle_transactions(monkeypatch, times=2)
    status, states = _finished(sfn, _start(sfn, arn))
    assert status == "SUCCEEDED", states
    assert states.count("WhyDeletionCancelled") == 2 and states[-1] == "PendingEmailDeleted"
    assert len(calls) == 3
    assert _status(dynamodb) == "email_required"
    assert "Item" not in dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": CLAIM}})


def test_a_link_superseded_before_the_deletion_ends_without_touching_the_account(aws):
    dynamodb, sfn, arn = aws
    execution = _start(sfn, arn, retention_in=8)  # room for a loaded machine between the two writes
    deadline = time.monotonic() + 20
    while _status(dynamodb) != "link_expired" and time.monotonic() < deadline:
        time.sleep(0.1)
    # confirmed from another link meanwhile: the deletion's condition no longer holds
    dynamodb.update_item(TableName=TABLE, Key={"pk": {"S": ACCOUNT}}, UpdateExpression="SET #s = :active",
                         ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":active": {"S": "active"}})
    status, states = _finished(sfn, execution)
    assert status == "SUCCEEDED", states
    assert states[-2:] == ["WhyDeletionCancelled", "LinkNoLongerCurrent"]
    assert _status(dynamodb) == "active"


def test_throttling_that_lasts_fails_the_execution_instead_of_passing_for_a_superseded_link(aws, monkeypatch):
    dynamodb, sfn, arn = aws
    calls = _throttle_transactions(monkeypatch, times=1000)
    status, states = _finished(sfn, _start(sfn, arn))
    assert status == "FAILED", states
    assert states[-1] == "PendingEmailNotDeleted" and "LinkNoLongerCurrent" not in states
    assert len(calls) == 6  # the first attempt and five retries
    assert _status(dynamodb) == "link_expired"  # left for the daily safety net


def _link(dynamodb) -> dict:
    return dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": ACCOUNT}})["Item"]["link"]["M"]


def test_an_emailed_start_writes_nothing_and_waits_for_the_deadline_at_its_first_state(aws):
    """The link was saved due at its expiry (ameli.service.confirmation_links): a confirmation within the
    validity stops the execution in its first state, one transition."""
    dynamodb, sfn, arn = aws
    before = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": ACCOUNT}})["Item"]
    execution = _start(sfn, arn, expires_in=60, retention_in=120, emailed_link_number=1)
    deadline = time.monotonic() + 20
    while not _entered(sfn, execution) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    assert _entered(sfn, execution) == ["WaitForLinkDeadline"]
    assert dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": ACCOUNT}})["Item"] == before
    sfn.stop_execution(executionArn=execution)


def _entered(sfn, execution: str) -> list[str]:
    events = sfn.get_execution_history(executionArn=execution)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def test_a_start_for_the_deadlines_only_runs_the_same_states(aws):
    dynamodb, sfn, arn = aws
    execution = _start(sfn, arn, retention_in=8)
    deadline = time.monotonic() + 20
    while _status(dynamodb) != "link_expired" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "delivery" not in _link(dynamodb)  # the workflow never writes what the functions mark
    status, states = _finished(sfn, execution)
    assert status == "SUCCEEDED" and states[:2] == ["WaitForLinkDeadline", "ExpireLink"], states
