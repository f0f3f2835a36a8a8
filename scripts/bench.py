"""Performance and cost against the budgets of architecture.md, measured in one run on this machine.

    make bench                      # or: .venv/bin/python -m scripts.bench [--quick]  (after `make build`)
    .venv/bin/python -m scripts.bench --only imports   # the cold start alone (section 1)

1. Cold start: each handler imported from the SAM build output (.aws-sam/build) laid out as Lambda
   unpacks its zips (function in its task folder, layer in /opt, files dated 1980-01-01, read-only) on
   the runtime's Python 3.12; median time and its ratio to `import boto3; boto3.client("dynamodb")`
   in the same run, and how many modules had to be compiled at import (stale or missing bytecode);
   then what the import leaves to the first request: each function's first call against a warm one,
   in execution environments of the local stack.
2. Work per call: one complete Option 1 signup and confirmation on moto (the local stack,
   in-process), counting the AWS requests of each API call per service, the bytes each call logs, and
   the state transitions of the confirmation workflow from its execution history.
   The web client's journey in Debian's Chromium against the local stack: the signup visit and the
   activation visit (another browser context, as in a mail app), every file with its size as
   CloudFront would send it, and the API calls the client really makes.
3. Cost per million completed signups at eu-west-3 list prices, all in: the browser's API calls
   priced with what each route cost on moto, the web delivery, WAF, logs, fixed monthly costs.
4. Argon2id hash time at the configured parameters, and each step's own code on in-memory fakes.

Timings vary with the machine: compare the ratios of one run, not absolute numbers across runs.
Nothing here asserts a time; `tests/functional/test_bench.py` only checks that it runs.
"""

from __future__ import annotations

import argparse
import json
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "layers" / "shared"

# -- AWS list prices, eu-west-3 (Paris), USD, read 2026-11 --------------------------------------------
# https://aws.amazon.com/api-gateway/pricing/ (REST API, first 333 million requests a month)
API_GATEWAY_REST_PER_MILLION_REQUESTS = 3.50
# (HTTP API, first 300 million a month: what the REST API would cost instead, reported, not counted)
API_GATEWAY_HTTP_PER_MILLION_REQUESTS = 1.00
# https://aws.amazon.com/lambda/pricing/ (x86)
LAMBDA_PER_MILLION_REQUESTS = 0.20
LAMBDA_PER_GB_SECOND = 0.0000166667
# https://aws.amazon.com/dynamodb/pricing/on-demand/ (on-demand, after the November 2024 price cut)
DYNAMODB_PER_MILLION_WRITE_UNITS = 0.72875
DYNAMODB_PER_MILLION_READ_UNITS = 0.14575
# https://aws.amazon.com/step-functions/pricing/ (Standard workflows)
STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS = 0.0298
# https://aws.amazon.com/ses/pricing/ (outbound email)
SES_PER_THOUSAND_EMAILS = 0.10
# https://aws.amazon.com/secrets-manager/pricing/ (secrets are cached per container)
SECRETS_MANAGER_PER_TEN_THOUSAND_CALLS = 0.05
SECRETS_PER_SECRET_MONTH = 0.40
# https://aws.amazon.com/waf/pricing/
WAF_PER_WEB_ACL_MONTH = 5.00
WAF_PER_RULE_MONTH = 1.00
WAF_PER_MILLION_REQUESTS = 0.60
# https://aws.amazon.com/cloudwatch/pricing/ (Logs standard ingestion, alarms)
CLOUDWATCH_LOGS_PER_GB_INGESTED = 0.53
CLOUDWATCH_LOG_EVENT_OVERHEAD_BYTES = 26
ALARM_PER_MONTH = 0.10
# https://aws.amazon.com/cloudfront/pricing/ (Europe, HTTPS requests, first 10 TB out; Functions)
CLOUDFRONT_PER_TEN_THOUSAND_HTTPS_REQUESTS = 0.012
CLOUDFRONT_PER_GB_OUT_EUROPE = 0.085
CLOUDFRONT_FUNCTIONS_PER_MILLION = 0.10
# https://aws.amazon.com/kms/pricing/
KMS_PER_KEY_MONTH = 1.00
# https://aws.amazon.com/cognito/pricing/ (Essentials tier, per monthly active user)
COGNITO_ESSENTIALS_PER_MAU = 0.015
# Estimates, not prices: the response headers CloudFront sends (security headers included), and the
# volume the fixed monthly costs are spread over (docs/capacity.md).
RESPONSE_HEADER_BYTES = 600
SIGNUPS_PER_MONTH = 250_000
VOLUMES_PER_MONTH = (100_000, 250_000, 1_000_000)  # the line that shows how the total moves with the volume

# Request units per DynamoDB operation, for items under 1 KB written and 4 KB read (ours are), with
# strongly consistent reads; transactions cost twice per item.
_READ_UNITS = {"GetItem": 1, "Query": 1}
_WRITE_UNITS = {"PutItem": 1, "UpdateItem": 1, "DeleteItem": 1}

