"""Functional tests: the real handlers, adapters and state machine, in-process on moto.

Each test gets a fresh stack (`local.server.build_stack`: tables, secret, state machine and SES
identity created from template.yaml, demo fixtures loaded) and talks to it through a WSGI test
client, exactly as API Gateway would call the functions.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.test import Client

from local.config import LocalSettings
from local.server import build_stack
from tests.people import PASSWORD

VENTURI_IDENTITY = {"last_name": "venturi", "nir": "1 62 12 2B 010 001", "birth_date": "1962-12-18",
                    "postal_code": "63000"}
VENTURI_PROOF = {"iban_last7": "7890143", "carte_vitale_serial_last11": "04671322630"}


@dataclass
class Answer:
    status: int
    body: Any
    headers: Any
    raw: bytes


class Api:
    """The stack, called like a client would, plus what a test needs to look inside."""

    def __init__(self, app, stack) -> None:
        self.client = Client(app)
        self.stack = stack

    def call(self, method: str, path: str, body: Any = None, token: str | None = None,
             headers: dict | None = None, **kwargs) -> Answer:
        headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        response = self.client.open(path, method=method, json=body, headers=headers, **kwargs)
        data = response.get_data()
        parsed = response.get_json(silent=True) if data else None
        return Answer(response.status_code, parsed, response.headers, data)

    def post(self, path: str, body: Any = None, token: str | None = None) -> Answer:
        return self.call("POST", path, body if body is not None else {}, token)

    def get(self, path: str, token: str | None = None) -> Answer:
        return self.call("GET", path, token=token)

    # -- journeys -------------------------------------------------------------------------------
    def signup_until_contact(self, identity=None, proof=None) -> tuple[str, str]:
        started = self.post("/v1/signups", identity or VENTURI_IDENTITY)
        assert started.status == 201, started.body
        signup_id, token = started.body["signup_id"], started.body["signup_token"]
        base = f"/v1/signups/{signup_id}"
        assert self.post(f"{base}/proof", proof or VENTURI_PROOF, token).status == 200
        assert self.post(f"{base}/terms", {"accepted": True, "version": "2020-04"}, token).status == 200
        chosen = self.post(f"{base}/password", {"password": PASSWORD, "password_confirmation": PASSWORD}, token)
        assert chosen.status == 200, chosen.body
        return signup_id, token

    def give_contact(self, signup_id: str, token: str, email: str, **extra) -> Answer:
        body = {"email": email, "email_confirmation": email, "email_marketing_consent": False, **extra}
        return self.post(f"/v1/signups/{signup_id}/contact", body, token)

    def sign_up(self, email: str = "paul.venturi@example.fr", identity=None, proof=None) -> Answer:
        signup_id, token = self.signup_until_contact(identity, proof)
        answer = self.give_contact(signup_id, token, email)
        assert answer.status == 201, answer.body
        return answer

    def mailbox(self) -> list[dict]:
        return self.stack.mailbox.messages()

    def last_link_token(self) -> str:
        return self.mailbox()[-1]["text"].split("token=", 1)[1].split()[0]

    # -- the workflow ---------------------------------------------------------------------------
    def executions(self) -> list[dict]:
        import boto3

        sfn = boto3.client("stepfunctions")
        arn = next(iter(self.stack.resources.state_machines.values()))
        return sfn.list_executions(stateMachineArn=arn)["executions"]

    def wait_for_execution(self, name_suffix: str, status: str = "SUCCEEDED", timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.executions() if e["name"].endswith(name_suffix)]
            if found and found[0]["status"] == status:
                return found[0]
            time.sleep(0.2)
        raise AssertionError(f"no execution *{name_suffix} reached {status}: {self.executions()}")

    def wait_until_running(self, name_suffix: str, timeout: float = 10) -> None:
        """Until the execution has really begun (moto starts it on a thread; AWS needs no such wait)."""
        import boto3

        sfn = boto3.client("stepfunctions")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.executions() if e["name"].endswith(name_suffix)]
            if found and any(event["type"].endswith("StateEntered") for event in sfn.get_execution_history(
                    executionArn=found[0]["executionArn"])["events"]):
                return
            time.sleep(0.05)
        raise AssertionError(f"execution *{name_suffix} did not start")

    def transitions(self, execution_arn: str) -> int:
        """State transitions as Step Functions bills them: each state entered."""
        import boto3

        events = boto3.client("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]
        return sum(1 for event in events if event["type"].endswith("StateEntered"))


def _stack(link_validity: str = "P7D", retention: str = "P21D") -> Api:
    settings = LocalSettings(port=3999, confirmation_link_validity=link_validity, pending_email_retention=retention)
    app, stack = build_stack(settings=settings, functions_in_process=True)
    return Api(app, stack)


@pytest.fixture
def process_environment():
    """The in-process stack sets the functions' variables (AWS_ENDPOINT_URL among them) in this
    process: put the environment back, so that a later test of this worker is not sent to a
    stopped emulator."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def api(process_environment):
    stack = _stack()
    yield stack
    stack.stack.close()


@pytest.fixture
def short_api(process_environment):
    """Links valid 3 s, addresses kept 9 s: the lifecycle plays out through the real state machine
    (the 6 s between the two leave room for Argon2 on a busy machine)."""
    stack = _stack("PT3S", "PT9S")
    yield stack
    stack.stack.close()


class _CurrentStdout:
    """Writes to whatever sys.stdout is when a line is logged: pytest swaps it between phases and tests."""

    def write(self, text: str) -> int:
        import sys

        return sys.stdout.write(text)

    def flush(self) -> None:
        import sys

        sys.stdout.flush()


@pytest.fixture
def logs(capfd):
    """The product's log lines of this test, read with `logs.readouterr()`.

    The logger's handler is bound to a stream once per process, and a previous test's capture may have
    closed that stream: the handler is pointed at the current sys.stdout instead, resolved at each line."""
    from ameli.observability import logger

    logger.registered_handler.stream = _CurrentStdout()
    return capfd
