"""SES v2, Step Functions, Secrets Manager and CloudWatch (EMF) adapters."""

from __future__ import annotations

import hashlib
import hmac
import json

from botocore.exceptions import ClientError

from ameli.clock import to_rfc3339
from ameli.domain.account import Account, ConfirmationLink
from ameli.ports import OutgoingEmail


class SesMailer:
    def __init__(self, client, sender: str) -> None:
        self.client = client
        self.sender = sender

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
        )


def execution_name(account: Account, link: ConfirmationLink) -> str:
    """Deterministic, so a retried start cannot run two workflows for one link."""
    return f"link-{account.account_id}-{link.number}"


class StepFunctionsConfirmationWorkflow:
    """Starts the confirmation deadline workflow (statemachine/confirmation.asl.json)."""

    def __init__(self, client, state_machine_arn: str, accounts_table: str) -> None:
        self.client = client
        self.state_machine_arn = state_machine_arn
        self.accounts_table = accounts_table

    def start(self, account: Account, link: ConfirmationLink) -> None:
        workflow_input = {
            "account_pk": f"ACCOUNT#{account.nir_hash}",
            "email_claim_pk": f"EMAIL#{account.email_key}",
            "link_number": link.number,
            "link_expires_at": to_rfc3339(link.expires_at),
            "retention_until": to_rfc3339(link.retention_until),
        }
        try:
            self.client.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=execution_name(account, link),
                input=json.dumps(workflow_input),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise


class HmacPseudonymizer:
    """HMAC-SHA256 under a secret key: the same NIR always gives the same opaque id."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def _digest(self, purpose: str, value: str) -> str:
        return hmac.new(self.key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

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
