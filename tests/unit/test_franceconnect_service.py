"""Option 2's use case on fakes: every outcome of the callback is a redirect to `return_to` whose
fragment says what happened, and operators see the reason (never who)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from ameli.adapters.dynamodb.signups import signup_from_item, signup_to_item
from ameli.domain import errors
from ameli.domain.franceconnect import ReceivedIdentity
from ameli.domain.signup import Signup
from ameli.ports import FranceConnectLogin
from tests import values
from tests.fakes import FakeWorld
from tests.people import MARTIN, PASSWORD, VENTURI, VENTURI_IDENTITY, VENTURI_PROOF, beneficiary
from tests.unit.test_franceconnect_matching import identity

RETURN_TO = "https://compte.ameli.example/franceconnect/retour"


@pytest.fixture
def world() -> FakeWorld:
    world = FakeWorld([beneficiary(VENTURI), beneficiary(MARTIN)])
    world.franceconnect_client.login = FranceConnectLogin(identity(), id_token="id-token")
    return world


def begin(world: FakeWorld) -> tuple[dict[str, str], str]:
    """The callback parameters FranceConnect would send back, and the browser's binding cookie."""
    redirect = world.franceconnect.begin(RETURN_TO)
    query = parse_qs(urlsplit(redirect.location).query)
    assert redirect.browser_binding
    return {"state": query["state"][0], "code": "the-code", "iss": "https://fc.example"}, redirect.browser_binding


def outcome(location: str) -> tuple[str, dict[str, str]]:
    base, _, fragment = location.partition("#")
    return base, {name: values[0] for name, values in parse_qs(fragment).items()}


def failure_reasons(world: FakeWorld) -> list[str]:
    return [dims["reason"] for name, dims in world.telemetry.counts if name == "FranceConnectFailed"]


def test_begin_keeps_a_single_use_state_and_sends_the_browser_to_franceconnect(world):
    redirect = world.franceconnect.begin(RETURN_TO)
    query = parse_qs(urlsplit(redirect.location).query)
    saved = world.tables.franceconnect_states[query["state"][0]]
    assert len(saved.state) == len(saved.nonce) == 64 and query["nonce"] == [saved.nonce]
    assert saved.return_to == RETURN_TO and saved.browser_binding_hash != redirect.browser_binding
    assert saved.expires_at == world.clock.now() + timedelta(minutes=10)


def test_begin_refuses_a_return_address_not_on_the_list(world):
    with pytest.raises(errors.InvalidRequest) as refused:
        world.franceconnect.begin("https://ailleurs.example/retour")
    assert [(i.field, i.code) for i in refused.value.errors] == [("return_to", "NOT_ALLOWED")]
    assert world.tables.franceconnect_states == {}


def test_a_matching_identity_opens_a_signup_at_the_terms_step(world):
    params, binding = begin(world)
    base, fragment = outcome(world.franceconnect.complete(params, binding).location)
    assert base == RETURN_TO and fragment["next_step"] == "terms"
    signup = world.signup_steps.authenticate(fragment["signup_id"], fragment["signup_token"])
    assert (signup.method, signup.next_step, signup.nir) == ("franceconnect", "terms", VENTURI["nir"])
    assert signup.email_suggestion == "paul@example.fr" and signup.franceconnect_logout_url.startswith("https://fc")
    assert world.franceconnect_client.completed[0]["iss"] == "https://fc.example"


def test_the_signup_keeps_the_identity_received_for_the_person_to_check_it(world):
    params, binding = begin(world)
    _, fragment = outcome(world.franceconnect.complete(params, binding).location)
    received = world.signup_steps.authenticate(fragment["signup_id"], fragment["signup_token"]).franceconnect_identity
    assert received == ReceivedIdentity(
        given_names="Paul Jean", birth_name="VENTURI", usage_name="", birth_date=date(1962, 12, 18),
        birth_date_precision="day", gender="male", birthplace="2B010", birthcountry="99100")
    assert "VENTURI" not in repr(received) and "1962" not in repr(received)  # a repr in a traceback says nothing


@pytest.mark.parametrize(("idp_birthdate", "precision"), [("1962-12-00", "month"), ("1962-00-00", "year")])
def test_a_presumed_birth_date_says_what_fc_did_not_know(idp_birthdate, precision):
    received = ReceivedIdentity.of(identity(birthdate=idp_birthdate.replace("-00", "-01"), idp_birthdate=idp_birthdate))
    assert received.birth_date_precision == precision


