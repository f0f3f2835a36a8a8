"""Option 1 signup use cases on in-memory fakes: every step, its order, and its refusals."""

import pytest

from ameli.domain import errors
from ameli.domain.account import AccountState
from tests import values
from tests.fakes import FakeWorld
from tests.people import MARTIN, MARTIN_IDENTITY, PASSWORD, VENTURI, VENTURI_IDENTITY, VENTURI_PROOF, beneficiary


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld([beneficiary(VENTURI), beneficiary(MARTIN)])


contact = values.contact


def signup_until(world: FakeWorld, step: str, identity=VENTURI_IDENTITY, proof=VENTURI_PROOF):
    started = world.option1.start(values.identity(identity))
    signup = started.signup
    if step == "proof":
        return signup
    signup = world.option1.submit_proof(signup, values.proof(proof))
    if step == "terms":
        return signup
    signup = world.signup_steps.answer_terms(signup, accepted=True, version="2020-04")
    if step == "password":
        return signup
    return world.signup_steps.choose_password(signup, password=PASSWORD, confirmation=PASSWORD)


def test_start_shows_masked_iban_and_card_prefix(world):
    started = world.option1.start(values.identity(VENTURI_IDENTITY))
    assert started.signup.next_step == "proof"
    assert started.iban_masked == "FR76 3000 4*** **** **** *** ****"
    assert started.carte_vitale_serial_prefix == "8025000002"
    assert len(started.signup_token) >= 43 and started.signup.token_hash != started.signup_token


def test_usage_name_and_former_postal_code_are_accepted(world):
    assert world.option1.start(values.identity(MARTIN_IDENTITY)).signup.next_step == "proof"
    assert world.option1.start(values.identity({**VENTURI_IDENTITY, "postal_code": "75011"})).signup.next_step == "proof"


def test_fifteen_character_nir_with_its_key_is_accepted(world):
    assert world.option1.start(values.identity({**VENTURI_IDENTITY, "nir": "1621 22B0 1000 103"})).signup.nir == "162122B010001"


@pytest.mark.parametrize("changes", [
    {"nir_certified": False}, {"rights_holder": False}, {"regime": "MSA"}, {"iban": None},
    {"carte_vitale": None}, {"carte_vitale": {"serial": "802500000204671322630", "status": "inactive"}},
    {"carte_vitale": {"serial": "802500000204671322630", "status": "mutation_failed"}},
])
def test_every_exclusion_gets_the_uniform_refusal(changes):
    world = FakeWorld([beneficiary(VENTURI, **changes)])
    with pytest.raises(errors.OnlineSignupUnavailable) as refused:
        world.option1.start(values.identity(VENTURI_IDENTITY))
    assert (refused.value.detail, refused.value.extra) == (errors.OnlineSignupUnavailable.detail, {})
    assert world.telemetry.counts[-1][0] == "SignupRefused"


def test_unknown_person_and_wrong_name_get_the_uniform_refusal(world):
    for identity in ({**VENTURI_IDENTITY, "last_name": "DUPONT"}, {**VENTURI_IDENTITY, "postal_code": "13001"},
                     {**VENTURI_IDENTITY, "nir": "1 62 12 2B 010 002"}):
        with pytest.raises(errors.OnlineSignupUnavailable):
            world.option1.start(values.identity(identity))


def test_wrong_proof_says_how_many_attempts_are_left_then_locks(world):
    signup = signup_until(world, "proof")
    for left in (2, 1):
        with pytest.raises(errors.ProofMismatch) as refused:
            world.option1.submit_proof(signup, values.tails("0000000", "04671322630"))
        assert refused.value.extra == {"attempts_left": left}
    with pytest.raises(errors.TooManyAttempts) as locked:
        world.option1.submit_proof(signup, values.tails("0000000", "04671322630"))
    assert locked.value.extra["retry_after"] == 24 * 3600
    # The 4th attempt is refused even with the right values, from any new signup of that NIR.
    with pytest.raises(errors.TooManyAttempts):
        world.option1.submit_proof(signup, values.tails("7890143", "04671322630"))
    with pytest.raises(errors.TooManyAttempts):
        world.option1.start(values.identity(VENTURI_IDENTITY))
    world.clock.advance(hours=24, seconds=1)
    assert signup_until(world, "terms").next_step == "terms"


