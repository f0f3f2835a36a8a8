"""Email confirmation, new links and login on in-memory fakes (journey.md sections 3 and 5)."""

from datetime import timedelta

import pytest

from ameli.adapters.passwords import Argon2PasswordHasher
from ameli.domain import errors
from ameli.domain.account import AccountState, LinkDelivery
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


def _recording_deliveries(world) -> list:
    """The delivery marks the requests write (the path that works writes none)."""
    marks: list = []
    record = world.account_store.record_delivery

    def recorded(account, link_number, delivery):
        marks.append((link_number, delivery))
        record(account, link_number, delivery)

    world.account_store.record_delivery = recorded
    return marks


def test_a_link_that_goes_well_is_saved_on_its_way_and_nothing_is_written_after_ses():
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    marks = _recording_deliveries(world)
    world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@example.fr"))
    assert marks == [] and account(world).link.delivery is LinkDelivery.PRESUMED
    assert world.workflow.started_emailed == [(account(world).account_id, 1)]
    world.clock.advance(days=6, hours=23)
    assert world.account_store.overdue_links(world.clock.now(), 10) == []  # due at its own expiry, not at once
    world.new_links.resend(world.mailer.last_token())
    assert marks == [] and len(world.mailer.sent) == 2 and account(world).link.delivery is LinkDelivery.PRESUMED


def test_the_workflow_starts_only_once_ses_accepted_the_email_and_ses_failing_marks_the_link_undelivered():
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    signup = _contact_with_the_mailer_down(world)
    [(account_id, number)] = world.workflow.started  # for the deadlines: the address is released at 21 days
    assert world.workflow.started_emailed == [] and world.workflow.claims_to_release == [account(world).email_key]
    assert account(world).link.delivery is LinkDelivery.FAILED
    [due] = world.account_store.overdue_links(world.clock.now(), 10)  # at once, for the safety net
    assert due.link.number == 1
    world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    assert len(world.mailer.sent) == 1 and account(world).link.delivery is LinkDelivery.EMAILED
    world.clock.advance(days=6)
    assert world.account_store.overdue_links(world.clock.now(), 10) == []  # delivered: due at its expiry again


def test_ses_failing_and_its_mark_too_gets_the_link_emailed_once_by_the_retries():
    """SES down, then DynamoDB refusing the FAILED mark: the link stays presumed while a deadlines-only
    execution holds its name, so no execution can prove the retry's email; the retry marks it."""
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    record = world.account_store.record_delivery
    world.account_store.record_delivery = lambda *args: (_ for _ in ()).throw(ConnectionError("DynamoDB down"))
    signup = _contact_with_the_mailer_down(world)
    world.account_store.record_delivery = record
    assert account(world).link.delivery is LinkDelivery.PRESUMED and world.workflow.started_emailed == []
    for _ in range(3):
        world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    assert len(world.mailer.sent) == 1 and account(world).link.delivery is LinkDelivery.EMAILED


def test_a_workflow_failing_to_start_after_the_email_left_gets_started_by_the_retry_without_a_second_email():
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    signup = world.signup_until_contact()
    start = world.workflow.start
    world.workflow.start = lambda *args, **kwargs: (_ for _ in ()).throw(ConnectionError("Step Functions down"))
    with pytest.raises(ConnectionError):
        world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    assert len(world.mailer.sent) == 1 and account(world).link.delivery is LinkDelivery.EMAILED
    world.workflow.start = start
    world.contact_step.give_contact(world.signup_store.get(signup.signup_id), values.contact("paul@example.fr"))
    assert len(world.mailer.sent) == 1 and world.workflow.started_emailed == [(account(world).account_id, 1)]


def test_a_workflow_that_never_started_after_the_email_left_has_its_deadline_applied_by_the_safety_net():
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    world.workflow.start = lambda *args, **kwargs: (_ for _ in ()).throw(ConnectionError("Step Functions down"))
    with pytest.raises(ConnectionError):
        world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@example.fr"))
    del world.workflow.start  # nobody retries
    world.clock.advance(days=7)
    assert world.safety_net.catch_up_overdue_links() == 0  # within the grace a workflow would have
    world.clock.advance(hours=1)
    assert world.safety_net.catch_up_overdue_links() == 1
    assert [overdue.link.number for overdue in world.workflow.caught_up] == [1] and len(world.mailer.sent) == 1



