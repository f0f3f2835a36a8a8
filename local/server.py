"""The whole local stack as one WSGI app: API, web client, mailbox, docs, and mounted extras.

    app, stack = build_stack(3000)          # moto started, resources created, fixtures loaded
    make_server("127.0.0.1", 3000, app, threaded=True).serve_forever()

| path | served by |
|---|---|
| `/v1/...` (the template's routes) | the handlers, through `local.gateway.ApiGateway` |
| `/_local/info`, `/_local/mailbox`, `/_local/executions` | the stack itself (JSON) |
| `/_local/docs`, `/_local/openapi.json` | Swagger UI (assets bundled with Powertools) and the OpenAPI document |
| `/_fc/...` | a local FranceConnect provider, when one is mounted (see `build_stack(extra_apps=...)`) |
| anything else | the web client from `web/` (or a placeholder page while it is not built) |
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import mimetypes
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import Map, Rule
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from local import put_layer_on_path
from local.config import ROOT, LocalSettings, StartError

put_layer_on_path()

WSGIApp = Callable[[dict, Callable], Any]
FRANCECONNECT_PREFIX = "/_fc"
FRANCECONNECT_ISSUER_PATH = "/_fc/api/v2"
LOCAL_FRANCECONNECT_CLIENT_ID = "ameli-compte-local"

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}


def log(message: str) -> None:
    """The stack's own messages: short, on stdout, never personal data."""
    print(f"[local] {message}", file=sys.stdout, flush=True)


@dataclass
class StackInfo:
    settings: LocalSettings
    root: Path
    fixtures: Any  # local.fixtures.Fixtures (the FranceConnect provider takes its identities there)
    resources: Any  # local.aws.LocalResources
    environment: dict[str, str]
    functions: list[str]
    routes: list[Any]
    mailbox: Any  # local.aws.Mailbox
    aws: Any = None  # local.emulator.EmulatedAws
    faults: Any = None  # local.faults.FaultSwitch
    calls: Any = None  # AwsCallLog
    running: dict[str, Any] = field(default_factory=dict)  # logical id -> local.environments.Function
    edge: Any = None  # local.edge.Distribution
    template: dict[str, Any] = field(default_factory=dict)  # the built template, as the stack read it
    resolver: Any = None  # local.template.Resolver, with the local resources' ids
    mounts: dict[str, WSGIApp] = field(default_factory=dict)
    warm: threading.Event = field(default_factory=threading.Event)  # one environment per function is up
    _policies: Any = None  # each function's and state machine's role policies, translated on the first check

    @property
    def origin(self) -> str:
        return self.settings.origin

    def urls(self) -> dict[str, str]:
        origin = self.origin
        return {
            "api_base": f"{origin}/v1",
            "web_base": f"{origin}/",
            "franceconnect_issuer": f"{origin}{FRANCECONNECT_ISSUER_PATH}",
            "mailbox": f"{origin}/_local/mailbox",
            "openapi": f"{origin}/_local/openapi.json",
            "docs": f"{origin}/_local/docs",
            "executions": f"{origin}/_local/executions",
        }

    def check_iam(self) -> tuple[int, list[str]]:
        """Every AWS call made so far by a function, against its role's policies (`local.iam`)."""
        from local.aws import client
        from local.iam import check_calls, function_policies

        secretsmanager = client("secretsmanager")
        secret_arns = {name: secretsmanager.describe_secret(SecretId=name)["ARN"]
                       for name in self.resources.secrets.values()}
        if self._policies is None:  # samtranslator runs once (its ids are final once the stack is up)
            self._policies = function_policies(self.template, self.resolver)
        return check_calls(self.calls.calls(), self._policies,
                           region=self.resolver.region, account=self.resolver.account_id,
                           stack_name=self.resolver.stack_name, secret_arns=secret_arns)

    def reset(self) -> None:
        """Back to the state of a fresh start, without restarting: the tables emptied and the registry
        reloaded from the fixtures, the mailbox emptied, the running workflows stopped."""
        from ameli.adapters.dynamodb import DynamoBeneficiaryRegistry
        from local.aws import client

        stepfunctions = client("stepfunctions")
        for arn in self.resources.state_machines.values():
            pages = stepfunctions.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="RUNNING")
            for execution in (e for page in pages for e in page["executions"]):
                stepfunctions.stop_execution(executionArn=execution["executionArn"], cause="local reset")
        dynamodb = client("dynamodb")
        for table in self.resources.tables.values():
            keys = [key["AttributeName"] for key in dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]]
            names = {f"#k{i}": key for i, key in enumerate(keys)}
            pages = dynamodb.get_paginator("scan").paginate(
                TableName=table, ProjectionExpression=", ".join(names), ExpressionAttributeNames=names)
            for item in (item for page in pages for item in page["Items"]):
                dynamodb.delete_item(TableName=table, Key={key: item[key] for key in keys})
        DynamoBeneficiaryRegistry(dynamodb, self.resources.tables["RegistryTable"]).put_all(self.fixtures.beneficiaries)
        self.mailbox.clear()

    def close(self) -> None:
        """Stops the functions' environments and the emulated AWS; the process environment is left as set."""
        for function in self.running.values():
            function.stop()
        self.running = {}
        if self.edge is not None:
            self.edge.close()
            self.edge = None
        if self.aws is not None:
            self.aws.stop()
            self.aws = None


