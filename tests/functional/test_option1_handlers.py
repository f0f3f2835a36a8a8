"""Each Option 1 handler through API Gateway events, on moto tables built from template.yaml."""

import boto3

from ameli.adapters import keys
from ameli.domain.password_policy import MIN_STRENGTH
from tests.functional.conftest import VENTURI_IDENTITY, VENTURI_PROOF
from tests.people import PASSWORD


def test_start_answers_201_with_proof_display_and_stores_only_a_token_hash(api):
    answer = api.post("/v1/signups", VENTURI_IDENTITY)
    assert answer.status == 201
    assert answer.body["next_step"] == "proof"
    assert answer.body["proof"] == {"iban_masked": "FR76 3000 4*** **** **** *** ****",
                                    "carte_vitale_serial_prefix": "8025000002"}
    assert answer.headers["Cache-Control"] == "no-store"
    table = api.stack.resources.tables["SignupsTable"]
    item = boto3.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": keys.signup_key(answer.body["signup_id"])}})
    stored = str(item["Item"])
    assert answer.body["signup_token"] not in stored and item["Item"]["token_hash"]["S"]


def test_invalid_fields_answer_422_in_french_without_echoing_values(api):
    answer = api.post("/v1/signups", {"last_name": "x", "nir": "1 62 12 2B 010 001 99", "birth_date": "1990-02-31",
                                      "postal_code": "63000"})
    assert answer.status == 422 and answer.headers["Content-Type"] == "application/problem+json"
    assert answer.body["code"] == "INVALID_REQUEST"
    assert {(e["field"], e["code"]) for e in answer.body["errors"]} == {("nir", "INVALID_KEY"),
                                                                        ("birth_date", "INVALID_DATE")}
    assert b"1990-02-31" not in answer.raw and b"010 001 99" not in answer.raw


def test_missing_fields_and_malformed_json_answer_422(api):
    missing = api.post("/v1/signups", {"nir": "1 62 12 2B 010 001"})
    assert missing.status == 422
    assert {e["field"] for e in missing.body["errors"]} == {"last_name", "birth_date", "postal_code"}
    assert all(e["code"] == "REQUIRED" for e in missing.body["errors"])
    broken = api.call("POST", "/v1/signups", data="{not json", content_type="application/json")
    assert broken.status == 422 and broken.body["code"] == "INVALID_REQUEST"


def test_the_whole_option1_signup_creates_a_pending_account_sends_the_email_and_starts_the_workflow(api):
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    signup_id, token = started["signup_id"], started["signup_token"]
    base = f"/v1/signups/{signup_id}"
    proved = api.post(f"{base}/proof", VENTURI_PROOF, token).body
    terms = proved.pop("terms")  # what the terms step shows: no GET /v1/terms on the way
    assert proved == {"next_step": "terms", "expires_at": started["expires_at"]}
    assert terms["version"] == "2020-04" and "courrier" in terms["text"]
    assert api.post(f"{base}/terms", {"accepted": True, "version": terms["version"]}, token).body["next_step"] == "password"
    check = api.post(f"{base}/password/check", {"password": "Azerty123"}, token).body
    assert check["valid"] is False and check["violations"] == ["TOO_WEAK"]
    assert isinstance(check["strength"], int) and 0 <= check["strength"] < MIN_STRENGTH
    assert api.post(f"{base}/password", {"password": PASSWORD, "password_confirmation": PASSWORD}, token).status == 200
    assert api.get(base, token).body["next_step"] == "contact"
    created = api.give_contact(signup_id, token, "paul.venturi@example.fr", mobile_phone="06 12 34 56 78",
                               mobile_marketing_sms_consent=True, landline_phone="0590 12 34 56")
    assert created.status == 201, created.body
    assert created.body["status"] == "pending_email_confirmation"
    assert created.body["email_masked"] == "p***@example.fr"
    # The signup session is over.
    assert api.get(base, token).status == 401
    [message] = api.mailbox()
    assert message["to"] == ["paul.venturi@example.fr"] and message["subject"] == "Activez votre compte ameli"
    assert "/activation#token=" in message["text"] and "Activer mon compte" in message["html"]
    [execution] = api.executions()
    assert execution["status"] == "RUNNING" and execution["name"].endswith("-1")


def test_proof_failures_are_counted_per_nir_across_signups(api):
    wrong = {"iban_last7": "0000000", "carte_vitale_serial_last11": "04671322630"}
    lefts = []
    for _ in range(2):
        started = api.post("/v1/signups", VENTURI_IDENTITY).body
        answer = api.post(f"/v1/signups/{started['signup_id']}/proof", wrong, started["signup_token"])
        assert answer.status == 422 and answer.body["code"] == "PROOF_MISMATCH"
        lefts.append(answer.body["attempts_left"])
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    third = api.post(f"/v1/signups/{started['signup_id']}/proof", wrong, started["signup_token"])
    assert lefts == [2, 1] and third.status == 429 and third.body["retry_after"] == 86400
    assert third.headers["Retry-After"] == "86400"
    fourth = api.post(f"/v1/signups/{started['signup_id']}/proof", VENTURI_PROOF, started["signup_token"])
    assert fourth.status == 429