def _step_functions_failing_after_ses(world):
    world.workflow.start = lambda *args, **kwargs: (_ for _ in ()).throw(ConnectionError("Step Functions down"))
    with pytest.raises(ConnectionError):
        world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@example.fr"))
    del world.workflow.start


def _dead_before_ses(world):
    _dying_at_ses(world)
    with pytest.raises(_Died):
        world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@example.fr"))


@pytest.mark.parametrize(("failure", "emails"), [(None, 1), (_contact_with_the_mailer_down, 1),
                                                 (_step_functions_failing_after_ses, 1), (_dead_before_ses, 0)])
def test_the_safety_net_never_asks_step_functions_whether_a_link_left(failure, emails):
    """Its role has no states:DescribeExecution (template.yaml): only a retried request asks that."""
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    if failure is None:
        world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@example.fr"))
    else:
        failure(world)
    world.workflow.emailed = lambda *args: pytest.fail("the safety net called DescribeExecution")
    sent_at = account(world).link.sent_at
    for after in (timedelta(hours=2), timedelta(days=7, hours=1), timedelta(days=21, hours=1)):
        world.clock.current = sent_at + after  # a failed link's first night, then each deadline passed
        world.safety_net.catch_up_overdue_links()
    assert [overdue.link.number for overdue in world.workflow.caught_up][:1] == [1]  # it did act on the link
    assert len(world.mailer.sent) == emails  # SES down: the safety net sent it; died before SES: never

class _Died(BaseException):
    """The function's death (a timeout, the container recycled): nothing after it runs, no handler sees it."""


def _dying_at_ses(world):
    """The mailer's next send kills the function before SES takes the email; the one after works."""
    send = world.mailer.send

    def die(email):
        world.mailer.send = send
        raise _Died()

    world.mailer.send = die


def test_a_function_dying_between_the_commit_and_ses_gets_the_same_link_emailed_once_by_the_retry():
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    signup = world.signup_until_contact()
    _dying_at_ses(world)
    with pytest.raises(_Died):
        world.contact_step.give_contact(signup, values.contact("paul@example.fr"))
    assert world.mailer.sent == [] and world.workflow.started == []
    assert account(world).link.delivery is LinkDelivery.PRESUMED  # the optimistic mark, not to be trusted
    retried = world.signup_store.get(signup.signup_id)
    world.contact_step.give_contact(retried, values.contact("paul@example.fr"))
    world.contact_step.give_contact(retried, values.contact("paul@example.fr"))  # once on its way, not again
    assert len(world.mailer.sent) == 1 and world.workflow.started_emailed == [(account(world).account_id, 1)]
    world.activation.confirm(world.mailer.last_token())
    assert account(world).status is AccountState.ACTIVE


def test_a_resend_dying_before_ses_gets_its_link_emailed_once_by_the_retry(world):
    old = world.mailer.last_token()
    _dying_at_ses(world)
    with pytest.raises(_Died):
        world.new_links.resend(old)
    assert len(world.mailer.sent) == 1 and account(world).link.number == 2
    world.new_links.resend(old)
    assert len(world.mailer.sent) == 2 and account(world).link.number == 2
    with pytest.raises(errors.LinkInvalid):  # its link left: the old link's resend is no longer a retry
        world.new_links.resend(old)
    world.activation.confirm(world.mailer.last_token())
    assert account(world).status is AccountState.ACTIVE


def test_a_new_link_after_login_dying_before_ses_gets_emailed_once_by_the_retry(world):
    with pytest.raises(errors.EmailConfirmationPending) as login:
        world.login.login(values.nir(NIR), PASSWORD)
    pending = login.value.extra["pending_token"]
    _dying_at_ses(world)
    with pytest.raises(_Died):
        world.new_links.send_after_login(pending, email=values.email("paul.bis@example.fr"))
    world.new_links.send_after_login(pending, email=values.email("paul.bis@example.fr"))
    assert [email.to for email in world.mailer.sent] == ["paul@example.fr", "paul.bis@example.fr"]
    assert account(world).link.number == 2
    world.activation.confirm(world.mailer.last_token())
    assert account(world).status is AccountState.ACTIVE


