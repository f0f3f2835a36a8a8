"""The account's state at a moment: the stored status corrected by the clock (journey.md 3)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from ameli.domain.account import Account, AccountState, ConfirmationLink

SENT = datetime(2026, 11, 28, 9, 0, 0, 400_000, tzinfo=UTC)
LINK = ConfirmationLink.issue("h", 1, SENT, timedelta(days=7), timedelta(days=21))
ACCOUNT = Account(
    account_id="a", nir="162122B010001", nir_hash="n", birth_date=date(1962, 12, 18), names=("VENTURI",),
    signup_method="carte_vitale", password_hash="x", terms_version="2020-04", terms_accepted_at=SENT,
    created_at=SENT, status=AccountState.PENDING_EMAIL_CONFIRMATION, email="p@example.fr", email_key="k",
    link=LINK, link_count=1,
)


def test_deadlines_are_whole_seconds_never_earlier_than_promised():
    assert LINK.expires_at == datetime(2026, 12, 5, 9, 0, 1, tzinfo=UTC)
    assert LINK.retention_until == datetime(2026, 12, 19, 9, 0, 1, tzinfo=UTC)
    exact = ConfirmationLink.issue("h", 1, SENT.replace(microsecond=0), timedelta(seconds=4), timedelta(seconds=8))
    assert exact.expires_at == SENT.replace(microsecond=0) + timedelta(seconds=4)


def test_state_follows_the_clock_even_when_the_workflow_is_late():
    assert ACCOUNT.state_at(LINK.expires_at - timedelta(seconds=1)) is AccountState.PENDING_EMAIL_CONFIRMATION
    assert ACCOUNT.state_at(LINK.expires_at) is AccountState.LINK_EXPIRED
    assert ACCOUNT.state_at(LINK.retention_until) is AccountState.EMAIL_REQUIRED


def test_stored_states_win_where_the_workflow_already_acted():
    assert replace(ACCOUNT, status=AccountState.LINK_EXPIRED).state_at(SENT) is AccountState.LINK_EXPIRED
    deleted = replace(ACCOUNT, status=AccountState.EMAIL_REQUIRED, email=None, link=None)
    assert deleted.state_at(SENT) is AccountState.EMAIL_REQUIRED
    assert ACCOUNT.activated(SENT).state_at(LINK.retention_until) is AccountState.ACTIVE
