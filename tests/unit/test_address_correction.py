"""The email typo trap (issue 13, item 1): the contact step gives a short correction right, so the
person who sees a typo on the end screen gets a new link at the right address without redoing the
signup; after it, another address needs the password again (journey.md section 3)."""

import pytest

from ameli.domain import errors
from ameli.domain.account import AccountState
from ameli.domain.session import CORRECTION_TOKEN_DURATION
from ameli.service.tokens import derived_token
from tests import values
from tests.fakes import FakeWorld
from tests.people import VENTURI, beneficiary

CORRECTION = derived_token("the-signup-token", "correction")


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld([beneficiary(VENTURI)])


def test_the_contact_step_gives_a_correction_right_of_thirty_minutes(world):
    created = world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@exmaple.fr"), CORRECTION)
    assert created.correction_expires_at == world.clock.now() + CORRECTION_TOKEN_DURATION
    assert CORRECTION_TOKEN_DURATION.total_seconds() == 30 * 60
    assert CORRECTION not in str(world.tables.__dict__)  # only its hash is kept


def test_the_right_replaces_the_mistyped_address_and_supersedes_its_link(world):
    world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@exmaple.fr"), CORRECTION)
    first_link = world.mailer.last_token()
    world.clock.advance(minutes=10)
    sent = world.new_links.send_after_login(CORRECTION, email=values.email("paul@example.fr"))
    account = next(iter(world.account_store.accounts.values()))
    assert account.email == "paul@example.fr" and sent.email_masked == "p***@example.fr"
    assert world.mailer.sent[-1].to == "paul@example.fr" and len(world.mailer.sent) == 2
    assert world.workflow.stopped[-1] == (account.account_id, 1) and world.workflow.started[-1][1] == 2
    with pytest.raises(errors.LinkInvalid):
        world.activation.confirm(first_link)
    world.activation.confirm(world.mailer.last_token())
    assert next(iter(world.account_store.accounts.values())).status is AccountState.ACTIVE


def test_after_thirty_minutes_another_address_needs_the_password_again(world):
    world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@exmaple.fr"), CORRECTION)
    world.clock.advance(minutes=30)
    with pytest.raises(errors.AuthenticationRequired):
        world.new_links.send_after_login(CORRECTION, email=values.email("paul@example.fr"))
    assert next(iter(world.account_store.accounts.values())).email == "paul@exmaple.fr"


def test_the_right_ends_with_the_link_once_used(world):
    world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@example.fr"), CORRECTION)
    world.activation.confirm(world.mailer.last_token())
    with pytest.raises(errors.AccountAlreadyActive):
        world.new_links.send_after_login(CORRECTION, email=values.email("someone.else@example.fr"))


def test_the_right_opens_no_account_nor_session(world):
    world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@example.fr"), CORRECTION)
    world.activation.confirm(world.mailer.last_token())
    with pytest.raises(errors.AuthenticationRequired):
        world.login.active_account(CORRECTION)


def test_an_address_already_taken_is_refused_and_the_pending_one_kept(world):
    world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@exmaple.fr"), CORRECTION)
    taken = world.pseudonymizer.email_hash(values.email("claimed@example.fr").uniqueness_key)
    world.account_store.email_owners[taken] = "another-account"
    with pytest.raises(errors.EmailAlreadyUsed):
        world.new_links.send_after_login(CORRECTION, email=values.email("claimed@example.fr"))
    assert next(iter(world.account_store.accounts.values())).email == "paul@exmaple.fr"


def test_the_right_is_opened_by_the_accounts_own_write_and_only_with_it(world):
    taken = world.pseudonymizer.email_hash(values.email("claimed@example.fr").uniqueness_key)
    world.account_store.email_owners[taken] = "another-account"
    signup = world.signup_until_contact()
    with pytest.raises(errors.EmailAlreadyUsed):
        world.contact_step.give_contact(signup, values.contact("claimed@example.fr"), CORRECTION)
    assert world.tables.sessions == {}  # no account, no right
    created = world.contact_step.give_contact(signup, values.contact("paul@example.fr"), CORRECTION)
    [right] = world.tables.sessions.values()
    assert right.kind == "correction" and right.nir_hash == created.account.nir_hash
    assert right.expires_at == created.correction_expires_at


def test_the_derived_token_is_stable_and_depends_on_its_secret():
    assert derived_token("a", "correction") == derived_token("a", "correction")
    assert derived_token("a", "correction") != derived_token("b", "correction")
    assert len(derived_token("a", "correction")) >= 43  # 256 bits
