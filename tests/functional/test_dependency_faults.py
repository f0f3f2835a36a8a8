"""Dependencies failing (issue 12, "Faults"): DynamoDB, SES, Step Functions or Secrets Manager
answering throttling after botocore's retries. Every answer is a success or a 503 problem+json in
French with retry_after; the same request retried afterwards completes; nothing is duplicated.

In-process: the failure is injected under every boto3 client of the functions (the HTTP version, with
the local stack's fault switch, is tests/e2e/test_races_and_faults.py)."""

from __future__ import annotations

import contextlib

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.functional.conftest import VENTURI_IDENTITY, VENTURI_PROOF
from tests.people import PASSWORD

THROTTLED = {"dynamodb": "ThrottlingException", "sesv2": "TooManyRequestsException",
             "stepfunctions": "ThrottlingException", "secretsmanager": "ThrottlingException"}


@contextlib.contextmanager
def failing(monkeypatch, service: str):
    """Every call to `service` (botocore's service id) fails as throttled, retries spent."""
    original = BaseClient._make_api_call

    def call(client, operation, params):
        if client.meta.service_model.service_name == service or \
                client.meta.service_model.endpoint_prefix == service:
            raise ClientError({"Error": {"Code": THROTTLED[service], "Message": "Rate exceeded"}}, operation)
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", call)
    try:
        yield
    finally:
        monkeypatch.setattr(BaseClient, "_make_api_call", original)


def assert_unavailable(answer) -> None:
    assert answer.status == 503, (answer.status, answer.body)
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.body["code"] == "SERVICE_UNAVAILABLE" and "Réessayez" in answer.body["detail"]
    assert isinstance(answer.body["retry_after"], int) and answer.headers["Retry-After"]


def _until(api, step: str):
    """(method, path, body, token) of the call to make at `step`, the journey done until then."""
    if step == "start":
        return "/v1/signups", VENTURI_IDENTITY, None
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    base, token = f"/v1/signups/{started['signup_id']}", started["signup_token"]
    if step == "proof":
        return f"{base}/proof", VENTURI_PROOF, token
    assert api.post(f"{base}/proof", VENTURI_PROOF, token).status == 200
    if step == "terms":
        return f"{base}/terms", {"accepted": True, "version": "2020-04"}, token
    assert api.post(f"{base}/terms", {"accepted": True, "version": "2020-04"}, token).status == 200
    password = {"password": PASSWORD, "password_confirmation": PASSWORD}
    if step == "password":
        return f"{base}/password", password, token
    assert api.post(f"{base}/password", password, token).status == 200
    contact = {"email": "paul.venturi@example.fr", "email_confirmation": "paul.venturi@example.fr",
               "email_marketing_consent": False}
    if step == "contact":
        return f"{base}/contact", contact, token
    assert api.post(f"{base}/contact", contact, token).status == 201
    if step == "resend":
        return "/v1/email-confirmations/resend", {"token": api.last_link_token()}, None
    if step == "confirm":
        return "/v1/email-confirmations", {"token": api.last_link_token()}, None
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).status == 200
    return "/v1/sessions", {"nir": VENTURI_IDENTITY["nir"], "password": PASSWORD}, None


def _check(api, monkeypatch, service: str, step: str) -> int:
    path, body, token = _until(api, step)
    with failing(monkeypatch, service):
        failed = api.post(path, body, token)
    retried = api.post(path, body, token)
    if failed.status >= 400:
        assert_unavailable(failed)
        assert retried.status in (200, 201, 202), (retried.status, retried.body)
    tokens = [message["text"].split("token=", 1)[1].split()[0] for message in api.mailbox()]
    assert len(tokens) == len(set(tokens)), "one email per link"
    return failed.status


@pytest.mark.parametrize("step", ["start", "proof", "terms", "password", "confirm", "login"])
def test_dynamodb_failing_at_a_step_answers_503_and_the_same_request_then_completes(api, monkeypatch, step):
    _check(api, monkeypatch, "dynamodb", step)


def test_secrets_manager_failing_at_the_first_request_answers_503(api, monkeypatch):
    from ameli.bootstrap import container

    container().pseudonymizer._key = None  # the key is fetched again, as by a new container
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    _check(api, monkeypatch, "secretsmanager", "start")


@pytest.mark.parametrize("service", ["sesv2", "stepfunctions", "dynamodb"])
@pytest.mark.parametrize("step", ["contact", "resend"])
def test_a_link_survives_its_email_or_workflow_failing_and_the_retry_delivers_it_once(api, monkeypatch, service, step):
    assert _check(api, monkeypatch, service, step) == 503
    assert len(api.mailbox()) == (1 if step == "contact" else 2)
    token = api.last_link_token()
    assert api.post("/v1/email-confirmations", {"token": token}).status == 200
    names = [execution["name"] for execution in api.executions()]
    assert len(names) == len(set(names)) == (1 if step == "contact" else 2)


def test_a_link_nobody_retried_is_delivered_by_the_safety_net(api, monkeypatch):
    from datetime import timedelta

    from ameli.bootstrap import container
    from tests.fakes import FrozenClock

    path, body, token = _until(api, "contact")
    with failing(monkeypatch, "sesv2"):
        assert_unavailable(api.post(path, body, token))
    assert api.mailbox() == []
    services = container()
    clock = FrozenClock(services.clock.now() + timedelta(hours=2))
    services.safety_net.clock = clock
    services.confirmation_links.clock = clock

    assert services.safety_net.catch_up_overdue_links() == 1
    assert len(api.mailbox()) == 1
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).status == 200
    assert services.safety_net.catch_up_overdue_links() == 0  # delivered once, and now confirmed
