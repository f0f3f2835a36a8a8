"""Counters that hold under parallel requests (issue 12): every attempt is counted in one conditional
write before its secret is compared, on moto, with threads really running at once (Argon2 releases
the GIL, so the verifications overlap as they would in parallel Lambda environments). The emulated
AWS applies each DynamoDB request atomically, as DynamoDB does (`local.emulator`)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from ameli.adapters.keys import login_throttle_key, proof_attempts_key
from ameli.domain import errors
from tests import values
from tests.fakes import FrozenClock
from tests.functional.conftest import VENTURI_IDENTITY, VENTURI_PROOF

WRONG_PASSWORD = "Faux-Code-99"
BURST = 12


class CountingHasher:
    """The real hasher, counting its verifications (what an attacker gets to try)."""

    def __init__(self, hasher) -> None:
        self.hasher = hasher
        self.verified = 0
        self._lock = threading.Lock()

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.verified += 1
        return self.hasher.verify(password_hash, password)

    def __getattr__(self, name):
        return getattr(self.hasher, name)


def in_parallel(count: int, work) -> list[str]:
    """Runs `work()` in `count` threads released together; each outcome's class name (or "ok")."""
    start = threading.Barrier(count)
    outcomes: list[str] = []

    def run() -> None:
        start.wait()
        try:
            work()
            outcomes.append("ok")
        except errors.AppError as refused:
            outcomes.append(type(refused).__name__)

    threads = [threading.Thread(target=run) for _ in range(count)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    return outcomes


def stored(api, table_key: str) -> dict:
    import boto3
    from boto3.dynamodb.types import TypeDeserializer

    table = api.stack.environment["SIGNUPS_TABLE"]
    item = boto3.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": table_key}},
                                             ConsistentRead=True).get("Item", {})
    return {name: TypeDeserializer().deserialize(value) for name, value in item.items()}


@pytest.fixture
def clock():
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


def test_bursts_of_parallel_wrong_passwords_verify_no_more_than_the_throttle_allows(api, clock):
    from ameli.bootstrap import container

    api.sign_up()
    login = container().login
    hasher = CountingHasher(login.hasher)
    login.clock, login.hasher = clock, hasher
    nir = values.nir(VENTURI_IDENTITY["nir"])

    outcomes = []
    for wait in (30, 60, None):  # three bursts, each once the previous delay is over
        outcomes += in_parallel(BURST, lambda: login.login(nir, WRONG_PASSWORD))
        if wait:
            clock.advance(seconds=wait)

    # 5 tries before the first delay, then one try per delay: 7 of the 36.
    assert hasher.verified <= 7, f"{hasher.verified} passwords verified in 3 bursts of {BURST}"
    assert outcomes.count("InvalidCredentials") == hasher.verified
    assert set(outcomes) <= {"InvalidCredentials", "AccountLocked"}
    throttle = stored(api, login_throttle_key(container().pseudonymizer.nir_hash(nir.value)))
    assert throttle["consecutive_failures"] == hasher.verified  # every verified try was counted


def test_parallel_wrong_passwords_for_another_address_are_counted_by_the_same_throttle(api, clock):
    from ameli.bootstrap import container

    api.sign_up()
    token = api.last_link_token()
    services = container()
    login = services.login
    hasher = CountingHasher(login.hasher)
    login.clock, login.hasher = clock, hasher
    new_email = values.email("autre.adresse@example.fr")

    outcomes = in_parallel(BURST, lambda: services.new_links.resend(token, new_email=new_email,
                                                                     password=WRONG_PASSWORD))

    assert hasher.verified <= 5, f"{hasher.verified} passwords verified in a burst of {BURST}"
    assert outcomes.count("InvalidCredentials") == hasher.verified
    assert len(api.mailbox()) == 1  # no link left for the other address
