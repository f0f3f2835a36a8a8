"""A link is saved as on its way and only failures are marked (ameli.service.confirmation_links): the
path that works writes nothing after SES and stays within the DynamoDB budget; a function dying before
SES is caught by the retry, which asks Step Functions; SES failing marks the link for the safety net.
The real handlers, adapters and state machine on moto."""

from __future__ import annotations

import threading

import boto3
import pytest
from botocore.client import BaseClient

from ameli.adapters.aws import SesMailer
from tests.functional.conftest import VENTURI_IDENTITY
from tests.functional.test_confirmation_lifecycle import account_item
from tests.functional.test_dependency_faults import assert_unavailable, failing
from tests.people import PASSWORD

# architecture.md "Budgets": at most 4 DynamoDB requests per API call; the contact step uses all 4,
# a resend and a login's new link 3.
DYNAMODB_BUDGET = {"contact": 4, "resend": 3, "new_link": 3}


class _Died(BaseException):
    """The function's death (a timeout, the container recycled): no handler, no failure path sees it."""


@pytest.fixture
def aws_requests(monkeypatch):
    """The AWS requests of the calls made on this thread (not moto's workflow threads), in order, with
    the table each DynamoDB request names."""
    made: list[tuple[str, str, str]] = []
    original = BaseClient._make_api_call
    thread = threading.get_ident()

    def counted(client, operation, params):
        if threading.get_ident() == thread:
            made.append((client.meta.service_model.service_name, operation, _table(params)))
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    return made


def _dying_at_ses_once(monkeypatch) -> None:
    send = SesMailer.send

    def die(mailer, email):
        monkeypatch.setattr(SesMailer, "send", send)
        raise _Died()

    monkeypatch.setattr(SesMailer, "send", die)


def _table(params: dict) -> str:
    if "TableName" in params:
        return params["TableName"]
    items = params.get("TransactItems") or [{}]
    return next((table["TableName"] for item in items for table in item.values()), "")


def _dynamodb(made: list[tuple[str, str, str]]) -> int:
    return sum(1 for service, _, _ in made if service == "dynamodb")


def _link_writes_after_ses(api, made: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The accounts table's requests after SES (the idempotency record's completion is its own table's)."""
    sent = next(index for index, request in enumerate(made) if request[:2] == ("sesv2", "SendEmail"))
    accounts = api.stack.resources.tables["AccountsTable"]
    return [request for request in made[sent + 1:] if request[2] == accounts]


def _login(api):
    return api.post("/v1/sessions", {"nir": VENTURI_IDENTITY["nir"], "password": PASSWORD})


def test_the_path_that_works_writes_nothing_after_ses_and_keeps_to_the_dynamodb_budget(api, aws_requests):
    signup_id, token = api.signup_until_contact()
    aws_requests.clear()
    created = api.give_contact(signup_id, token, "paul.venturi@example.fr")
    assert created.status == 201
    assert _dynamodb(aws_requests) <= DYNAMODB_BUDGET["contact"] and _link_writes_after_ses(api, aws_requests) == []
    assert [request[:2] for request in aws_requests].count(("stepfunctions", "StartExecution")) == 1
    item = account_item(api)  # saved as on its way: due at its own expiry, not at once
    assert item["link"]["M"]["delivery"] == {"S": "presumed"}
    assert item["next_deadline"]["S"] == created.body["link_expires_at"]

    aws_requests.clear()
    assert api.post("/v1/email-confirmations/resend", {"token": api.last_link_token()}).status == 202
    assert _dynamodb(aws_requests) <= DYNAMODB_BUDGET["resend"] and _link_writes_after_ses(api, aws_requests) == []

    pending = _login(api).body["pending_token"]
    aws_requests.clear()
    assert api.post("/v1/account/email", {}, pending).status == 202
    assert _dynamodb(aws_requests) <= DYNAMODB_BUDGET["new_link"] and _link_writes_after_ses(api, aws_requests) == []
    assert len(api.mailbox()) == 3 and account_item(api)["link"]["M"]["delivery"] == {"S": "presumed"}


def test_ses_failing_marks_the_link_undelivered_and_due_at_once_and_the_safety_net_delivers_it(api, monkeypatch):
    from datetime import timedelta

    from ameli.bootstrap import container
    from tests.fakes import FrozenClock

    signup_id, token = api.signup_until_contact()
    with failing(monkeypatch, "sesv2"):
        assert_unavailable(api.give_contact(signup_id, token, "paul.venturi@example.fr"))
    item = account_item(api)
    assert item["link"]["M"]["delivery"] == {"S": "failed"}
    assert item["next_deadline"]["S"] == item["link"]["M"]["sent_at"]["S"]
    services = container()
    clock = FrozenClock(services.clock.now() + timedelta(hours=2))
    services.safety_net.clock = clock
    services.confirmation_links.clock = clock
    assert services.safety_net.catch_up_overdue_links() == 1 and len(api.mailbox()) == 1
    item = account_item(api)
    assert item["link"]["M"]["delivery"] == {"S": "emailed"}
    assert item["next_deadline"]["S"] == item["link"]["M"]["expires_at"]["S"]  # no longer due at once
    assert services.safety_net.catch_up_overdue_links() == 0
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).status == 200


