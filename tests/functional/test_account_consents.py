"""PATCH /v1/account/consents through the real handler and DynamoDB (moto), routed by template.yaml."""

import threading

from tests.functional.conftest import VENTURI_IDENTITY
from tests.people import PASSWORD


def active_session(api) -> str:
    api.sign_up()
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).status == 200
    return api.post("/v1/sessions", {"nir": VENTURI_IDENTITY["nir"], "password": PASSWORD}).body["session_token"]


def patch(api, body, token):
    return api.call("PATCH", "/v1/account/consents", body, token)


def test_a_consent_changed_from_the_account_is_stored_with_time_and_wording(api):
    session = active_session(api)
    before = api.get("/v1/account", session).body["consents"]["email_marketing"]
    changed = patch(api, {"email_marketing": True}, session)
    assert changed.status == 200, changed.body
    consent = changed.body["consents"]["email_marketing"]
    assert consent["given"] is True and consent["wording_version"] == "2020-04" and consent["at"] >= before["at"]
    assert api.get("/v1/account", session).body["consents"]["email_marketing"] == consent


def test_refusals_are_french_problems(api):
    session = active_session(api)
    no_phone = patch(api, {"mobile_marketing_sms": True}, session)
    assert no_phone.status == 422
    assert [(e["field"], e["code"]) for e in no_phone.body["errors"]] == [("mobile_marketing_sms", "PHONE_MISSING")]
    assert patch(api, {}, session).status == 422
    assert patch(api, {"email_marketing": True}, "wrong").body["code"] == "AUTHENTICATION_REQUIRED"
    assert patch(api, {"email_marketing": True}, None).status == 401


def test_a_pending_account_cannot_change_them_with_its_pending_token(api):
    api.sign_up()
    pending = api.post("/v1/sessions", {"nir": VENTURI_IDENTITY["nir"], "password": PASSWORD}).body["pending_token"]
    assert patch(api, {"email_marketing": True}, pending).status == 401


def test_two_changes_at_once_both_stay(api):
    signup_id, token = api.signup_until_contact()
    assert api.give_contact(signup_id, token, "paul.venturi@example.fr", mobile_phone="06 12 34 56 78",
                            landline_phone="01 23 45 67 89").status == 201
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).status == 200
    session = api.post("/v1/sessions", {"nir": VENTURI_IDENTITY["nir"], "password": PASSWORD}).body["session_token"]
    choices = [{"email_marketing": True}, {"mobile_marketing_call": True}, {"mobile_marketing_sms": True},
               {"landline_marketing_call": True}]
    answers = []
    barrier = threading.Barrier(len(choices))

    def change(body):
        barrier.wait()
        answers.append(patch(api, body, session).status)

    threads = [threading.Thread(target=change, args=(body,)) for body in choices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    consents = api.get("/v1/account", session).body["consents"]
    assert {name: c["given"] for name, c in consents.items()} == {
        "email_marketing": True, "mobile_marketing_call": True, "mobile_marketing_sms": True,
        "landline_marketing_call": True}