BUDGET_IMPORT_RATIO = 0.8
BUDGET_DYNAMODB_PER_CALL = 4
BUDGET_TRANSITIONS = 2
BUDGET_COST_PER_MILLION = 200.0

BASELINE = 'import boto3; boto3.client("dynamodb", region_name="eu-west-3")'


# -- 1. cold start, from the built artefact -------------------------------------------------------------

BUILD = ROOT / ".aws-sam" / "build"
LAMBDA_ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z: the date SAM's zip gives every entry
# boto3 comes with the Lambda runtime (/var/runtime), not with our layer: the same copy serves the baseline.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")

# What the Lambda runtime's bootstrap (awslambdaric/bootstrap.py) has imported before it imports the
# handler: loaded before the timer starts, for the baseline and the handlers alike.
_PROBE = """
import importlib, importlib.machinery, json, logging, os, sys, time, traceback
compiled = []
_source_to_code = importlib.machinery.SourceFileLoader.source_to_code
def _counting(self, data, path, *args, **kwargs):
    compiled.append(path)
    return _source_to_code(self, data, path, *args, **kwargs)
importlib.machinery.SourceFileLoader.source_to_code = _counting
_t, _cpu = time.perf_counter(), time.process_time()
{code}
_elapsed, _cpu = time.perf_counter() - _t, time.process_time() - _cpu
loaded = [m for m in list(sys.modules.values()) if getattr(m, "__file__", None) and str(m.__file__).startswith({opt!r})]
print(_elapsed, len(compiled), sum(1 for p in compiled if p.startswith({opt!r})), len(loaded), _cpu)
"""


def runtime_python() -> str:
    """The Lambda runtime's Python (3.12): the layer's compiled wheels and bytecode are for it."""
    candidates = ["python3.12", *sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"))]
    for candidate in candidates:
        if not (Path(candidate).is_absolute() or shutil.which(candidate)):
            continue
        found = subprocess.run([candidate, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.strip()
    raise SystemExit("bench: Python 3.12 (the Lambda runtime's) is needed to import the built layer")


def unpack_like_lambda(destination: Path, python: str) -> dict[str, Path]:
    """.aws-sam/build as Lambda lays it out: each function in its own /var/task, the layer in /opt,
    every file dated 1980-01-01 as SAM's zip dates them (Lambda keeps the zip's dates), and nothing
    writable (PYTHONDONTWRITEBYTECODE: /var/task and /opt are read-only on Lambda)."""
    if not (BUILD / "SharedLayer" / "python").is_dir():
        raise SystemExit("bench: no .aws-sam/build: run `make build` first (`make bench` does)")
    layout = {"opt": destination / "opt", "runtime": destination / "runtime"}
    shutil.copytree(BUILD / "SharedLayer", layout["opt"], symlinks=True)
    for name, logical_id in built_functions().items():
        layout[name] = destination / "task" / name
        shutil.copytree(BUILD / logical_id, layout[name], symlinks=True)
    site = Path(__import__("boto3").__file__).resolve().parent.parent
    layout["runtime"].mkdir()
    for package in RUNTIME_PACKAGES:
        source = site / package
        (shutil.copytree(source, layout["runtime"] / package, ignore=shutil.ignore_patterns("__pycache__"))
         if source.is_dir() else shutil.copy2(source, layout["runtime"] / package))
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                    str(layout["runtime"])], check=True)
    for root, _, files in os.walk(destination):
        for file in files:
            os.utime(Path(root) / file, (LAMBDA_ZIP_EPOCH, LAMBDA_ZIP_EPOCH), follow_symlinks=False)
    return layout


def _probe_once(python: str, code: str, path: list[Path], opt: Path) -> list[str]:
    """One fresh interpreter: seconds of `code` (its start excluded), modules compiled from source on
    the way (all, and those of /opt), modules loaded from /opt."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(str(p) for p in path),
           "PYTHONDONTWRITEBYTECODE": "1", "AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "eu-west-3",
           "LAMBDA_TASK_ROOT": str(path[0])}
    # -S: both sides start from the same interpreter (bare, then the runtime's own imports). With
    # `site`, this machine's site-packages hook (a sandbox .pth that imports certifi when it can) found
    # certifi in the layer and preloaded 115 modules (typing, inspect, pathlib...) for the handlers only.
    out = subprocess.run([python, "-S", "-c", _PROBE.format(code=code, opt=str(opt))], env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1].split()


def _round_robin(python: str, targets: dict[str, tuple[str, list[Path]]], opt: Path, runs: int) -> dict[str, dict]:
    """Median of each target over `runs` rounds, one sample of every target per round: a change of the
    machine's load during the run weighs on the baseline and the handlers alike."""
    samples: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)  # the process's CPU time: less sensitive to the machine's load
    last: dict[str, list[str]] = {}
    for _ in range(runs):
        for name, (code, path) in targets.items():
            last[name] = _probe_once(python, code, path, opt)
            samples[name].append(float(last[name][0]))
            cpu[name].append(float(last[name][4]))
    return {name: {"seconds": statistics.median(samples[name]), "cpu_seconds": statistics.median(cpu[name]),
                   "compiled": int(last[name][1]),
                   "compiled_layer": int(last[name][2]), "layer_modules": int(last[name][3])} for name in targets}


