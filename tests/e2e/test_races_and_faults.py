"""What only a stack that runs like AWS can show: requests in parallel in separate execution environments,
and every dependency failing on demand (the fault switch). Issue 10, item 8.

The behaviour asserted is the spec's (journey.md, api.md) and the hardening issue's (12). The tests that
fail until issue 12 is fixed are marked `xfail(strict=True)` (none is left: FAILING_NOW is empty): they turn into failures once fixed,
and the fixer removes the mark.
"""

from __future__ import annotations

import itertools
import time

import pytest
import requests

from .journeys import (
    PASSWORD,
    active_account,
    contact_body,
    identity_of,
    in_parallel,
    link_token,
    messages_to,
    proof_of,
    start,
    until_contact,
    write_crowd,
)
from .localstack import start_local_stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("crowd")]

WRONG_PROOF = {"iban_last7": "0000000", "carte_vitale_serial_last11": "00000000000"}
WRONG_PASSWORD = "PasLeBon-42"


class Crowd:
    """A stack of its own with 120 eligible people, handed out one at a time."""

    def __init__(self, base: str, people: list) -> None:
        self.base = base
        self._people = iter(people)
        self._emails = itertools.count(1)

    def person(self):
        return next(self._people)

    def email(self) -> str:
        return f"personne{next(self._emails)}@example.test"

    def set_faults(self, faults: dict[str, float]) -> None:
        answer = requests.put(f"{self.base}/_local/faults", json=faults, timeout=10)
        assert answer.status_code in (200, 204), answer.text


@pytest.fixture(scope="module")
def crowd(tmp_path_factory):
    path = tmp_path_factory.mktemp("crowd") / "crowd.json"
    people = write_crowd(path, 120)
    stack = start_local_stack(LOCAL_FIXTURES=str(path), LOCAL_CONCURRENCY="6")
    crowd = Crowd(stack.base_url, people)
    yield crowd
    stack.stop()


@pytest.fixture
def no_faults(crowd):
    yield crowd
    crowd.set_faults({})


def login(base: str, nir: str, password: str) -> requests.Response:
    return requests.post(f"{base}/v1/sessions", json={"nir": nir, "password": password}, timeout=60)


# -- concurrency ---------------------------------------------------------------------------------------

def timed_login(base: str, nir: str, password: str) -> tuple[requests.Response, float]:
    started = time.monotonic()
    answer = login(base, nir, password)
    return answer, time.monotonic() - started


def warm_logins(crowd: Crowd, count: int = 6) -> None:
    """`count` warm environments of the login function (cold starts would serialise a burst)."""
    nobody = crowd.person()  # no account: the login verifies against the dummy hash, counts nothing
    in_parallel(count, lambda _: login(crowd.base, nobody.nir, WRONG_PASSWORD))


