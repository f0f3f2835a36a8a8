"""DynamoDB adapters: the beneficiary registry, signups, proof attempts, accounts.

Tables (see template.yaml):
- registry: `nir` -> the beneficiary as on the fixture/extract format;
- signups: `pk` = `SIGNUP#<id>` (a signup in progress) or `PROOF#<nir hash>` (attempt counter);
- accounts: `pk` = `ACCOUNT#<nir hash>` (one account per NIR), `EMAIL#<email hash>` (uniqueness
  claim), `LINK#<token hash>` (a confirmation link).
`ttl` (epoch seconds) only collects garbage: every read checks the time itself.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from ameli.clock import from_rfc3339, to_rfc3339
from ameli.domain import errors
from ameli.domain.account import Account, AccountState, ConfirmationLink, Consent
from ameli.domain.beneficiary import Beneficiary
from ameli.domain.login_throttle import LoginThrottle
from ameli.domain.proof import PROOF_WINDOW, ProofAttempts
from ameli.domain.session import Session
from ameli.domain.signup import Signup
from ameli.ports import FranceConnectState, NewAddress, OverdueLink, ProofGuard

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# Records are kept this long after their own deadline before DynamoDB may collect them.
_GRACE = timedelta(days=2)


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in values.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}}


def signup_key(signup_id: str) -> str:
    return f"SIGNUP#{signup_id}"


def attempts_key(nir_hash: str) -> str:
    return f"PROOF#{nir_hash}"


def account_key(nir_hash: str) -> str:
    return f"ACCOUNT#{nir_hash}"


def email_claim_key(email_hash: str) -> str:
    return f"EMAIL#{email_hash}"


def link_key(token_hash: str) -> str:
    return f"LINK#{token_hash}"


def login_throttle_key(nir_hash: str) -> str:
    return f"LOGIN#{nir_hash}"


def session_key(token_hash: str) -> str:
    return f"SESSION#{token_hash}"


BIRTH_NAME_INDEX = "by-birth-name"  # registry index of template.yaml


class DynamoBeneficiaryRegistry:
    """Reads the registry extract loaded in DynamoDB (one item per NIR)."""

    def __init__(self, client, table: str) -> None:
        self.client = client
        self.table = table

    def find_by_nir(self, nir: str) -> Beneficiary | None:
        item = self.client.get_item(TableName=self.table, Key={"nir": {"S": nir}}).get("Item")
        return Beneficiary.from_dict(from_item(item)) if item else None

    def find_by_birth_name(self, birth_name_key: str, birth_year: int) -> list[Beneficiary]:
        response = self.client.query(
            TableName=self.table,
            IndexName=BIRTH_NAME_INDEX,
            KeyConditionExpression="birth_name_key = :name AND begins_with(birth_date, :year)",
            ExpressionAttributeValues={":name": {"S": birth_name_key}, ":year": {"S": f"{birth_year:04d}-"}},
            Limit=50,  # homonyms born the same year: a handful at most; more would refuse anyway
        )
        return [Beneficiary.from_dict(from_item(item)) for item in response.get("Items", [])]

    def put_all(self, beneficiaries: list[Beneficiary]) -> None:
        """Loads an extract (used by the fixture loader and operators' import job)."""
        from ameli.domain.franceconnect import birth_name_key

        for start in range(0, len(beneficiaries), 25):
            batch = beneficiaries[start:start + 25]
            requests = [
                {"PutRequest": {"Item": to_item({**b.to_dict(), "birth_name_key": birth_name_key(b.birth_name)})}}
                for b in batch
            ]
            pending = {self.table: requests}
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


# -- signups ------------------------------------------------------------------------------------

def signup_to_item(signup: Signup) -> dict[str, Any]:
    values = asdict(signup)
    values.update(
        pk=signup_key(signup.signup_id),
        birth_date=signup.birth_date.isoformat(),
        names=list(signup.names),
        created_at=to_rfc3339(signup.created_at),
        expires_at=to_rfc3339(signup.expires_at),
        terms_accepted_at=to_rfc3339(signup.terms_accepted_at) if signup.terms_accepted_at else None,
        ttl=_epoch(signup.expires_at + _GRACE),
    )
    return to_item(values)


def signup_from_item(item: dict[str, Any]) -> Signup:
    values = from_item(item)
    return Signup(
        signup_id=values["signup_id"],
        token_hash=values["token_hash"],
        method=values["method"],
        nir=values["nir"],
        nir_hash=values["nir_hash"],
        birth_date=date.fromisoformat(values["birth_date"]),
        names=tuple(values.get("names", ())),
        next_step=values["next_step"],
        created_at=from_rfc3339(values["created_at"]),
        expires_at=from_rfc3339(values["expires_at"]),
        terms_version=values.get("terms_version"),
        terms_accepted_at=from_rfc3339(values["terms_accepted_at"]) if values.get("terms_accepted_at") else None,
        password_hash=values.get("password_hash"),
        franceconnect_sub=values.get("franceconnect_sub"),
        franceconnect_logout_url=values.get("franceconnect_logout_url"),
        email_suggestion=values.get("email_suggestion"),
    )


def attempts_from_item(item: dict[str, Any] | None) -> ProofAttempts:
    if not item:
        return ProofAttempts(failures=(), locked_until=None)
    values = from_item(item)
    return ProofAttempts(
        failures=tuple(from_rfc3339(moment) for moment in values.get("failures", [])),
        locked_until=from_rfc3339(values["locked_until"]) if values.get("locked_until") else None,
    )


# -- accounts -----------------------------------------------------------------------------------

def _consent_to_dict(consent: Consent) -> dict[str, Any]:
    return {"given": consent.given, "at": to_rfc3339(consent.at), "wording_version": consent.wording_version}


def _link_to_dict(link: ConfirmationLink) -> dict[str, Any]:
    return {
        "token_hash": link.token_hash,
        "number": link.number,
        "sent_at": to_rfc3339(link.sent_at),
        "expires_at": to_rfc3339(link.expires_at),
        "retention_until": to_rfc3339(link.retention_until),
    }


def _link_from_dict(values: dict[str, Any]) -> ConfirmationLink:
    return ConfirmationLink(
        token_hash=values["token_hash"],
        number=int(values["number"]),
        sent_at=from_rfc3339(values["sent_at"]),
        expires_at=from_rfc3339(values["expires_at"]),
        retention_until=from_rfc3339(values["retention_until"]),
    )


def account_to_item(account: Account) -> dict[str, Any]:
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
        "consents": {name: _consent_to_dict(c) for name, c in account.consents.items()},
        "mobile_phone": account.mobile_phone,
        "landline_phone": account.landline_phone,
        "franceconnect_sub": account.franceconnect_sub,
        "activated_at": to_rfc3339(account.activated_at) if account.activated_at else None,
    }
    if account.status is not AccountState.ACTIVE and account.link is not None:
        values.update(pending_index_values(account.link, account.status))
    return to_item(values)


