"""SES v2, Step Functions, Secrets Manager and CloudWatch (EMF) adapters."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime

from botocore.exceptions import ClientError

from ameli.clock import to_rfc3339
from ameli.domain.account import Account, ConfirmationLink
from ameli.ports import OutgoingEmail, OverdueLink


class SesMailer:
    def __init__(self, client, sender: str, configuration_set: str = "") -> None:
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
        "account_pk": f"ACCOUNT#{nir_hash}",
        "email_claim_pk": f"EMAIL#{email_key}",
        "link_number": link.number,
        "link_expires_at": to_rfc3339(link.expires_at),
        "retention_until": to_rfc3339(link.retention_until),
    })


class StepFunctionsConfirmationWorkflow:
    """Runs the confirmation deadline workflow (statemachine/confirmation.asl.json), one execution per link."""

    def __init__(self, client, state_machine_arn: str) -> None:
        self.client = client
        self.state_machine_arn = state_machine_arn

    def _start(self, name: str, payload: str) -> None:
        try:
            self.client.start_execution(stateMachineArn=self.state_machine_arn, name=name, input=payload)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise

    def start(self, account: Account, link: ConfirmationLink) -> None:
        self._start(execution_name(account.account_id, link.number), workflow_input(account.nir_hash, account.email_key, link))

    def stop(self, account: Account, link_number: int) -> None:
        # Stopping is an optimisation (the workflow's own conditions make it a no-op anyway): never fail on it.
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:", 1)
        try:
            self.client.stop_execution(
                executionArn=f"{arn}:{execution_name(account.account_id, link_number)}",
                cause="confirmed or replaced",
            )
        except Exception as error:  # noqa: BLE001 - the account change is already committed
            from ameli.http.api import logger

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


class PowertoolsTelemetry:
    """One EMF count per business event, with low-cardinality dimensions only."""

    def __init__(self, namespace: str, service: str) -> None:
        self.namespace = namespace
        self.service = service

    def count(self, name: str, **dimensions: str) -> None:
        from aws_lambda_powertools.metrics import MetricUnit, single_metric

        with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=self.namespace) as metric:
            metric.add_dimension(name="service", value=self.service)
            for key, value in dimensions.items():
                metric.add_dimension(name=key, value=value)
