"""What must never leak (journey.md section 6) and what must hold under concurrency."""

import threading

import pytest

from tests.functional.conftest import VENTURI_IDENTITY, VENTURI_PROOF
from tests.people import PASSWORD

BERNARD_IDENTITY = {"last_name": "Bernard", "nir": "1 85 03 69 123 045", "birth_date": "1985-03-10",
                    "postal_code": "33000"}


def _tails(nir: str) -> dict:
    import json

    from local.config import DEFAULT_FIXTURES

    person = next(b for b in json.loads(DEFAULT_FIXTURES.read_text())["beneficiaries"] if b["nir"] == nir)
    return {"iban_last7": person["iban"][-7:], "carte_vitale_serial_last11": person["carte_vitale"]["serial"][-11:]}


def test_a_whole_journey_logs_no_personal_data_nor_secret(api, logs):
    email, phone, wrong_password = "paul.venturi@example.fr", "06 12 34 56 78", "Faux-Code-99"
    refused = api.post("/v1/signups", {**VENTURI_IDENTITY, "birth_date": "1963-12-18"})  # inconsistent date
    assert refused.status == 422
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    base, token = f"/v1/signups/{started['signup_id']}", started["signup_token"]
    assert api.post(f"{base}/proof", {"iban_last7": "4242ZZ9", "carte_vitale_serial_last11": "04671322630"},
                    token).status == 422
    assert api.post(f"{base}/proof", VENTURI_PROOF, token).status == 200
    assert api.post(f"{base}/terms", {"accepted": True, "version": "2020-04"}, token).status == 200
    api.post(f"{base}/password/check", {"password": PASSWORD}, token)
    assert api.post(f"{base}/password", {"password": "Abc162122B0", "password_confirmation": "x"}, token).status == 422
    assert api.post(f"{base}/password", {"password": PASSWORD, "password_confirmation": PASSWORD}, token).status == 200
    assert api.give_contact(started["signup_id"], token, email, mobile_phone=phone, email_confirmation="x@y.fr").status == 422
    assert api.give_contact(started["signup_id"], token, email, mobile_phone=phone).status == 201
    link_token = api.last_link_token()
    pending = api.post("/v1/sessions", {"nir": VENTURI_IDENTITY["nir"], "password": PASSWORD}).body
    assert api.post("/v1/email-confirmations", {"token": link_token}).status == 200
    assert api.post("/v1/sessions", {"nir": VENTURI_IDENTITY["nir"], "password": wrong_password}).status == 401
    session = api.post("/v1/sessions", {"nir": "162122B010001", "password": PASSWORD}).body["session_token"]
    assert api.get("/v1/account", session).status == 200
    assert api.call("DELETE", "/v1/sessions/current", token=session).status == 204

    logged = logs.readouterr()
    everything = (logged.out + logged.err).lower()
    assert "signupstarted" in everything and "correlation_id" in everything  # the logs were captured
    secrets = {
        "NIR": ["162122B010001", "1 62 12 2B 010 001", "162122b0100", "62122B01"],
        "IBAN": ["FR7630004000031234567890143", "7890143", "4242ZZ9"],
        "card serial": ["802500000204671322630", "04671322630"],
        "password": [PASSWORD, "Abc162122B0", wrong_password],
        "tokens": [token, link_token, pending["pending_token"], session],
        "email": [email, "paul.venturi", "x@y.fr"],
        "phone": ["0612345678", "+33612345678", phone, "612345678"],
    }
    for kind, values in secrets.items():
        for value in values:
            assert value.lower() not in everything, f"the {kind} leaked into the logs"


def test_error_bodies_never_echo_what_was_typed(api):
    answer = api.post("/v1/signups", {"last_name": "Zorglub" * 40, "nir": "7 62 12 2B 010 001",
                                      "birth_date": "2090-01-01", "postal_code": "ABCDE"})
    assert answer.status == 422
    for typed in ("Zorglub", "762122B010001", "7 62 12", "2090", "ABCDE"):
        assert typed.lower() not in answer.raw.decode().lower()


def test_two_signups_giving_the_same_email_at_once_make_exactly_one_owner(api):
    from ameli.bootstrap import container
    from ameli.domain.errors import EmailAlreadyUsed
    from tests import values

    services = container()
    signups = []
    for identity, proof in ((VENTURI_IDENTITY, VENTURI_PROOF), (BERNARD_IDENTITY, _tails("1850369123045"))):
        signup_id, token = api.signup_until_contact(identity, proof)
        signups.append(services.signup_steps.authenticate(signup_id, token))
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def give(signup):
        form = values.contact("meme.adresse@example.fr")
        start.wait()
        try:
            services.contact_step.give_contact(signup, form)
            outcomes.append("owner")
        except EmailAlreadyUsed:
            outcomes.append("EMAIL_ALREADY_USED")

    threads = [threading.Thread(target=give, args=(signup,)) for signup in signups]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["EMAIL_ALREADY_USED", "owner"]
    assert len(api.mailbox()) == 1


@pytest.mark.parametrize("step", ["terms", "password"])
def test_a_step_submitted_twice_at_once_moves_the_signup_once(api, step):
    from ameli.bootstrap import container
    from ameli.domain.errors import StepNotAllowed

    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    api.post(f"/v1/signups/{started['signup_id']}/proof", VENTURI_PROOF, started["signup_token"])
    services = container()
    if step == "password":
        api.post(f"/v1/signups/{started['signup_id']}/terms", {"accepted": True, "version": "2020-04"},
                 started["signup_token"])
    signup = services.signup_steps.authenticate(started["signup_id"], started["signup_token"])
    start = threading.Barrier(2)
    outcomes = []

    def submit():
        start.wait()
        try:
            if step == "terms":
                services.signup_steps.answer_terms(signup, accepted=True, version="2020-04")
            else:
                services.signup_steps.choose_password(signup, password=PASSWORD, confirmation=PASSWORD)
            outcomes.append("done")
        except StepNotAllowed:
            outcomes.append("STEP_NOT_ALLOWED")

    threads = [threading.Thread(target=submit) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["STEP_NOT_ALLOWED", "done"]
