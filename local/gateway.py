"""A local API Gateway (REST API, proxy integration, payload v1) in front of the real handlers.

Routes come from the `Events` (`Type: Api`) of each `AWS::Serverless::Function` of the template;
each function's handler module is imported from its `CodeUri`, as Lambda would. An HTTP request
becomes an API Gateway proxy event, the handler answers a proxy result, and that becomes the HTTP
response. Like a Lambda container, a function handles one request at a time; the local stack goes
further and runs one handler at a time (they share one process, one `ameli` container, one logger).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from local.template import ACCOUNT_ID, REGION, STACK_NAME, FunctionSpec, Route

STAGE = "api"
PROBLEM_JSON = "application/problem+json"


# -- functions ------------------------------------------------------------------------------------

class LambdaContext:
    """The attributes and method of the Lambda context object that handlers and Powertools use."""

    def __init__(self, function: "LoadedFunction") -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = str(function.spec.memory_size)
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = f"{datetime.now(timezone.utc):%Y/%m/%d}/[$LATEST]local"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + function.spec.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class LoadedFunction:
    spec: FunctionSpec
    handler: Callable[[dict, Any], dict]
    module_name: str
    name: str
    arn: str


def load_function(spec: FunctionSpec, root: Path, stack_name: str = STACK_NAME) -> LoadedFunction:
    """Imports `<CodeUri>/app.py` under a unique module name (`functions.start_signup.app`)."""
    module_path, _, attribute = spec.handler.rpartition(".")
    if not module_path:
        raise ImportError(f"{spec.logical_id}: Handler {spec.handler!r} is not module.function")
    code_dir = (root / spec.code_uri).resolve()
    file = code_dir / (module_path.replace(".", "/") + ".py")
    relative = code_dir.relative_to(root.resolve()) if code_dir.is_relative_to(root.resolve()) else Path(spec.logical_id)
    module_name = ".".join([*relative.parts, *module_path.split(".")]).replace("-", "_")
    module_spec = importlib.util.spec_from_file_location(module_name, file)
    if module_spec is None or module_spec.loader is None or not file.is_file():
        raise ImportError(f"{spec.logical_id}: no handler module at {file}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    module_spec.loader.exec_module(module)
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise ImportError(f"{spec.logical_id}: {file} has no callable {attribute!r}")
    name = f"{stack_name}-{spec.logical_id}"
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
    return LoadedFunction(spec=spec, handler=handler, module_name=module_name, name=name, arn=arn)


# -- routes ---------------------------------------------------------------------------------------

_PARAMETER = re.compile(r"^\{([A-Za-z0-9_.\-]+)(\+?)\}$")


@dataclass
class Resource:
    """One API resource path (`/v1/signups/{signup_id}`) and the function of each method."""

    path: str
    pattern: re.Pattern[str]
    parameters: list[str]
    methods: dict[str, str]  # method (or "ANY") -> function logical id
    specificity: tuple[int, int, int]

    @classmethod
    def compile(cls, path: str) -> "Resource":
        parts, parameters, literal, greedy = [], [], 0, 0
        for segment in path.strip("/").split("/") if path.strip("/") else []:
            match = _PARAMETER.match(segment)
            if match:
                parameters.append(match.group(1))
                greedy += bool(match.group(2))
                parts.append("(.+)" if match.group(2) else "([^/]+)")
            else:
                literal += 1
                parts.append(re.escape(segment))
        pattern = re.compile("^/" + "/".join(parts) + "/?$")
        return cls(path, pattern, parameters, {}, (-greedy, literal, len(parts)))

    def owner(self) -> str:
        """The function that answers CORS preflight when no OPTIONS route is declared."""
        return next(iter(self.methods.values()))

    def allowed(self) -> list[str]:
        return sorted({*self.methods, "OPTIONS"} - {"ANY"})


class RouteTable:
    def __init__(self, routes: list[Route]) -> None:
        resources: dict[str, Resource] = {}
        for route in routes:
            resource = resources.setdefault(route.path, Resource.compile(route.path))
            if route.method in resource.methods and resource.methods[route.method] != route.function:
                raise ValueError(f"{route.method} {route.path} is routed to two functions")
            resource.methods[route.method] = route.function
        # The most specific resource wins: no greedy parameter, then most literal segments.
        self.resources = sorted(resources.values(), key=lambda r: r.specificity, reverse=True)

    def match(self, path: str) -> tuple[Resource, dict[str, str]] | None:
        for resource in self.resources:
            found = resource.pattern.match(path)
            if found:
                return resource, dict(zip(resource.parameters, found.groups()))
        return None

    def function_for(self, resource: Resource, method: str) -> str | None:
        if method in resource.methods:
            return resource.methods[method]
        if "ANY" in resource.methods:
            return resource.methods["ANY"]
        if method == "OPTIONS":
            return resource.owner()
        return None


# -- HTTP <-> API Gateway proxy events ------------------------------------------------------------

def build_event(request: Request, resource: Resource, path_parameters: dict[str, str]) -> dict[str, Any]:
    """The API Gateway REST proxy event (payload v1) of an HTTP request."""
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    query = {key: values[-1] for key, values in request.args.lists()}
    multi_query = {key: list(values) for key, values in request.args.lists()}
    raw = request.get_data(cache=False)
    body: str | None = None
    is_base64 = False
    if raw:
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            body, is_base64 = base64.b64encode(raw).decode("ascii"), True
    now = datetime.now(timezone.utc)
    request_id = str(uuid.uuid4())
    return {
        "resource": resource.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "domainName": request.host,
            "domainPrefix": request.host.split(".")[0],
            "extendedRequestId": request_id,
            "httpMethod": request.method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": request.remote_addr or "127.0.0.1",
                "user": None,
                "userAgent": request.headers.get("User-Agent"),
                "userArn": None,
            },
            "path": f"/{STAGE}{request.path}",
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "requestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourceId": "local",
            "resourcePath": resource.path,
            "stage": STAGE,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def proxy_result_to_response(result: Any) -> Response:
    """The HTTP response of a proxy result (`statusCode`, `headers`, `multiValueHeaders`, `body`)."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        raise ValueError("the handler did not return an API Gateway proxy result")
    headers: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, values in (result.get("multiValueHeaders") or {}).items():
        seen.add(name.lower())
        headers.extend((name, str(value)) for value in values)
    for name, value in (result.get("headers") or {}).items():
        if name.lower() not in seen:
            headers.append((name, str(value)))
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    response = Response(data, status=result["statusCode"])
    response.headers.clear()
    for name, value in headers:
        response.headers.add(name, value)
    return response


