"""SES v2 (the mailer), Step Functions (the confirmation workflow) and the HMAC pseudonymizer."""

from __future__ import annotations

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
            Destination={"ToAddresses": [email.to]},
            Content={"Simple": {
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": email.text, "Charset": "UTF-8"},
                    "Html": {"Data": email.html, "Charset": "UTF-8"},
                },
            }},
            **({"ConfigurationSetName": self.configuration_set} if self.configuration_set else {}),
        )


def execution_name(account_id: str, link_number: int) -> str:
    """Deterministic, so a retried start cannot run two workflows for one link."""
    return f"link-{account_id}-{link_number}"


def workflow_input(nir_hash: str, email_key: str | None, link: ConfirmationLink) -> str:
    return json.dumps({
        "account_pk": account_key(nir_hash),
        "email_claim_pk": email_claim_key(email_key or ""),
        "link_number": link.number,
        "link_expires_at": to_rfc3339(link.expires_at),
        "retention_until": to_rfc3339(link.retention_until),
    })


class StepFunctionsConfirmationWorkflow:
    """Runs the confirmation deadline workflow (statemachine/confirmation.asl.json), one execution per link."""

    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self.client = client
        self.state_machine_arn = state_machine_arn

    def _start(self, name: str, payload: str) -> None:
        try:
            self.client.start_execution(stateMachineArn=self.state_machine_arn, name=name, input=payload)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise

    def start(self, account: Account, link: ConfirmationLink) -> None:
        payload = workflow_input(account.nir_hash, account.email_key, link)
        self._start(execution_name(account.account_id, link.number), payload)

    def stop(self, account: Account, link_number: int) -> None:
        # Stopping is an optimisation (the workflow's own conditions make it a no-op anyway): never fail on it.
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:", 1)
        try:
            self.client.stop_execution(
                executionArn=f"{arn}:{execution_name(account.account_id, link_number)}",
                cause="confirmed or replaced",
            )
        except Exception as error:  # noqa: BLE001 - the account change is already committed
            logger.warning("workflow not stopped", extra={"error": type(error).__name__})

    def catch_up(self, overdue: OverdueLink, now: datetime) -> None:
        # Its Wait states are already past: the execution applies the overdue effect at once.
        name = f"{execution_name(overdue.account_id, overdue.link.number)}-catchup-{now:%Y%m%d%H%M}"
        self._start(name, workflow_input(overdue.nir_hash, overdue.email_key, overdue.link))


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
