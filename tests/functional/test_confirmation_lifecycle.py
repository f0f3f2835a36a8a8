"""Every row of journey.md section 3, through the real state machine on moto (links valid 3 s,
addresses kept 9 s), plus the races around the deadlines."""

import threading
import time
from datetime import timedelta

import boto3

from ameli.adapters import keys
from ameli.domain.account import AccountState
from tests.functional.conftest import VENTURI_IDENTITY
from tests.people import PASSWORD

NIR = VENTURI_IDENTITY["nir"]
RETENTION_AFTER_EXPIRY = 6  # PT9S - PT3S


def sleep_until(deadline: str, margin: float = 0.7, after: float = 0) -> None:
    """Sleeps until `margin` seconds past an RFC 3339 deadline given by the API (plus `after`)."""
    from ameli.clock import from_rfc3339

    time.sleep(max(0.0, from_rfc3339(deadline).timestamp() + after + margin - time.time()))


def wait_for_status(api, status: str, timeout: float = 15) -> dict:
    """The account item once its status is `status` (the workflow writes it on its own thread)."""
    deadline = time.monotonic() + timeout
    while (item := account_item(api))["status"]["S"] != status:
        assert time.monotonic() < deadline, f"the account stayed {item['status']['S']}, never {status}"
        time.sleep(0.05)
    return item


def wait_for_end(api, name_suffix: str, timeout: float = 20) -> dict:
    """The execution once it is no longer running, whichever way it ended."""
    deadline = time.monotonic() + timeout
    while (execution := next(e for e in api.executions() if e["name"].endswith(name_suffix)))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"execution *{name_suffix} still running"
        time.sleep(0.05)
    return execution


def login(api, password=PASSWORD):
    return api.post("/v1/sessions", {"nir": NIR, "password": password})


def account_item(api) -> dict:
    table = api.stack.resources.tables["AccountsTable"]
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]  # a test looking inside, not a request path
    return next(item for item in items if item["pk"]["S"].startswith(keys.account_key("")))


def email_claims(api) -> list[dict]:
    table = api.stack.resources.tables["AccountsTable"]
    return [i for i in boto3.client("dynamodb").scan(TableName=table)["Items"] if i["pk"]["S"].startswith(keys.email_claim_key(""))]


def test_confirming_within_the_validity_activates_and_costs_one_transition(short_api):
    token_deadline = short_api.sign_up().body["link_expires_at"]
    short_api.wait_until_running("-1")
    assert login(short_api).body["code"] == "EMAIL_CONFIRMATION_PENDING"
    token = short_api.last_link_token()
    assert short_api.post("/v1/email-confirmations", {"token": token}).body == {"status": "active"}
    execution = short_api.wait_for_execution("-1", status="ABORTED")
    assert short_api.transitions(execution["executionArn"]) == 1  # the wait: nothing records the delivery
    # A second click on the link of an active account is not an error.
    assert short_api.post("/v1/email-confirmations", {"token": token}).body == {"status": "active"}
    session = login(short_api)
    assert session.status == 201
    account = short_api.get("/v1/account", session.body["session_token"])
    assert account.body["status"] == "active" and account.body["email"] == "paul.venturi@example.fr"
    sleep_until(token_deadline, after=RETENTION_AFTER_EXPIRY)  # the stopped workflow changed nothing
    assert login(short_api).status == 201
    assert account_item(short_api)["status"]["S"] == keys.STATUS_ACTIVE


def test_link_expires_then_resend_to_the_same_address_and_confirm(short_api):
    short_api.sign_up()
    old = short_api.last_link_token()
    short_api.wait_until_running("-1")
    wait_for_status(short_api, keys.STATUS_LINK_EXPIRED)  # the workflow's doing, at the deadline
    expired = short_api.post("/v1/email-confirmations", {"token": old})
    assert expired.status == 410 and expired.body["code"] == "LINK_EXPIRED"
    assert expired.body["resend_options"] == ["same_address", "other_address"]
    pending = login(short_api)
    assert pending.status == 403 and pending.body["code"] == "LINK_EXPIRED" and pending.body["pending_token"]
    resent = short_api.post("/v1/email-confirmations/resend", {"token": old})
    assert resent.status == 202 and resent.body["email_masked"] == "p***@example.fr"
    assert short_api.post("/v1/email-confirmations", {"token": old}).body["code"] == "LINK_INVALID"
    assert short_api.post("/v1/email-confirmations", {"token": short_api.last_link_token()}).body == {"status": "active"}
    short_api.wait_for_execution("-1", status="ABORTED")  # the first link's workflow was stopped by the resend
    assert login(short_api).status == 201


