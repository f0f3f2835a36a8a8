"""Least privilege, checked: each function's AWS calls against the IAM policies its role gets from the
template as SAM translates it (`samtranslator`), evaluated by an IAM evaluator made for it
(`@cloud-copilot/iam-simulate`, run by node from `local/iam/`).

moto evaluates no IAM: without this, a function calling an action its role lacks works locally and fails
on AWS. `GET /_local/iam` answers `{"checked": n, "denied": ["ContactFunction: ses:SendEmail on arn:..."]}`
for every call made so far (the e2e tests assert that nothing is denied).

    denied = check_calls(calls, function_policies(template, resolver), resolver, secret_arns)
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

SIMULATOR = Path(__file__).resolve().parent / "iam" / "simulate.mjs"
TRANSLATOR = Path(__file__).resolve().parent / "iam" / "translate.py"
SAM_PYTHON = Path(__file__).resolve().parent.parent / ".venv-sam" / "bin" / "python"
_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


def translated(template: dict[str, Any], region: str = "eu-west-3") -> dict[str, Any]:
    """The CloudFormation template SAM makes of ours (local code folders stand in as S3 locations), by
    samtranslator in the SAM CLI's environment (`make sam-cli`)."""
    sam = copy.deepcopy(template)
    for logical_id, resource in sam["Resources"].items():
        properties = resource.setdefault("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function":
            properties["CodeUri"] = f"s3://local/{logical_id}"
        elif resource["Type"] == "AWS::Serverless::LayerVersion":
            properties["ContentUri"] = f"s3://local/{logical_id}"
        elif resource["Type"] == "AWS::Serverless::StateMachine" and isinstance(properties.get("DefinitionUri"), str):
            properties["DefinitionUri"] = {"Bucket": "local", "Key": logical_id}
    if not SAM_PYTHON.is_file():
        raise RuntimeError(f"the IAM check translates the template with the SAM CLI's samtranslator: {SAM_PYTHON} "
                           "is missing (`make sam-cli`)")
    answer = subprocess.run([str(SAM_PYTHON), str(TRANSLATOR), region], input=json.dumps(sam), capture_output=True,
                            text=True, timeout=120)
    if answer.returncode != 0:
        raise RuntimeError(f"samtranslator failed: {answer.stderr.strip().splitlines()[-1:]}")
    return json.loads(answer.stdout)


def function_policies(template: dict[str, Any], resolver: Any) -> dict[str, list[dict[str, Any]]]:
    """Logical id of each function and state machine -> its role's inline policies, resolved to the local
    resources."""
    cloudformation = translated(template, resolver.region)
    resources = cloudformation["Resources"]
    found = {}
    for logical_id, resource in resources.items():
        if resource["Type"] not in ("AWS::Lambda::Function", "AWS::StepFunctions::StateMachine"):
            continue
        role = resource["Properties"].get("Role", resource["Properties"].get("RoleArn", {}))
        role_id = role.get("Fn::GetAtt", [None])[0] if isinstance(role, dict) else None
        policies = (resources.get(role_id) or {}).get("Properties", {}).get("Policies") or []
        found[logical_id] = [{"name": policy["PolicyName"], "policy": resolver.resolve(policy["PolicyDocument"])}
                             for policy in policies]
    return found


def requests_of(call: dict[str, Any], region: str, account: str, secret_arns: dict[str, str]) -> list[tuple]:
    """(action, resource ARN, context keys) that IAM authorises for one recorded call."""
    action, params = call["action"], call.get("params") or {}
    service = action.split(":", 1)[0]

    def table(name: str, index: str | None = None) -> str:
        return f"arn:aws:dynamodb:{region}:{account}:table/{name}" + (f"/index/{index}" if index else "")

    if service == "dynamodb":
        if "TransactItems" in params:
            return [(f"dynamodb:{_TRANSACT_ACTIONS[kind]}", table(item[kind]["TableName"]), {})
                    for item in params["TransactItems"] for kind in item]
        if "RequestItems" in params:
            return [(action, table(name), {}) for name in params["RequestItems"]]
        return [(action, table(params["TableName"], params.get("IndexName")), {})]
    if service == "secretsmanager" and "SecretId" in params:
        secret = params["SecretId"]
        return [(action, secret if secret.startswith("arn:") else secret_arns.get(secret, secret), {})]
    if service == "states":
        return [(action, params.get("stateMachineArn") or params.get("executionArn") or "*", {})]
    if service == "ses":
        sender = params.get("FromEmailAddress", "")
        context = {"ses:FromAddress": sender} if sender else {}
        found = [(action, f"arn:aws:ses:{region}:{account}:identity/{sender}", context)]
        if params.get("ConfigurationSetName"):
            found.append((action, f"arn:aws:ses:{region}:{account}:configuration-set/{params['ConfigurationSetName']}",
                          context))
        return found
    return [(action, "*", {})]


def check_calls(calls: list[dict[str, Any]], policies: dict[str, list[dict[str, Any]]], *, region: str,
                account: str, stack_name: str, secret_arns: dict[str, str]) -> tuple[int, list[str]]:
    """(number of distinct requests evaluated, the denied ones as "Function: action on resource")."""
    requests, seen = [], set()
    for call in calls:
        for action, resource, context in requests_of(call, region, account, secret_arns):
            key = (call["function"], action, resource, json.dumps(context, sort_keys=True))
            if key not in seen:
                seen.add(key)
                requests.append((call["function"], action, resource, context))
    if not requests:
        return 0, []
    node = shutil.which("node")
    if node is None or not (SIMULATOR.parent / "node_modules").is_dir():
        raise RuntimeError("the IAM check needs node and `make iam-deps` (npm packages in local/iam/)")
    payload = {"requests": [{
        "principal": f"arn:aws:iam::{account}:role/{stack_name}-{function}Role",
        "account": account,
        "policies": policies.get(function, []),
        "action": action,
        "resource": resource,
        "context": context,
    } for function, action, resource, context in requests]}
    answer = subprocess.run([node, str(SIMULATOR)], input=json.dumps(payload), capture_output=True, text=True,
                            timeout=120, check=True)
    results = json.loads(answer.stdout)["results"]
    denied = [f"{function}: {action} on {resource}" + (f" ({result['detail']})" if result.get("detail") else "")
              for (function, action, resource, _), result in zip(requests, results)
              if result["decision"] != "Allowed"]
    return len(requests), denied
