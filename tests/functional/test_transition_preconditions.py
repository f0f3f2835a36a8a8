"""Every state transition's write carries the preconditions its decision was made on (issue 12,
defect 9): the status and the address read, not only the link number."""

from __future__ import annotations

import contextlib

import boto3
import pytest

from ameli.adapters.keys import STATUS_EMAIL_REQUIRED, account_key, email_claim_key
from ameli.domain import errors
from tests import values


def delete_pending_email(api, nir_hash: str, email_key: str) -> None:
    """What the workflow's DeletePendingEmail state writes at the 21-day deadline."""
    table = api.stack.environment["ACCOUNTS_TABLE"]
    dynamodb = boto3.client("dynamodb")
    dynamodb.update_item(
        TableName=table, Key={"pk": {"S": account_key(nir_hash)}},
        UpdateExpression="SET #status = :required REMOVE email, email_key, #link, pending_bucket, next_deadline",
        ExpressionAttributeNames={"#status": "status", "#link": "link"},
        ExpressionAttributeValues={":required": {"S": STATUS_EMAIL_REQUIRED}},
    )
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": email_claim_key(email_key)}})


@contextlib.contextmanager
def the_deletion_landing_after_the_read(api):
    """The 21-day deletion lands between the request's read of the account (by its link) and its write."""
    from ameli.bootstrap import container

    accounts = container().account_repository
    read = accounts.find_by_link

    def read_then_deadline(token_hash):
        found = read(token_hash)
        account, _ = found
        delete_pending_email(api, account.nir_hash, account.email_key)
        return found

    accounts.find_by_link = read_then_deadline
    try:
        yield
    finally:
        del accounts.find_by_link


def _account(api):
    from ameli.bootstrap import container

    services = container()
    return services.account_repository.get_account(services.pseudonymizer.nir_hash("162122B010001"))


def test_a_resend_racing_the_deletion_of_the_address_does_not_rearm_an_account_without_address(api):
    """The resend reads the account (pending, with its address); the 21-day deletion lands; then
    the resend writes its new link. It must find the account changed, not re-arm it."""
    from ameli.bootstrap import container

    api.sign_up()
    token = api.last_link_token()
    with the_deletion_landing_after_the_read(api), pytest.raises(errors.PendingEmailDeleted):
        container().new_links.resend(token)
    account = _account(api)
    assert account.status.value == STATUS_EMAIL_REQUIRED and account.email is None and account.link is None
    assert len(api.mailbox()) == 1  # only the signup's own email


def test_a_new_address_racing_the_deletion_is_saved_with_its_own_claim(api):
    """A new address decided before the deletion replaces the deleted one (what the journey asks for
    after it anyway): its link is sent, and the account is not left without an address."""
    from ameli.bootstrap import container

    api.sign_up()
    token = api.last_link_token()
    with the_deletion_landing_after_the_read(api):
        container().new_links.resend(token, new_email=values.email("nouvelle@example.fr"), password="MotdePasse1")
    account = _account(api)
    assert (account.email, account.link.number, account.status.value) == ("nouvelle@example.fr", 2, "pending_email_confirmation")
    assert api.mailbox()[-1]["to"] == ["nouvelle@example.fr"]
    claims = boto3.client("dynamodb").get_item(TableName=api.stack.environment["ACCOUNTS_TABLE"],
                                               Key={"pk": {"S": email_claim_key(account.email_key)}})
    assert claims["Item"]["owner"]["S"] == account_key(account.nir_hash)