def problem_response(error, headers: dict[str, str] | None = None) -> Response:
    """A problem+json answer in the API's format (for what API Gateway itself refuses)."""
    from ameli.http.api import PROBLEM_TYPE_BASE

    body = {
        "type": PROBLEM_TYPE_BASE + error.code.lower().replace("_", "-"),
        "title": error.title,
        "status": error.status,
        "code": error.code,
        "detail": error.detail,
    }
    response = Response(json.dumps(body, ensure_ascii=False), status=error.status, content_type=PROBLEM_JSON)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def not_found() -> Response:
    from ameli.domain.errors import NotFound

    return problem_response(NotFound())


class ApiGateway:
    """WSGI app of the API: route, build the event, call the handler, answer."""

    def __init__(self, functions: dict[str, LoadedFunction], routes: list[Route], log: Callable[[str], None]):
        self.functions = functions
        self.table = RouteTable(routes)
        self.log = log
        self._invoke_lock = threading.Lock()

    def handles(self, path: str) -> bool:
        return self.table.match(path) is not None

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        request = Request(environ)
        return self.respond(request)(environ, start_response)

    def respond(self, request: Request) -> Response:
        from ameli.domain.errors import MethodNotAllowed

        found = self.table.match(request.path)
        if found is None:
            return not_found()
        resource, path_parameters = found
        logical_id = self.table.function_for(resource, request.method)
        if logical_id is None:
            return problem_response(MethodNotAllowed(), {"Allow": ", ".join(resource.allowed())})
        return self.invoke(self.functions[logical_id], build_event(request, resource, path_parameters))

    def invoke(self, function: LoadedFunction, event: dict[str, Any]) -> Response:
        context = LambdaContext(function)
        started = time.monotonic()
        with self._invoke_lock:
            try:
                result = function.handler(event, context)
                response = proxy_result_to_response(result)
            except Exception:
                # What Lambda would write to CloudWatch, and what API Gateway answers.
                self.log(f"{function.spec.logical_id}: the handler failed (request {context.aws_request_id})")
                traceback.print_exc(file=sys.stderr)
                response = Response(
                    json.dumps({"message": "Internal server error"}), status=502, content_type="application/json"
                )
        elapsed = time.monotonic() - started
        if elapsed > function.spec.timeout:
            self.log(
                f"{function.spec.logical_id}: took {elapsed:.1f} s, more than its {function.spec.timeout} s "
                "timeout on AWS"
            )
        return response
