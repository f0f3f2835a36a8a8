"""The account aggregate (accounts table): an account, the claim of its email address and its links.

An account is created from a signup in one transaction that also ends that signup and opens its
correction right (the only writes outside this table). Its `status` and deadlines are also written by
the confirmation workflow (statemachine/confirmation.asl.json), with the same keys and status strings
(`ameli.adapters.keys`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from botocore.exceptions import ClientError

from ameli.adapters.dynamodb.items import (
    GRACE,
    Item,
    Transaction,
    TransactionCancelled,
    condition_failed,
    epoch,
    from_item,
    key,
    optional_moment,
    optional_rfc3339,
    serialize,
    session_item,
    to_item,
)
from ameli.adapters.keys import (
    PENDING_BUCKET,
    STATUS_ACTIVE,
    STATUS_EMAIL_REQUIRED,
    STATUS_LINK_EXPIRED,
    STATUS_PENDING,
    account_key,
    email_claim_key,
    link_key,
    signup_key,
)
from ameli.clock import from_rfc3339, to_rfc3339
from ameli.domain import errors
from ameli.domain.account import Account, AccountState, ConfirmationLink, Consent, LinkDelivery
from ameli.domain.session import Session
from ameli.domain.signup import Signup
from ameli.ports import NewAddress, OverdueLink


def _link_to_dict(link: ConfirmationLink) -> dict[str, Any]:
    return {
        "token_hash": link.token_hash,
        "number": link.number,
        "sent_at": to_rfc3339(link.sent_at),
        "expires_at": to_rfc3339(link.expires_at),
        "retention_until": to_rfc3339(link.retention_until),
        "delivery": link.delivery.value,
    }


def _link_from_dict(values: dict[str, Any]) -> ConfirmationLink:
    return ConfirmationLink(
        token_hash=values["token_hash"],
        number=int(values["number"]),
        sent_at=from_rfc3339(values["sent_at"]),
        expires_at=from_rfc3339(values["expires_at"]),
        retention_until=from_rfc3339(values["retention_until"]),
        delivery=_delivery_of(values),
    )


def _delivery_of(values: dict[str, Any]) -> LinkDelivery:
    if "delivery" in values:
        return LinkDelivery(values["delivery"])
    # Stored when the workflow's first state recorded deliveries (`delivered`), or before (neither flag):
    # delivered or emailed, it left; recorded neither, it was due at once and may never have left.
    if values.get("delivered", True) or values.get("emailed", False):
        return LinkDelivery.EMAILED
    return LinkDelivery.FAILED


def account_to_item(account: Account) -> Item:
    values = {
        "pk": account_key(account.nir_hash),
        "account_id": account.account_id,
        "nir": account.nir,
        "nir_hash": account.nir_hash,
        "birth_date": account.birth_date.isoformat(),
        "names": list(account.names),
        "signup_method": account.signup_method,
        "password_hash": account.password_hash,
        "terms_version": account.terms_version,
        "terms_accepted_at": to_rfc3339(account.terms_accepted_at),
        "created_at": to_rfc3339(account.created_at),
        "status": account.status.value,
        "email": account.email,
        "email_key": account.email_key,
        "link": _link_to_dict(account.link) if account.link else None,
        "link_count": account.link_count,
        "consents": {name: {"given": c.given, "at": to_rfc3339(c.at), "wording_version": c.wording_version}
                     for name, c in account.consents.items()},
        "mobile_phone": account.mobile_phone,
        "landline_phone": account.landline_phone,
        "franceconnect_sub": account.franceconnect_sub,
        "activated_at": optional_rfc3339(account.activated_at),
        "new_links_sent_at": [to_rfc3339(moment) for moment in account.new_links_sent_at] or None,
    }
    if account.status is not AccountState.ACTIVE and account.link is not None:
        values.update(pending_index_values(account.link, account.status))
    return to_item(values)


def pending_index_values(link: ConfirmationLink, status: AccountState) -> dict[str, str]:
    """Sparse index of accounts still waiting for a deadline: the safety net queries it, never scans."""
    deadline = link.expires_at if status is AccountState.PENDING_EMAIL_CONFIRMATION else link.retention_until
    if link.delivery is LinkDelivery.FAILED:  # due at once: the safety net delivers what SES did not take
        deadline = link.sent_at
    return {"pending_bucket": PENDING_BUCKET, "next_deadline": to_rfc3339(deadline)}


def account_from_item(item: Item) -> Account:
    values = from_item(item)
    return Account(
        account_id=values["account_id"],
        nir=values["nir"],
        nir_hash=values["nir_hash"],
        birth_date=date.fromisoformat(values["birth_date"]),
        names=tuple(values.get("names", ())),
        signup_method=values["signup_method"],
        password_hash=values["password_hash"],
        terms_version=values["terms_version"],
        terms_accepted_at=from_rfc3339(values["terms_accepted_at"]),
        created_at=from_rfc3339(values["created_at"]),
        status=AccountState(values["status"]),
        email=values.get("email"),
        email_key=values.get("email_key"),
        link=_link_from_dict(values["link"]) if values.get("link") else None,
        link_count=int(values.get("link_count", 0)),
        consents={
            name: Consent(bool(c["given"]), from_rfc3339(c["at"]), c["wording_version"])
            for name, c in (values.get("consents") or {}).items()
        },
        mobile_phone=values.get("mobile_phone"),
        landline_phone=values.get("landline_phone"),
        franceconnect_sub=values.get("franceconnect_sub"),
        activated_at=optional_moment(values, "activated_at"),
        new_links_sent_at=tuple(from_rfc3339(moment) for moment in values.get("new_links_sent_at") or ()),
    )


def link_item(account: Account, link: ConfirmationLink) -> Item:
    return to_item({
        "pk": link_key(link.token_hash),
        "account_pk": account_key(account.nir_hash),
        "number": link.number,
        "expires_at": to_rfc3339(link.expires_at),
        "retention_until": to_rfc3339(link.retention_until),
        "ttl": epoch(link.retention_until + GRACE),
    })


def email_claim_item(email_key: str, nir_hash: str) -> Item:
    return to_item({"pk": email_claim_key(email_key), "owner": account_key(nir_hash)})


class DynamoAccountRepository:
    def __init__(self, client: Any, accounts_table: str, signups_table: str, pending_index: str) -> None:
        self.client = client
        self.accounts_table = accounts_table
        self.signups_table = signups_table
        self.pending_index = pending_index

    def get_account(self, nir_hash: str) -> Account | None:
        item = self.client.get_item(
            TableName=self.accounts_table, Key=key(account_key(nir_hash)), ConsistentRead=True
        ).get("Item")
        return account_from_item(item) if item else None

    def find_by_link(self, token_hash: str) -> tuple[Account, int] | None:
        # Consistent: a link sent a moment ago (a resend, then a click) must already be known.
        item = self.client.get_item(TableName=self.accounts_table, Key=key(link_key(token_hash)),
                                    ConsistentRead=True).get("Item")
        if not item:
            return None
        link = from_item(item)
        account_item = self.client.get_item(
            TableName=self.accounts_table, Key=key(link["account_pk"]), ConsistentRead=True
        ).get("Item")
        return (account_from_item(account_item), int(link["number"])) if account_item else None

    def create_from_signup(self, signup: Signup, account: Account, correction: Session | None = None) -> None:
        """Atomically: the account, its email claim, its first link, the end of the signup, and the
        `correction` right if given (a session in the signups table)."""
        assert account.link is not None and account.email_key is not None
        tx = Transaction()
        if correction is not None:
            tx.add("correction", "Put", TableName=self.signups_table, Item=session_item(correction))
        new = "attribute_not_exists(pk)"
        tx.add("account", "Put", TableName=self.accounts_table, Item=account_to_item(account), ConditionExpression=new)
        tx.add("email_claim", "Put", TableName=self.accounts_table,
               Item=email_claim_item(account.email_key, account.nir_hash), ConditionExpression=new)
        tx.add("link", "Put", TableName=self.accounts_table, Item=link_item(account, account.link),
               ConditionExpression=new)
        # The signup is kept, done, until its own deadline: a retry of this request (its answer or the
        # email lost) finds the account again instead of a dead signup.
        tx.add("signup", "Update", TableName=self.signups_table, Key=key(signup_key(signup.signup_id)),
               ConditionExpression="next_step = :contact",
               UpdateExpression="SET next_step = :done REMOVE password_hash",
               ExpressionAttributeValues={":contact": {"S": "contact"}, ":done": {"S": "done"}})
        try:
            tx.write(self.client)
        except TransactionCancelled as cancelled:
            if "signup" in cancelled.failed:
                raise errors.StepNotAllowed() from None
            if "account" in cancelled.failed:
                raise errors.AccountAlreadyExists() from None
            if "email_claim" in cancelled.failed:
                raise errors.EmailAlreadyUsed() from None
            raise

    def activate(self, account: Account, link_number: int, now: datetime) -> bool:
        try:
            self.client.update_item(
                TableName=self.accounts_table,
                Key=key(account_key(account.nir_hash)),
                # The deadline is checked here too: a workflow running late never lets an expired link work.
                ConditionExpression="#status = :pending AND #link.#number = :number AND #link.expires_at > :now",
                UpdateExpression="SET #status = :active, activated_at = :now REMOVE pending_bucket, next_deadline",
                ExpressionAttributeNames={"#status": "status", "#link": "link", "#number": "number"},
                ExpressionAttributeValues={
                    ":pending": {"S": STATUS_PENDING},
                    ":active": {"S": STATUS_ACTIVE},
                    ":number": {"N": str(link_number)},
                    ":now": {"S": to_rfc3339(now)},
                },
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def replace_link(self, account: Account, link: ConfirmationLink, new_address: NewAddress | None) -> None:
        """Make `link` the account's current link (and its address, if new), atomically."""
        tx = Transaction()
        tx.add("account", "Update", **self._link_update(account, link, new_address))
        if new_address is not None:
            self._move_email_claim(tx, account, new_address)
        tx.add("link", "Put", TableName=self.accounts_table, Item=link_item(account, link),
               ConditionExpression="attribute_not_exists(pk)")
        try:
            tx.write(self.client)
        except TransactionCancelled as cancelled:
            if "account" in cancelled.failed:
                raise _changed_meanwhile(cancelled.current.get("account")) from None
            if "new_email_claim" in cancelled.failed:
                raise errors.EmailAlreadyUsed() from None
            if cancelled.failed == {"old_email_claim"} and new_address is not None:
                # The account's condition held but the old address is someone else's now: the 21-day
                # deletion released it and another account took it after this request's read. Saved as
                # decided after the deletion, which has no claim to release (one more write, on this race only).
                deleted = replace(account, status=AccountState.EMAIL_REQUIRED, email=None, email_key=None, link=None)
                return self.replace_link(deleted, link, new_address)
            raise errors.LinkInvalid() from None

    def _link_update(self, account: Account, link: ConfirmationLink, new_address: NewAddress | None) -> Item:
        values: dict[str, Any] = {
            ":link": serialize(_link_to_dict(link)),
            ":count": {"N": str(link.number)},
            ":previous_count": {"N": str(account.link_count)},
            ":pending": {"S": STATUS_PENDING},
        }
        # The limit of new links is counted by this same write (its condition on link_count serialises them).
        values[":new_links"] = serialize([to_rfc3339(moment) for moment in account.new_links_with(link)])
        sets = ["#link = :link", "link_count = :count", "#status = :pending", "new_links_sent_at = :new_links"]
        for name, value in pending_index_values(link, AccountState.PENDING_EMAIL_CONFIRMATION).items():
            sets.append(f"{name} = :{name}")
            values[f":{name}"] = {"S": value}
        if new_address is not None:
            sets += ["email = :email", "email_key = :email_key"]
            values[":email"] = {"S": new_address.address}
            values[":email_key"] = {"S": new_address.email_key}
        condition = _unchanged_since_read(account, values, new_address is not None)
        return {
            "TableName": self.accounts_table,
            "Key": key(account_key(account.nir_hash)),
            "ConditionExpression": condition,
            "UpdateExpression": "SET " + ", ".join(sets),
            "ExpressionAttributeNames": {"#status": "status", "#link": "link"},
            "ExpressionAttributeValues": values,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _move_email_claim(self, tx: Transaction, account: Account, new_address: NewAddress) -> None:
        owner = account_key(account.nir_hash)
        tx.add("new_email_claim", "Put", TableName=self.accounts_table,
               Item=email_claim_item(new_address.email_key, account.nir_hash),
               ConditionExpression="attribute_not_exists(pk)")
        if account.email_key:
            # Already gone if the 21-day deletion released it after this request's read: nothing to release.
            tx.add("old_email_claim", "Delete", TableName=self.accounts_table,
                   Key=key(email_claim_key(account.email_key)),
                   ConditionExpression="attribute_not_exists(pk) OR #owner = :owner",
                   ExpressionAttributeNames={"#owner": "owner"}, ExpressionAttributeValues={":owner": {"S": owner}})

    def record_delivery(self, account: Account, link_number: int, delivery: LinkDelivery) -> None:
        """Mark what a failure left of this link's delivery (if it is still the current, pending link):
        `FAILED` is due at once for the safety net, `EMAILED` at its own deadline again."""
        assert account.link is not None and delivery is not LinkDelivery.PRESUMED
        deadline = account.link.sent_at if delivery is LinkDelivery.FAILED else account.link.expires_at
        try:
            self.client.update_item(
                TableName=self.accounts_table,
                Key=key(account_key(account.nir_hash)),
                ConditionExpression="#link.#number = :number AND #status = :pending",
                UpdateExpression="SET #link.delivery = :delivery, next_deadline = :deadline",
                ExpressionAttributeNames={"#status": "status", "#link": "link", "#number": "number"},
                ExpressionAttributeValues={
                    ":number": {"N": str(link_number)}, ":pending": {"S": STATUS_PENDING},
                    ":delivery": {"S": delivery.value}, ":deadline": {"S": to_rfc3339(deadline)},
                },
            )
        except ClientError as error:
            if not condition_failed(error):  # else the account moved on meanwhile: nothing to record
                raise

    def update_password_hash(self, nir_hash: str, password_hash: str) -> None:
        """The same password hashed with the current parameters (after a login that verified it)."""
        self.client.update_item(
            TableName=self.accounts_table,
            Key=key(account_key(nir_hash)),
            UpdateExpression="SET password_hash = :hash",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":hash": {"S": password_hash}},
        )

    def record_consents(self, nir_hash: str, consents: dict[str, Consent]) -> None:
        """Each consent on its own map path, so that two changes made at once both stay; only while the
        account is active (the write's own condition, whatever was read before)."""
        names = {f"#c{i}": name for i, name in enumerate(consents)}
        values = {f":c{i}": serialize({"given": c.given, "at": to_rfc3339(c.at), "wording_version": c.wording_version})
                  for i, c in enumerate(consents.values())}
        try:
            self.client.update_item(
                TableName=self.accounts_table,
                Key=key(account_key(nir_hash)),
                UpdateExpression="SET " + ", ".join(
                    f"consents.{name} = {value}" for name, value in zip(names, values, strict=True)),
                ConditionExpression="#status = :active",
                ExpressionAttributeNames={"#status": "status", **names},
                ExpressionAttributeValues={":active": {"S": STATUS_ACTIVE}, **values},
            )
        except ClientError as error:
            if condition_failed(error):
                raise errors.AuthenticationRequired() from None
            raise

    def overdue_links(self, now: datetime, limit: int, not_before: datetime | None = None) -> list[OverdueLink]:
        """Pending accounts whose deadline is at or before `now` (the safety net), from the sparse index."""
        overdue: list[OverdueLink] = []
        since = to_rfc3339(not_before) if not_before else "0"  # "0" sorts before every timestamp
        query: dict[str, Any] = {
            "TableName": self.accounts_table,
            "IndexName": self.pending_index,
            "KeyConditionExpression": "pending_bucket = :bucket AND next_deadline BETWEEN :since AND :now",
            "ExpressionAttributeValues": {":bucket": {"S": PENDING_BUCKET}, ":now": {"S": to_rfc3339(now)},
                                          ":since": {"S": since}},
        }
        while len(overdue) < limit:
            page = self.client.query(**query, Limit=limit - len(overdue))
            overdue += [_overdue_of(from_item(item)) for item in page.get("Items", []) if "link" in item]
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return overdue