def test_link_expires_then_send_to_another_address_with_the_password(short_api):
    deadline = short_api.sign_up().body["link_expires_at"]
    old = short_api.last_link_token()
    sleep_until(deadline)
    other = {"token": old, "new_email": "paul.autre@example.fr", "new_email_confirmation": "paul.autre@example.fr"}
    assert short_api.post("/v1/email-confirmations/resend", {**other, "password": "Faux-code1"}).status == 401
    assert short_api.post("/v1/email-confirmations/resend", other).status == 401
    sent = short_api.post("/v1/email-confirmations/resend", {**other, "password": PASSWORD})
    assert sent.status == 202, sent.body
    assert short_api.mailbox()[-1]["to"] == ["paul.autre@example.fr"]
    assert short_api.post("/v1/email-confirmations", {"token": short_api.last_link_token()}).status == 200
    session = login(short_api).body["session_token"]
    assert short_api.get("/v1/account", session).body["email"] == "paul.autre@example.fr"
    assert len(email_claims(short_api)) == 1  # the old address is free again


def test_after_retention_the_address_is_deleted_and_a_new_one_is_asked_at_login(short_api):
    short_api.sign_up()
    old = short_api.last_link_token()
    short_api.wait_for_execution("-1", status="SUCCEEDED", timeout=15)
    item = account_item(short_api)
    assert item["status"]["S"] == keys.STATUS_EMAIL_REQUIRED and "email" not in item and "link" not in item
    assert email_claims(short_api) == []  # uniqueness released
    assert item["password_hash"]["S"] and item["consents"]["M"]  # the account itself is kept
    deleted = short_api.post("/v1/email-confirmations", {"token": old})
    assert deleted.status == 410 and deleted.body["code"] == "PENDING_EMAIL_DELETED"
    required = login(short_api)
    assert required.status == 403 and required.body["code"] == "EMAIL_REQUIRED" and "email_masked" not in required.body
    pending_token = required.body["pending_token"]
    no_email = short_api.post("/v1/account/email", {}, pending_token)
    assert no_email.status == 422 and no_email.body["errors"][0]["code"] == "REQUIRED"
    given = short_api.post("/v1/account/email", {"email": "nouvelle@example.fr", "email_confirmation": "nouvelle@example.fr"},
                           pending_token)
    assert given.status == 202, given.body
    assert short_api.post("/v1/email-confirmations", {"token": short_api.last_link_token()}).status == 200
    assert login(short_api).status == 201


def test_new_address_read_before_the_deletion_and_saved_after_it_sends_its_link(short_api, monkeypatch):
    """The new address asked after a login while the link is expired, the 21-day deletion landing between
    the request's read and its write (forced: held after its read until the real workflow stored the
    deletion): the documented 202, the new address and its claim kept, the released one not needed."""
    from ameli.bootstrap import container

    short_api.sign_up()
    short_api.wait_until_running("-1")
    wait_for_status(short_api, keys.STATUS_LINK_EXPIRED)
    expired = login(short_api)
    assert expired.status == 403 and expired.body["code"] == "LINK_EXPIRED"
    accounts = container().account_repository
    get_account = accounts.get_account

    def read_before_the_deletion(nir_hash):
        read = get_account(nir_hash)
        assert read is not None and read.status is AccountState.LINK_EXPIRED
        wait_for_status(short_api, keys.STATUS_EMAIL_REQUIRED)  # the workflow's transaction, address and claim
        return read

    new = {"email": "nouvelle@example.fr", "email_confirmation": "nouvelle@example.fr"}
    with monkeypatch.context() as patched:  # this request only
        patched.setattr(accounts, "get_account", read_before_the_deletion)
        given = short_api.post("/v1/account/email", new, expired.body["pending_token"])
    assert given.status == 202, given.body
    assert given.body["email_masked"] == "n***@example.fr"
    assert short_api.wait_for_execution("-1", status="SUCCEEDED")  # it ended by the deletion, before the write
    item = account_item(short_api)
    assert (item["status"]["S"], item["email"]["S"], item["link"]["M"]["number"]["N"]) == \
        (keys.STATUS_PENDING, "nouvelle@example.fr", "2")
    assert [claim["owner"]["S"] for claim in email_claims(short_api)] == [item["pk"]["S"]]  # the new one only
    assert short_api.mailbox()[-1]["to"] == ["nouvelle@example.fr"]
    assert short_api.post("/v1/email-confirmations", {"token": short_api.last_link_token()}).status == 200


