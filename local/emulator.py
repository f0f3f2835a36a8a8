"""The one shared AWS of the local stack: moto in server mode, reached over HTTP through
`AWS_ENDPOINT_URL` by every execution environment (as a deployed function reaches AWS) and by the
stack itself; Step Functions really executes the state machine (its tasks call this server too).

In front of moto, what AWS does and moto does not:
- DynamoDB applies each request atomically: moto evaluates a condition, then writes, in two steps,
  so DynamoDB requests go through one at a time (they take a millisecond; functions still run in
  parallel, as their Argon2 and the rest of their work is in their own processes).
- SES v2 `SendEmail` follows SES's rules (`SesRules`): 7-bit ASCII addresses (a domain in punycode),
  a sender among the identities the template declares, a configuration set that exists; the mailbox
  simulator addresses bounce or complain, delivered as SES events through the configuration set's
  event destination; every accepted message reaches the local mailbox with both of its parts.

    server = EmulatedAws(ses_rules).start()     # http://127.0.0.1:<port>, also set as AWS_ENDPOINT_URL
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local.config import HOST
from local.lambda_runtime import resource_params

SIMULATOR_DOMAIN = "simulator.amazonses.com"
STATE_MACHINE_ACCESS_KEY = "ak"  # what moto's Step Functions interpreter signs its tasks' calls with
_CREDENTIAL_SCOPE = re.compile(r"Credential=([^/,\s]+)/[^/]+/[^/]+/([^/]+)/aws4_request")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class EventDestination:
    event_types: frozenset[str]  # lower case, as in the template: bounce, complaint, delivery, send...
    topic_arn: str
    enabled: bool = True


@dataclass
class SesRules:
    """What SES checks before accepting a message, and the events it publishes after."""

    identities: set[str] = field(default_factory=set)  # verified addresses or domains
    configuration_sets: dict[str, list[EventDestination]] = field(default_factory=dict)
    default_configuration_set: str | None = None  # an identity's DefaultConfigurationSet
    publish: Callable[[str, dict[str, Any]], None] = lambda topic_arn, event: None
    record: Callable[[str, dict[str, Any]], None] = lambda message_id, parts: None

    def refusal(self, request: dict[str, Any]) -> tuple[int, str, str] | None:
        """(status, error code, message) when SES would refuse this SendEmail request."""
        destination = request.get("Destination") or {}
        addresses = [address for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
                     for address in destination.get(kind) or []]
        sender = request.get("FromEmailAddress") or ""
        for address in [sender, *addresses, *(request.get("ReplyToAddresses") or [])]:
            if not address.isascii():
                # SES takes 7-bit ASCII only: an internationalised domain must come in punycode.
                return 400, "BadRequestException", "Illegal address: addresses must be 7-bit ASCII (punycode domain)."
            if address.count("@") != 1 or not all(address.split("@")):
                return 400, "BadRequestException", "Illegal address."
        if not addresses:
            return 400, "BadRequestException", "Missing required field Destination."
        sender_domain = sender.rsplit("@", 1)[-1].lower()
        if sender.lower() not in self.identities and sender_domain not in self.identities:
            return 400, "MessageRejected", "Email address is not verified. The following identities failed the check."
        name = request.get("ConfigurationSetName")
        if name and name not in self.configuration_sets:
            return 404, "NotFoundException", f"Configuration set <{name}> does not exist."
        return None

    def accepted(self, request: dict[str, Any], message_id: str) -> list[str]:
        """Publishes the message's events; returns their types (`Send`, `Delivery`, `Bounce`...)."""
        simple = (request.get("Content") or {}).get("Simple") or {}
        body = simple.get("Body") or {}
        destination = request.get("Destination") or {}
        recipients = [a for kind in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destination.get(kind) or []]
        name = request.get("ConfigurationSetName") or self.default_configuration_set
        events = ["Send"]
        outcomes = []
        for address in recipients:
            local, _, domain = address.lower().partition("@")
            if domain == SIMULATOR_DOMAIN and local.startswith("bounce"):
                outcomes.append(("Bounce", address))
            elif domain == SIMULATOR_DOMAIN and local.startswith("complaint"):
                outcomes += [("Delivery", address), ("Complaint", address)]
            else:
                outcomes.append(("Delivery", address))
        mail = {
            "timestamp": _now(),
            "source": request.get("FromEmailAddress"),
            "messageId": message_id,
            "destination": recipients,
            "headersTruncated": False,
            "commonHeaders": {"subject": (simple.get("Subject") or {}).get("Data")},
            "tags": {"ses:configuration-set": [name]} if name else {},
        }
        published = [("Send", {"eventType": "Send", "mail": mail, "send": {}})]
        for kind, address in outcomes:
            events.append(kind)
            published.append((kind, _event(kind, address, mail)))
        delivered = []
        for destination_ in self.configuration_sets.get(name, []) if name else []:
            if not destination_.enabled:
                continue
            for kind, event in published:
                if kind.lower() in destination_.event_types:
                    self.publish(destination_.topic_arn, event)
                    delivered.append({"event": kind, "topic": destination_.topic_arn})
        self.record(message_id, {
            "text": (body.get("Text") or {}).get("Data"),
            "html": (body.get("Html") or {}).get("Data"),
            "sent_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "events": events,
            "published": delivered,  # the events the configuration set's destinations received
        })
        return events