def api_functions() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))


def built_functions() -> dict[str, str]:
    """functions/<name> -> the logical id sam build names its output folder after."""
    from local.template import load_template

    resources = load_template(ROOT / "template.yaml")["Resources"]
    by_folder = {Path(str(r["Properties"]["CodeUri"])).name: logical_id for logical_id, r in resources.items()
                 if r["Type"] == "AWS::Serverless::Function"}
    return {name: by_folder[name] for name in api_functions()}


def cold_starts(runs: int) -> tuple[dict, dict[str, dict]]:
    python = runtime_python()
    with tempfile.TemporaryDirectory(prefix="lambda-") as folder:
        layout = unpack_like_lambda(Path(folder), python)
        opt = layout["opt"]
        # Lambda's sys.path: the function, the layer's python/, then the runtime (with boto3).
        targets = {"(baseline)": (BASELINE, [layout["runtime"]])}
        targets.update({name: ("import app", [layout[name], opt / "python", layout["runtime"]]) for name in api_functions()})
        measured = _round_robin(python, targets, opt, runs)
    baseline = measured.pop("(baseline)")
    return baseline, measured


# Two people of local/demo_fixtures.json: the first goes through cold functions, the second through warm ones.
FIRST_CALL_PEOPLE = (
    {"last_name": "venturi", "nir": "1 62 12 2B 010 001", "birth_date": "1962-12-18", "postal_code": "63000",
     "iban_last7": "7890143", "carte_vitale_serial_last11": "04671322630", "email": "paul@example.fr"},
    {"last_name": "bernard", "nir": "1 85 03 69 123 045", "birth_date": "1985-03-10", "postal_code": "33000",
     "iban_last7": "1890145", "carte_vitale_serial_last11": "87654321098", "email": "luc@example.fr"},
)