def test_pending_login_can_resend_to_the_pending_address(short_api):
    short_api.sign_up()
    pending = login(short_api).body
    assert pending["code"] == "EMAIL_CONFIRMATION_PENDING" and pending["email_masked"] == "p***@example.fr"
    resent = short_api.post("/v1/account/email", {}, pending["pending_token"])
    assert resent.status == 202 and len(short_api.mailbox()) == 2
    assert short_api.get("/v1/account", pending["pending_token"]).status == 401


def test_two_confirmations_at_once_both_succeed_and_activate_once(api):
    api.sign_up()
    api.wait_until_running("-1")
    token = api.last_link_token()
    from ameli.bootstrap import container

    activation = container().activation
    outcomes = []

    def confirm():
        try:
            activation.confirm(token)
            outcomes.append("active")
        except Exception as error:  # noqa: BLE001 - the test reports whatever happened
            outcomes.append(repr(error))

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert outcomes == ["active", "active"]
    assert account_item(api)["status"]["S"] == keys.STATUS_ACTIVE


def test_confirmation_just_after_the_deadline_is_refused_even_before_the_workflow_runs(api):
    from ameli.bootstrap import container
    from ameli.clock import from_rfc3339

    deadline = from_rfc3339(api.sign_up().body["link_expires_at"])
    token = api.last_link_token()
    services = container()
    services.clock.now = lambda: deadline  # the workflow (7 days away) has not run: the read checks time
    try:
        refused = api.post("/v1/email-confirmations", {"token": token})
    finally:
        del services.clock.now
    assert refused.status == 410 and refused.body["code"] == "LINK_EXPIRED"
    assert account_item(api)["status"]["S"] == keys.STATUS_PENDING


def test_resend_racing_the_expiry_leaves_one_current_link(short_api):
    """The resend at the first link's deadline, while the workflow stores the expiry on its own thread:
    whichever write comes first, link 2 is sent and stays current, and the first workflow ends without
    touching it (stopped by the resend, or its expiry refused for a link no longer current)."""
    deadline = short_api.sign_up().body["link_expires_at"]
    old = short_api.last_link_token()
    short_api.wait_until_running("-1")
    sleep_until(deadline, margin=0)  # the resend lands right at the first link's deadline, with the workflow's update
    resent = short_api.post("/v1/email-confirmations/resend", {"token": old})
    assert resent.status == 202, resent.body
    assert wait_for_end(short_api, "-1")["status"] in ("ABORTED", "SUCCEEDED")  # SUCCEEDED: by LinkNoLongerCurrent
    item = account_item(short_api)
    assert item["link"]["M"]["number"]["N"] == "2" and item["status"]["S"] == keys.STATUS_PENDING
    assert item["next_deadline"]["S"] == resent.body["link_expires_at"]
    assert short_api.post("/v1/email-confirmations", {"token": short_api.last_link_token()}).status == 200


def test_resend_read_before_the_expiry_and_saved_after_it_still_sends_a_new_link(short_api, monkeypatch):
    """The interleaving the race above can fall on, forced: the resend reads the account pending, the
    workflow (its own thread, at the deadline) stores the expiry, then the resend saves its link."""
    from ameli.bootstrap import container

    short_api.sign_up()
    old = short_api.last_link_token()
    short_api.wait_until_running("-1")
    accounts = container().account_repository
    find_by_link = accounts.find_by_link

    def read_before_the_expiry(token_hash):
        found = find_by_link(token_hash)
        assert found is not None and found[0].status is AccountState.PENDING_EMAIL_CONFIRMATION
        wait_for_status(short_api, keys.STATUS_LINK_EXPIRED)  # then the resend decides and saves its link
        return found

    with monkeypatch.context() as patched:  # this request only
        patched.setattr(accounts, "find_by_link", read_before_the_expiry)
        resent = short_api.post("/v1/email-confirmations/resend", {"token": old})
    assert resent.status == 202, resent.body
    short_api.wait_for_execution("-1", status="ABORTED")
    item = account_item(short_api)
    assert item["link"]["M"]["number"]["N"] == "2" and item["status"]["S"] == keys.STATUS_PENDING
    assert short_api.post("/v1/email-confirmations", {"token": short_api.last_link_token()}).status == 200