PENDING_BUCKET = "PENDING"


def pending_index_values(link: ConfirmationLink, status: AccountState) -> dict[str, str]:
    """Sparse index of accounts still waiting for a deadline: the safety net queries it, never scans."""
    deadline = link.expires_at if status is AccountState.PENDING_EMAIL_CONFIRMATION else link.retention_until
    return {"pending_bucket": PENDING_BUCKET, "next_deadline": to_rfc3339(deadline)}


def account_from_item(item: dict[str, Any]) -> Account:
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
        activated_at=from_rfc3339(values["activated_at"]) if values.get("activated_at") else None,
    )


def link_item(account: Account, link: ConfirmationLink) -> dict[str, Any]:
    return to_item({
        "pk": link_key(link.token_hash),
        "account_pk": account_key(account.nir_hash),
        "number": link.number,
        "expires_at": to_rfc3339(link.expires_at),
        "retention_until": to_rfc3339(link.retention_until),
        "ttl": _epoch(link.retention_until + _GRACE),
    })


def cancellation_codes(error: ClientError) -> list[str]:
    return [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]


class DynamoSignupStore:
    """Signups in progress, the per-NIR proof attempts, and the creation of the pending account."""

    def __init__(self, client, signups_table: str, accounts_table: str) -> None:
        self.client = client
        self.signups_table = signups_table
        self.accounts_table = accounts_table

    def load_attempts(self, nir_hash: str) -> ProofAttempts:
        item = self.client.get_item(
            TableName=self.signups_table, Key=_key(attempts_key(nir_hash)), ConsistentRead=True
        ).get("Item")
        return attempts_from_item(item)

    def load_proof_guard(self, nir_hash: str) -> ProofGuard:
        """The attempt counter and whether an account exists, in one request."""
        response = self.client.batch_get_item(RequestItems={
            self.signups_table: {"Keys": [_key(attempts_key(nir_hash))], "ConsistentRead": True},
            self.accounts_table: {
                "Keys": [_key(account_key(nir_hash))],
                "ConsistentRead": True,
                "ProjectionExpression": "pk",
            },
        })
        found = response.get("Responses", {})
        attempts_items = found.get(self.signups_table, [])
        return ProofGuard(
            attempts=attempts_from_item(attempts_items[0] if attempts_items else None),
            account_exists=bool(found.get(self.accounts_table)),
        )

    def record_proof_attempts(self, nir_hash: str, attempts: ProofAttempts) -> None:
        moments = [*attempts.failures, *([attempts.locked_until] if attempts.locked_until else [])]
        keep_until = max(moments) + PROOF_WINDOW + _GRACE if moments else None
        self.client.put_item(TableName=self.signups_table, Item=to_item({
            "pk": attempts_key(nir_hash),
            "failures": [to_rfc3339(moment) for moment in attempts.failures],
            "locked_until": to_rfc3339(attempts.locked_until) if attempts.locked_until else None,
            "ttl": _epoch(keep_until) if keep_until else None,
        }))

    def create(self, signup: Signup) -> None:
        self.client.put_item(
            TableName=self.signups_table,
            Item=signup_to_item(signup),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get(self, signup_id: str) -> Signup | None:
        item = self.client.get_item(
            TableName=self.signups_table, Key=_key(signup_key(signup_id)), ConsistentRead=True
        ).get("Item")
        return signup_from_item(item) if item else None

    def save_step(self, previous: Signup, updated: Signup) -> None:
        try:
            self.client.put_item(
                TableName=self.signups_table,
                Item=signup_to_item(updated),
                ConditionExpression="next_step = :expected",
                ExpressionAttributeValues={":expected": {"S": previous.next_step}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise errors.StepNotAllowed() from None
            raise

    def close(self, signup_id: str) -> None:
        self.client.delete_item(TableName=self.signups_table, Key=_key(signup_key(signup_id)))

    def save_franceconnect_state(self, state: FranceConnectState) -> None:
        self.client.put_item(TableName=self.signups_table, Item=to_item({
            "pk": f"FCSTATE#{state.state}",
            "nonce": state.nonce,
            "return_to": state.return_to,
            "browser_binding_hash": state.browser_binding_hash,
            "expires_at": to_rfc3339(state.expires_at),
            "ttl": _epoch(state.expires_at + _GRACE),
        }))

    def take_franceconnect_state(self, state: str) -> FranceConnectState | None:
        old = self.client.delete_item(
            TableName=self.signups_table, Key=_key(f"FCSTATE#{state}"), ReturnValues="ALL_OLD"
        ).get("Attributes")
        if not old:
            return None
        values = from_item(old)
        return FranceConnectState(
            state=state,
            nonce=values["nonce"],
            return_to=values["return_to"],
            browser_binding_hash=values["browser_binding_hash"],
            expires_at=from_rfc3339(values["expires_at"]),
        )

    def account_exists(self, nir_hash: str) -> bool:
        return "Item" in self.client.get_item(
            TableName=self.accounts_table, Key=_key(account_key(nir_hash)), ProjectionExpression="pk"
        )

    def create_pending_account(self, signup: Signup, account: Account) -> None:
        try:
            self.client.transact_write_items(TransactItems=[
                {"Put": {
                    "TableName": self.accounts_table,
                    "Item": account_to_item(account),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }},
                {"Put": {
                    "TableName": self.accounts_table,
                    "Item": to_item({"pk": email_claim_key(account.email_key), "owner": account_key(account.nir_hash)}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }},
                {"Put": {
                    "TableName": self.accounts_table,
                    "Item": link_item(account, account.link),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }},
                {"Delete": {
                    "TableName": self.signups_table,
                    "Key": _key(signup_key(signup.signup_id)),
                    "ConditionExpression": "next_step = :contact",
                    "ExpressionAttributeValues": {":contact": {"S": "contact"}},
                }},
            ])
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = cancellation_codes(error)
            failed = [index for index, code in enumerate(codes) if code == "ConditionalCheckFailed"]
            if 3 in failed:
                raise errors.StepNotAllowed() from None
            if 0 in failed:
                raise errors.AccountAlreadyExists() from None
            if 1 in failed:
                raise errors.EmailAlreadyUsed() from None
            raise


def _optional_time(values: dict[str, Any], name: str) -> datetime | None:
    return from_rfc3339(values[name]) if values.get(name) else None


class DynamoAccountStore:
    """Accounts, their links and email claims (accounts table); sessions and login throttles
    (short-lived, in the signups table)."""

    def __init__(self, client, signups_table: str, accounts_table: str, pending_index: str) -> None:
        self.client = client
        self.signups_table = signups_table
        self.accounts_table = accounts_table
        self.pending_index = pending_index

    def get_account(self, nir_hash: str) -> Account | None:
        item = self.client.get_item(
            TableName=self.accounts_table, Key=_key(account_key(nir_hash)), ConsistentRead=True
        ).get("Item")
        return account_from_item(item) if item else None

    def find_by_link(self, token_hash: str) -> tuple[Account, int] | None:
        item = self.client.get_item(TableName=self.accounts_table, Key=_key(link_key(token_hash))).get("Item")
        if not item:
            return None
        link = from_item(item)
        account_item = self.client.get_item(
            TableName=self.accounts_table, Key=_key(link["account_pk"]), ConsistentRead=True
        ).get("Item")
        return (account_from_item(account_item), int(link["number"])) if account_item else None

    def load_for_login(self, nir_hash: str) -> tuple[Account | None, LoginThrottle]:
        response = self.client.batch_get_item(RequestItems={
            self.accounts_table: {"Keys": [_key(account_key(nir_hash))], "ConsistentRead": True},
            self.signups_table: {"Keys": [_key(login_throttle_key(nir_hash))], "ConsistentRead": True},
        })
        found = response.get("Responses", {})
        accounts = found.get(self.accounts_table, [])
        throttles = found.get(self.signups_table, [])
        throttle = LoginThrottle()
        if throttles:
            values = from_item(throttles[0])
            throttle = LoginThrottle(
                consecutive_failures=int(values.get("consecutive_failures", 0)),
                last_failure_at=_optional_time(values, "last_failure_at"),
                blocked_until=_optional_time(values, "blocked_until"),
            )
        return (account_from_item(accounts[0]) if accounts else None), throttle

    def record_login_failure(self, nir_hash: str, throttle: LoginThrottle) -> None:
        keep_until = (throttle.blocked_until or throttle.last_failure_at) + timedelta(hours=24) + _GRACE
        self.client.put_item(TableName=self.signups_table, Item=to_item({
            "pk": login_throttle_key(nir_hash),
            "consecutive_failures": throttle.consecutive_failures,
            "last_failure_at": to_rfc3339(throttle.last_failure_at) if throttle.last_failure_at else None,
            "blocked_until": to_rfc3339(throttle.blocked_until) if throttle.blocked_until else None,
            "ttl": _epoch(keep_until),
        }))

    def open_session(self, session: Session, new_password_hash: str | None = None) -> None:
        items = [
            {"Put": {"TableName": self.signups_table, "Item": to_item({
                "pk": session_key(session.token_hash),
                "kind": session.kind,
                "nir_hash": session.nir_hash,
                "expires_at": to_rfc3339(session.expires_at),
                "ttl": _epoch(session.expires_at + _GRACE),
            })}},
            {"Delete": {"TableName": self.signups_table, "Key": _key(login_throttle_key(session.nir_hash))}},
        ]
        if new_password_hash:
            items.append({"Update": {
                "TableName": self.accounts_table,
                "Key": _key(account_key(session.nir_hash)),
                "UpdateExpression": "SET password_hash = :hash",
                "ExpressionAttributeValues": {":hash": {"S": new_password_hash}},
            }})
        self.client.transact_write_items(TransactItems=items)

    def find_session(self, token_hash: str) -> Session | None:
        item = self.client.get_item(TableName=self.signups_table, Key=_key(session_key(token_hash))).get("Item")
        if not item:
            return None
        values = from_item(item)
        return Session(token_hash, values["kind"], values["nir_hash"], from_rfc3339(values["expires_at"]))

    def close_session(self, token_hash: str) -> None:
        self.client.delete_item(TableName=self.signups_table, Key=_key(session_key(token_hash)))

    def activate(self, account: Account, link_number: int, now: datetime) -> bool:
        try:
            self.client.update_item(
                TableName=self.accounts_table,
                Key=_key(account_key(account.nir_hash)),
                # The deadline is checked here too: a workflow running late never lets an expired link work.
                ConditionExpression="#status = :pending AND #link.#number = :number AND #link.expires_at > :now",
                UpdateExpression="SET #status = :active, activated_at = :now REMOVE pending_bucket, next_deadline",
                ExpressionAttributeNames={"#status": "status", "#link": "link", "#number": "number"},
                ExpressionAttributeValues={
                    ":pending": {"S": AccountState.PENDING_EMAIL_CONFIRMATION.value},
                    ":active": {"S": AccountState.ACTIVE.value},
                    ":number": {"N": str(link_number)},
                    ":now": {"S": to_rfc3339(now)},
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def replace_link(self, account: Account, link: ConfirmationLink, new_address: NewAddress | None) -> None:
        pk = account_key(account.nir_hash)
        names = {"#status": "status", "#link": "link"}
        values: dict[str, Any] = {
            ":link": _serializer.serialize(_link_to_dict(link)),
            ":count": {"N": str(link.number)},
            ":previous_count": {"N": str(account.link_count)},
            ":pending": {"S": AccountState.PENDING_EMAIL_CONFIRMATION.value},
            ":active": {"S": AccountState.ACTIVE.value},
        }
        sets = ["#link = :link", "link_count = :count", "#status = :pending"]
        for name, value in pending_index_values(link, AccountState.PENDING_EMAIL_CONFIRMATION).items():
            sets.append(f"{name} = :{name}")
            values[f":{name}"] = {"S": value}
        items: list[dict[str, Any]] = []
        if new_address is not None:
            sets += ["email = :email", "email_key = :email_key"]
            values[":email"] = {"S": new_address.address}
            values[":email_key"] = {"S": new_address.email_key}
            items.append({"Put": {
                "TableName": self.accounts_table,
                "Item": to_item({"pk": email_claim_key(new_address.email_key), "owner": pk}),
                "ConditionExpression": "attribute_not_exists(pk)",
            }})
            if account.email_key:
                items.append({"Delete": {
                    "TableName": self.accounts_table,
                    "Key": _key(email_claim_key(account.email_key)),
                    "ConditionExpression": "#owner = :owner",
                    "ExpressionAttributeNames": {"#owner": "owner"},
                    "ExpressionAttributeValues": {":owner": {"S": pk}},
                }})
        items.insert(0, {"Update": {
            "TableName": self.accounts_table,
            "Key": _key(pk),
            # Only from the state this decision was made on: a concurrent resend or deadline wins cleanly.
            "ConditionExpression": "link_count = :previous_count AND #status <> :active",
            "UpdateExpression": "SET " + ", ".join(sets),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }})
        items.append({"Put": {
            "TableName": self.accounts_table,
            "Item": link_item(account, link),
            "ConditionExpression": "attribute_not_exists(pk)",
        }})
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = cancellation_codes(error)
            if new_address is not None and len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                raise errors.EmailAlreadyUsed() from None
            raise errors.LinkInvalid() from None

    def overdue_links(self, now: datetime, limit: int) -> list[OverdueLink]:
        overdue: list[OverdueLink] = []
        query = {
            "TableName": self.accounts_table,
            "IndexName": self.pending_index,
            "KeyConditionExpression": "pending_bucket = :bucket AND next_deadline <= :now",
            "ExpressionAttributeValues": {":bucket": {"S": PENDING_BUCKET}, ":now": {"S": to_rfc3339(now)}},
        }
        while len(overdue) < limit:
            page = self.client.query(**query, Limit=limit - len(overdue))
            for item in page.get("Items", []):
                values = from_item(item)
                if values.get("link"):
                    overdue.append(OverdueLink(
                        account_id=values["account_id"],
                        nir_hash=values["nir_hash"],
                        email_key=values.get("email_key"),
                        link=_link_from_dict(values["link"]),
                    ))
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return overdue