# -- local-only endpoints -------------------------------------------------------------------------

def _json(payload: Any, status: int = 200) -> Response:
    response = Response(json.dumps(payload, ensure_ascii=False, indent=2), status=status, content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _swagger_assets() -> Path:
    from aws_lambda_powertools.event_handler.openapi import swagger_ui

    return Path(swagger_ui.__file__).resolve().parent


_DOCS_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>API de création du compte ameli (local)</title>
  <link rel="stylesheet" href="/_local/docs/swagger-ui.min.css">
</head>
<body>
  <div id="swagger-ui">Chargement de la documentation…</div>
  <script src="/_local/docs/swagger-ui-bundle.min.js"></script>
  <script src="/_local/docs/init.js"></script>
</body>
</html>
"""

_DOCS_INIT = """window.ui = SwaggerUIBundle({
  url: "/_local/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  docExpansion: "list",
  filter: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
"""



class LocalEndpoints:
    """`/_local/...`: info, mailbox, OpenAPI document and Swagger UI."""

    def __init__(self, stack: StackInfo) -> None:
        self.stack = stack
        self._openapi: dict[str, Any] | None = None
        self._openapi_lock = threading.Lock()
        self._by_path = self._answers()
        self._urls = Map([Rule(path, endpoint=path, methods=list(answers)) for path, answers in self._by_path.items()],
                         strict_slashes=False).bind("local")

    def openapi(self) -> dict[str, Any]:
        with self._openapi_lock:
            if self._openapi is None:
                if str(self.stack.root) not in sys.path:
                    sys.path.insert(0, str(self.stack.root))
                from scripts.openapi import build_openapi

                self._openapi = build_openapi()
            return self._openapi

    def executions(self) -> list[dict[str, Any]]:
        """The state machines' executions, newest first (names carry ids, never personal data)."""
        from local.aws import client, rfc3339

        stepfunctions = client("stepfunctions")
        found = []
        for logical_id, arn in self.stack.resources.state_machines.items():
            pages = stepfunctions.get_paginator("list_executions").paginate(stateMachineArn=arn)
            for execution in (e for page in pages for e in page["executions"]):
                found.append({
                    "state_machine": logical_id,
                    "name": execution["name"],
                    "status": execution["status"],
                    "started_at": execution.get("startDate") and rfc3339(execution["startDate"]),
                    "stopped_at": execution.get("stopDate") and rfc3339(execution["stopDate"]),
                })
        return sorted(found, key=lambda e: e["started_at"] or "", reverse=True)

    def _answers(self) -> dict[str, dict[str, Callable[..., Response]]]:
        """Each local endpoint: path -> {method: answer}. werkzeug answers HEAD like GET."""
        stack = self.stack
        return {
            "/_local/info": {"GET": lambda request: _json({
                **stack.urls(),
                "confirmation_link_validity": stack.settings.confirmation_link_validity,
                "pending_email_retention": stack.settings.pending_email_retention,
                "franceconnect_provider": FRANCECONNECT_PREFIX in stack.mounts,
                "warm": stack.warm.is_set(),
            })},
            "/_local/mailbox": {"GET": lambda request: _json({"messages": stack.mailbox.messages()}),
                                "DELETE": lambda request: _no_content(stack.mailbox.clear())},
            "/_local/faults": {"GET": lambda request: _json(stack.faults.rates()), "PUT": self.replace_faults},
            "/_local/reset": {"POST": lambda request: _no_content(stack.reset())},
            "/_local/aws-calls": {"GET": lambda request: _json({"calls": stack.calls.calls()})},
            "/_local/iam": {"GET": lambda request: _json(
                dict(zip(("checked", "denied"), stack.check_iam(), strict=True)))},
            "/_local/executions": {"GET": lambda request: _json({"executions": self.executions()})},
            "/_local/openapi.json": {"GET": lambda request: _json(self.openapi())},
            "/_local/docs": {"GET": lambda request: Response(_DOCS_PAGE, content_type="text/html; charset=utf-8",
                                                             headers=_docs_headers())},
            "/_local/docs/init.js": {"GET": lambda request: Response(
                _DOCS_INIT, content_type="text/javascript; charset=utf-8", headers=_docs_headers())},
            "/_local/docs/<any('swagger-ui-bundle.min.js', 'swagger-ui.min.css'):asset>": {"GET": _swagger_asset},
        }

    def replace_faults(self, request: Request) -> Response:
        try:
            self.stack.faults.replace(json.loads(request.get_data(as_text=True) or "null"))
        except ValueError as error:  # json.JSONDecodeError included
            return _json({"title": "Réglage des pannes refusé", "status": 400, "detail": str(error)}, 400)
        return _json(self.stack.faults.rates())

    def respond(self, request: Request) -> Response:
        from ameli.domain.errors import MethodNotAllowed as MethodNotAllowedProblem
        from ameli.domain.errors import NotFound as NotFoundProblem

        try:
            path, arguments = self._urls.match(request.path, request.method)
        except MethodNotAllowed as error:
            return problem_response(MethodNotAllowedProblem(), {"Allow": ", ".join(sorted(error.valid_methods or []))})
        except HTTPException:
            return problem_response(NotFoundProblem())
        return self._by_path[path]["GET" if request.method == "HEAD" else request.method](request, **arguments)


def _no_content(_: None) -> Response:
    return Response(status=204, headers={"Cache-Control": "no-store"})


def _swagger_asset(request: Request, asset: str) -> Response:
    path = _swagger_assets() / asset
    response = send_file(path, request.environ, mimetype=_content_type(path), max_age=3600)
    response.headers.update(_docs_headers(cache=False))
    return response


def problem_response(error: Any, headers: dict[str, str] | None = None) -> Response:
    """A problem+json answer in the API's format, for the local endpoints."""
    from ameli.http.api import PROBLEM_TYPE_BASE

    body = {"type": PROBLEM_TYPE_BASE + error.code.lower().replace("_", "-"), "title": error.title,
            "status": error.status, "code": error.code, "detail": error.detail}
    return Response(json.dumps(body, ensure_ascii=False), status=error.status,
                    content_type="application/problem+json", headers={"Cache-Control": "no-store", **(headers or {})})


def _docs_headers(cache: bool = True) -> dict[str, str]:
    headers = {"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
    if cache:
        headers["Cache-Control"] = "no-cache"
    return headers


# -- the web client -------------------------------------------------------------------------------

def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class WebBucket:
    """The S3 web bucket as the deploy pipeline fills it from `web/` (everything but the build files:
    npm's, `scripts/`, `README.md`; dot files): `GET`/`HEAD` of an object by its exact key. A missing key
    answers S3's 403 AccessDenied (CloudFront reads the bucket without `s3:ListBucket`); what a path
    without a file becomes is the CloudFront Function's business, not the bucket's."""

    PRIVATE_FILES = frozenset({"package.json", "package-lock.json", "node_modules", "README.md", "scripts"})

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def _object(self, key: str) -> Path | None:
        parts = key.split("/")
        if not parts or parts[0] in self.PRIVATE_FILES or any(
                not part or part.startswith(".") or "\\" in part or "\x00" in part for part in parts):
            return None
        path = self.folder.joinpath(*parts).resolve()
        return path if path.is_file() and path.is_relative_to(self.folder) else None

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        request = Request(environ)
        found = self._object(request.path.lstrip("/")) if request.method in ("GET", "HEAD") else None
        if found is None:
            response = Response('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                                "<Message>Access Denied</Message></Error>", status=403, content_type="application/xml")
        else:
            # the type `aws s3 sync` gives the object (werkzeug adds the charset of text types itself)
            response = send_file(found, environ, mimetype=_content_type(found).split(";")[0], max_age=None)
            del response.headers["Content-Disposition"], response.headers["Cache-Control"]  # S3 sends neither
        return response(environ, start_response)


# -- the dispatcher -------------------------------------------------------------------------------

class LocalStackApp:
    """The local endpoints under `/_local`; everything else through the edge (the template's CloudFront
    distribution: the web bucket, and the API under `/v1/*`)."""

    def __init__(self, edge: Any, endpoints: LocalEndpoints) -> None:
        self.edge = edge
        self.endpoints = endpoints

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/_local" or path.startswith("/_local/"):
            return self.endpoints.respond(Request(environ))(environ, start_response)
        return self.edge(environ, start_response)


def _discover_franceconnect() -> Callable[[StackInfo], WSGIApp] | None:
    """The hook for a local FranceConnect provider: a module `local.franceconnect` with
    `create_app(stack: StackInfo) -> WSGI app` is mounted at `/_fc` (its issuer: `/_fc/api/v2`)."""
    if importlib.util.find_spec("local.franceconnect") is None:
        return None
    try:
        module = importlib.import_module("local.franceconnect")
    except Exception as error:  # a provider being written must not keep the API from starting
        log(f"local FranceConnect provider not mounted: it does not import ({type(error).__name__}: {error})")
        return None
    return getattr(module, "create_app", None)


# -- building the stack ---------------------------------------------------------------------------

def _parameter_overrides(template: dict[str, Any], settings: LocalSettings) -> dict[str, str]:
    wanted = {
        "WebBaseUrl": settings.origin,
        "AllowedOrigins": settings.origin,
        "ConfirmationLinkValidity": settings.confirmation_link_validity,
        "PendingEmailRetention": settings.pending_email_retention,
        # The API and the local FranceConnect provider share the stack's origin.
        "ApiPublicUrl": settings.origin,
        "FranceConnectIssuer": f"{settings.origin}{FRANCECONNECT_ISSUER_PATH}",
        "FranceConnectClientId": LOCAL_FRANCECONNECT_CLIENT_ID,
    }
    declared = template.get("Parameters") or {}
    return {name: value for name, value in wanted.items() if name in declared}


def _function_environment(spec: Any, resolver: Any, settings: LocalSettings, global_env: dict[str, Any]) -> dict[str, str]:
    """The template's Globals variables and the function's own, then what differs locally."""
    environment = {name: str(value) for name, value in resolver.resolve({**global_env, **spec.environment}).items()}
    environment.update(_local_environment(settings))
    return environment


def _local_environment(settings: LocalSettings) -> dict[str, str]:
    return {
        "WEB_BASE_URL": settings.origin,
        "ALLOWED_ORIGINS": settings.origin,
        "CONFIRMATION_LINK_VALIDITY": settings.confirmation_link_validity,
        "PENDING_EMAIL_RETENTION": settings.pending_email_retention,
        # Local only: the demo data and the tests use the reserved `.test` domain for email addresses.
        "ALLOW_TEST_EMAIL_DOMAINS": "true",
        # Local only: plain http on 127.0.0.1, where a Secure cookie would not come back.
        "COOKIE_SECURE": "false",
    }


def _sources_newer_than(build: Path, root: Path) -> list[str]:
    """Source files changed since the last `sam build` (the stack must run what Lambda would)."""
    built_at = (build / "template.yaml").stat().st_mtime
    newer = []
    for folder in ("functions", "layers", "statemachine"):
        for path in (root / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.stat().st_mtime > built_at:
                newer.append(str(path.relative_to(root)))
    if (root / "template.yaml").stat().st_mtime > built_at:
        newer.append("template.yaml")
    return sorted(newer)


class FunctionsDoNotLoad(Exception):
    """A function's init fails in its execution environment, as its first invocation would on AWS."""


def _check_functions_load(functions: dict[str, Any], python: Path) -> None:
    """Every function's handler imports from the built artefact, as its first cold start would
    (`local/lambda_check.py`): one that does not stops the start. Environments start on first use."""
    import subprocess
    import time

    from local.environments import Function

    checked = [function for function in functions.values() if isinstance(function, Function)]
    if not checked:
        return
    started = time.monotonic()
    payload = [{"name": function.logical_id, "code_dir": str(function.code_dir), "handler": function.handler,
                "layers": [str(layer) for layer in function.layers], "environment": function.process_environment()}
               for function in checked]
    # -B: the build is read-only for the check too (/var/task on Lambda); -P: local/ is not on sys.path
    answer = subprocess.run([str(python), "-B", "-P", str(Path(__file__).resolve().parent / "lambda_check.py")],
                            input=json.dumps(payload), stdout=subprocess.PIPE, text=True, timeout=300)
    try:
        results = json.loads(answer.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise FunctionsDoNotLoad(f"the load check of the built functions failed (status {answer.returncode})") from None
    failures = [f"{name}: Runtime.ImportModuleError: {error}" for name, error in results.items() if error]
    if failures:
        raise FunctionsDoNotLoad("functions that do not load from the built artefact (.aws-sam/build):\n  "
                                 + "\n  ".join(failures))
    log(f"{len(results)} functions load from the build (checked in {time.monotonic() - started:.1f} s); "
        "their first environments start in the background")


def _warm_up(functions: dict[str, Any]) -> threading.Event:
    """After the start, in the background, one environment per function (as many at once as there are
    cores), so that a demo's first clicks are not all cold starts; requests are served meanwhile (one that
    finds no warm environment starts its own). The returned event is set once every function has one."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from local.environments import Function, FunctionError

    warm = threading.Event()

    def start(function: Function) -> None:
        try:
            function.start_environment()
        except FunctionError as error:  # logged by the function; its next request tries again
            log(f"{function.logical_id}: not warmed up ({error})")

    def warm_all() -> None:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="warm-up") as pool:
            list(pool.map(start, [f for f in functions.values() if isinstance(f, Function)]))
        warm.set()

    threading.Thread(target=warm_all, name="warm-up", daemon=True).start()
    return warm


def build_stack(
    port: int | None = None,
    fixtures_path: Path | str | None = None,
    *,
    settings: LocalSettings | None = None,
    extra_apps: Mapping[str, Callable[[StackInfo], WSGIApp]] | None = None,
    root: Path = ROOT,
    functions_in_process: bool = False,
) -> tuple[WSGIApp, StackInfo]:
    """Starts the emulated AWS, creates the template's resources, loads the fixtures, starts the functions.

    Runs what `sam build` produced (`.aws-sam/build`: its template, each function's code, the built
    layer). `settings` defaults to the environment (`LocalSettings.from_environment()`), with `port`
    and `fixtures_path` taking precedence when given. `extra_apps` maps a path prefix (`/_fc`) to a
    factory `stack -> WSGI app`; without one for `/_fc`, `local.franceconnect.create_app` is mounted.
    Raises `StartError`, `local.fixtures.FixtureError` or `local.template.TemplateError`.
    Sets process-wide state: `os.environ` (fake AWS credentials, the emulated AWS's endpoint).
    `functions_in_process=True` (the functional tests) imports the functions from their source folders
    into this process instead (`local.environments.InProcessFunction`), one invocation at a time.
    """
    import os
    from dataclasses import replace

    from local.aws import Mailbox, client, create_resources, set_fake_credentials
    from local.emulator import EmulatedAws, SesRules
    from local.environments import Function, InProcessFunction, Runtime
    from local.faults import FaultSwitch
    from local.fixtures import load_fixture_file
    from local.gateway import ApiGateway
    from local.template import (
        Resolver,
        api_routes,
        functions,
        global_environment,
        layer_folders,
        load_template,
        resources_of_type,
    )

    settings = settings or LocalSettings.from_environment()
    if port is not None:
        settings = replace(settings, port=int(port))
    if fixtures_path is not None:
        settings = replace(settings, fixtures_path=Path(fixtures_path))
    settings.check_durations()
    fixtures = load_fixture_file(settings.fixtures_path)

    build = settings.build_dir if root == ROOT else root / ".aws-sam" / "build"
    if functions_in_process:
        build = root  # the source folders, as the functional tests test them
    elif not (build / "template.yaml").is_file():
        raise StartError("no built artefact in .aws-sam/build: run `make build` (or `make run`, which builds)")
    else:
        changed = _sources_newer_than(build, root)
        if changed:
            raise StartError(f"the built artefact is older than {', '.join(changed[:5])}"
                             f"{' ...' if len(changed) > 5 else ''}: run `make build` (or `make run`, which builds)")
        if not settings.lambda_python.is_file():
            raise StartError(f"no Lambda runtime Python at {settings.lambda_python}: run `make lambda-runtime` "
                             "(or `make run`), or set LOCAL_LAMBDA_PYTHON")

    template = load_template(build / "template.yaml")
    resolver = Resolver(template, parameter_overrides=_parameter_overrides(template, settings))
    resolver.check_parameters()

    set_fake_credentials()
    mailbox = Mailbox()
    ses_rules = SesRules(record=mailbox.record, publish=lambda topic_arn, event: client("sns").publish(
        TopicArn=topic_arn, Message=json.dumps(event)))
    faults = FaultSwitch(settings.faults)
    calls = AwsCallLog()
    state_machines: list[str] = []  # its tasks' calls are the (only) state machine's
    aws = EmulatedAws(ses_rules, faults=faults.active, on_state_machine_call=lambda call: calls.record(
        state_machines[0] if len(state_machines) == 1 else "StateMachine", [call])).start()
    started: dict[str, Any] = {}
    try:
        resources = create_resources(template, resolver, build, ses_rules)
        state_machines.extend(resources.state_machines)
        environment = {name: str(value) for name, value in resolver.resolve(global_environment(template)).items()}
        environment.update(_local_environment(settings))

        from ameli.adapters.dynamodb import DynamoBeneficiaryRegistry

        registry_table = resources.tables.get("RegistryTable")
        DynamoBeneficiaryRegistry(client("dynamodb"), registry_table).put_all(fixtures.beneficiaries)

        runtime = Runtime(python=settings.lambda_python)
        folders = layer_folders(template)
        function_environment = {"AWS_REGION": resolver.region, "AWS_DEFAULT_REGION": resolver.region,
                                "AWS_ENDPOINT_URL": aws.url}
        kind = Function
        if functions_in_process:
            kind = InProcessFunction
            for spec in functions(template).values():
                os.environ.update(_function_environment(spec, resolver, settings, global_environment(template)))
            os.environ.update(function_environment)  # the template declares AWS_ENDPOINT_URL empty
            if "ameli.bootstrap" in sys.modules:  # built before in this process: forget old settings and clients
                sys.modules["ameli.bootstrap"].reset()
        for number, (logical_id, spec) in enumerate(sorted(functions(template).items())):
            started[logical_id] = kind(
                logical_id,
                name=f"{resolver.stack_name}-{logical_id}",
                handler=spec.handler,
                code_dir=(build / spec.code_uri).resolve(),
                layers=[(build / folders[layer]).resolve() for layer in spec.layers if layer in folders],
                environment={**_function_environment(spec, resolver, settings, global_environment(template)),
                             **function_environment},
                memory_size=spec.memory_size,
                timeout=spec.timeout,
                runtime=runtime,
                concurrency=settings.concurrency,
                log=log,
                faults=faults.active,
                on_calls=calls.record,
                access_key=f"ASIALOCAL{number:011d}",
            )
        _check_functions_load(started, settings.lambda_python)
        warm = _warm_up(started)
        routes = api_routes(template)
        api_id, api = next(iter(resources_of_type(template, "AWS::Serverless::Api").items()))
        api = resolver.resolve(api.get("Properties") or {})
        gateway = ApiGateway(started, routes, log, gateway_responses=api.get("GatewayResponses") or {},
                             stage=api.get("StageName", "api"))
        edge = build_edge(template, resolver, api_id, gateway, WebBucket(root / "web"), lambda secret_id: client(
            "secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
    except BaseException:
        for function in started.values():
            function.stop()
        aws.stop()
        raise

    stack = StackInfo(
        settings=settings,
        root=root,
        fixtures=fixtures,
        resources=resources,
        environment=environment,
        functions=sorted(started),
        routes=routes,
        mailbox=mailbox,
        aws=aws,
        faults=faults,
        calls=calls,
        running=started,
        template=template,
        resolver=resolver,
        warm=warm,
    )
    factories = dict(extra_apps or {})
    if FRANCECONNECT_PREFIX not in factories:
        discovered = _discover_franceconnect()
        if discovered is not None:
            factories[FRANCECONNECT_PREFIX] = discovered
    for prefix, factory in factories.items():
        stack.mounts[prefix.rstrip("/")] = factory(stack)

    stack.edge = edge
    app: WSGIApp = LocalStackApp(edge, LocalEndpoints(stack))
    if stack.mounts:
        app = DispatcherMiddleware(app, dict(stack.mounts))
    return app, stack


def build_edge(template: dict[str, Any], resolver: Any, api_id: str, gateway: Any, bucket: Any,
               secret_value: Callable[[str], str]) -> Any:
    """The template's CloudFront distribution, its origins mapped to the local API and web bucket;
    `secret_value(secret_id)` resolves the `{{resolve:secretsmanager:...}}` references of its origin headers."""
    from local.edge import Distribution

    region = resolver.region
    resolver.physical_ids[api_id] = "localapi"
    buckets = [logical_id for logical_id, resource in resolver.template["Resources"].items()
               if resource.get("Type") == "AWS::S3::Bucket"]
    for logical_id in buckets:
        name = f"{resolver.stack_name}-{logical_id}".lower()
        resolver.physical_ids[logical_id] = name
        resolver.attributes[(logical_id, "RegionalDomainName")] = f"{name}.s3.{region}.amazonaws.com"
        resolver.attributes[(logical_id, "DomainName")] = f"{name}.s3.amazonaws.com"

    def origin_app(domain: str, origin_path: str) -> Any:
        if domain.startswith("localapi.execute-api."):
            return gateway
        if domain.endswith(".amazonaws.com") and ".s3." in domain:
            return bucket
        return None

    distribution = Distribution.from_template(template, resolver, origin_app)
    for origin in distribution.origins.values():  # dynamic references, as CloudFormation resolves them
        for name, value in origin.custom_headers.items():
            if value.startswith("{{resolve:secretsmanager:"):
                secret_id = value[len("{{resolve:secretsmanager:"):-2].split(":SecretString")[0]
                origin.custom_headers[name] = secret_value(secret_id)
    return distribution


class AwsCallLog:
    """Each function's AWS calls (IAM action and the parameters naming resources), for the IAM check."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[tuple[str, str], dict[str, Any]] = {}

    def record(self, function: str, calls: list[dict[str, Any]]) -> None:
        with self._lock:
            for call in calls:
                key = (function, json.dumps(call, sort_keys=True))
                self._calls.setdefault(key, {"function": function, **call})

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._calls.values())
