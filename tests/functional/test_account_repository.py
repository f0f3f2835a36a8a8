"""The account repository's conditions, on moto: what the in-memory fake only imitates (the
activation rule is the adapter's condition expression; transaction failures are read by item name)."""

from dataclasses import replace
from datetime import timedelta

import boto3
import pytest
from moto import mock_aws

from ameli.adapters import keys
from ameli.adapters.dynamodb.accounts import DynamoAccountRepository, account_to_item, email_claim_item, link_item
from ameli.domain import errors
from ameli.domain.account import Account, AccountState, ConfirmationLink
from ameli.ports import NewAddress
from tests.fakes import FrozenClock

NOW = FrozenClock().now()


def _link(number: int, sent_at=NOW) -> ConfirmationLink:
    return ConfirmationLink.issue(f"token-hash-{number}", number, sent_at, timedelta(days=7), timedelta(days=21))


ACCOUNT = Account(
    account_id="a-1", nir="162122B010001", nir_hash="nir-hash", birth_date=NOW.date(), names=("VENTURI",),
    signup_method="carte_vitale", password_hash="$argon2id$...", terms_version="2020-04", terms_accepted_at=NOW,
    created_at=NOW, status=AccountState.PENDING_EMAIL_CONFIRMATION, email="paul@example.fr", email_key="email-1",
    link=_link(1), link_count=1,
)


