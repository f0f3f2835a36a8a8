"""What the OpenAPI promises an app team, checked against the real handlers (issue 13, item 9)."""

import jsonschema
import pytest

from scripts.openapi import build_openapi
from tests.functional.conftest import VENTURI_IDENTITY, VENTURI_PROOF
from tests.people import PASSWORD


@pytest.fixture(scope="module")
def document():
    return build_openapi()


def assert_documented(document, method: str, path: str, answer) -> None:
    """The answer's status is listed for the operation, and its body matches that answer's schema."""
    documented = document["paths"][path][method]["responses"]
    assert str(answer.status) in documented, (path, answer.status)
    content = documented[str(answer.status)]["content"]
    media_type = "application/problem+json" if answer.status >= 400 else "application/json"
    assert answer.headers["Content-Type"] == media_type
    jsonschema.validate(answer.body, {**content[media_type]["schema"], "components": document["components"]})
    if media_type == "application/problem+json":
        assert answer.body["code"] in content[media_type]["examples"]


def test_get_signup_gives_the_proof_display_again_while_proof_is_next(api, document):
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    path = f"/v1/signups/{started['signup_id']}"
    resumed = api.get(path, started["signup_token"])
    assert resumed.status == 200
    assert resumed.body["next_step"] == "proof" and resumed.body["proof"] == started["proof"]
    assert "franceconnect_identity" not in resumed.body and "franceconnect_logout_url" not in resumed.body  # Option 1
    assert_documented(document, "get", "/v1/signups/{signup_id}", resumed)
    assert api.post(f"{path}/proof", VENTURI_PROOF, started["signup_token"]).status == 200
    after = api.get(path, started["signup_token"]).body
    assert after["next_step"] == "terms" and "proof" not in after


def test_the_answers_that_lead_to_the_terms_step_carry_the_terms_in_force(api, document):
    """The proof's answer and GET /v1/signups/{id} at the terms step give what GET /v1/terms gives (one
    call less per signup); GET /v1/signups/{id} gives it at that step only."""
    in_force = api.get("/v1/terms")
    assert_documented(document, "get", "/v1/terms", in_force)
    assert in_force.body["version"] == "2020-04" and in_force.body["title"] and "courrier" in in_force.body["text"]
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    path, token = f"/v1/signups/{started['signup_id']}", started["signup_token"]
    assert "terms" not in api.get(path, token).body  # at the proof step
    proved = api.post(f"{path}/proof", VENTURI_PROOF, token)
    assert_documented(document, "post", "/v1/signups/{signup_id}/proof", proved)
    assert proved.body["next_step"] == "terms" and proved.body["terms"] == in_force.body
    resumed = api.get(path, token)  # a reload on the terms screen
    assert_documented(document, "get", "/v1/signups/{signup_id}", resumed)
    assert resumed.body["next_step"] == "terms" and resumed.body["terms"] == in_force.body
    accepted = api.post(f"{path}/terms", {"accepted": True, "version": proved.body["terms"]["version"]}, token)
    assert accepted.body["next_step"] == "password" and "terms" not in accepted.body
    assert "terms" not in api.get(path, token).body


def test_refusals_are_the_documented_ones_with_their_members(api, document):
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    path, token = f"/v1/signups/{started['signup_id']}", started["signup_token"]
    route = "/v1/signups/{signup_id}/proof"
    mismatch = api.post(f"{path}/proof", {**VENTURI_PROOF, "iban_last7": "0000000"}, token)
    assert mismatch.body["code"] == "PROOF_MISMATCH" and mismatch.body["attempts_left"] == 2
    assert_documented(document, "post", route, mismatch)
    assert_documented(document, "post", route, api.post(f"{path}/proof", VENTURI_PROOF, "wrong-token"))
    early = api.give_contact(started["signup_id"], token, "paul.venturi@example.fr")
    assert early.body["code"] == "STEP_NOT_ALLOWED" and early.body["next_step"] == "proof"
    assert_documented(document, "post", "/v1/signups/{signup_id}/contact", early)
    unreadable = api.call("POST", f"{path}/proof", data=b"[", headers={"Authorization": f"Bearer {token}",
                                                                       "Content-Type": "application/json"})
    assert_documented(document, "post", route, unreadable)
    plain = api.call("POST", f"{path}/proof", data=b"x", headers={"Content-Type": "text/plain"})
    assert_documented(document, "post", route, plain)


def test_a_pending_login_answer_is_the_documented_one(api, document):
    api.sign_up()

    pending = api.post("/v1/sessions", {"nir": VENTURI_IDENTITY["nir"], "password": PASSWORD})
    assert pending.status == 403 and pending.body["pending_token"]
    assert_documented(document, "post", "/v1/sessions", pending)
