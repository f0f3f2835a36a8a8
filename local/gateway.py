"""A local API Gateway (REST API, proxy integration, payload v1) in front of the functions.

Routes come from the `Events` (`Type: Api`) of each `AWS::Serverless::Function` of the template.
An HTTP request becomes an API Gateway proxy event, the function (`local.environments.Function`,
in execution environments of its own) answers a proxy result, and that becomes the HTTP response.
Requests run in parallel, as on AWS. When the function fails, the answer is the template's
`DEFAULT_5XX` gateway response (API Gateway's own 502 "Internal server error" without one).
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from local.environments import Function, FunctionError
from local.template import ACCOUNT_ID, Route

STAGE = "api"
PROBLEM_JSON = "application/problem+json"


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


def gateway_response(responses: dict[str, Any], kind: str, default: tuple[int, str]) -> Response:
    """API Gateway's own answer of a type (`DEFAULT_5XX`...) as the template customises it."""
    declared = responses.get(kind)
    if not declared:
        status, message = default
        return Response(json.dumps({"message": message}), status=status, content_type="application/json")
    templates = declared.get("ResponseTemplates") or {}
    response = Response(templates.get("application/json", ""), status=int(declared.get("StatusCode", default[0])))
    for name, value in ((declared.get("ResponseParameters") or {}).get("Headers") or {}).items():
        response.headers[name] = str(value).strip("'")
    return response


class ApiGateway:
    """WSGI app of the API: route, build the event, call the function, answer."""

    def __init__(self, functions: dict[str, Function], routes: list[Route], log: Callable[[str], None],
                 gateway_responses: dict[str, Any] | None = None, stage: str = STAGE):
        self.functions = functions
        self.table = RouteTable(routes)
        self.log = log
        self.gateway_responses = gateway_responses or {}
        self.stage = stage

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        """The execute-api endpoint: paths start with the stage (`/api/v1/health`)."""
        path = environ.get("PATH_INFO", "")
        prefix = f"/{self.stage}"
        if path != prefix and not path.startswith(prefix + "/"):
            response = Response(json.dumps({"message": "Forbidden"}), status=403, content_type="application/json")
            return response(environ, start_response)
        environ = {**environ, "PATH_INFO": path[len(prefix):] or "/"}
        return self.respond(Request(environ))(environ, start_response)

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

    def invoke(self, function: Function, event: dict[str, Any]) -> Response:
        started = time.monotonic()
        try:
            response = proxy_result_to_response(function.invoke(event))
        except (FunctionError, ValueError) as error:
            # What Lambda writes to CloudWatch (the type only: messages may hold request values).
            kind = str(error).split(":", 1)[0]
            self.log(f"{function.logical_id}: the function failed ({kind}); the gateway answers a 5xx")
            response = gateway_response(self.gateway_responses, "DEFAULT_5XX", (502, "Internal server error"))
        elapsed = time.monotonic() - started
        if elapsed > 29:
            self.log(f"{function.logical_id}: took {elapsed:.1f} s, more than API Gateway's 29 s integration timeout")
        return response
