"""Email confirmation, new links and login on in-memory fakes (journey.md sections 3 and 5)."""

from datetime import timedelta

import pytest

from ameli.adapters.passwords import Argon2PasswordHasher
from ameli.domain import errors
from ameli.domain.account import AccountState
from ameli.service.login import Login
from tests import values
from tests.fakes import FakeWorld
from tests.people import PASSWORD, VENTURI, VENTURI_IDENTITY, beneficiary

NIR = VENTURI_IDENTITY["nir"]


@pytest.fixture
def world() -> FakeWorld:
    world = FakeWorld([beneficiary(VENTURI)])
    signup = world.signup_until_contact()
    world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    return world


def account(world):
    return next(iter(world.account_store.accounts.values()))


def test_confirming_within_the_validity_activates_and_stops_the_workflow(world):
    world.clock.advance(days=6, hours=23)
    world.activation.confirm(world.mailer.last_token())
    assert account(world).status is AccountState.ACTIVE
    assert world.workflow.stopped == [(account(world).account_id, 1)]
    world.activation.confirm(world.mailer.last_token())  # a second click: still fine


def test_confirming_after_the_deadline_is_refused_even_if_the_workflow_is_late(world):
    world.clock.advance(days=7)
    with pytest.raises(errors.LinkExpired) as refused:
        world.activation.confirm(world.mailer.last_token())
    assert refused.value.extra == {"resend_options": ["same_address", "other_address"]}
    assert account(world).status is AccountState.PENDING_EMAIL_CONFIRMATION


def test_unknown_token_is_invalid(world):
    with pytest.raises(errors.LinkInvalid):
        world.activation.confirm("not-a-token")


def test_resend_to_the_same_address_supersedes_the_old_link(world):
    old = world.mailer.last_token()
    world.clock.advance(days=8)
    world.account_store.expire_link(account(world).nir_hash)
    sent = world.new_links.resend(old)
    assert sent.email_masked == "p***@example.fr"
    assert sent.link_expires_at == world.clock.now() + world.settings.confirmation_link_validity
    assert world.workflow.started[-1] == (account(world).account_id, 2)
    assert world.workflow.stopped[-1] == (account(world).account_id, 1)
    with pytest.raises(errors.LinkInvalid):
        world.activation.confirm(old)
    world.activation.confirm(world.mailer.last_token())
    assert account(world).status is AccountState.ACTIVE


def test_new_links_are_limited_to_five_in_a_sliding_day(world):
    for _hour in range(5):
        world.new_links.resend(world.mailer.last_token())
        world.clock.advance(hours=1)
    with pytest.raises(errors.TooManyLinks) as refused:
        world.new_links.resend(world.mailer.last_token())
    assert refused.value.extra["retry_after"] == 19 * 3600  # the first of the five is 24 h old then
    assert len(world.mailer.sent) == 6
    world.clock.advance(hours=19)
    world.new_links.resend(world.mailer.last_token())  # one of the five has aged out
    with pytest.raises(errors.TooManyLinks):
        world.new_links.resend(world.mailer.last_token())


def test_resend_to_another_address_needs_the_password(world):
    old = world.mailer.last_token()
    world.clock.advance(days=8)
    with pytest.raises(errors.InvalidCredentials):
        world.new_links.resend(old, new_email=values.email("paul.v@example.fr"),
                              password="Wrong-pass1")
    sent = world.new_links.resend(old, new_email=values.email("paul.v@example.fr"),
                                 password=PASSWORD)
    assert world.mailer.sent[-1].to == "paul.v@example.fr" and sent.email_masked == "p***@example.fr"
    assert account(world).email == "paul.v@example.fr"
    # The old address is free again, the new one is taken.
    assert list(world.account_store.email_owners) == [account(world).email_key]


def test_the_workflow_of_a_link_to_a_new_address_releases_the_new_address_claim(world):
    """Fixed: the workflow used to start with the previous address's claim, so at day 21 it released
    a claim already gone and left the new address claimed for ever."""
    old_key = account(world).email_key
    world.clock.advance(days=8)
    world.new_links.resend(world.mailer.last_token(), new_email=values.email("paul.v@example.fr"), password=PASSWORD)
    assert world.workflow.claims_to_release[-1] == account(world).email_key != old_key


def test_after_retention_the_link_says_the_address_was_deleted(world):
    token = world.mailer.last_token()
    world.clock.advance(days=21)
    with pytest.raises(errors.PendingEmailDeleted):
        world.activation.confirm(token)
    world.account_store.delete_pending_email(account(world).nir_hash)
    with pytest.raises(errors.PendingEmailDeleted):
        world.new_links.resend(token)