def test_safety_net_applies_a_deadline_whose_workflow_never_ran(short_api):
    deadline = short_api.sign_up().body["link_expires_at"]
    short_api.wait_until_running("-1")
    [execution] = short_api.executions()
    boto3.client("stepfunctions").stop_execution(executionArn=execution["executionArn"])  # as if it had failed
    from ameli.bootstrap import container

    safety_net = container().safety_net
    assert safety_net.catch_up_overdue_links(grace=timedelta(0)) == 0  # nothing is due yet
    sleep_until(deadline)
    assert account_item(short_api)["status"]["S"] == keys.STATUS_PENDING  # nobody applied it
    assert safety_net.catch_up_overdue_links(grace=timedelta(0)) == 1
    short_api.wait_for_execution("-1", status="ABORTED")
    catch_up = next(e for e in short_api.executions() if "-catchup-" in e["name"])
    short_api.wait_for_execution(catch_up["name"], status="SUCCEEDED", timeout=15)
    assert account_item(short_api)["status"]["S"] == keys.STATUS_EMAIL_REQUIRED
    assert email_claims(short_api) == []


def test_step_functions_failing_after_ses_leaves_the_deadlines_to_the_safety_net(short_api, monkeypatch):
    """Nobody retrying after the 503, no workflow runs and nothing more is written: the link passes its
    deadline without effect, and the safety net applies it (then its workflow, the retention's)."""
    from ameli.bootstrap import container
    from tests.functional.test_dependency_faults import failing

    signup_id, token = short_api.signup_until_contact()
    with failing(monkeypatch, "stepfunctions"):
        answer = short_api.give_contact(signup_id, token, "paul.venturi@example.fr")
    assert answer.status == 503 and len(short_api.mailbox()) == 1 and short_api.executions() == []
    item = account_item(short_api)
    assert item["link"]["M"]["delivery"] == {"S": "emailed"}  # a retry would start it, not email again
    deadline = item["link"]["M"]["expires_at"]["S"]
    safety_net = container().safety_net
    assert item["next_deadline"]["S"] == deadline and safety_net.catch_up_overdue_links(grace=timedelta(0)) == 0
    sleep_until(deadline)
    assert account_item(short_api)["status"]["S"] == keys.STATUS_PENDING  # nobody applied it
    assert login(short_api).body["code"] == "LINK_EXPIRED"  # reads check the time meanwhile
    assert safety_net.catch_up_overdue_links(grace=timedelta(0)) == 1 and len(short_api.mailbox()) == 1
    [catch_up] = short_api.executions()
    assert "-catchup-" in catch_up["name"]
    short_api.wait_for_execution(catch_up["name"], status="SUCCEEDED", timeout=20)
    assert account_item(short_api)["status"]["S"] == keys.STATUS_EMAIL_REQUIRED
    assert email_claims(short_api) == []


def test_an_address_never_reached_is_released_at_the_end_of_retention_all_the_same(short_api, monkeypatch):
    """SES failing from the contact step through every run of the safety net: the link is never
    delivered, and the deletion at the end of retention frees the address as for a delivered link."""
    from ameli.bootstrap import container
    from tests.functional.test_dependency_faults import failing

    signup_id, token = short_api.signup_until_contact()
    with failing(monkeypatch, "sesv2"):
        assert short_api.give_contact(signup_id, token, "paul.venturi@example.fr").status == 503
        assert container().safety_net.catch_up_overdue_links(grace=timedelta(0)) == 1  # tried, SES still failing
        short_api.wait_for_execution("-1", status="SUCCEEDED", timeout=20)
    assert short_api.mailbox() == []
    item = account_item(short_api)
    assert item["status"]["S"] == keys.STATUS_EMAIL_REQUIRED and "email" not in item
    assert email_claims(short_api) == []  # another signup may take the address
