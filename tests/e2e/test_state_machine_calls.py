"""The state machine's own AWS calls, as on AWS: checked against its role (the template's, as SAM translates
it) and failing when the fault switch says so, its states' `Retry` then deciding (issue 10, items 5 and 6).

A stack of its own whose links expire after 20 s: a person reaches the contact step, DynamoDB fails every
call, the link's deadline comes and the workflow's expiry task is throttled; once DynamoDB is back the
state's `Retry` gets it through.
"""

from __future__ import annotations

import time

import pytest
import requests

from local.config import DEFAULT_FIXTURES
from local.fixtures import load_fixture_file

from .journeys import contact_body, identity_of, proof_of, until_contact
from .localstack import start_local_stack

pytestmark = pytest.mark.e2e

LINK_VALIDITY = 20  # seconds


@pytest.fixture(scope="module")
def stack():
    running = start_local_stack(CONFIRMATION_LINK_VALIDITY=f"PT{LINK_VALIDITY}S", PENDING_EMAIL_RETENTION="PT600S")
    yield running.base_url
    running.stop()


def _state_machine_calls(base: str) -> list[dict]:
    calls = requests.get(f"{base}/_local/aws-calls", timeout=30).json()["calls"]
    return [call for call in calls if call["function"] == "ConfirmationStateMachine"]


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_the_workflows_calls_are_throttled_by_the_fault_switch_retried_and_checked_against_its_role(stack):
    person = load_fixture_file(DEFAULT_FIXTURES).beneficiaries[0]  # VENTURI, eligible
    url, auth = until_contact(stack, identity_of(person), proof_of(person))
    assert requests.post(f"{url}/contact", json=contact_body("workflow@example.test"), headers=auth,
                         timeout=30).status_code == 201
    assert requests.put(f"{stack}/_local/faults", json={"dynamodb": 1}, timeout=10).status_code in (200, 204)

    throttled = _until(lambda: any(call["throttled"] for call in _state_machine_calls(stack)), LINK_VALIDITY + 60)
    requests.put(f"{stack}/_local/faults", json={}, timeout=10)
    assert throttled, "the link's expiry task never called DynamoDB while it failed"
    # the state's Retry (2 s, backoff 2, full jitter, 6 attempts) gets through once DynamoDB is back
    assert _until(lambda: any(not call["throttled"] for call in _state_machine_calls(stack)), 90)
    assert {call["action"] for call in _state_machine_calls(stack)} == {"dynamodb:UpdateItem"}
    executions = requests.get(f"{stack}/_local/executions", timeout=30).json()["executions"]
    assert [execution["status"] for execution in executions] == ["RUNNING"]  # now waiting for the retention

    report = requests.get(f"{stack}/_local/iam", timeout=120).json()
    assert report["denied"] == [], "\n".join(report["denied"])
    assert report["checked"] >= 1