def test_login_answers_each_pending_state_with_a_pending_token(world):
    with pytest.raises(errors.EmailConfirmationPending) as pending:
        world.login.login(values.nir(NIR), PASSWORD)
    assert pending.value.extra["email_masked"] == "p***@example.fr" and pending.value.extra["pending_token"]
    world.clock.advance(days=8)
    with pytest.raises(errors.LoginLinkExpired):
        world.login.login(values.nir(NIR), PASSWORD)
    world.clock.advance(days=14)
    world.account_store.delete_pending_email(account(world).nir_hash)
    with pytest.raises(errors.EmailRequired) as required:
        world.login.login(values.nir(NIR), PASSWORD)
    assert "email_masked" not in required.value.extra
    pending_token = required.value.extra["pending_token"]
    with pytest.raises(errors.InvalidRequest):
        world.new_links.send_after_login(pending_token, email=None)
    world.new_links.send_after_login(pending_token, email=values.email("new@example.fr"))
    assert account(world).link.number == 2 and world.mailer.sent[-1].to == "new@example.fr"
    world.activation.confirm(world.mailer.last_token())
    session = world.login.login(values.nir(NIR), PASSWORD)
    assert world.login.active_account(session.token).email == "new@example.fr"


def test_pending_token_cannot_read_the_account(world):
    with pytest.raises(errors.EmailConfirmationPending) as pending:
        world.login.login(values.nir(NIR), PASSWORD)
    with pytest.raises(errors.AuthenticationRequired):
        world.login.active_account(pending.value.extra["pending_token"])


class SpyArgon2(Argon2PasswordHasher):
    """The real Argon2id hasher, recording which hashes it verified against."""

    def __init__(self) -> None:
        self.verified: list[str] = []

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return super().verify(password_hash, password)


def test_an_unknown_nir_pays_for_one_argon2_verification_like_a_wrong_password(world):
    """What makes "unknown NIR" and "wrong password" take the same time: both verify once, against a
    hash made with the current parameters."""
    argon2 = SpyArgon2()
    login = Login(clock=world.clock, accounts=world.account_store, sessions=world.session_store, hasher=argon2,
                  pseudonymizer=world.pseudonymizer, session_duration=timedelta(minutes=30),
                  telemetry=world.telemetry)
    with pytest.raises(errors.InvalidCredentials) as unknown:
        login.login(values.nir("2 55 08 14 168 025"), PASSWORD)
    assert len(argon2.verified) == 1
    assert argon2.verified[0].startswith("$argon2id$") and not argon2.needs_rehash(argon2.verified[0])
    with pytest.raises(errors.InvalidCredentials) as wrong:
        world.login.login(values.nir(NIR), "Wrong-pass1")
    assert (unknown.value.detail, unknown.value.extra) == (wrong.value.detail, wrong.value.extra)


def test_failed_logins_get_a_growing_delay_then_a_block_and_success_resets(world):
    world.activation.confirm(world.mailer.last_token())
    for _ in range(5):
        with pytest.raises(errors.InvalidCredentials):
            world.login.login(values.nir(NIR), "Wrong-pass1")
    with pytest.raises(errors.AccountLocked) as waiting:
        world.login.login(values.nir(NIR), PASSWORD)
    assert waiting.value.extra["retry_after"] == 30
    delays = []
    for _ in range(4):
        world.clock.advance(seconds=waiting.value.extra["retry_after"])
        with pytest.raises(errors.InvalidCredentials):
            world.login.login(values.nir(NIR), "Wrong-pass1")
        with pytest.raises(errors.AccountLocked) as waiting:
            world.login.login(values.nir(NIR), PASSWORD)
        delays.append(waiting.value.extra["retry_after"])
    assert delays == [60, 120, 240, 480]
    world.clock.advance(seconds=480)
    with pytest.raises(errors.AccountLocked) as blocked:  # the 10th failure
        world.login.login(values.nir(NIR), "Wrong-pass1")
    assert blocked.value.extra["retry_after"] == 24 * 3600
    world.clock.advance(hours=24)
    assert world.login.login(values.nir(NIR), PASSWORD).token
    with pytest.raises(errors.InvalidCredentials):  # the count started again from zero
        world.login.login(values.nir(NIR), "Wrong-pass1")


def test_login_rehashes_a_password_hashed_with_old_parameters(world):
    world.activation.confirm(world.mailer.last_token())
    world.hasher.parameters = "v2"
    world.login.login(values.nir(NIR), PASSWORD)
    assert account(world).password_hash.startswith("v2$")


def test_logout_ends_the_session(world):
    world.activation.confirm(world.mailer.last_token())
    session = world.login.login(values.nir(NIR), PASSWORD)
    world.login.logout(session.token)
    with pytest.raises(errors.AuthenticationRequired):
        world.login.active_account(session.token)


def test_safety_net_catches_up_links_past_their_deadline_only(world):
    assert world.safety_net.catch_up_overdue_links() == 0
    world.clock.advance(days=7)
    assert world.safety_net.catch_up_overdue_links() == 0  # the workflow may be applying it right now
    world.clock.advance(hours=1)
    assert world.safety_net.catch_up_overdue_links() == 1
    assert world.workflow.caught_up[0].link.number == 1