def _unchanged_since_read(account: Account, values: dict[str, Any], new_address: bool) -> str:
    """The condition of a new link: only from the state it was decided on (link, status and address as
    read), so that a concurrent resend, confirmation or newer link wins cleanly. The expiry the workflow
    stores at the 7-day deadline changes neither the link nor the address, and a new link is due after it
    all the same: pending or expired, either will do. The 21-day deletion removes the address (and
    releases its claim) but not the link count: a new address is exactly what is asked after it, so a
    new address decided on a pending or expired account also takes it; a resend to the deleted address
    does not. Adds its `values`."""
    condition = "link_count = :previous_count AND "
    if account.email_key:
        values[":seen_email_key"] = {"S": account.email_key}
        seen_address = "email_key = :seen_email_key"
    else:
        seen_address = "attribute_not_exists(email_key)"
    if account.status not in (AccountState.PENDING_EMAIL_CONFIRMATION, AccountState.LINK_EXPIRED):
        values[":seen_status"] = {"S": account.status.value}
        return condition + f"#status = :seen_status AND {seen_address}"
    values[":expired"] = {"S": STATUS_LINK_EXPIRED}
    waiting = f"#status IN (:pending, :expired) AND {seen_address}"
    if not new_address:
        return condition + waiting
    values[":email_required"] = {"S": STATUS_EMAIL_REQUIRED}
    return condition + f"(({waiting}) OR (#status = :email_required AND attribute_not_exists(email_key)))"


def _changed_meanwhile(item: Item | None) -> errors.AppError:
    """Why a new link could not be saved: the account as another request or the workflow left it."""
    if item is None:
        return errors.LinkInvalid()
    status = from_item(item).get("status")
    if status == STATUS_ACTIVE:
        return errors.AccountAlreadyActive()
    if status == STATUS_EMAIL_REQUIRED:
        return errors.PendingEmailDeleted()
    return errors.LinkInvalid()  # a newer link was sent meanwhile


def _overdue_of(values: dict[str, Any]) -> OverdueLink:
    return OverdueLink(account_id=values["account_id"], nir_hash=values["nir_hash"],
                       email_key=values.get("email_key"), link=_link_from_dict(values["link"]))