def test_health_answers_while_six_logins_are_in_flight_in_less_than_one_logins_time(crowd):
    from concurrent.futures import ThreadPoolExecutor

    warm_logins(crowd)
    # Six people without an account: Argon2 all the same (the dummy hash), and one failure each, so the
    # login throttle (per NIR) lets every one of them verify.
    nobodies = [crowd.person() for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        logins = [pool.submit(timed_login, crowd.base, nobody.nir, WRONG_PASSWORD) for nobody in nobodies]
        time.sleep(0.05)  # they are in flight
        started = time.monotonic()
        health = requests.get(f"{crowd.base}/v1/health", timeout=30)
        health_time = time.monotonic() - started
        still_running = sum(not future.done() for future in logins)
        answers = [future.result() for future in logins]

    assert health.status_code == 200
    assert still_running > 0, "the logins ended before the health check: nothing was measured"
    shortest_login = min(elapsed for _, elapsed in answers)
    assert health_time < shortest_login, f"health took {health_time:.3f} s, the shortest login {shortest_login:.3f} s"


def test_parallel_wrong_logins_for_one_account_are_each_counted(crowd):
    person = crowd.person()
    active_account(crowd.base, person, crowd.email())
    warm_logins(crowd)

    answers = []
    for _ in range(3):
        answers += in_parallel(12, lambda _: login(crowd.base, person.nir, WRONG_PASSWORD))

    verified = [answer for answer in answers if answer.status_code == 401]
    assert all(answer.status_code in (401, 429) for answer in answers)
    # Journey.md 5: a growing delay after 5 failures, a 24 h block after 10: never more than 10 passwords tried.
    assert len(verified) <= 10, f"{len(verified)} passwords verified out of 36"


def test_parallel_wrong_proofs_for_one_nir_across_signups_lock_it_after_three(crowd):
    def wrong_proofs(signups):
        return in_parallel(len(signups), lambda i: requests.post(f"{signups[i][0]}/proof", json=WRONG_PROOF,
                                                                 headers=signups[i][1], timeout=60))

    throwaway = crowd.person()
    wrong_proofs([start(crowd.base, identity_of(throwaway)) for _ in range(6)])  # six warm environments
    person = crowd.person()
    signups = [start(crowd.base, identity_of(person)) for _ in range(10)]

    answers = in_parallel(10, lambda i: requests.post(f"{signups[i][0]}/proof", json=WRONG_PROOF,
                                                      headers=signups[i][1], timeout=60))

    mismatches = [answer for answer in answers if answer.status_code == 422]
    assert all(answer.status_code in (422, 429) for answer in answers)
    assert len(mismatches) <= 3, f"{len(mismatches)} wrong proofs checked out of 10 (3 allowed in 24 h)"
    # journey.md: the NIR is locked for 24 h, the 4th attempt refused even with the right values
    started = requests.post(f"{crowd.base}/v1/signups", json=identity_of(person), timeout=30)
    if started.status_code == 201:
        url, auth = f"{crowd.base}/v1/signups/{started.json()['signup_id']}", {
            "Authorization": f"Bearer {started.json()['signup_token']}"}
        started = requests.post(f"{url}/proof", json=proof_of(person), headers=auth, timeout=30)
    assert (started.status_code, started.json()["code"]) == (429, "TOO_MANY_ATTEMPTS")


def test_one_email_given_by_several_signups_at_once_goes_to_one_account(crowd):
    signups = [until_contact(crowd.base, identity_of(person), proof_of(person))
               for person in [crowd.person() for _ in range(6)]]
    email = crowd.email()
    mismatch = {**contact_body(email), "email_confirmation": "autre@example.test"}  # 422: nothing changes
    in_parallel(6, lambda i: requests.post(f"{signups[i][0]}/contact", json=mismatch, headers=signups[i][1],
                                           timeout=60))  # six warm environments: no cold start in the race

    answers = in_parallel(6, lambda i: requests.post(f"{signups[i][0]}/contact", json=contact_body(email),
                                                     headers=signups[i][1], timeout=60))

    assert sorted(answer.status_code for answer in answers) == [201, 409, 409, 409, 409, 409]
    assert {answer.json()["code"] for answer in answers if answer.status_code == 409} == {"EMAIL_ALREADY_USED"}
    assert len(messages_to(crowd.base, email)) == 1


def test_concurrent_confirmations_of_one_link_activate_the_account_once(crowd):
    person, email = crowd.person(), crowd.email()
    contact = until_contact(crowd.base, identity_of(person), proof_of(person))
    assert requests.post(f"{contact[0]}/contact", json=contact_body(email), headers=contact[1],
                         timeout=30).status_code == 201
    token = link_token(messages_to(crowd.base, email)[0])

    answers = in_parallel(8, lambda _: requests.post(f"{crowd.base}/v1/email-confirmations", json={"token": token},
                                                     timeout=60))

    assert [answer.status_code for answer in answers] == [200] * 8  # api.md: 200 also when already active
    assert {answer.json()["status"] for answer in answers} == {"active"}
    assert login(crowd.base, person.nir, PASSWORD).status_code == 201


# -- SES's mailbox simulator ---------------------------------------------------------------------------

@pytest.mark.parametrize("address, events, published", [
    ("bounce@simulator.amazonses.com", ["Send", "Bounce"], ["Bounce"]),
    ("complaint@simulator.amazonses.com", ["Send", "Delivery", "Complaint"], ["Complaint"]),
    ("success@simulator.amazonses.com", ["Send", "Delivery"], []),
])
def test_the_mailbox_simulator_events_reach_the_configuration_sets_destination(crowd, address, events, published):
    person = crowd.person()
    contact = until_contact(crowd.base, identity_of(person), proof_of(person))

    answer = requests.post(f"{contact[0]}/contact", json=contact_body(address), headers=contact[1], timeout=30)

    assert answer.status_code == 201, answer.text
    message = messages_to(crowd.base, address)[-1]
    assert message["events"] == events
    # the template's EmailConfigurationSet sends bounces and complaints to EmailEventsTopic
    assert [(item["event"], item["topic"].rsplit(":", 1)[1]) for item in message["published"]] == [
        (kind, "ameli-local-email-events") for kind in published]


# -- faults: each dependency failing at each step ------------------------------------------------------

def _prepare(crowd: Crowd, step: str) -> tuple[str, dict, dict, object, str]:
    """The state just before `step`: (url, headers, body, person, email) of the call to make."""
    person, email = crowd.person(), crowd.email()
    base = crowd.base
    if step == "start":
        return f"{base}/v1/signups", {}, identity_of(person), person, email
    url, auth = start(base, identity_of(person))
    if step == "proof":
        return f"{url}/proof", auth, proof_of(person), person, email
    assert requests.post(f"{url}/proof", json=proof_of(person), headers=auth, timeout=30).status_code == 200
    version = requests.get(f"{base}/v1/terms", timeout=30).json()["version"]
    if step == "terms":
        return f"{url}/terms", auth, {"accepted": True, "version": version}, person, email
    assert requests.post(f"{url}/terms", json={"accepted": True, "version": version}, headers=auth,
                         timeout=30).status_code == 200
    password = {"password": PASSWORD, "password_confirmation": PASSWORD}
    if step == "password":
        return f"{url}/password", auth, password, person, email
    assert requests.post(f"{url}/password", json=password, headers=auth, timeout=30).status_code == 200
    if step == "contact":
        return f"{url}/contact", auth, contact_body(email), person, email
    assert requests.post(f"{url}/contact", json=contact_body(email), headers=auth, timeout=30).status_code == 201
    token = link_token(messages_to(base, email)[-1])
    if step == "resend":
        return f"{base}/v1/email-confirmations/resend", {}, {"token": token}, person, email
    if step == "confirm":
        return f"{base}/v1/email-confirmations", {}, {"token": token}, person, email
    assert requests.post(f"{base}/v1/email-confirmations", json={"token": token}, timeout=30).status_code == 200
    assert step == "login"
    return f"{base}/v1/sessions", {}, {"nir": person.nir, "password": PASSWORD}, person, email


STEPS = ("start", "proof", "terms", "password", "contact", "confirm", "resend", "login")
SERVICES = ("dynamodb", "ses", "stepfunctions", "secretsmanager")
# Every case holds since issue 12: a failure answers 503 with retry_after (or does not touch the step),
# and the contact step and the resend deliver their link on the retry. Keep the map for a future regression.
FAILING_NOW: dict[tuple[str, str], str] = {}


def _cases():
    for service in SERVICES:
        for step in STEPS:
            reason = FAILING_NOW.get((service, step))
            marks = [pytest.mark.xfail(strict=True, reason=f"issue 12: {reason}")] if reason else []
            yield pytest.param(service, step, id=f"{service}-{step}", marks=marks)


@pytest.mark.parametrize("service, step", list(_cases()))
def test_a_failing_dependency_gets_a_clean_answer_and_the_same_request_then_completes(no_faults, service, step):
    crowd = no_faults
    url, headers, body, person, email = _prepare(crowd, step)

    crowd.set_faults({service: 1.0})
    failed = requests.post(url, json=body, headers=headers, timeout=60)
    crowd.set_faults({})
    retried = requests.post(url, json=body, headers=headers, timeout=60)

    # api.md: a dependency that fails gets 503 problem+json in French with retry_after; never a bare 5xx.
    assert failed.status_code < 500 or failed.status_code == 503, failed.status_code
    if failed.status_code == 503:
        assert failed.headers["Content-Type"] == "application/problem+json"
        problem = failed.json()
        assert problem["title"] and problem["detail"] and isinstance(problem.get("retry_after"), int)
    if failed.status_code >= 400:  # the client retries the same request: it completes
        assert retried.status_code in (200, 201, 202), (failed.status_code, retried.status_code, retried.text)
    if step in ("contact", "resend"):  # exactly one email per link
        sent = messages_to(crowd.base, email)
        links = {link_token(message) for message in sent}
        assert len(sent) == len(links), f"{len(sent)} emails for {len(links)} links"


# -- the fault switch and the reset, over HTTP -----------------------------------------------------------

def test_the_fault_switch_is_read_and_replaced_over_http(no_faults):
    crowd = no_faults
    assert requests.get(f"{crowd.base}/_local/faults", timeout=10).json() == {
        "dynamodb": 0.0, "ses": 0.0, "stepfunctions": 0.0, "secretsmanager": 0.0}

    crowd.set_faults({"ses": 1, "dynamodb": 0.25})
    assert requests.get(f"{crowd.base}/_local/faults", timeout=10).json()["dynamodb"] == 0.25
    for refused in ({"s3": 1}, {"ses": 2}, {"ses": "1"}, [1]):
        assert requests.put(f"{crowd.base}/_local/faults", json=refused, timeout=10).status_code == 400
    assert requests.get(f"{crowd.base}/_local/faults", timeout=10).json()["ses"] == 1.0  # unchanged


def test_a_reset_empties_the_data_and_reloads_the_fixtures_without_a_restart(crowd):
    person, email = crowd.person(), crowd.email()
    active_account(crowd.base, person, email)
    assert login(crowd.base, person.nir, PASSWORD).status_code == 201

    assert requests.post(f"{crowd.base}/_local/reset", timeout=120).status_code == 204

    assert requests.get(f"{crowd.base}/_local/mailbox", timeout=10).json()["messages"] == []
    assert login(crowd.base, person.nir, PASSWORD).status_code == 401  # the account is gone
    active_account(crowd.base, person, email)  # the registry is back: the same person signs up again
    assert login(crowd.base, person.nir, PASSWORD).status_code == 201


# -- least privilege: last in this module, after every journey above ----------------------------------

def test_every_aws_call_of_the_journeys_is_allowed_by_the_functions_role(crowd):
    person, email = crowd.person(), crowd.email()
    active_account(crowd.base, person, email)
    session = login(crowd.base, person.nir, PASSWORD).json()["session_token"]
    bearer = {"Authorization": f"Bearer {session}"}
    assert requests.get(f"{crowd.base}/v1/account", headers=bearer, timeout=30).status_code == 200
    assert requests.delete(f"{crowd.base}/v1/sessions/current", headers=bearer, timeout=30).status_code == 204
    url, auth = start(crowd.base, identity_of(crowd.person()))
    assert requests.get(url, headers=auth, timeout=30).status_code == 200
    assert requests.delete(url, headers=auth, timeout=30).status_code == 204
    franceconnect = requests.get(f"{crowd.base}/v1/franceconnect/login", params={"return_to": f"{crowd.base}/"},
                                 allow_redirects=False, timeout=30)
    assert franceconnect.status_code == 302

    report = requests.get(f"{crowd.base}/_local/iam", timeout=120).json()

    assert report["checked"] >= 20
    assert report["denied"] == [], "\n".join(report["denied"])