def test_proof_reveals_an_existing_account_only_after_success(world):
    signup_until(world, "contact")
    world.contact_step.give_contact(world.signup_store.signups[next(iter(world.signup_store.signups))], contact())
    again = world.option1.start(values.identity(VENTURI_IDENTITY)).signup
    with pytest.raises(errors.ProofMismatch):
        world.option1.submit_proof(again, values.tails("0000000", "04671322630"))
    with pytest.raises(errors.AccountAlreadyExists):
        world.option1.submit_proof(again, values.tails("7890143", "04671322630"))


def test_steps_must_come_in_order(world):
    signup = signup_until(world, "proof")
    with pytest.raises(errors.StepNotAllowed) as refused:
        world.signup_steps.answer_terms(signup, accepted=True, version="2020-04")
    assert refused.value.extra == {"next_step": "proof"}
    signup = signup_until(world, "contact")
    # Going back to the terms or the password is allowed and does not move the signup backwards.
    assert world.signup_steps.answer_terms(signup, accepted=True, version="2020-04").next_step == "contact"


def test_outdated_terms_version_is_refused(world):
    with pytest.raises(errors.TermsVersionOutdated):
        world.signup_steps.answer_terms(signup_until(world, "terms"), accepted=True, version="2019-01")


def test_refusing_the_terms_closes_the_signup(world):
    signup = signup_until(world, "terms")
    assert world.signup_steps.answer_terms(signup, accepted=False, version="2020-04") is None
    assert world.signup_store.get(signup.signup_id) is None


def test_password_rules_are_all_reported_with_codes(world):
    signup = signup_until(world, "password")
    with pytest.raises(errors.PasswordRejected) as refused:
        world.signup_steps.choose_password(signup, password="Azerty1962", confirmation="Azerty1963")
    codes = {(i.field, i.code) for i in refused.value.errors}
    assert ("password", "CONTAINS_BIRTH_DATE") in codes and ("password_confirmation", "MISMATCH") in codes


def test_password_check_stores_nothing(world):
    signup = signup_until(world, "password")
    verdict = world.signup_steps.check_password(signup, "Abc162122B0")
    assert "CONTAINS_NIR" in verdict.violations and not verdict.valid
    assert world.signup_store.get(signup.signup_id).password_hash is None


def test_contact_creates_pending_account_sends_link_and_starts_workflow(world):
    signup = signup_until(world, "contact")
    created = world.contact_step.give_contact(signup, contact(
        email="Paul.Venturi@Example.FR", mobile_phone="06 12 34 56 78", mobile_marketing_sms_consent=True))
    account = created.account
    assert account.status is AccountState.PENDING_EMAIL_CONFIRMATION
    assert created.email_masked == "P***@example.fr"
    assert account.mobile_phone == "+33612345678"
    assert account.consents["mobile_marketing_sms"].given and not account.consents["mobile_marketing_call"].given
    assert account.consents["email_marketing"].wording_version == "2020-04"
    assert account.link.expires_at - account.link.sent_at == world.settings.confirmation_link_validity
    assert world.signup_store.get(signup.signup_id) is None  # the signup session has ended
    assert world.workflow.started == [(account.account_id, 1)]
    email = world.mailer.sent[-1]
    token = world.mailer.last_token()
    assert email.to == "Paul.Venturi@example.fr" and "https://compte.ameli.example/activation#token=" in email.text
    assert token in email.html and token not in repr(account)
    assert account.link.token_hash != token


def test_email_is_unique_across_accounts_after_normalisation(world):
    world.contact_step.give_contact(signup_until(world, "contact"), contact("paul@example.fr"))
    martin = signup_until(world, "contact", MARTIN_IDENTITY, {"iban_last7": "3M02606",
                                                              "carte_vitale_serial_last11": "12345678901"})
    with pytest.raises(errors.EmailAlreadyUsed):
        world.contact_step.give_contact(martin, contact("PAUL@EXAMPLE.FR"))
    assert world.contact_step.give_contact(martin, contact("claire@example.fr")).account.email == "claire@example.fr"
