"""SES v2 (the mailer), Step Functions (the confirmation workflow) and the HMAC pseudonymizer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from ameli.adapters.keys import account_key, email_claim_key
from ameli.clock import to_rfc3339
from ameli.domain.account import Account, ConfirmationLink
from ameli.observability import logger
from ameli.ports import OutgoingEmail, OverdueLink


class SesMailer:
    def __init__(self, client: Any, sender: str, configuration_set: str = "") -> None:
        self.client = client
        self.sender = sender
        self.configuration_set = configuration_set

    def send(self, email: OutgoingEmail) -> None:
        self.client.send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [ascii_address(email.to)]},
            Content={"Simple": {
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": email.text, "Charset": "UTF-8"},
                    "Html": {"Data": email.html, "Charset": "UTF-8"},
                },
            }},
            **({"ConfigurationSetName": self.configuration_set} if self.configuration_set else {}),
        )


def ascii_address(address: str) -> str:
    """The address as SES takes it: the domain in ASCII (punycode) form. The contact step already
    refused a non-ASCII local part (SES cannot send to one), so only the domain may need it."""
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    import idna  # email-validator's own dependency

    return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"


def execution_name(account_id: str, link_number: int) -> str:
    """Deterministic, so a retried start cannot run two workflows for one link."""
    return f"link-{account_id}-{link_number}"


def workflow_input(nir_hash: str, email_key: str | None, link: ConfirmationLink, *, emailed: bool) -> str:
    return json.dumps({
        "account_pk": account_key(nir_hash),
        "email_claim_pk": email_claim_key(email_key or ""),
        "link_number": link.number,
        # The link whose email SES accepted before this start, so that `emailed` can tell the proof of an
        # email from a start for the deadlines only (0: no link has number 0). The states do not read it.
        "emailed_link_number": link.number if emailed else 0,
        "link_expires_at": to_rfc3339(link.expires_at),
        "retention_until": to_rfc3339(link.retention_until),
    })


class StepFunctionsConfirmationWorkflow:
    """Runs the confirmation deadline workflow (statemachine/confirmation.asl.json), one execution per link."""

    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self.client = client
        self.state_machine_arn = state_machine_arn

    def _start(self, name: str, payload: str) -> bool:
        try:
            self.client.start_execution(stateMachineArn=self.state_machine_arn, name=name, input=payload)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise
            return False
        return True

    def start(self, account: Account, link: ConfirmationLink, *, emailed: bool) -> bool:
        payload = workflow_input(account.nir_hash, account.email_key, link, emailed=emailed)
        return self._start(execution_name(account.account_id, link.number), payload)

    def emailed(self, account: Account, link: ConfirmationLink) -> bool:
        try:
            execution = self.client.describe_execution(executionArn=self._execution_arn(account, link.number))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionDoesNotExist":
                raise
            return False
        return bool(json.loads(execution["input"]).get("emailed_link_number") == link.number)

    def _execution_arn(self, account: Account, link_number: int) -> str:
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:", 1)
        return f"{arn}:{execution_name(account.account_id, link_number)}"

    def stop(self, account: Account, link_number: int) -> None:
        # Stopping is an optimisation (the workflow's own conditions make it a no-op anyway): never fail on it.
        try:
            self.client.stop_execution(executionArn=self._execution_arn(account, link_number),
                                       cause="confirmed or replaced")
        except Exception as error:  # noqa: BLE001 - the account change is already committed
            logger.warning("workflow not stopped", extra={"error": type(error).__name__})

    def catch_up(self, overdue: OverdueLink, now: datetime) -> None:
        # Its Wait states are already past: the execution applies the overdue effect at once.
        name = f"{execution_name(overdue.account_id, overdue.link.number)}-catchup-{now:%Y%m%d%H%M}"
        self._start(name, workflow_input(overdue.nir_hash, overdue.email_key, overdue.link, emailed=False))


class HmacPseudonymizer:
    """HMAC-SHA256 under a secret key: the same NIR always gives the same opaque id.

    The key comes from `key_provider` at the first hash (a function that never hashes never asks
    for the secret, nor needs the permission to)."""

    def __init__(self, key_provider: Callable[[], bytes]) -> None:
        self._key_provider = key_provider
        self._key: bytes | None = None

    def _digest(self, purpose: str, value: str) -> str:
        if self._key is None:
            self._key = self._key_provider()
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def nir_hash(self, nir: str) -> str:
        return self._digest("nir", nir)

    def email_hash(self, email_key: str) -> str:
        return self._digest("email", email_key)

    def link_token(self, account_id: str, link_number: int) -> str:
        if self._key is None:
            self._key = self._key_provider()
        digest = hmac.new(self._key, f"link:{account_id}:{link_number}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
