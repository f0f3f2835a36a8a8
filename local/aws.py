"""The resources of `template.yaml` created in the emulated AWS (`local.emulator`), and the mailbox.

- `set_fake_credentials()` fixes fake credentials and the region in `os.environ` before any client.
- `create_resources()` creates every DynamoDB table, secret (random value), SNS topic, the state
  machine (definition file + `DefinitionSubstitutions`), the SES identities and configuration sets.
- `Mailbox` reads what the functions sent through SES, from moto's SES backend.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_string, policy
from pathlib import Path
from typing import Any

from local.template import ACCOUNT_ID, REGION, Resolver, TemplateError, resources_of_type

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
# Anything that could send a boto3 call elsewhere than to the emulated AWS (a real account).
_UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE")


def set_fake_credentials() -> None:
    """Before any boto3 client exists: fake keys, eu-west-3, no profile or endpoint from the host."""
    for name in list(os.environ):
        if name in _UNSET or name.startswith("AWS_ENDPOINT_URL_"):
            del os.environ[name]
    os.environ.update(FAKE_CREDENTIALS)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull


def client(service: str):
    import boto3

    return boto3.client(service, region_name=REGION)


@dataclass
class LocalResources:
    tables: dict[str, str] = field(default_factory=dict)  # logical id -> table name
    secrets: dict[str, str] = field(default_factory=dict)  # logical id -> secret name
    state_machines: dict[str, str] = field(default_factory=dict)  # logical id -> ARN
    topics: dict[str, str] = field(default_factory=dict)  # logical id -> ARN
    sender_identities: list[str] = field(default_factory=list)
    configuration_sets: dict[str, str] = field(default_factory=dict)  # logical id -> name
    ses_rules: Any = None  # local.emulator.SesRules, filled as the SES resources are created


# -- DynamoDB -------------------------------------------------------------------------------------

def _create_table(dynamodb, name: str, properties: dict[str, Any]) -> None:
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties.get("BillingMode", "PROVISIONED"),
    }
    if request["BillingMode"] == "PROVISIONED":
        request["ProvisionedThroughput"] = properties.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if properties.get(index_kind):
            request[index_kind] = properties[index_kind]
    stream = properties.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    sse = properties.get("SSESpecification")
    if sse:
        request["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled"))}
    dynamodb.create_table(**request)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )


def create_resources(template: dict[str, Any], resolver: Resolver, root: Path, ses_rules: Any) -> LocalResources:
    """Creates the template's tables, secrets, state machines and the SES sender, in that order.

    Fills `resolver.physical_ids` / `resolver.attributes` as it goes, so that later `!Ref` and
    `!GetAtt` (environment variables, definition substitutions) resolve to the local resources.
    """
    created = LocalResources(ses_rules=ses_rules)
    region, account = resolver.region, resolver.account_id

    dynamodb = client("dynamodb")
    for logical_id, resource in resources_of_type(template, "AWS::DynamoDB::Table").items():
        properties = resolver.resolve(resource.get("Properties") or {})
        name = properties.get("TableName") or logical_id
        _create_table(dynamodb, name, properties)
        resolver.physical_ids[logical_id] = name
        resolver.attributes[(logical_id, "Arn")] = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
        created.tables[logical_id] = name

    secretsmanager = client("secretsmanager")
    for logical_id, resource in resources_of_type(template, "AWS::SecretsManager::Secret").items():
        properties = resolver.resolve(resource.get("Properties") or {})
        name = properties.get("Name") or f"{resolver.stack_name}-{logical_id}"
        value = properties.get("SecretString") or secrets.token_urlsafe(48)  # never printed
        answer = secretsmanager.create_secret(Name=name, SecretString=value)
        resolver.physical_ids[logical_id] = answer["ARN"]  # !Ref of a secret is its ARN
        created.secrets[logical_id] = name

    sns = client("sns")
    for logical_id, resource in resources_of_type(template, "AWS::SNS::Topic").items():
        name = resolver.resolve((resource.get("Properties") or {}).get("TopicName")) or f"{resolver.stack_name}-{logical_id}"
        arn = sns.create_topic(Name=name)["TopicArn"]
        resolver.physical_ids[logical_id] = arn
        resolver.attributes[(logical_id, "TopicArn")] = arn
        created.topics[logical_id] = arn
    _create_email_resources(template, resolver, created)

    stepfunctions = client("stepfunctions")
    for logical_id, resource in resources_of_type(template, "AWS::Serverless::StateMachine").items():
        properties = resource.get("Properties") or {}
        name = resolver.resolve(properties.get("Name")) or f"{resolver.stack_name}-{logical_id}"
        definition = _state_machine_definition(logical_id, properties, resolver, root)
        answer = stepfunctions.create_state_machine(
            name=name,
            definition=definition,
            roleArn=f"arn:aws:iam::{account}:role/{resolver.stack_name}-{logical_id}Role",
            type=resolver.resolve(properties.get("Type", "STANDARD")),
        )
        arn = answer["stateMachineArn"]
        resolver.physical_ids[logical_id] = arn
        resolver.attributes[(logical_id, "Arn")] = arn
        resolver.attributes[(logical_id, "Name")] = name
        created.state_machines[logical_id] = arn
    return created


def _create_email_resources(template: dict[str, Any], resolver: Resolver, created: LocalResources) -> None:
    """SES: the sender identities (the template's `AWS::SES::EmailIdentity`, or its `SenderEmail`),
    the configuration sets and their event destinations (kept in `created.ses_rules` too)."""
    from local.emulator import EventDestination

    sesv2 = client("sesv2")
    for logical_id, resource in resources_of_type(template, "AWS::SES::ConfigurationSet").items():
        properties = resolver.resolve(resource.get("Properties") or {})
        name = properties.get("Name") or f"{resolver.stack_name}-{logical_id}"
        sesv2.create_configuration_set(ConfigurationSetName=name)
        resolver.physical_ids[logical_id] = name
        created.configuration_sets[logical_id] = name
        created.ses_rules.configuration_sets[name] = []
    for resource in resources_of_type(template, "AWS::SES::ConfigurationSetEventDestination").values():
        properties = resolver.resolve(resource.get("Properties") or {})
        destination = properties.get("EventDestination") or {}
        topic = (destination.get("SnsDestination") or {}).get("TopicARN")
        if topic:
            created.ses_rules.configuration_sets.setdefault(properties["ConfigurationSetName"], []).append(
                EventDestination(frozenset(t.lower() for t in destination.get("MatchingEventTypes") or []), topic,
                                 bool(destination.get("Enabled", False))))
    identities = [resolver.resolve(resource.get("Properties") or {})
                  for resource in resources_of_type(template, "AWS::SES::EmailIdentity").values()
                  if resolver.exists(resource)]
    if not identities and resolver.parameter_values().get("SenderEmail"):
        identities = [{"EmailIdentity": resolver.parameter_values()["SenderEmail"]}]
    for identity in identities:
        name = identity["EmailIdentity"]
        sesv2.create_email_identity(EmailIdentity=name)  # SES v1 and v2 share identities in moto
        created.sender_identities.append(name)
        created.ses_rules.identities.add(name.lower())
        default_set = (identity.get("ConfigurationSetAttributes") or {}).get("ConfigurationSetName")
        if default_set:
            created.ses_rules.default_configuration_set = default_set


def _state_machine_definition(logical_id: str, properties: dict[str, Any], resolver: Resolver, root: Path) -> str:
    if "Definition" in properties:
        text = json.dumps(resolver.resolve(properties["Definition"]))
    elif isinstance(properties.get("DefinitionUri"), str):
        path = root / properties["DefinitionUri"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise TemplateError(f"{logical_id}: cannot read {path}: {error.strerror}") from None
    else:
        raise TemplateError(f"{logical_id}: only a local DefinitionUri or an inline Definition is supported")
    substitutions = resolver.resolve(properties.get("DefinitionSubstitutions") or {})
    for name, value in substitutions.items():
        text = text.replace("${" + name + "}", str(value))
    json.loads(text)  # a bad substitution must fail here, not at the first execution
    left = sorted(set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", text)))
    if left:
        raise TemplateError(f"{logical_id}: DefinitionSubstitutions missing for {', '.join(left)}")
    return text


# -- the mailbox ----------------------------------------------------------------------------------

def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Mailbox:
    """Every email sent through the emulated SES, oldest first.

    moto keeps sent messages in `moto.ses.models.ses_backends[account][region].sent_messages`
    (SES v2 piggybacks on the v1 backend), but for a v2 `Simple` message it stores only ONE body:
    the HTML part when there is one. So the emulated SES (`local.emulator`) also records the text and
    HTML parts, the time of sending and the SES events of each message, by message id.
    """

    def __init__(self, region: str = REGION, account_id: str = ACCOUNT_ID) -> None:
        self.region = region
        self.account_id = account_id
        self._lock = threading.Lock()
        self._parts: dict[str, dict[str, Any]] = {}
        self._first_seen: dict[str, str] = {}

    def record(self, message_id: str, parts: dict[str, Any]) -> None:
        with self._lock:
            self._parts[message_id] = parts

    # -- reading moto's store
    def _backend(self):
        from moto.ses.models import ses_backends

        return ses_backends[self.account_id][self.region]

    def messages(self) -> list[dict[str, Any]]:
        found = []
        with self._lock:
            for message in list(self._backend().sent_messages):
                found.append(self._describe(message))
        return found

    def clear(self) -> None:
        with self._lock:
            self._backend().sent_messages.clear()
            self._parts.clear()
            self._first_seen.clear()

    def _describe(self, message: Any) -> dict[str, Any]:
        message_id = getattr(message, "id", None) or str(id(message))
        sent_at = self._first_seen.setdefault(message_id, rfc3339(datetime.now(UTC)))
        if hasattr(message, "raw_data"):  # send_raw_email / Content.Raw
            return self._describe_raw(message, sent_at)
        destinations = getattr(message, "destinations", {}) or {}
        parts = self._parts.get(message_id, {})
        body = getattr(message, "body", None)
        html = parts.get("html")
        text = parts.get("text")
        if not parts:  # sent without our hook: moto kept only one body
            looks_html = isinstance(body, str) and body.lstrip().startswith("<")
            html, text = (body, None) if looks_html else (None, body)
        return {
            "id": message_id,
            "from": getattr(message, "source", None),
            "to": list(destinations.get("ToAddresses", [])),
            "cc": list(destinations.get("CcAddresses", [])),
            "bcc": list(destinations.get("BccAddresses", [])),
            "subject": getattr(message, "subject", None),
            "text": text,
            "html": html,
            "sent_at": parts.get("sent_at", sent_at),
            "events": parts.get("events", []),
            "published": parts.get("published", []),
        }

    @staticmethod
    def _describe_raw(message: Any, sent_at: str) -> dict[str, Any]:
        parsed = message_from_string(message.raw_data, policy=policy.default)
        text = parsed.get_body(preferencelist=("plain",))
        html = parsed.get_body(preferencelist=("html",))
        return {
            "id": message.id,
            "from": message.source,
            "to": list(message.destinations),
            "cc": [],
            "bcc": [],
            "subject": parsed.get("Subject"),
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
            "sent_at": sent_at,
        }