def test_signup_token_is_required_and_checked(api):
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    base = f"/v1/signups/{started['signup_id']}"
    assert api.post(f"{base}/proof", VENTURI_PROOF).body["code"] == "SIGNUP_SESSION_INVALID"
    assert api.post(f"{base}/proof", VENTURI_PROOF, "forged").status == 401
    assert api.post("/v1/signups/not-a-uuid/proof", VENTURI_PROOF, started["signup_token"]).status == 401


def test_steps_out_of_order_answer_409_with_the_next_step(api):
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    answer = api.post(f"/v1/signups/{started['signup_id']}/password",
                      {"password": PASSWORD, "password_confirmation": PASSWORD}, started["signup_token"])
    assert answer.status == 409 and answer.body["code"] == "STEP_NOT_ALLOWED" and answer.body["next_step"] == "proof"


def test_cancel_deletes_the_signup(api):
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    base = f"/v1/signups/{started['signup_id']}"
    assert api.call("DELETE", base, token=started["signup_token"]).status == 204
    assert api.get(base, started["signup_token"]).status == 401


def test_email_already_used_by_another_account_is_refused(api):
    api.sign_up("famille@example.fr")
    signup_id, token = api.signup_until_contact(
        {"last_name": "Bernard", "nir": "1 85 03 69 123 045", "birth_date": "1985-03-10", "postal_code": "33000"},
        {"iban_last7": _iban_tail("1850369123045"), "carte_vitale_serial_last11": _serial_tail("1850369123045")},
    )
    answer = api.give_contact(signup_id, token, "Famille@EXAMPLE.fr")
    assert answer.status == 409 and answer.body["code"] == "EMAIL_ALREADY_USED"


def test_existing_account_is_revealed_only_after_the_proof(api):
    api.sign_up()
    started = api.post("/v1/signups", VENTURI_IDENTITY)
    assert started.status == 201
    answer = api.post(f"/v1/signups/{started.body['signup_id']}/proof", VENTURI_PROOF, started.body["signup_token"])
    assert answer.status == 409 and answer.body["code"] == "ACCOUNT_ALREADY_EXISTS"


def test_cors_allows_only_the_web_origin(api):
    """The function's CORS headers, on a request that needs no preflight. A preflight (OPTIONS) never reaches
    a function: the REST API declares no OPTIONS method, so API Gateway answers it itself (the local gateway
    too: the template's MISSING_AUTHENTICATION_TOKEN response, a 404)."""
    origin = api.stack.origin
    allowed = api.call("POST", "/v1/signups", {}, headers={"Origin": origin})
    assert allowed.headers.get("Access-Control-Allow-Origin") == origin
    other = api.call("POST", "/v1/signups", {}, headers={"Origin": "https://evil.example"})
    assert other.headers.get("Access-Control-Allow-Origin") != "https://evil.example"
    preflight = api.call("OPTIONS", "/v1/signups", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status == 404 and "Access-Control-Allow-Origin" not in preflight.headers


def _beneficiary(nir: str) -> dict:
    import json

    from local.config import DEFAULT_FIXTURES

    return next(b for b in json.loads(DEFAULT_FIXTURES.read_text())["beneficiaries"] if b["nir"] == nir)


def _iban_tail(nir: str) -> str:
    return _beneficiary(nir)["iban"][-7:]


def _serial_tail(nir: str) -> str:
    return _beneficiary(nir)["carte_vitale"]["serial"][-11:]


def test_a_contact_retry_after_a_lost_answer_gets_the_same_answer_and_sends_nothing_more(api):
    signup_id, token = api.signup_until_contact()
    first = api.give_contact(signup_id, token, "paul.venturi@example.fr")
    again = api.give_contact(signup_id, token, "paul.venturi@example.fr")
    assert first.status == again.status == 201 and first.body == again.body
    assert len(api.mailbox()) == 1 and len(api.executions()) == 1
    other = api.give_contact(signup_id, token, "autre@example.fr")
    assert other.status == 409 and other.body["code"] == "STEP_NOT_ALLOWED"
    assert api.give_contact(signup_id, "another-token", "paul.venturi@example.fr").status == 401


def test_a_refused_contact_can_be_corrected_and_sent_again(api):
    signup_id, token = api.signup_until_contact()
    refused = api.give_contact(signup_id, token, "paul.venturi@example.fr", mobile_phone="01 23 45 67 89")
    assert refused.status == 422
    assert api.give_contact(signup_id, token, "paul.venturi@example.fr", mobile_phone="06 12 34 56 78").status == 201
