"""The email typo trap through the real handlers (issue 13, item 1): the end screen shows the full
address and can correct it while the link is unused; the pending login offers both the same and
another address."""


from tests.functional.conftest import VENTURI_IDENTITY
from tests.people import PASSWORD

TYPO, RIGHT = "paul.venturi@exmaple.fr", "paul.venturi@example.fr"


def correct(api, token, address=RIGHT):
    return api.post("/v1/account/email", {"email": address, "email_confirmation": address}, token)


def test_the_end_screen_gets_the_full_address_and_corrects_it_without_the_password(api, logs):
    signup_id, signup_token = api.signup_until_contact()
    created = api.give_contact(signup_id, signup_token, TYPO)
    assert created.status == 201
    assert created.body["email"] == TYPO and created.body["email_masked"] == "p***@exmaple.fr"
    correction = created.body["correction_token"]
    assert correction and created.body["correction_expires_at"] and correction != signup_token
    typo_link = api.last_link_token()

    corrected = correct(api, correction)
    assert corrected.status == 202 and corrected.body["email_masked"] == "p***@example.fr"
    assert api.mailbox()[-1]["to"] == [RIGHT]
    assert api.post("/v1/email-confirmations", {"token": typo_link}).body["code"] == "LINK_INVALID"
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).body == {"status": "active"}
    # The link has served: the right ends with it.
    assert correct(api, correction, "autre@example.fr").body["code"] == "ACCOUNT_ALREADY_ACTIVE"

    logged = logs.readouterr()
    everything = logged.out + logged.err
    assert "correlation_id" in everything
    for secret in (TYPO, RIGHT, "paul.venturi", correction, signup_token, typo_link):
        assert secret not in everything


def test_a_replayed_contact_answer_carries_the_same_address_and_right(api):
    signup_id, signup_token = api.signup_until_contact()
    first = api.give_contact(signup_id, signup_token, TYPO)
    again = api.give_contact(signup_id, signup_token, TYPO)
    assert again.status == 201 and again.body == first.body
    assert correct(api, again.body["correction_token"]).status == 202


def test_the_replay_store_keeps_neither_the_address_nor_the_right(api):
    import boto3

    signup_id, signup_token = api.signup_until_contact()
    created = api.give_contact(signup_id, signup_token, TYPO).body
    table = api.stack.resources.tables["IdempotencyTable"]
    stored = str(boto3.client("dynamodb").scan(TableName=table)["Items"])
    assert "pending_email_confirmation" in stored  # the answer is there...
    assert TYPO not in stored and created["correction_token"] not in stored  # ...without these


def test_the_right_is_no_session_and_no_signup_token(api):
    signup_id, signup_token = api.signup_until_contact()
    correction = api.give_contact(signup_id, signup_token, TYPO).body["correction_token"]
    assert api.get("/v1/account", correction).status == 401
    assert correct(api, signup_token).status == 401  # the signup token is dead, also for this


def test_the_pending_login_may_resend_to_the_same_address_or_to_another(api):
    api.sign_up(TYPO)
    login = {"nir": VENTURI_IDENTITY["nir"], "password": PASSWORD}
    pending = api.post("/v1/sessions", login).body
    assert pending["code"] == "EMAIL_CONFIRMATION_PENDING" and pending["email_masked"] == "p***@exmaple.fr"
    same = api.post("/v1/account/email", {}, pending["pending_token"])
    assert same.status == 202 and api.mailbox()[-1]["to"] == [TYPO]
    other = correct(api, pending["pending_token"])
    assert other.status == 202 and api.mailbox()[-1]["to"] == [RIGHT]
    assert api.post("/v1/email-confirmations", {"token": api.last_link_token()}).body == {"status": "active"}