def test_the_identity_received_survives_the_signups_table():
    signup = Signup(
        signup_id="s", token_hash="h", method="franceconnect", nir="162122B010001", nir_hash="n",
        birth_date=date(1962, 12, 18), names=("VENTURI",), next_step="terms",
        created_at=datetime(2026, 1, 1, tzinfo=UTC), expires_at=datetime(2026, 1, 1, 0, 30, tzinfo=UTC),
        franceconnect_identity=ReceivedIdentity.of(identity(preferred_username="LEROY")))
    assert signup_from_item(signup_to_item(signup)) == signup
    option1 = replace(signup, method="carte_vitale", franceconnect_identity=None)
    assert signup_from_item(signup_to_item(option1)).franceconnect_identity is None


def test_a_state_is_single_use(world):
    params, binding = begin(world)
    world.franceconnect.complete(params, binding)
    base, fragment = outcome(world.franceconnect.complete(params, binding).location)
    assert fragment == {"error": "FRANCECONNECT_FAILED"} and base == world.settings.franceconnect_default_return_to
    assert failure_reasons(world) == ["unknown_state"]


def test_an_expired_state_fails(world):
    params, binding = begin(world)
    world.clock.advance(minutes=10)
    assert outcome(world.franceconnect.complete(params, binding).location) == (
        RETURN_TO, {"error": "FRANCECONNECT_FAILED"})
    assert failure_reasons(world) == ["expired_state"]


@pytest.mark.parametrize("binding", [None, "another-browser"])
def test_a_callback_in_another_browser_fails(world, binding):
    params, _ = begin(world)
    assert outcome(world.franceconnect.complete(params, binding).location)[1] == {"error": "FRANCECONNECT_FAILED"}
    assert failure_reasons(world) == ["other_browser"] and world.franceconnect_client.completed == []


@pytest.mark.parametrize(("error", "code", "reason"), [
    ("access_denied", "FRANCECONNECT_CANCELLED", "cancelled"),
    ("server_error", "FRANCECONNECT_FAILED", "provider_error_server_error"),  # the provider's code, logged
])
def test_an_error_from_the_provider_is_a_cancellation_or_a_failure(world, error, code, reason):
    params, binding = begin(world)
    del params["code"]
    fragment = outcome(world.franceconnect.complete({**params, "error": error}, binding).location)[1]
    assert fragment == {"error": code} and failure_reasons(world) == [reason]


def test_a_callback_without_code_fails(world):
    params, binding = begin(world)
    del params["code"]
    assert outcome(world.franceconnect.complete(params, binding).location)[1] == {"error": "FRANCECONNECT_FAILED"}
    assert failure_reasons(world) == ["no_code"]


def test_a_failed_check_of_the_exchange_fails_with_its_reason(world):
    world.franceconnect_client.failure = "id_token_signature"
    params, binding = begin(world)
    assert outcome(world.franceconnect.complete(params, binding).location)[1] == {"error": "FRANCECONNECT_FAILED"}
    assert failure_reasons(world) == ["id_token_signature"]
    assert ("franceconnect refused", {"code": "FRANCECONNECT_FAILED", "reason": "id_token_signature"}) \
        in world.telemetry.notes


def test_an_identity_matching_nobody_gets_the_uniform_refusal(world):
    world.franceconnect_client.login = FranceConnectLogin(identity(given_name="Pierre"), id_token="id-token")
    params, binding = begin(world)
    assert outcome(world.franceconnect.complete(params, binding).location)[1] == {
        "error": "ONLINE_SIGNUP_UNAVAILABLE"}
    assert ("SignupRefused", {"method": "franceconnect", "reason": "NO_MATCH"}) in world.telemetry.counts


def test_an_ineligible_beneficiary_gets_the_uniform_refusal(world):
    world = FakeWorld([beneficiary(VENTURI, nir_certified=False)])
    world.franceconnect_client.login = FranceConnectLogin(identity(), id_token="id-token")
    params, binding = begin(world)
    assert outcome(world.franceconnect.complete(params, binding).location)[1] == {
        "error": "ONLINE_SIGNUP_UNAVAILABLE"}
    assert ("SignupRefused", {"method": "franceconnect", "reason": "NIR_NOT_CERTIFIED"}) in world.telemetry.counts


def test_an_existing_account_is_said_and_no_signup_opens(world):
    signup = world.option1.start(values.identity(VENTURI_IDENTITY)).signup  # Option 1 first, to the end
    signup = world.option1.submit_proof(signup, values.proof(VENTURI_PROOF))
    signup = world.signup_steps.answer_terms(signup, accepted=True, version="2020-04")
    signup = world.signup_steps.choose_password(signup, password=PASSWORD, confirmation=PASSWORD)
    world.contact_step.give_contact(signup, values.contact())
    params, binding = begin(world)
    assert outcome(world.franceconnect.complete(params, binding).location)[1] == {"error": "ACCOUNT_ALREADY_EXISTS"}
    assert [s.next_step for s in world.tables.signups.values()] == ["done"]  # only Option 1's, ended