def first_calls() -> dict[str, dict]:
    """What the import does not pay and the first request does: the local stack with each function in
    an execution environment of its own (the built artefact on the runtime's Python, initialised at
    the stack's start), an Option 1 journey, login and account by a first person (every function's
    first request after its init), then by a second person (warm functions). Per API call: the
    request's time through the local API Gateway, first and warm, and the difference: the lazy work
    of a first request (AWS clients, the route's validation models, modules imported on use)."""
    from werkzeug.test import Client

    from local.config import LocalSettings
    from local.server import build_stack

    environment = dict(os.environ)  # the stack points AWS_ENDPOINT_URL at its emulator: put it back after
    app, stack = build_stack(settings=LocalSettings(port=3998))
    client = Client(app)
    timings: dict[str, list[float]] = defaultdict(list)

    def call(label: str, method: str, path: str, body=None, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        started = time.perf_counter()
        response = client.open(path, method=method, json=body, headers=headers)
        timings[label].append(time.perf_counter() - started)
        if response.status_code >= 300:
            raise SystemExit(f"bench: {label} answered {response.status_code}: {response.get_data(as_text=True)}")
        return response.get_json(silent=True) or {}

    try:
        for person in FIRST_CALL_PEOPLE:
            password = "MotdePasse1"
            call("GET /v1/health", "GET", "/v1/health")
            started = call("POST /v1/signups", "POST", "/v1/signups", {
                key: person[key] for key in ("last_name", "nir", "birth_date", "postal_code")})
            base, token = f"/v1/signups/{started['signup_id']}", started["signup_token"]
            call("GET /v1/signups/{signup_id}", "GET", base, token=token)
            call("POST .../proof", "POST", f"{base}/proof", {
                key: person[key] for key in ("iban_last7", "carte_vitale_serial_last11")}, token)
            call("GET /v1/terms", "GET", "/v1/terms")
            call("POST .../terms", "POST", f"{base}/terms", {"accepted": True, "version": "2020-04"}, token)
            call("POST .../password/check", "POST", f"{base}/password/check", {"password": password}, token)
            call("POST .../password", "POST", f"{base}/password",
                 {"password": password, "password_confirmation": password}, token)
            call("POST .../contact", "POST", f"{base}/contact", {
                "email": person["email"], "email_confirmation": person["email"], "email_marketing_consent": False},
                token)
            call("POST /v1/email-confirmations/resend", "POST", "/v1/email-confirmations/resend",
                 {"token": last_link_token(stack)})
            call("POST /v1/email-confirmations", "POST", "/v1/email-confirmations", {"token": last_link_token(stack)})
            session = call("POST /v1/sessions", "POST", "/v1/sessions", {"nir": person["nir"], "password": password})
            call("GET /v1/account", "GET", "/v1/account", token=session["session_token"])
    finally:
        stack.close()
        os.environ.clear()
        os.environ.update(environment)
    return {label: {"first_seconds": first, "warm_seconds": warm} for label, (first, warm) in timings.items()}


def last_link_token(stack) -> str:
    return stack.mailbox.messages()[-1]["text"].split("token=", 1)[1].split()[0]


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
    logs = LogBytes()
    environment = dict(os.environ)  # the stack points AWS_ENDPOINT_URL at its emulator: put it back after
    # The handlers in this process (not in execution environments of their own), so that their AWS
    # requests and their log lines are counted here.
    app, stack = build_stack(settings=LocalSettings(port=3999), functions_in_process=True)
    logs.install()
    client = Client(app)
    counter.take()  # the stack's own set-up is not a handler's
    memory = _memory_by_route()
    calls: list[dict] = []

    def call(label: str, method: str, path: str, body=None, token=None, route=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        logs.take()
        started = time.perf_counter()
        response = client.open(path, method=method, json=body, headers=headers)
        elapsed = time.perf_counter() - started
        counted, items = counter.take()
        log_bytes, log_events = logs.take()
        calls.append({"call": label, "route": route or label, "status": response.status_code, "seconds": elapsed,
                      "requests": counted, "items": items, "memory_mb": memory[route or label],
                      "log_bytes": log_bytes, "log_events": log_events})
        return response.get_json(silent=True)

    password = "MotdePasse1"
    started = call("POST /v1/signups", "POST", "/v1/signups", {
        "last_name": "venturi", "nir": "1 62 12 2B 010 001", "birth_date": "1962-12-18", "postal_code": "63000"})
    base, token = f"/v1/signups/{started['signup_id']}", started["signup_token"]
    call("GET /v1/signups/{signup_id}", "GET", base, token=token)
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
    sys.stdout = logs.real
    os.environ.clear()
    os.environ.update(environment)
    return {"calls": calls, "transitions": transitions}


class LogBytes:
    """What the handlers write to CloudWatch Logs: their JSON lines on stdout (Powertools Logger and the
    EMF metrics), counted per call and kept out of the report; anything else passes through."""

    def __init__(self) -> None:
        self.bytes = 0
        self.events = 0
        self.real = sys.stdout

    def install(self) -> None:
        import logging

        sys.stdout = self
        for logger in [logging.getLogger(), *[logging.getLogger(n) for n in logging.root.manager.loggerDict]]:
            for handler in getattr(logger, "handlers", []):
                if isinstance(handler, logging.StreamHandler) and handler.stream is self.real:
                    handler.setStream(self)

    def write(self, text: str) -> int:
        for line in text.splitlines(keepends=False):
            if line.startswith("{"):
                self.bytes += len(line.encode()) + 1
                self.events += 1
            elif line.strip():
                self.real.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self.real.flush()

    def take(self) -> tuple[int, int]:
        taken = (self.bytes, self.events)
        self.bytes = self.events = 0
        return taken


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


# -- 2b. the web client's journey in a browser -----------------------------------------------------------

# What CloudFront compresses (its list of content types) and its size window; woff2 and png are already compressed.
CLOUDFRONT_COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "application/problem+json",
                               "image/svg+xml", "image/x-icon", "image/vnd.microsoft.icon", "font/ttf", "font/otf")
CLOUDFRONT_COMPRESS_MIN, CLOUDFRONT_COMPRESS_MAX = 1_000, 10_000_000


def cloudfront_bytes(content_type: str, body: bytes) -> int:
    """The body's size as CloudFront sends it to a browser that accepts gzip (brotli would be ~15% less)."""
    compressible = content_type.split(";")[0].strip().startswith(CLOUDFRONT_COMPRESSED_TYPES)
    if compressible and CLOUDFRONT_COMPRESS_MIN <= len(body) <= CLOUDFRONT_COMPRESS_MAX:
        return len(gzip.compress(body, compresslevel=6))
    return len(body)


def browser_journey() -> dict:
    """The web client in Debian's Chromium against the local stack: the signup visit (landing to
    "Consultez votre messagerie", the guide's person) and the activation visit, in another browser
    context as in the mail app's browser. Every request is recorded: the web files with their size as
    CloudFront would send them, and the API calls the client really makes."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.browser.journey import VENTURI, activate, open_link, sign_up
    from tests.e2e.localstack import start_local_stack

    if not CHROMIUM.exists():
        raise SystemExit(f"bench: {CHROMIUM} is needed to measure the web client (`make chromium`)")
    stack = start_local_stack()
    visits: dict[str, list[dict]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

            def visit(name: str, journey) -> None:
                context = browser.new_context(base_url=stack.base_url, locale="fr-FR", timezone_id="Europe/Paris",
                                              viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
                context.set_default_timeout(15_000)
                page = context.new_page()
                recorded: list[dict] = []
                # What the browser takes from its own cache (a file asked again at another screen, as the favicon
                # was after every pushState before it was inline) reaches no CloudFront edge: Playwright reports
                # it like the rest.
                cached: Counter = Counter()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                urls: dict[str, str] = {}
                cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
                cdp.on("Network.requestServedFromCache", lambda e: cached.update([urls.get(e["requestId"], "")]))
                cdp.on("Network.responseReceived", lambda e: cached.update([e["response"]["url"]])
                       if e["response"].get("fromDiskCache") or e["response"].get("fromPrefetchCache") else None)

                def on_response(response) -> None:
                    path = urlsplit(response.url).path
                    if path.startswith("/_local") or urlsplit(response.url).netloc != urlsplit(stack.base_url).netloc:
                        return
                    try:
                        body = response.body()
                    except Exception:  # a redirect or an aborted request has no body
                        body = b""
                    content_type = response.headers.get("content-type", "")
                    recorded.append({"method": response.request.method, "path": path, "status": response.status,
                                     "api": path.startswith("/v1/"), "bytes": cloudfront_bytes(content_type, body),
                                     "raw_bytes": len(body)})

                page.on("response", on_response)
                journey(page)
                page.wait_for_load_state("networkidle")
                context.close()
                visits[name] = from_the_network(recorded, cached, base=stack.base_url)

            visit("signup", lambda page: sign_up(page, VENTURI, "paul.venturi.bench@example.test"))
            messages = requests_get_json(f"{stack.base_url}/_local/mailbox")["messages"]
            link = next(w for w in messages[-1]["text"].split() if "token=" in w)

            def activation(page) -> None:
                open_link(page, link)
                activate(page)

            visit("activation", activation)
            browser.close()
    finally:
        stack.stop()
    return visits


def from_the_network(recorded: list[dict], cached: Counter, *, base: str) -> list[dict]:
    """The responses that came over the network: for each URL the browser served `n` times from its cache,
    its last `n` responses are dropped (the first time, it came from the network)."""
    left = Counter({urlsplit(url).path: n for url, n in cached.items()
                    if url and urlsplit(url).netloc == urlsplit(base).netloc})
    kept: list[dict] = []
    for response in reversed(recorded):
        if left[response["path"]] > 0:
            left[response["path"]] -= 1
            continue
        kept.append(response)
    return kept[::-1]


def requests_get_json(url: str) -> dict:
    import requests

    return requests.get(url, timeout=30).json()


def api_route(method: str, path: str, routes: list[str]) -> str:
    """`POST /v1/signups/0f6c.../proof` -> `POST /v1/signups/{signup_id}/proof` (the template's routes)."""
    for route in routes:
        route_method, template = route.split(" ", 1)
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if route_method == method and re.match(pattern, path):
            return route
    return f"{method} {path}"


# -- 3. cost ----------------------------------------------------------------------------------------------

def _route_costs(run: dict) -> dict[str, dict]:
    """What one call of each route measured on moto costs in AWS units."""
    per_route = {}
    for call in run["calls"]:
        requests_, items = call["requests"], call["items"]
        read_units = sum(_READ_UNITS.get(op, 0) * n for (svc, op), n in requests_.items() if svc == "dynamodb")
        read_units += items[("dynamodb", "BatchGetItem")]
        write_units = sum(_WRITE_UNITS.get(op, 0) * n for (svc, op), n in requests_.items() if svc == "dynamodb")
        write_units += 2 * items[("dynamodb", "TransactWriteItems")]
        per_route[call["route"]] = {
            "read_units": read_units, "write_units": write_units,
            "gb_seconds": call["memory_mb"] / 1024 * max(call["seconds"], 0.001),
            "emails": requests_[("sesv2", "SendEmail")],
            "secrets": sum(n for (svc, _), n in requests_.items() if svc == "secretsmanager"),
            "log_bytes": call["log_bytes"], "log_events": call["log_events"],
        }
    return per_route


def access_log_line_bytes() -> int:
    """One API access log line as the stage's format writes it (typical values), CloudWatch's 26 bytes
    of metering overhead included."""
    from local.template import load_template

    api = load_template(ROOT / "template.yaml")["Resources"]["Api"]["Properties"]
    line = api["AccessLogSetting"]["Format"]
    typical = {"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "requestTimeEpoch": "1764620000000",
               "httpMethod": "POST", "resourcePath": "/v1/signups/{signup_id}/password/check", "status": "200",
               "responseLength": "120", "responseLatency": "85", "integrationLatency": "80",
               "error.responseType": "-", "wafResponseCode": "WAF_ALLOW"}
    for name, value in typical.items():
        line = line.replace(f"$context.{name}", value)
    return len(line.encode()) + CLOUDWATCH_LOG_EVENT_OVERHEAD_BYTES


def resources_of(kind: str) -> int:
    """How many resources of this type the template declares (alarms, secrets, keys: billed per month)."""
    from local.template import load_template, resources_of_type

    return len(resources_of_type(load_template(ROOT / "template.yaml"), kind))


def alarms() -> int:
    return resources_of("AWS::CloudWatch::Alarm")


def web_acl_rules() -> int:
    from local.template import load_template

    return len(load_template(ROOT / "template.yaml")["Resources"]["ApiWebAcl"]["Properties"]["Rules"])


def cloudfront_function_runs(requests: list[dict]) -> int:
    """CloudFront Function runs of these requests: each runs the functions of the template's behaviour
    its path matches (viewer-request, viewer-response), as CloudFront chooses it; the files' behaviours run none."""
    from local.edge import behavior_config_for
    from local.template import load_template, resources_of_type

    (distribution,) = resources_of_type(load_template(ROOT / "template.yaml"), "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    return sum(len(behavior_config_for(config, r["path"]).get("FunctionAssociations") or []) for r in requests)


def cost_per_million(run: dict, visits: dict[str, list[dict]]) -> tuple[dict[str, float], dict]:
    """USD per million completed signups, all in: each API call the browser made, priced with what the
    same route cost on moto; the web files it loaded, as CloudFront would send them."""
    per_route = _route_costs(run)
    routes = list(per_route)
    api_calls = [r for visit in visits.values() for r in visit if r["api"]]
    web_requests = [r for visit in visits.values() for r in visit if not r["api"]]
    unmeasured = sorted({api_route(r["method"], r["path"], routes) for r in api_calls} - set(routes))
    if unmeasured:
        raise SystemExit(f"bench: the web client calls routes the moto run does not measure: {unmeasured}")
    totals: Counter = Counter()
    for call in api_calls:
        totals.update(per_route[api_route(call["method"], call["path"], routes)])
    n_api = len(api_calls)
    log_bytes = totals["log_bytes"] + totals["log_events"] * CLOUDWATCH_LOG_EVENT_OVERHEAD_BYTES
    log_bytes += n_api * access_log_line_bytes()
    delivered = sum(r["bytes"] for r in web_requests + api_calls) + (len(web_requests) + n_api) * RESPONSE_HEADER_BYTES
    rules, secrets, keys, alarm_count = (web_acl_rules(), resources_of("AWS::SecretsManager::Secret"),
                                         resources_of("AWS::KMS::Key"), alarms())
    fixed_monthly = (WAF_PER_WEB_ACL_MONTH + rules * WAF_PER_RULE_MONTH + SECRETS_PER_SECRET_MONTH * secrets
                     + KMS_PER_KEY_MONTH * keys + ALARM_PER_MONTH * alarm_count)
    web_function_runs, api_function_runs = cloudfront_function_runs(web_requests), cloudfront_function_runs(api_calls)
    million = 1_000_000
    gigabyte = 1024 ** 3
    costs = {
        f"API Gateway REST ({n_api} calls)": n_api * API_GATEWAY_REST_PER_MILLION_REQUESTS,
        "Lambda requests": n_api * LAMBDA_PER_MILLION_REQUESTS,
        "Lambda GB-seconds": totals["gb_seconds"] * LAMBDA_PER_GB_SECOND * million,
        "DynamoDB read units": totals["read_units"] * DYNAMODB_PER_MILLION_READ_UNITS,
        "DynamoDB write units": totals["write_units"] * DYNAMODB_PER_MILLION_WRITE_UNITS,
        "Step Functions transitions": run["transitions"] * STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS * 1000,
        "SES emails": totals["emails"] * SES_PER_THOUSAND_EMAILS * 1000,
        "Secrets Manager calls (as if every signup met a cold container)": totals["secrets"] * SECRETS_MANAGER_PER_TEN_THOUSAND_CALLS * 100,
        f"WAF requests ({n_api} API calls inspected)": n_api * WAF_PER_MILLION_REQUESTS,
        f"CloudWatch Logs ingestion ({log_bytes / 1024:.1f} KB per signup)": log_bytes / gigabyte * CLOUDWATCH_LOGS_PER_GB_INGESTED * million,
        f"CloudFront requests ({len(web_requests)} web + {n_api} API)": (len(web_requests) + n_api) * CLOUDFRONT_PER_TEN_THOUSAND_HTTPS_REQUESTS * 100,
        f"CloudFront Functions ({web_function_runs} web + {api_function_runs} API runs: the behaviours with a function)":
            (web_function_runs + api_function_runs) * CLOUDFRONT_FUNCTIONS_PER_MILLION,
        f"CloudFront data out ({delivered / 1024:.0f} KB per signup)": delivered / gigabyte * CLOUDFRONT_PER_GB_OUT_EUROPE * million,
        f"fixed: WAF ACL and {rules} rules, {secrets} secrets, {keys} KMS key{'s' if keys != 1 else ''}, {alarm_count} alarms "
        f"(${fixed_monthly:.2f}/month at {SIGNUPS_PER_MONTH:,} signups/month)":
            fixed_monthly / SIGNUPS_PER_MONTH * million,
    }
    details = {"api_calls": n_api, "web_requests": len(web_requests), "delivered_bytes": delivered,
               "cloudfront_function_runs": web_function_runs + api_function_runs,
               "log_bytes": log_bytes, "fixed_monthly": fixed_monthly}
    return costs, details


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

    sys.path.insert(0, str(ROOT))
    from tests.homonyms import HOMONYMS, YEAR, HomonymRegistry, homonyms, martin, moto_dynamodb

    cases = [  # (label, the person in the registry, FranceConnect's birthdate, idp_birthdate)
        ("exact date", martin(901, date(YEAR, 12, 30), "female", "Ondine", "75056"), f"{YEAR}-12-30", None),
        ("presumed day (YYYY-MM-00)", martin(902, date(YEAR, 7, 19), "female", "Ondine", "75056"),
         f"{YEAR}-07-01", f"{YEAR}-07-00"),
        ("presumed month (YYYY-00-00)", martin(903, date(YEAR, 11, 7), "male", "Ulysse", "2B033", nir_month=20),
         f"{YEAR}-01-01", f"{YEAR}-00-00"),
    ]
    results = []
    with moto_dynamodb() as dynamodb:
        registry = HomonymRegistry(dynamodb)
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
    parser.add_argument("--only", choices=["imports"],
                        help="imports: only the cold start (the artefact's imports, then each function's first call)")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else 15
    ok = True

    print("# Benchmark (one run; compare ratios, not absolute times)\n")
    baseline, imports = cold_starts(runs)
    print(f"## Cold start: median import from .aws-sam/build unpacked as Lambda unpacks it ({runs} runs)\n")
    print("Each function in its own task folder, the layer in /opt, every file dated 1980-01-01 as in SAM's zip, "
          "nothing writable, on the runtime's Python 3.12, boto3 beside it as in the Lambda runtime.\n")
    print(f"baseline `{BASELINE}`: {baseline['seconds'] * 1000:.0f} ms ({baseline['cpu_seconds'] * 1000:.0f} ms of CPU)\n")
    print(f"| function | import (ms) | ratio to baseline | budget {BUDGET_IMPORT_RATIO}x | CPU time ratio (not the budget) "
          "| layer modules imported | compiled at import (layer) |")
    print("|---|---:|---:|---|---:|---:|---:|")
    for name, figures in imports.items():
        ratio = figures["seconds"] / baseline["seconds"]
        ok &= ratio <= BUDGET_IMPORT_RATIO and figures["compiled_layer"] == 0
        print(f"| {name} | {figures['seconds'] * 1000:.0f} | {ratio:.2f} | {'ok' if ratio <= BUDGET_IMPORT_RATIO else 'OVER'} "
              f"| {figures['cpu_seconds'] / baseline['cpu_seconds']:.2f} | {figures['layer_modules']} | {figures['compiled']} ({figures['compiled_layer']}) |")

    print("\n## First call after the init: what the import leaves to the first request\n")
    print("The local stack, each function in an execution environment of its own (the built artefact on the "
          "runtime's Python, initialised at the stack's start); a first person's requests meet each function's "
          "first call, a second person's the warm function. Time of the request through the local API Gateway.\n")
    firsts = first_calls()
    print("| API call | first call (ms) | warm call (ms) | first call's extra (ms) |")
    print("|---|---:|---:|---:|")
    for label, figures in firsts.items():
        print(f"| {label} | {figures['first_seconds'] * 1000:.0f} | {figures['warm_seconds'] * 1000:.0f} "
              f"| {(figures['first_seconds'] - figures['warm_seconds']) * 1000:.0f} |")
    if args.only == "imports":
        if args.json:
            args.json.write_text(json.dumps({
                "baseline_seconds": baseline["seconds"], "imports_seconds": {n: f["seconds"] for n, f in imports.items()},
                "imports": imports, "first_calls": firsts}, indent=2))
        return 0

    print("\n## AWS requests per API call (one Option 1 signup and its confirmation, on moto)\n")
    run = one_signup_on_moto()
    print("| API call | status | DynamoDB | SES | Step Functions | Secrets Manager | log bytes | budget <= 4 DynamoDB |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for call in run["calls"]:
        per_service = Counter()
        for (service, _), n in call["requests"].items():
            per_service[service] += n
        dynamo = per_service["dynamodb"]
        ok &= dynamo <= BUDGET_DYNAMODB_PER_CALL
        print(f"| {call['call']} | {call['status']} | {dynamo} | {per_service['sesv2']} | {per_service['stepfunctions']} "
              f"| {per_service['secretsmanager']} | {call['log_bytes']} | {'ok' if dynamo <= BUDGET_DYNAMODB_PER_CALL else 'OVER'} |")
    print("\nDynamoDB operations: " + ", ".join(
        f"{op} x{n}" for (svc, op), n in sorted(sum((c["requests"] for c in run["calls"]), Counter()).items())
        if svc == "dynamodb"))
    transitions_ok = run["transitions"] <= BUDGET_TRANSITIONS
    ok &= transitions_ok
    print(f"\nConfirmation workflow state transitions (confirmed within the validity): {run['transitions']} "
          f"(budget {BUDGET_TRANSITIONS}: {'ok' if transitions_ok else 'OVER'})")

    print("\n## The web client's journey in Chromium (what a phone loads, as CloudFront sends it)\n")
    visits = browser_journey()
    routes = [c["route"] for c in run["calls"]]
    print("| visit | web requests | web KB (compressed) | web KB (uncompressed) | API calls |")
    print("|---|---:|---:|---:|---:|")
    for name, recorded in visits.items():
        web = [r for r in recorded if not r["api"]]
        api = [r for r in recorded if r["api"]]
        print(f"| {name} | {len(web)} | {sum(r['bytes'] for r in web) / 1024:.0f} | {sum(r['raw_bytes'] for r in web) / 1024:.0f} | {len(api)} |")
    called = Counter(api_route(r["method"], r["path"], routes) for v in visits.values() for r in v if r["api"])
    print("\nAPI calls of the journey: " + ", ".join(f"{route} x{n}" for route, n in called.items()))
    heaviest = sorted({r["path"]: r for v in visits.values() for r in v if not r["api"]}.values(), key=lambda r: -r["bytes"])[:5]
    print("Heaviest files: " + ", ".join(f"{r['path']} {r['bytes'] / 1024:.0f} KB" for r in heaviest))

    print("\n## Cost per million completed signups (AWS list prices, eu-west-3, all in)\n")
    costs, details = cost_per_million(run, visits)
    total = sum(costs.values())
    print("| item | USD per million signups |")
    print("|---|---:|")
    for item, usd in costs.items():
        print(f"| {item} | {usd:,.2f} |")
    print(f"| **total** | **{total:,.2f}** |")
    cognito = COGNITO_ESSENTIALS_PER_MAU * 1_000_000
    cost_ok = total <= BUDGET_COST_PER_MILLION
    ok &= cost_ok
    http_saving = details["api_calls"] * (API_GATEWAY_REST_PER_MILLION_REQUESTS - API_GATEWAY_HTTP_PER_MILLION_REQUESTS)
    print(f"\nbudget ${BUDGET_COST_PER_MILLION:.0f}: {'ok' if cost_ok else 'OVER'}; "
          f"ratio to Amazon Cognito Essentials (${cognito:,.0f} for a million monthly active users): {total / cognito:.4f}")
    # The fixed costs are per month, not per signup: the same month costs less per signup when busier.
    variable = total - details["fixed_monthly"] / SIGNUPS_PER_MONTH * 1_000_000
    by_volume = "; ".join(f"{volume:,}/month: ${variable + details['fixed_monthly'] / volume * 1_000_000:,.2f}"
                          for volume in VOLUMES_PER_MONTH)
    print(f"By monthly volume (${variable:,.2f} per million signups, plus the fixed ${details['fixed_monthly']:.2f} "
          f"a month spread over that month's signups; the total above assumes {SIGNUPS_PER_MONTH:,}): {by_volume}.")
    print(f"An HTTP API instead of the REST API would save ${http_saving:,.2f} per million signups (not done: docs/deploy.md).")
    print("Lambda GB-seconds use the in-process wall time of each call on this machine at the template's memory "
          "sizes; web bytes are gzip level 6 (CloudFront sends brotli to Chromium: a little less); response headers "
          f"counted at {RESPONSE_HEADER_BYTES} bytes each; S3 origin fetches (cached at the edge) are not counted.")

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
            "baseline_seconds": baseline["seconds"], "imports_seconds": {n: f["seconds"] for n, f in imports.items()},
            "imports": imports, "first_calls": firsts, "transitions": run["transitions"], "visits": visits, "cost_details": details,
            "calls": [{**c, "requests": {f"{s}:{o}": n for (s, o), n in c["requests"].items()},
                       "items": {f"{s}:{o}": n for (s, o), n in c["items"].items()}} for c in run["calls"]],
            "cost_per_million": costs, "total_per_million": total, "total_per_million_by_monthly_volume": {
                str(volume): variable + details["fixed_monthly"] / volume * 1_000_000 for volume in VOLUMES_PER_MONTH},
            "argon2_seconds": argon2_seconds,
            "steps_seconds": steps, "franceconnect_homonyms": homonyms, "budgets_met": ok,
        }, indent=2))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(LAYER))
    sys.exit(main())