@pytest.fixture
def repository(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # a stack built by an earlier test leaves it set
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-3")
        for table in ("accounts", "signups"):
            client.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        for item in (account_to_item(ACCOUNT), email_claim_item("email-1", ACCOUNT.nir_hash),
                     link_item(ACCOUNT, ACCOUNT.link)):
            client.put_item(TableName="accounts", Item=item)
        yield DynamoAccountRepository(client, "accounts", "signups", keys.PENDING_INDEX)


def test_activation_is_refused_by_the_condition_at_and_after_the_deadline(repository):
    assert repository.activate(ACCOUNT, 1, ACCOUNT.link.expires_at) is False
    assert repository.get_account(ACCOUNT.nir_hash).status is AccountState.PENDING_EMAIL_CONFIRMATION
    assert repository.activate(ACCOUNT, 2, NOW) is False  # not the current link
    assert repository.activate(ACCOUNT, 1, NOW + timedelta(days=6)) is True
    assert repository.get_account(ACCOUNT.nir_hash).status is AccountState.ACTIVE
    assert repository.activate(ACCOUNT, 1, NOW + timedelta(days=6)) is False  # already active


def test_a_new_link_to_an_address_already_claimed_is_refused_by_name(repository):
    repository.client.put_item(TableName="accounts", Item=email_claim_item("email-2", "someone-else"))
    with pytest.raises(errors.EmailAlreadyUsed):
        repository.replace_link(ACCOUNT, _link(2), NewAddress("other@example.fr", "email-2"))
    assert repository.get_account(ACCOUNT.nir_hash).link_count == 1


def test_a_new_link_decided_on_a_stale_account_is_invalid(repository):
    repository.replace_link(ACCOUNT, _link(2), None)
    with pytest.raises(errors.LinkInvalid):  # decided on link 1, but link 2 is current now
        repository.replace_link(ACCOUNT, _link(3), NewAddress("other@example.fr", "email-3"))
    stored = repository.get_account(ACCOUNT.nir_hash)
    assert (stored.link_count, stored.email_key) == (2, "email-1")


def _as_the_workflow(repository, update: str, *values: str) -> None:
    """The state machine's own write (statemachine/confirmation.asl.json), without its condition."""
    names = {"#status": "status", "#link": "link"} if "#link" in update else {"#status": "status"}
    repository.client.update_item(TableName="accounts", Key={"pk": {"S": keys.account_key(ACCOUNT.nir_hash)}},
                                  UpdateExpression=update, ExpressionAttributeNames=names,
                                  ExpressionAttributeValues={":status": {"S": values[0]}})


def test_a_new_link_decided_on_a_pending_account_is_saved_after_the_workflow_stored_its_expiry(repository):
    _as_the_workflow(repository, "SET #status = :status", keys.STATUS_LINK_EXPIRED)
    repository.replace_link(ACCOUNT, _link(2), None)  # ACCOUNT as read before: pending
    stored = repository.get_account(ACCOUNT.nir_hash)
    assert (stored.status, stored.link_count, stored.link.number) == (AccountState.PENDING_EMAIL_CONFIRMATION, 2, 2)


@pytest.mark.parametrize(("meanwhile", "refusal"), [
    ("activated", errors.AccountAlreadyActive),
    ("deleted", errors.PendingEmailDeleted),
])
def test_a_new_link_decided_before_the_activation_or_the_deletion_is_refused_by_name(repository, meanwhile, refusal):
    if meanwhile == "activated":
        assert repository.activate(ACCOUNT, 1, NOW)
    else:  # the expiry, then the deletion at the end of retention
        _as_the_workflow(repository, "SET #status = :status", keys.STATUS_LINK_EXPIRED)
        _as_the_workflow(repository, "SET #status = :status REMOVE email, email_key, #link", keys.STATUS_EMAIL_REQUIRED)
    with pytest.raises(refusal):
        repository.replace_link(ACCOUNT, _link(2), None)
    assert repository.get_account(ACCOUNT.nir_hash).link_count == 1


def _deleted_by_the_workflow(repository) -> None:
    """The 21-day deletion after the expiry: the address removed from the account, its claim released."""
    _as_the_workflow(repository, "SET #status = :status", keys.STATUS_LINK_EXPIRED)
    _as_the_workflow(repository, "SET #status = :status REMOVE email, email_key, #link", keys.STATUS_EMAIL_REQUIRED)
    repository.client.delete_item(TableName="accounts", Key={"pk": {"S": keys.email_claim_key("email-1")}})


def _claim_owner(repository, email_key: str) -> str | None:
    item = repository.client.get_item(TableName="accounts", Key={"pk": {"S": keys.email_claim_key(email_key)}},
                                      ConsistentRead=True).get("Item")
    return item["owner"]["S"] if item else None


@pytest.mark.parametrize("read", [AccountState.PENDING_EMAIL_CONFIRMATION, AccountState.LINK_EXPIRED])
def test_a_new_address_decided_before_the_deletion_is_saved_after_it(repository, read):
    _deleted_by_the_workflow(repository)
    repository.replace_link(replace(ACCOUNT, status=read), _link(2), NewAddress("other@example.fr", "email-2"))
    stored = repository.get_account(ACCOUNT.nir_hash)
    assert (stored.status, stored.email_key, stored.link_count) == (AccountState.PENDING_EMAIL_CONFIRMATION, "email-2", 2)
    assert (_claim_owner(repository, "email-2"), _claim_owner(repository, "email-1")) == (keys.account_key("nir-hash"), None)


def test_a_new_address_decided_before_the_deletion_still_releases_the_claim_it_held(repository):
    repository.replace_link(replace(ACCOUNT, status=AccountState.LINK_EXPIRED), _link(2),
                            NewAddress("other@example.fr", "email-2"))  # no deletion meanwhile: the usual path
    assert (_claim_owner(repository, "email-2"), _claim_owner(repository, "email-1")) == (keys.account_key("nir-hash"), None)


def test_a_new_address_decided_before_the_deletion_is_saved_when_the_old_one_was_claimed_again(repository):
    _deleted_by_the_workflow(repository)
    repository.client.put_item(TableName="accounts", Item=email_claim_item("email-1", "someone-else"))
    repository.replace_link(replace(ACCOUNT, status=AccountState.LINK_EXPIRED), _link(2),
                            NewAddress("other@example.fr", "email-2"))
    stored = repository.get_account(ACCOUNT.nir_hash)
    assert (stored.status, stored.email_key, stored.link_count) == (AccountState.PENDING_EMAIL_CONFIRMATION, "email-2", 2)
    assert (_claim_owner(repository, "email-1"), _claim_owner(repository, "email-2")) == \
        (keys.account_key("someone-else"), keys.account_key("nir-hash"))


def test_a_resend_to_the_deleted_address_is_still_refused_by_name(repository):
    _deleted_by_the_workflow(repository)
    with pytest.raises(errors.PendingEmailDeleted):
        repository.replace_link(replace(ACCOUNT, status=AccountState.LINK_EXPIRED), _link(2), None)
    assert repository.get_account(ACCOUNT.nir_hash).link_count == 1


def test_after_the_deletion_another_new_address_saved_first_wins(repository):
    _deleted_by_the_workflow(repository)
    deleted = repository.get_account(ACCOUNT.nir_hash)
    repository.replace_link(deleted, _link(2), NewAddress("third@example.fr", "email-3"))  # read after the deletion
    with pytest.raises(errors.LinkInvalid):  # read before it, saved last: link 2 is current
        repository.replace_link(replace(ACCOUNT, status=AccountState.LINK_EXPIRED), _link(2),
                                NewAddress("other@example.fr", "email-2"))
    stored = repository.get_account(ACCOUNT.nir_hash)
    assert (stored.email_key, stored.link_count) == ("email-3", 2)
    assert _claim_owner(repository, "email-2") is None


def test_a_new_address_decided_before_an_activation_is_refused_by_name(repository):
    assert repository.activate(ACCOUNT, 1, NOW)
    with pytest.raises(errors.AccountAlreadyActive):
        repository.replace_link(ACCOUNT, _link(2), NewAddress("other@example.fr", "email-2"))
    assert (_claim_owner(repository, "email-1"), _claim_owner(repository, "email-2")) == (keys.account_key("nir-hash"), None)