def _event(kind: str, address: str, mail: dict[str, Any]) -> dict[str, Any]:
    """An SES event as an event destination receives it (the mailbox simulator's values)."""
    feedback = f"{uuid.uuid4()}-000000"
    if kind == "Bounce":
        detail = {"bounceType": "Permanent", "bounceSubType": "General", "timestamp": _now(), "feedbackId": feedback,
                  "reportingMTA": "dns; amazonses.com",
                  "bouncedRecipients": [{"emailAddress": address, "action": "failed", "status": "5.1.1",
                                         "diagnosticCode": "smtp; 550 5.1.1 user unknown"}]}
    elif kind == "Complaint":
        detail = {"complainedRecipients": [{"emailAddress": address}], "timestamp": _now(), "feedbackId": feedback,
                  "userAgent": "Amazon SES Mailbox Simulator", "complaintFeedbackType": "abuse",
                  "arrivalDate": _now()}
    else:
        detail = {"timestamp": _now(), "recipients": [address], "processingTimeMillis": 200,
                  "smtpResponse": "250 2.6.0 Message received", "reportingMTA": "a8-70.smtp-out.amazonses.com"}
    return {"eventType": kind, "mail": mail, kind.lower(): detail}


def _json_error(status: int, code: str, message: str) -> tuple[str, list[tuple[str, str]], bytes]:
    body = json.dumps({"message": message}).encode()
    return f"{status} {'Not Found' if status == 404 else 'Bad Request'}", [
        ("Content-Type", "application/json"), ("x-amzn-ErrorType", code), ("Content-Length", str(len(body)))
    ], body


class EmulatedAws:
    """A WSGI app: moto's server app behind the checks above."""

    def __init__(self, ses_rules: SesRules, faults: Callable[[], dict[str, float]] = dict,
                 on_state_machine_call: Callable[[dict[str, Any]], None] = lambda call: None) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.moto = DomainDispatcherApplication(create_backend_app)
        self.ses_rules = ses_rules
        self.faults = faults
        self.on_state_machine_call = on_state_machine_call
        self._dynamodb = threading.Lock()
        self.server = None
        self.url = ""

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        found = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        access_key, service = found.groups() if found else ("", "")
        if access_key == STATE_MACHINE_ACCESS_KEY and environ.get("HTTP_X_AMZ_TARGET"):
            refusal = self._state_machine_call(environ, service)
            if refusal is not None:
                start_response(*refusal[:2])
                return [refusal[2]]
        if service == "dynamodb":
            with self._dynamodb:
                return list(self.moto(environ, start_response))
        if service == "ses" and environ.get("PATH_INFO") == "/v2/email/outbound-emails" \
                and environ.get("REQUEST_METHOD") == "POST":
            return self._send_email(environ, start_response)
        return self.moto(environ, start_response)

    def _state_machine_call(self, environ: dict[str, Any], service: str) -> tuple[str, list, bytes] | None:
        """A task of the state machine (a JSON-protocol call: DynamoDB's): recorded for the IAM check, and
        failed as the fault switch says, with the service's throttling error (no retry: the state's `Retry`
        decides, as on AWS)."""
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(raw)
        names = resource_params(json.loads(raw or b"{}"))
        rate = self.faults().get(service, 0.0)
        throttled = bool(rate) and random.random() < rate
        self.on_state_machine_call({"action": f"{service}:{environ['HTTP_X_AMZ_TARGET'].rsplit('.', 1)[-1]}",
                                    "params": names, "throttled": throttled})
        if throttled:
            body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
            return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                                       ("x-amzn-ErrorType", "ThrottlingException"),
                                       ("x-amzn-RequestId", str(uuid.uuid4())),
                                       ("Content-Length", str(len(body)))], body
        return None

    def _send_email(self, environ: dict[str, Any], start_response: Callable) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(raw)
        request = json.loads(raw or b"{}")
        refusal = self.ses_rules.refusal(request)
        if refusal is not None:
            status, headers, body = _json_error(*refusal)
            start_response(status, headers)
            return [body]
        answer: dict[str, Any] = {}

        def remember(status: str, headers: list, exc_info=None):
            answer["status"] = status
            return start_response(status, headers, exc_info)

        body = b"".join(self.moto(environ, remember))
        if answer.get("status", "").startswith("200"):
            message_id = json.loads(body).get("MessageId")
            if message_id:
                self.ses_rules.accepted(request, message_id)
        return [body]

    def start(self) -> EmulatedAws:
        """Serves on a free port of 127.0.0.1 in a thread; `AWS_ENDPOINT_URL` and `MOTO_PORT` point
        at it (moto's Step Functions interpreter finds its own server through `MOTO_PORT`)."""
        from moto.core.config import default_user_config
        from moto.moto_api._internal.models import moto_api_backend
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from werkzeug.serving import make_server

        moto_api_backend.reset()  # a fresh AWS (a previous stack of this process may have used moto)
        default_user_config["stepfunctions"]["execute_state_machine"] = True
        self.server = make_server(HOST, 0, self, threaded=True, request_handler=_QuietMotoHandler(MotoRequestHandler))
        self.server.daemon_threads = True
        port = self.server.server_port
        self.url = f"http://{HOST}:{port}"
        os.environ["AWS_ENDPOINT_URL"] = self.url
        os.environ["MOTO_PORT"] = str(port)
        threading.Thread(target=self.server.serve_forever, name="emulated-aws", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _QuietMotoHandler(base: type) -> type:  # noqa: N802 - a class factory
    """moto's request handler without one log line per AWS call (the stack logs its own requests)."""

    class Quiet(base):
        def log_request(self, code="-", size="-") -> None:
            pass

    return Quiet
