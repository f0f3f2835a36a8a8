"""Changing one's marketing consents from the account (issue 13, item 7), on in-memory fakes."""

import pytest

from ameli.domain import errors
from ameli.domain.account import Consent
from ameli.domain.consents import consent_changes
from ameli.domain.terms import CONSENT_WORDING_VERSION
from ameli.http.models import ConsentsRequest
from tests import values
from tests.fakes import FakeWorld
from tests.people import PASSWORD, VENTURI, VENTURI_IDENTITY, beneficiary


@pytest.fixture
def world() -> FakeWorld:
    """An active account with a mobile phone (SMS yes, calls no) and no landline; email marketing no."""
    world = FakeWorld([beneficiary(VENTURI)])
    signup = world.signup_until_contact()
    world.contact_step.give_contact(signup, values.contact("paul@example.fr", mobile_phone="06 12 34 56 78",
                                                           mobile_marketing_sms_consent=True))
    world.activation.confirm(world.mailer.last_token())
    return world


def session(world) -> str:
    return world.login.login(values.nir(VENTURI_IDENTITY["nir"]), PASSWORD).token


def stored(world):
    return next(iter(world.account_store.accounts.values())).consents


def test_a_changed_consent_is_stored_with_its_time_and_wording_version(world):
    signed_at = stored(world)["mobile_marketing_sms"].at
    world.clock.advance(days=40)
    account = world.consent_choices.change(session(world), {"email_marketing": True, "mobile_marketing_sms": False})
    now = world.clock.now()
    assert stored(world)["email_marketing"] == Consent(True, now, CONSENT_WORDING_VERSION)
    assert stored(world)["mobile_marketing_sms"] == Consent(False, now, CONSENT_WORDING_VERSION)
    assert stored(world)["mobile_marketing_call"].given is False  # untouched
    assert account.consents == stored(world) and signed_at < now


def test_an_unchanged_answer_keeps_the_time_it_was_given(world):
    before = stored(world)["mobile_marketing_sms"]
    world.clock.advance(days=1)
    world.consent_choices.change(session(world), {"mobile_marketing_sms": True})
    assert stored(world)["mobile_marketing_sms"] == before


def test_a_phone_consent_needs_that_phone(world):
    with pytest.raises(errors.InvalidRequest) as refused:
        world.consent_choices.change(session(world), {"landline_marketing_call": True, "email_marketing": True})
    assert [(i.field, i.code) for i in refused.value.errors] == [("landline_marketing_call", "PHONE_MISSING")]
    assert stored(world)["email_marketing"].given is False  # nothing recorded from a refused request


def test_only_a_session_of_an_active_account_may_change_them(world):
    with pytest.raises(errors.AuthenticationRequired):
        world.consent_choices.change(None, {"email_marketing": True})
    with pytest.raises(errors.AuthenticationRequired):
        world.consent_choices.change("not-a-session", {"email_marketing": True})


def test_an_answer_given_under_an_older_wording_is_asked_again_under_the_current_one(world):
    account = next(iter(world.account_store.accounts.values()))
    old = {**account.consents, "email_marketing": Consent(True, account.created_at, "2019-01")}
    changes = consent_changes(type(account)(**{**account.__dict__, "consents": old}), {"email_marketing": True},
                              world.clock.now())
    assert changes == {"email_marketing": Consent(True, world.clock.now(), CONSENT_WORDING_VERSION)}


def test_the_request_needs_at_least_one_choice_and_booleans():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ConsentsRequest()
    with pytest.raises(ValidationError):
        ConsentsRequest(email_marketing="peut-être")
    assert ConsentsRequest(email_marketing=False).choices() == {"email_marketing": False}
