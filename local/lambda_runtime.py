"""One Lambda execution environment: the runtime loop of a function, in a process of its own.

Started by `local.environments` on the Lambda runtime's Python (3.12) with what Lambda puts on
`sys.path`: the function's code (`LAMBDA_TASK_ROOT`), the built layer (`/opt/python`), then the
runtime's boto3. Nothing of `local/` is imported: this file uses the standard library only (and
botocore, which the runtime ships).

Protocol with the parent, one JSON document per line: the parent writes invocations on stdin
(`{"event", "context", "faults"}`); this process answers on the file descriptor `LOCAL_RUNTIME_FD`
(stdout and stderr stay the function's logs): first `{"ready": init_ms}` or `{"init_error": ...}`,
then `{"result": ..., "calls": [...]}` or `{"error": ..., "calls": [...]}` per invocation.

`faults` (`{"dynamodb": 0.3}`) makes that fraction of this invocation's AWS calls to a service fail
with the service's throttling error, as botocore raises it once its retries are spent. `calls` lists
each AWS call made (IAM action and parameters) for the least-privilege check.
"""

import importlib
import json
import os
import random
import sys
import time
import traceback

# IAM's service prefix and each service's throttling error (what botocore raises after retrying it).
_THROTTLING = {
    "dynamodb": ("ThrottlingException", "Rate of requests exceeds the allowed throughput.", 400),
    "ses": ("TooManyRequestsException", "Too many requests.", 429),
    "states": ("ThrottlingException", "Rate exceeded", 400),
    "secretsmanager": ("ThrottlingException", "Rate exceeded", 400),
}
_FAULT_NAMES = {"stepfunctions": "states", "sesv2": "ses"}  # the switch's names -> IAM prefixes


class Context:
    """The Lambda context object (the attributes Powertools and handlers read)."""

    def __init__(self, fields):
        self.function_name = fields["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = fields["invoked_function_arn"]
        self.memory_limit_in_mb = fields["memory_limit_in_mb"]
        self.aws_request_id = fields["aws_request_id"]
        self.log_group_name = fields["log_group_name"]
        self.log_stream_name = fields["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + fields["timeout"]

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class AwsCalls:
    """A hook on every botocore client the function makes, whatever session it comes from."""

    def __init__(self):
        self.faults = {}
        self.calls = []

    def install(self):
        import botocore.session

        create_client = botocore.session.Session.create_client
        hooks = self

        def create_hooked_client(session, *args, **kwargs):
            client = create_client(session, *args, **kwargs)
            client.meta.events.register_first("before-parameter-build", hooks.before_parameter_build)
            client.meta.events.register_first("before-call", hooks.before_call)
            return client

        botocore.session.Session.create_client = create_hooked_client

    def before_parameter_build(self, params, context, **_):
        context["local_resources"] = resource_params(params)  # the API's parameters, before serialisation

    def before_call(self, model, context, **_):
        prefix = model.service_model.signing_name
        self.calls.append({"action": f"{prefix}:{model.name}", "params": context.get("local_resources", {})})
        rate = self.faults.get(prefix, 0.0)
        if rate and random.random() < rate:
            return _throttled(prefix)
        return None


def resource_params(params):
    """The parameters that name resources and IAM condition keys (never item values)."""
    keep = ("TableName", "IndexName", "SecretId", "stateMachineArn", "executionArn", "FromEmailAddress",
            "ConfigurationSetName", "TopicArn")
    found = {key: params[key] for key in keep if key in params}
    if "RequestItems" in params:
        found["RequestItems"] = sorted(params["RequestItems"])
    if "TransactItems" in params:
        found["TransactItems"] = [
            {kind: {"TableName": item[kind].get("TableName")} for kind in item} for item in params["TransactItems"]
        ]
    return found


def _throttled(prefix):
    from botocore.awsrequest import AWSResponse

    code, message, status = _THROTTLING.get(prefix, ("ThrottlingException", "Rate exceeded", 400))
    response = AWSResponse("local-fault", status, {}, None)
    parsed = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "MaxAttemptsReached": True, "RetryAttempts": 4},
    }
    return response, parsed


def _error(exc):
    return {
        "errorType": type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exception(exc),
    }


def main():
    answers = os.fdopen(int(os.environ.pop("LOCAL_RUNTIME_FD")), "w", encoding="utf-8")

    def send(message):
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    started = time.monotonic()
    aws = AwsCalls()
    try:
        aws.install()
        module_name, _, attribute = os.environ["_HANDLER"].rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
    except Exception as exc:  # Runtime.ImportModuleError on Lambda
        traceback.print_exc()
        send({"init_error": _error(exc)})
        return 1
    send({"ready": round((time.monotonic() - started) * 1000, 1)})

    for line in sys.stdin:
        invocation = json.loads(line)
        aws.faults = {_FAULT_NAMES.get(name, name): rate for name, rate in invocation.get("faults", {}).items()}
        aws.calls = []
        try:
            result = handler(invocation["event"], Context(invocation["context"]))
            json.dumps(result)  # Lambda's runtime serialises the result: a bad one is the function's error
            send({"result": result, "calls": aws.calls})
        except Exception as exc:
            traceback.print_exc()
            send({"error": _error(exc), "calls": aws.calls})
    return 0


if __name__ == "__main__":
    sys.exit(main())
