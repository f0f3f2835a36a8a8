"""Performance and cost against the budgets of architecture.md, measured in one run on this machine.

    make bench                      # or: .venv/bin/python -m scripts.bench [--quick]

1. Cold start: median time to import each handler module in a fresh interpreter (bytecode
   present), and its ratio to `import boto3; boto3.client("dynamodb")` measured in the same run.
2. Work per call: one complete Option 1 signup and confirmation on moto (the local stack,
   in-process), counting the AWS requests of each API call per service, and the state transitions
   of the confirmation workflow from its execution history.
3. Cost per million completed signups at AWS list prices (each price a named constant below).
4. Argon2id hash time at the configured parameters, and each step's own code on in-memory fakes.

Timings vary with the machine: compare the ratios of one run, not absolute numbers across runs.
Nothing here asserts a time; `tests/functional/test_bench.py` only checks that it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "layers" / "shared"

# -- AWS list prices, us-east-1 (USD), read 2026-11 -------------------------------------------------
# https://aws.amazon.com/api-gateway/pricing/ (REST API, first 333 million requests a month)
API_GATEWAY_REST_PER_MILLION_REQUESTS = 3.50
# https://aws.amazon.com/lambda/pricing/ (x86)
LAMBDA_PER_MILLION_REQUESTS = 0.20
LAMBDA_PER_GB_SECOND = 0.0000166667
# https://aws.amazon.com/dynamodb/pricing/on-demand/ (on-demand, since the November 2024 price cut)
DYNAMODB_PER_MILLION_WRITE_UNITS = 0.625
DYNAMODB_PER_MILLION_READ_UNITS = 0.125
# https://aws.amazon.com/step-functions/pricing/ (Standard workflows)
STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS = 0.025
# https://aws.amazon.com/ses/pricing/ (outbound email, sent from Lambda)
SES_PER_THOUSAND_EMAILS = 0.10
# https://aws.amazon.com/secrets-manager/pricing/ (API calls; secrets are cached per container)
SECRETS_MANAGER_PER_TEN_THOUSAND_CALLS = 0.05
# https://aws.amazon.com/cognito/pricing/ (Essentials tier, per monthly active user)
COGNITO_ESSENTIALS_PER_MAU = 0.015

# Request units per DynamoDB operation, for items under 1 KB written and 4 KB read (ours are), with
# strongly consistent reads; transactions cost twice per item.
_READ_UNITS = {"GetItem": 1, "Query": 1}
_WRITE_UNITS = {"PutItem": 1, "UpdateItem": 1, "DeleteItem": 1}

BUDGET_IMPORT_RATIO = 1.5
BUDGET_DYNAMODB_PER_CALL = 4
BUDGET_TRANSITIONS = 2
BUDGET_COST_PER_MILLION = 200.0

BASELINE = 'import boto3; boto3.client("dynamodb", region_name="eu-west-3")'


# -- 1. cold start ----------------------------------------------------------------------------------

def _time_in_fresh_interpreter(code: str, path: list[Path], runs: int) -> float:
    """Median seconds of `code` timed inside fresh interpreters (interpreter start excluded)."""
    probe = f"import time; _t = time.perf_counter(); {code}; print(time.perf_counter() - _t)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in path), "AWS_DEFAULT_REGION": "eu-west-3"}
    subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True)  # writes bytecode
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def api_functions() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))


def cold_starts(runs: int) -> tuple[float, dict[str, float]]:
    baseline = _time_in_fresh_interpreter(BASELINE, [], runs)
    imports = {
        name: _time_in_fresh_interpreter("import app", [ROOT / "functions" / name, LAYER], runs)
        for name in api_functions()
    }
    return baseline, imports


# -- 2. work per call on moto -------------------------------------------------------------------------

class RequestCounter:
    """Counts every AWS request made on this thread (the handlers'), by service and operation,
    whichever boto3 session made the client (Powertools Parameters makes its own)."""

    def __init__(self) -> None:
        self.current: Counter = Counter()
        self.items: Counter = Counter()  # (service, operation) -> items touched (batch and transactions)
        self.thread = None

    def install(self) -> None:
        import threading

        from botocore.client import BaseClient

        self.thread = threading.get_ident()
        original = BaseClient._make_api_call
        counter = self

        def counted(client, operation_name, api_params):
            if threading.get_ident() == counter.thread:  # not moto's workflow threads
                counter.record(client.meta.service_model.service_name, operation_name, api_params)
            return original(client, operation_name, api_params)

        BaseClient._make_api_call = counted

    def record(self, service: str, operation: str, params: dict) -> None:
        self.current[(service, operation)] += 1
        if operation == "TransactWriteItems":
            self.items[("dynamodb", operation)] += len(params.get("TransactItems", []))
        elif operation == "BatchGetItem":
            self.items[("dynamodb", operation)] += sum(len(t["Keys"]) for t in params["RequestItems"].values())

    def take(self) -> tuple[Counter, Counter]:
        counted, items = self.current, self.items
        self.current, self.items = Counter(), Counter()
        return counted, items


def one_signup_on_moto() -> dict:
    """Runs the guide's person through Option 1 and the confirmation; returns what each call cost."""
    from werkzeug.test import Client

    from local.config import LocalSettings
    from local.server import build_stack

    counter = RequestCounter()
    counter.install()
    app, stack = build_stack(settings=LocalSettings(port=3999))
    client = Client(app)
    counter.take()  # the stack's own set-up is not a handler's
    memory = _memory_by_route()
    calls: list[dict] = []

    def call(label: str, method: str, path: str, body=None, token=None, route=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        started = time.perf_counter()
        response = client.open(path, method=method, json=body, headers=headers)
        elapsed = time.perf_counter() - started
        counted, items = counter.take()
        calls.append({"call": label, "status": response.status_code, "seconds": elapsed, "requests": counted,
                      "items": items, "memory_mb": memory[route or label]})
        return response.get_json(silent=True)

    password = "MotdePasse1"
    started = call("POST /v1/signups", "POST", "/v1/signups", {
        "last_name": "venturi", "nir": "1 62 12 2B 010 001", "birth_date": "1962-12-18", "postal_code": "63000"})
    base, token = f"/v1/signups/{started['signup_id']}", started["signup_token"]
    call("POST .../proof", "POST", f"{base}/proof", {"iban_last7": "7890143", "carte_vitale_serial_last11": "04671322630"},
         token, route="POST /v1/signups/{signup_id}/proof")
    call("GET /v1/terms", "GET", "/v1/terms")
    call("POST .../terms", "POST", f"{base}/terms", {"accepted": True, "version": "2020-04"}, token,
         route="POST /v1/signups/{signup_id}/terms")
    call("POST .../password/check", "POST", f"{base}/password/check", {"password": password}, token,
         route="POST /v1/signups/{signup_id}/password/check")
    call("POST .../password", "POST", f"{base}/password", {"password": password, "password_confirmation": password},
         token, route="POST /v1/signups/{signup_id}/password")
    call("POST .../contact", "POST", f"{base}/contact", {
        "email": "paul@example.fr", "email_confirmation": "paul@example.fr", "email_marketing_consent": False},
        token, route="POST /v1/signups/{signup_id}/contact")
    link_token = stack.mailbox.messages()[-1]["text"].split("token=", 1)[1].split()[0]
    _wait_for_execution_start()
    counter.take()  # the benchmark's own look at the workflow is not a handler's
    call("POST /v1/email-confirmations", "POST", "/v1/email-confirmations", {"token": link_token})
    transitions = _confirmation_transitions()
    stack.close()
    return {"calls": calls, "transitions": transitions}


def _memory_by_route() -> dict[str, int]:
    from local.template import functions, load_template

    template = load_template(ROOT / "template.yaml")
    default = template["Globals"]["Function"].get("MemorySize", 128)
    memory = {}
    for spec in functions(template).values():
        resource = template["Resources"][spec.logical_id]["Properties"]
        for event in (resource.get("Events") or {}).values():
            if event.get("Type") == "Api":
                props = event["Properties"]
                memory[f"{props['Method'].upper()} {props['Path']}"] = resource.get("MemorySize", default)
    return memory


def _state_machine_arn() -> str:
    import boto3

    return boto3.client("stepfunctions").list_state_machines()["stateMachines"][0]["stateMachineArn"]


def _wait_for_execution_start(timeout: float = 10) -> None:
    import boto3

    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        executions = sfn.list_executions(stateMachineArn=_state_machine_arn())["executions"]
        if executions and any(event["type"].endswith("StateEntered") for event in sfn.get_execution_history(
                executionArn=executions[0]["executionArn"])["events"]):
            return  # its first state entered, as on AWS by the time a person opens the email
        time.sleep(0.05)


def _confirmation_transitions() -> int:
    import boto3

    sfn = boto3.client("stepfunctions")
    execution = sfn.list_executions(stateMachineArn=_state_machine_arn())["executions"][0]
    time.sleep(0.3)  # let the stop be recorded
    events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
    return sum(1 for event in events if event["type"].endswith("StateEntered"))


# -- 3. cost --------------------------------------------------------------------------------------------

def cost_per_million(run: dict) -> dict[str, float]:
    calls = run["calls"]
    totals: Counter = Counter()
    for call in calls:
        totals.update(call["requests"])
    items: Counter = Counter()
    for call in calls:
        items.update(call["items"])
    read_units = sum(_READ_UNITS.get(op, 0) * n for (svc, op), n in totals.items() if svc == "dynamodb")
    read_units += items[("dynamodb", "BatchGetItem")]
    write_units = sum(_WRITE_UNITS.get(op, 0) * n for (svc, op), n in totals.items() if svc == "dynamodb")
    write_units += 2 * items[("dynamodb", "TransactWriteItems")]
    gb_seconds = sum(call["memory_mb"] / 1024 * max(call["seconds"], 0.001) for call in calls)
    emails = totals[("sesv2", "SendEmail")]
    secrets = sum(n for (svc, _), n in totals.items() if svc == "secretsmanager")
    million = 1_000_000
    return {
        "API Gateway REST requests": len(calls) * API_GATEWAY_REST_PER_MILLION_REQUESTS,
        "Lambda requests": len(calls) * LAMBDA_PER_MILLION_REQUESTS,
        "Lambda GB-seconds": gb_seconds * LAMBDA_PER_GB_SECOND * million,
        "DynamoDB read units": read_units * DYNAMODB_PER_MILLION_READ_UNITS,
        "DynamoDB write units": write_units * DYNAMODB_PER_MILLION_WRITE_UNITS,
        "Step Functions transitions": run["transitions"] * STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS * 1000,
        "SES emails": emails * SES_PER_THOUSAND_EMAILS * 1000,
        "Secrets Manager calls (as if every signup met a cold container)": secrets * SECRETS_MANAGER_PER_TEN_THOUSAND_CALLS * 100,
    }


# -- 4. in-process work ---------------------------------------------------------------------------------

def argon2_hash_seconds(runs: int) -> tuple[float, str]:
    sys.path.insert(0, str(LAYER))
    from ameli.adapters.passwords import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        hashed = hasher.hash("MotdePasse1")
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), hashed.split("$")[3]


def step_code_seconds(runs: int) -> dict[str, float]:
    """Each use case on in-memory fakes (no AWS, no Argon2): the code of the step itself."""
    sys.path.insert(0, str(ROOT))
    from tests import values as typed  # the value objects the HTTP layer hands the use cases
    from tests.fakes import FakeWorld
    from tests.people import PASSWORD, VENTURI, VENTURI_IDENTITY, VENTURI_PROOF, beneficiary

    samples: dict[str, list[float]] = defaultdict(list)

    def timed(name, action):
        started = time.perf_counter()
        result = action()
        samples[name].append(time.perf_counter() - started)
        return result

    for _ in range(runs):
        world = FakeWorld([beneficiary(VENTURI)])
        signup = timed("start", lambda: world.option1.start(typed.identity(VENTURI_IDENTITY))).signup
        signup = timed("proof", lambda: world.option1.submit_proof(signup, typed.proof(VENTURI_PROOF)))
        signup = timed("terms", lambda: world.signup_steps.answer_terms(signup, accepted=True, version="2020-04"))
        timed("password check", lambda: world.signup_steps.check_password(signup, PASSWORD))
        signup = timed("password", lambda: world.signup_steps.choose_password(signup, password=PASSWORD, confirmation=PASSWORD))
        form = typed.contact("paul@example.fr", mobile_phone="06 12 34 56 78")
        timed("contact", lambda: world.contact_step.give_contact(signup, form))
        token = world.mailer.last_token()
        timed("confirmation", lambda: world.activation.confirm(token))
        timed("login", lambda: world.login.login(typed.nir(VENTURI_IDENTITY["nir"]), PASSWORD))
    return {name: statistics.median(values) for name, values in samples.items()}


def _item_bytes(value: dict) -> int:
    """DynamoDB's size of an item (attribute names and values in UTF-8, about 1 byte per number digit)."""
    def size(typed: dict) -> int:
        (kind, inner), = typed.items()
        if kind in ("S", "N", "B"):
            return len(str(inner).encode())
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "L":
            return 3 + sum(size(v) + 1 for v in inner)
        if kind == "M":
            return 3 + sum(len(k.encode()) + size(v) + 1 for k, v in inner.items())
        return len(json.dumps(inner))
    return sum(len(name.encode()) + size(typed) for name, typed in value.items())


def franceconnect_homonyms(runs: int) -> list[dict]:
    """The FranceConnect callback's registry reads among 1,000 MARTINs born the same year (moto)."""
    from datetime import date

    import boto3
    from moto import mock_aws

    sys.path.insert(0, str(ROOT))
    from tests.homonyms import HOMONYMS, YEAR, HomonymRegistry, homonyms, martin

    cases = [  # (label, the person in the registry, FranceConnect's birthdate, idp_birthdate)
        ("exact date", martin(901, date(YEAR, 12, 30), "female", "Ondine", "75056"), f"{YEAR}-12-30", None),
        ("presumed day (YYYY-MM-00)", martin(902, date(YEAR, 7, 19), "female", "Ondine", "75056"),
         f"{YEAR}-07-01", f"{YEAR}-07-00"),
        ("presumed month (YYYY-00-00)", martin(903, date(YEAR, 11, 7), "male", "Ulysse", "2B033", nir_month=20),
         f"{YEAR}-01-01", f"{YEAR}-00-00"),
    ]
    results = []
    with mock_aws():
        registry = HomonymRegistry(boto3.client("dynamodb", region_name="eu-west-3"))
        registry.load([*homonyms(HOMONYMS), *(person for _, person, _, _ in cases)])
        for label, person, birthdate, idp_birthdate in cases:
            samples = []
            for _ in range(runs):
                registry.pages.clear()
                started = time.perf_counter()
                found = registry.sign_in(person, birthdate, idp_birthdate).get("next_step") == "terms"
                samples.append(time.perf_counter() - started)
            # GSI reads are eventually consistent: half a read unit per 4 KB of each page.
            units = sum(0.5 * -(-sum(_item_bytes(item) for item in page) // 4096) for page in registry.pages)
            results.append({"case": label, "homonyms": HOMONYMS, "found": found, "pages": len(registry.pages),
                            "items": sum(len(page) for page in registry.pages), "read_units": units,
                            "seconds": statistics.median(samples)})
    return results


# -- report ---------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Performance and cost against the budgets")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (CI checks that it runs)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else 15
    ok = True

    print("# Benchmark (one run; compare ratios, not absolute times)\n")
    baseline, imports = cold_starts(runs)
    print(f"## Cold start: median module import in a fresh interpreter ({runs} runs)\n")
    print(f"baseline `{BASELINE}`: {baseline * 1000:.0f} ms\n")
    print("| function | import (ms) | ratio to baseline | budget 1.5x |")
    print("|---|---:|---:|---|")
    for name, seconds in imports.items():
        ratio = seconds / baseline
        ok &= ratio <= BUDGET_IMPORT_RATIO
        print(f"| {name} | {seconds * 1000:.0f} | {ratio:.2f} | {'ok' if ratio <= BUDGET_IMPORT_RATIO else 'OVER'} |")

    print("\n## AWS requests per API call (one Option 1 signup and its confirmation, on moto)\n")
    run = one_signup_on_moto()
    print("| API call | status | DynamoDB | SES | Step Functions | Secrets Manager | budget <= 4 DynamoDB |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for call in run["calls"]:
        per_service = Counter()
        for (service, _), n in call["requests"].items():
            per_service[service] += n
        dynamo = per_service["dynamodb"]
        ok &= dynamo <= BUDGET_DYNAMODB_PER_CALL
        print(f"| {call['call']} | {call['status']} | {dynamo} | {per_service['sesv2']} | {per_service['stepfunctions']} "
              f"| {per_service['secretsmanager']} | {'ok' if dynamo <= BUDGET_DYNAMODB_PER_CALL else 'OVER'} |")
    print("\nDynamoDB operations: " + ", ".join(
        f"{op} x{n}" for (svc, op), n in sorted(sum((c["requests"] for c in run["calls"]), Counter()).items())
        if svc == "dynamodb"))
    transitions_ok = run["transitions"] <= BUDGET_TRANSITIONS
    ok &= transitions_ok
    print(f"\nConfirmation workflow state transitions (confirmed within the validity): {run['transitions']} "
          f"(budget {BUDGET_TRANSITIONS}: {'ok' if transitions_ok else 'OVER'})")

    print("\n## Cost per million completed signups (AWS list prices, us-east-1)\n")
    costs = cost_per_million(run)
    total = sum(costs.values())
    print("| item | USD per million signups |")
    print("|---|---:|")
    for item, usd in costs.items():
        print(f"| {item} | {usd:,.2f} |")
    print(f"| **total** | **{total:,.2f}** |")
    cognito = COGNITO_ESSENTIALS_PER_MAU * 1_000_000
    cost_ok = total <= BUDGET_COST_PER_MILLION
    ok &= cost_ok
    print(f"\nbudget ${BUDGET_COST_PER_MILLION:.0f}: {'ok' if cost_ok else 'OVER'}; "
          f"ratio to Amazon Cognito Essentials (${cognito:,.0f} for a million monthly active users): {total / cognito:.4f}")
    print("Lambda GB-seconds use the in-process wall time of each call on this machine at the template's memory "
          "sizes; CloudWatch Logs and data transfer are not counted.")

    print("\n## In-process work\n")
    argon2_seconds, parameters = argon2_hash_seconds(5 if args.quick else 20)
    print(f"Argon2id hash ({parameters}): median {argon2_seconds * 1000:.0f} ms\n")
    steps = step_code_seconds(20 if args.quick else 300)
    print("| step (use case on in-memory fakes, no AWS, no Argon2) | median (ms) |")
    print("|---|---:|")
    for name, seconds in steps.items():
        print(f"| {name} | {seconds * 1000:.3f} |")

    homonyms = franceconnect_homonyms(3 if args.quick else 10)
    print("\n## FranceConnect matching among homonyms (the callback on moto, 1,000 MARTINs born the same year)\n")
    print("| FranceConnect's birth date | found | Query pages | items read | read units (approx.) | callback median (ms) |")
    print("|---|---|---:|---:|---:|---:|")
    for case in homonyms:
        ok &= case["found"]
        print(f"| {case['case']} | {'yes' if case['found'] else 'NO'} | {case['pages']} | {case['items']} "
              f"| {case['read_units']:.1f} | {case['seconds'] * 1000:.1f} |")
    print("\nA read unit is half of 4 KB per page (the index is read eventually consistent); moto's pages are "
          "1 MB as DynamoDB's.")

    print(f"\nAll budgets met: {'yes' if ok else 'NO'}")
    if args.json:
        args.json.write_text(json.dumps({
            "baseline_seconds": baseline, "imports_seconds": imports, "transitions": run["transitions"],
            "calls": [{**c, "requests": {f"{s}:{o}": n for (s, o), n in c["requests"].items()},
                       "items": {f"{s}:{o}": n for (s, o), n in c["items"].items()}} for c in run["calls"]],
            "cost_per_million": costs, "total_per_million": total, "argon2_seconds": argon2_seconds,
            "steps_seconds": steps, "franceconnect_homonyms": homonyms, "budgets_met": ok,
        }, indent=2))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(LAYER))
    sys.exit(main())
