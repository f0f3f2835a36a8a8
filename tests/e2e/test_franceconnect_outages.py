"""Option 2 through the whole stack when FranceConnect rotates its keys the way it does (same kid) or
answers something other than the protocol (issue 12, defect 10): the person gets back to the client
with FRANCECONNECT_FAILED, never a 5xx, and the next login works once FranceConnect does."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.test_franceconnect_journey import franceconnect, misbehave

pytestmark = pytest.mark.e2e


def rotate_keys(base: str, **options: bool) -> None:
    assert requests.post(f"{base}/_fc/_control/rotate-keys", json=options).status_code == 200


def test_keys_rotated_under_the_same_kid_still_let_people_in(local_stack):
    assert franceconnect(local_stack, login="eleni")[0]["next_step"] == "terms"  # our JWKS cache is warm
    rotate_keys(local_stack, keep_kids=True)
    assert franceconnect(local_stack, login="eleni")[0]["next_step"] == "terms"


@pytest.mark.parametrize("mode", ["aud_with_another_audience", "token_invalid_client", "maintenance_token",
                                  "maintenance_userinfo"])
def test_refusals_and_maintenance_pages_end_in_failure_not_in_a_5xx(local_stack, mode):
    misbehave(local_stack, mode)
    try:
        fragment, _ = franceconnect(local_stack, login="eleni")  # each hop must be a redirect
    finally:
        misbehave(local_stack, "none")
    assert fragment == {"error": "FRANCECONNECT_FAILED"}
    assert franceconnect(local_stack, login="eleni")[0]["next_step"] == "terms"


def test_a_maintenance_page_instead_of_the_keys_fails_closed_then_the_keys_are_read_again(local_stack):
    rotate_keys(local_stack)  # new kids: our client must read the JWKS, and finds a maintenance page
    misbehave(local_stack, "maintenance_jwks")
    try:
        fragment, _ = franceconnect(local_stack, login="eleni")
    finally:
        misbehave(local_stack, "none")
    assert fragment == {"error": "FRANCECONNECT_FAILED"}
    assert franceconnect(local_stack, login="eleni")[0]["next_step"] == "terms"


def test_the_token_endpoint_error_code_reaches_the_logs(local_stack, running_stack):
    misbehave(local_stack, "token_invalid_client")
    try:
        assert franceconnect(local_stack, login="eleni")[0] == {"error": "FRANCECONNECT_FAILED"}
    finally:
        misbehave(local_stack, "none")
    assert "token_error_invalid_client" in running_stack.output()