def test_a_link_lost_before_ses_and_never_retried_is_sent_at_a_login_or_expired_by_the_safety_net():
    """The hole left by saving links as on their way: nobody retrying, the link is never emailed and no
    workflow runs. A login meanwhile offers a link, which sends the same one; else the safety net
    applies the 7-day deadline (and the workflow it starts, the 21-day one)."""
    from tests.fakes import FakeWorld

    world = FakeWorld([beneficiary(VENTURI)])
    _dying_at_ses(world)
    with pytest.raises(_Died):
        world.contact_step.give_contact(world.signup_until_contact(), values.contact("paul@example.fr"))
    world.clock.advance(days=3)
    assert world.safety_net.catch_up_overdue_links() == 0  # it looks on its way: not seen before its deadline
    with pytest.raises(errors.EmailConfirmationPending) as login:
        world.login.login(values.nir(NIR), PASSWORD)
    world.new_links.send_after_login(login.value.extra["pending_token"], email=None)
    assert len(world.mailer.sent) == 1 and account(world).link.number == 1  # the lost link itself
    world.activation.confirm(world.mailer.last_token())
    assert account(world).status is AccountState.ACTIVE

    other = FakeWorld([beneficiary(VENTURI)])
    _dying_at_ses(other)
    with pytest.raises(_Died):
        other.contact_step.give_contact(other.signup_until_contact(), values.contact("paul@example.fr"))
    other.clock.advance(days=7, hours=1)
    assert other.safety_net.catch_up_overdue_links() == 1
    assert [overdue.link.number for overdue in other.workflow.caught_up] == [1] and other.mailer.sent == []
    with pytest.raises(errors.LoginLinkExpired):  # the offer of journey.md section 3 applies
        other.login.login(values.nir(NIR), PASSWORD)


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


def test_the_same_request_again_once_its_link_left_is_a_request_of_its_own(world):
    """No delivery is recorded, so a request is taken for a retry only when its link did not leave (no
    `emailed` execution): once it left, the same request again sends a new link, and a request for
    another address always makes its own."""
    with pytest.raises(errors.EmailConfirmationPending) as login:
        world.login.login(values.nir(NIR), PASSWORD)
    pending = login.value.extra["pending_token"]
    world.clock.advance(minutes=1)
    world.new_links.send_after_login(pending, email=values.email("paul.bis@example.fr"))
    assert len(world.mailer.sent) == 2 and account(world).link.number == 2
    world.new_links.send_after_login(pending, email=values.email("paul.bis@example.fr"))
    assert len(world.mailer.sent) == 3 and account(world).link.number == 3
    world.new_links.send_after_login(pending, email=values.email("paul.ter@example.fr"))
    assert len(world.mailer.sent) == 4 and account(world).link.number == 4
    assert account(world).email == "paul.ter@example.fr"


@pytest.mark.parametrize("email", ["new@example.fr", None])
def test_after_login_a_request_read_before_the_deletion_and_saved_after_it(world, monkeypatch, email):
    """The fake's condition as the adapter's (tests/functional/test_account_repository.py): a new address
    takes the deletion that landed after its read; a resend to the deleted address does not."""
    world.clock.advance(days=8)
    world.account_store.expire_link(account(world).nir_hash)
    with pytest.raises(errors.LoginLinkExpired) as expired:
        world.login.login(values.nir(NIR), PASSWORD)
    read = world.account_store.get_account

    def read_before_the_deletion(nir_hash):
        found = read(nir_hash)
        world.clock.advance(days=12, hours=23)  # day 20: still before the deadline: only the write's condition decides
        world.account_store.delete_pending_email(nir_hash)
        return found

    monkeypatch.setattr(world.account_store, "get_account", read_before_the_deletion)
    pending_token = expired.value.extra["pending_token"]
    if email is None:
        with pytest.raises(errors.PendingEmailDeleted):
            world.new_links.send_after_login(pending_token, email=None)
        assert account(world).status is AccountState.EMAIL_REQUIRED and account(world).link_count == 1
        return
    world.new_links.send_after_login(pending_token, email=values.email(email))
    assert (account(world).status, account(world).email, account(world).link_count) == \
        (AccountState.PENDING_EMAIL_CONFIRMATION, email, 2)
    assert world.account_store.email_owners == {account(world).email_key: account(world).nir_hash}