def _expire_the_dead_attempt(api) -> None:
    """What the end of the dead function's time does to its idempotency record (left in progress)."""
    dynamodb = boto3.client("dynamodb")
    table = api.stack.resources.tables["IdempotencyTable"]
    for item in dynamodb.scan(TableName=table)["Items"]:  # a test looking inside, not a request path
        dynamodb.delete_item(TableName=table, Key={"id": item["id"]})


def test_a_contact_step_dying_before_ses_is_emailed_once_by_its_retry(api, monkeypatch, aws_requests):
    signup_id, token = api.signup_until_contact()
    _dying_at_ses_once(monkeypatch)
    with pytest.raises(_Died):
        api.give_contact(signup_id, token, "paul.venturi@example.fr")
    assert api.mailbox() == [] and api.executions() == []
    assert account_item(api)["link"]["M"]["delivery"] == {"S": "presumed"}  # the mark a retry must not trust
    assert api.give_contact(signup_id, token, "paul.venturi@example.fr").status == 409  # still running, for all it knows
    _expire_the_dead_attempt(api)
    aws_requests.clear()
    assert api.give_contact(signup_id, token, "paul.venturi@example.fr").status == 201
    assert ("stepfunctions", "DescribeExecution", "") in aws_requests  # asked before emailing
    _expire_the_dead_attempt(api)
    assert api.give_contact(signup_id, token, "paul.venturi@example.fr").status == 201  # on its way: not again
    assert len(api.mailbox()) == 1 and [e["name"] for e in api.executions()] == [api.executions()[0]["name"]]
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).body == {"status": "active"}


def test_a_resend_dying_before_ses_is_emailed_once_by_its_retry(api, monkeypatch):
    api.sign_up()
    old = api.last_link_token()
    _dying_at_ses_once(monkeypatch)
    with pytest.raises(_Died):
        api.post("/v1/email-confirmations/resend", {"token": old})
    assert len(api.mailbox()) == 1
    assert api.post("/v1/email-confirmations/resend", {"token": old}).status == 202
    assert api.post("/v1/email-confirmations/resend", {"token": old}).body["code"] == "LINK_INVALID"  # it left
    tokens = [message["text"].split("token=", 1)[1].split()[0] for message in api.mailbox()]
    assert len(tokens) == len(set(tokens)) == 2
    assert api.post("/v1/email-confirmations", {"token": tokens[-1]}).body == {"status": "active"}


def test_a_link_lost_before_ses_and_never_retried_is_sent_again_at_a_login(api, monkeypatch):
    signup_id, token = api.signup_until_contact()
    _dying_at_ses_once(monkeypatch)
    with pytest.raises(_Died):
        api.give_contact(signup_id, token, "paul.venturi@example.fr")
    pending = _login(api)
    assert pending.status == 403 and pending.body["code"] == "EMAIL_CONFIRMATION_PENDING"  # offers a new link
    assert api.post("/v1/account/email", {}, pending.body["pending_token"]).status == 202
    assert len(api.mailbox()) == 1 and account_item(api)["link"]["M"]["number"] == {"N": "1"}  # the lost one
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).body == {"status": "active"}
