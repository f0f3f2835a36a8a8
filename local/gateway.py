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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from local.environments import Function, FunctionError
from local.template import ACCOUNT_ID, Route

STAGE = "api"


# -- routes: werkzeug's URL map, with API Gateway's path syntax --------------------------------------

def _werkzeug_path(path: str) -> str:
    """`/v1/signups/{signup_id}` -> `/v1/signups/<signup_id>`; a greedy `{proxy+}` -> `<path:proxy>`."""
    return re.sub(r"\{([A-Za-z0-9_]+)(\+?)\}", lambda m: f"<{'path:' if m.group(2) else ''}{m.group(1)}>", path)


@dataclass(frozen=True)
class Match:
    resource: str  # the resource path as the template declares it: `/v1/signups/{signup_id}`
    function: str  # logical id
    path_parameters: dict[str, str]


class RouteTable:
    """The API's resources and methods. As on API Gateway, a literal segment is more specific than a
    parameter, and `ANY` takes every method; nothing else answers (no implicit `HEAD` or `OPTIONS`)."""

    def __init__(self, routes: list[Route]) -> None:
        declared: dict[tuple[str, str], str] = {}
        for route in routes:
            if declared.setdefault((route.path, route.method), route.function) != route.function:
                raise ValueError(f"{route.method} {route.path} is routed to two functions")
        self._urls = Map([Rule(_werkzeug_path(path), endpoint=(path, method, function),
                               methods=None if method == "ANY" else [method])
                          for (path, method), function in declared.items()],
                         strict_slashes=False, merge_slashes=False, redirect_defaults=False).bind("local")

    def match(self, path: str, method: str) -> Match | None:
        try:
            (resource, declared, function), parameters = self._urls.match(path, method)
        except HTTPException:  # no such resource, or no such method on it
            return None
        if declared not in ("ANY", method):  # werkzeug adds HEAD to GET; API Gateway does not
            return None
        return Match(resource, function, parameters)


# -- HTTP <-> API Gateway proxy events ------------------------------------------------------------

def build_event(request: Request, route: Match) -> dict[str, Any]:
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
    now = datetime.now(UTC)
    request_id = str(uuid.uuid4())
    return {
        "resource": route.resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": route.path_parameters or None,
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
            "resourcePath": route.resource,
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
        route = self.table.match(request.path, request.method)
        if route is None:  # an unknown resource, or a method it does not declare (CORS preflight included)
            return gateway_response(self.gateway_responses, "MISSING_AUTHENTICATION_TOKEN",
                                    (403, "Missing Authentication Token"))
        return self.invoke(self.functions[route.function], build_event(request, route))

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
