"""The OpenAPI document an app team reads (issue 13, item 9): who authorises each call, the journey's
order, and per operation the problems it answers, with their codes, extra members and examples."""

import jsonschema
import pytest
from openapi_spec_validator import validate

from scripts.openapi import build_openapi

SIGNUP_ROUTES = {("post", "/v1/signups/{signup_id}/proof"), ("post", "/v1/signups/{signup_id}/terms"),
                 ("post", "/v1/signups/{signup_id}/password/check"), ("post", "/v1/signups/{signup_id}/password"),
                 ("post", "/v1/signups/{signup_id}/contact"), ("get", "/v1/signups/{signup_id}"),
                 ("delete", "/v1/signups/{signup_id}")}


@pytest.fixture(scope="module")
def document():
    return build_openapi()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def problem_schema(document, method, path, status):
    schema = document["paths"][path][method]["responses"][str(status)]["content"]["application/problem+json"]["schema"]
    return {**schema, "components": document["components"]}


def codes(document, method, path, status) -> set[str]:
    answer = document["paths"][path][method]["responses"][str(status)]["content"]["application/problem+json"]
    return set(answer["examples"])


def test_the_document_is_valid_openapi(document):
    validate(document)


def test_each_token_has_its_bearer_scheme_and_each_call_names_the_one_it_needs(document):
    schemes = document["components"]["securitySchemes"]
    assert {name: (s["type"], s["scheme"]) for name, s in schemes.items()} == dict.fromkeys(("signupToken", "pendingToken", "sessionToken", "correctionToken"), ("http", "bearer"))
    security = {(method, path): op.get("security") for method, path, op in operations(document)}
    assert {route for route, needed in security.items() if needed == [{"signupToken": []}]} == SIGNUP_ROUTES
    assert security[("get", "/v1/account")] == [{"sessionToken": []}]
    assert {"pendingToken": []} in security[("post", "/v1/account/email")]
    assert security[("post", "/v1/signups")] is None and security[("post", "/v1/sessions")] is None


def test_tags_follow_the_journey_and_every_operation_has_one(document):
    names = [tag["name"] for tag in document["tags"]]
    assert names == sorted(names) and len(names) == 6  # numbered in journey order
    assert names[0].endswith("carte Vitale et IBAN") and names[-1].endswith("Exploitation")
    for _, path, operation in operations(document):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in names, path


def test_no_operation_lists_a_422_it_cannot_answer(document):
    for method, path in [("get", "/v1/terms"), ("get", "/v1/health"), ("delete", "/v1/sessions/current"),
                         ("get", "/v1/account"), ("get", "/v1/signups/{signup_id}"), ("get", "/v1/franceconnect/callback")]:
        assert "422" not in document["paths"][path][method]["responses"], path
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_proof_documents_its_mismatch_with_attempts_left_and_its_lock_with_retry_after(document):
    proof = ("post", "/v1/signups/{signup_id}/proof")
    assert codes(document, *proof, 422) == {"INVALID_REQUEST", "PROOF_MISMATCH"}
    assert codes(document, *proof, 429) == {"TOO_MANY_ATTEMPTS"}
    assert codes(document, *proof, 409) == {"STEP_NOT_ALLOWED", "ACCOUNT_ALREADY_EXISTS"}
    mismatch = {"type": "x", "title": "x", "status": 422, "code": "PROOF_MISMATCH", "detail": "x"}
    with pytest.raises(jsonschema.ValidationError):  # attempts_left is part of every PROOF_MISMATCH
        jsonschema.validate(mismatch, problem_schema(document, *proof, 422))
    jsonschema.validate({**mismatch, "attempts_left": 2}, problem_schema(document, *proof, 422))
    locked = document["paths"]["/v1/signups/{signup_id}/proof"]["post"]["responses"]["429"]
    assert "Retry-After" in locked["headers"]
    assert locked["content"]["application/problem+json"]["schema"]["required"] == ["retry_after"]


def test_login_and_links_document_their_extra_members(document):
    login = document["paths"]["/v1/sessions"]["post"]["responses"]
    pending = login["403"]["content"]["application/problem+json"]["examples"]
    assert set(pending) == {"EMAIL_CONFIRMATION_PENDING", "LINK_EXPIRED", "EMAIL_REQUIRED"}
    assert all("pending_token" in example["value"] for example in pending.values())
    assert pending["LINK_EXPIRED"]["value"]["resend_options"] == ["same_address", "other_address"]
    assert codes(document, "post", "/v1/sessions", 429) == {"ACCOUNT_LOCKED"}
    expired = document["paths"]["/v1/email-confirmations"]["post"]["responses"]["410"]
    assert "resend_options" in str(expired["content"]["application/problem+json"]["schema"])
    steps = codes(document, "post", "/v1/signups/{signup_id}/terms", 409)
    assert steps == {"STEP_NOT_ALLOWED", "TERMS_VERSION_OUTDATED"}


def test_every_body_taking_operation_documents_the_unreadable_body_answers(document):
    for _, path, operation in operations(document):
        if "requestBody" in operation:
            assert {"413", "415", "422"} <= set(operation["responses"]), path


def test_every_example_matches_its_own_schema(document):
    checked = 0
    for method, path, operation in operations(document):
        for status, answer in operation["responses"].items():
            problem = answer.get("content", {}).get("application/problem+json")
            if not problem:
                continue
            for code, example in problem["examples"].items():
                assert example["value"]["code"] == code and example["value"]["status"] == int(status)
                jsonschema.validate(example["value"], problem_schema(document, method, path, status))
                checked += 1
    assert checked > 50