def test_parallel_wrong_proofs_are_all_counted_and_lock_after_three(api):
    from ameli.bootstrap import container

    services = container()
    signups = []
    for _ in range(10):
        started = api.post("/v1/signups", VENTURI_IDENTITY).body
        signups.append(services.signup_steps.authenticate(started["signup_id"], started["signup_token"]))
    wrong = values.proof({**VENTURI_PROOF, "iban_last7": "0000000"})
    pending = iter(signups)
    lock = threading.Lock()

    def submit_one() -> None:
        with lock:
            signup = next(pending)
        services.option1.submit_proof(signup, wrong)

    outcomes = in_parallel(10, submit_one)

    assert outcomes.count("ProofMismatch") <= 2  # the 3rd failure answers with the lock
    assert outcomes.count("ProofMismatch") + outcomes.count("TooManyAttempts") == 10
    attempts = stored(api, proof_attempts_key(signups[0].nir_hash))
    assert attempts.get("locked_until"), "three failures in 24 h lock the NIR"
    # the right values are refused while locked, from any signup of that NIR
    started = api.post("/v1/signups", VENTURI_IDENTITY)
    assert started.status == 429


def test_a_slow_wrong_proof_never_erases_a_lock_set_meanwhile(api):
    """The request reads the attempts, then takes its time; meanwhile 3 others lock the NIR."""
    from ameli.bootstrap import container

    services = container()
    started = [api.post("/v1/signups", VENTURI_IDENTITY).body for _ in range(4)]
    slow, *others = [services.signup_steps.authenticate(s["signup_id"], s["signup_token"]) for s in started]
    wrong = values.proof({**VENTURI_PROOF, "iban_last7": "0000000"})
    signups = services.option1.signups
    release, reached = threading.Event(), threading.Event()

    class SlowAfterReading:
        """The attempts (with the registry's beneficiary) are read; then the slow request waits."""

        def __getattr__(self, name):
            return getattr(signups, name)

        def load_proof_guard(self, nir_hash, nir):
            guard = signups.load_proof_guard(nir_hash, nir)
            if threading.current_thread().name == "slow":
                reached.set()
                release.wait(10)
            return guard

    services.option1.signups = SlowAfterReading()
    result: list[str] = []

    def slow_submit() -> None:
        try:
            services.option1.submit_proof(slow, wrong)
        except errors.AppError as refused:
            result.append(type(refused).__name__)

    thread = threading.Thread(target=slow_submit, name="slow")
    thread.start()
    assert reached.wait(10)
    for signup in others:
        with pytest.raises((errors.ProofMismatch, errors.TooManyAttempts)):
            services.option1.submit_proof(signup, wrong)
    release.set()
    thread.join()

    attempts = stored(api, proof_attempts_key(slow.nir_hash))
    assert attempts.get("locked_until"), "the slow request erased the lock"
    assert api.post("/v1/signups", VENTURI_IDENTITY).status == 429
    assert timedelta(0) < datetime.fromisoformat(attempts["locked_until"].replace("Z", "+00:00")) \
        - datetime.now(UTC) <= timedelta(hours=24)


def test_a_right_proof_takes_its_own_count_back(api):
    """Counted before the comparison, the 3rd attempt sets the lock; being right, it lifts it."""
    wrong = {**VENTURI_PROOF, "iban_last7": "0000000"}
    for left in (2, 1):
        started = api.post("/v1/signups", VENTURI_IDENTITY).body
        refused = api.post(f"/v1/signups/{started['signup_id']}/proof", wrong, started["signup_token"])
        assert (refused.status, refused.body["attempts_left"]) == (422, left)
    started = api.post("/v1/signups", VENTURI_IDENTITY).body
    assert api.post(f"/v1/signups/{started['signup_id']}/proof", VENTURI_PROOF, started["signup_token"]).status == 200

    from ameli.bootstrap import container

    attempts = stored(api, proof_attempts_key(container().pseudonymizer.nir_hash("162122B010001")))
    assert len(attempts["failures"]) == 2 and "locked_until" not in attempts
    assert api.post("/v1/signups", VENTURI_IDENTITY).status == 201