def _contact_with_the_mailer_down(world):
    world.mailer.send = lambda email: (_ for _ in ()).throw(ConnectionError("SES down"))
    signup = world.signup_until_contact()
    with pytest.raises(ConnectionError):
        world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    del world.mailer.send
    return world.signup_store.get(signup.signup_id)


def test_the_safety_net_delivers_an_undelivered_link_while_it_may_still_confirm():
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    _contact_with_the_mailer_down(world)
    world.clock.advance(hours=2)
    assert world.safety_net.catch_up_overdue_links() == 1
    assert len(world.mailer.sent) == 1 and world.workflow.caught_up == []
    assert world.safety_net.catch_up_overdue_links() == 0


def test_an_undelivered_link_past_its_validity_is_caught_up_never_emailed():
    from datetime import timedelta

    from ameli.service.confirmation_links import LinkDurations
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    world.container.confirmation_links.durations = LinkDurations(timedelta(hours=1), timedelta(hours=5))
    _contact_with_the_mailer_down(world)
    world.clock.advance(hours=2)  # the link expired before anyone could deliver it
    assert world.safety_net.catch_up_overdue_links() == 1
    assert world.mailer.sent == [] and len(world.workflow.caught_up) == 1


def test_a_retried_contact_step_delivers_the_same_link_once():
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    signup = _contact_with_the_mailer_down(world)
    created = world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    assert created.email_masked == "p***@example.fr" and len(world.mailer.sent) == 1
    again = world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    assert again.account.link == created.account.link and len(world.mailer.sent) == 1


def test_the_workflow_starts_only_once_ses_accepted_the_email_and_records_the_delivery():
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    signup = _contact_with_the_mailer_down(world)
    [(account_id, number)] = world.workflow.started  # for the deadlines: the address is released at 21 days
    assert world.workflow.started_emailed == [] and world.workflow.claims_to_release == [account(world).email_key]
    assert not account(world).link.delivered and not account(world).link.emailed
    world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    assert len(world.mailer.sent) == 1 and account(world).link.delivered  # the deadlines-only run cannot record it


def test_a_workflow_failing_to_start_after_the_email_left_gets_started_by_the_retry_without_a_second_email():
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    signup = world.signup_until_contact()
    start = world.workflow.start
    world.workflow.start = lambda *args, **kwargs: (_ for _ in ()).throw(ConnectionError("Step Functions down"))
    with pytest.raises(ConnectionError):
        world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    assert len(world.mailer.sent) == 1 and account(world).link.emailed and not account(world).link.delivered
    world.workflow.start = start
    world.contact_step.give_contact(world.signup_store.get(signup.signup_id), values.contact("paul@example.fr"))
    assert len(world.mailer.sent) == 1 and world.workflow.started_emailed == [(account(world).account_id, 1)]
    assert account(world).link.delivered


class _Died(BaseException):
    """The function's death (a timeout, the container recycled): nothing after it runs, no handler sees it."""


def test_a_function_dying_between_ses_and_the_workflow_start_sends_the_same_link_once_more():
    """The one duplicate left (docs/security.md): SES takes no idempotency key, so the retry sends the
    link again; it is the same link, and it confirms."""
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    signup = world.signup_until_contact()
    start = world.workflow.start
    world.workflow.start = lambda *args, **kwargs: (_ for _ in ()).throw(_Died())
    with pytest.raises(_Died):
        world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    world.workflow.start = start
    world.contact_step.give_contact(world.signup_store.get(signup.signup_id), values.contact("paul@example.fr"))
    first, second = (email.text.split("token=", 1)[1].split()[0] for email in world.mailer.sent)
    assert first == second and len(world.workflow.started) == 1
    world.activation.confirm(second)
    assert account(world).status is AccountState.ACTIVE


def test_a_request_made_before_the_workflow_records_the_delivery_is_not_taken_for_a_retry(world):
    """The workflow records the delivery a moment after the answer: meanwhile the same request again
    emails nothing more, and a request for another address makes its own link."""
    world.workflow.accounts = None  # its first state has not run yet
    with pytest.raises(errors.EmailConfirmationPending) as login:
        world.login.login(values.nir(NIR), PASSWORD)
    pending = login.value.extra["pending_token"]
    world.clock.advance(minutes=1)
    world.new_links.send_after_login(pending, email=values.email("paul.bis@example.fr"))
    world.new_links.send_after_login(pending, email=values.email("paul.bis@example.fr"))
    assert len(world.mailer.sent) == 2 and account(world).link.number == 2
    world.new_links.send_after_login(pending, email=values.email("paul.ter@example.fr"))
    assert len(world.mailer.sent) == 3 and account(world).link.number == 3
    assert account(world).email == "paul.ter@example.fr"

