"""The CloudFront distribution of `template.yaml`, locally: the one origin the web client and the API share.

Read from the template (`AWS::CloudFront::Distribution`), as CloudFront applies it:
- the behaviours: the first of `CacheBehaviors` (in the order listed) whose `PathPattern` matches, else
  `DefaultCacheBehavior`; a method outside `AllowedMethods` gets CloudFront's 403;
- the viewer-request and viewer-response CloudFront Functions, their `FunctionCode` run by the
  machine's `node` (`local/cloudfront_functions.mjs`);
- the origins: the S3 web bucket (`local.server.WebBucket`: a missing key is S3's 403, nothing else
  falls back) and the REST API's execute-api domain with its `OriginPath` (the stage), with the
  `OriginCustomHeaders`; any other origin answers 502;
- the response headers policies (`AWS::CloudFront::ResponseHeadersPolicy`);
- compression as CloudFront does it: `Compress` and a cache policy that enables the encoding, a viewer
  `Accept-Encoding` with `br` (preferred) or `gzip`, HTTP/1.1, status 200, 403 or 404, no
  `Content-Encoding` yet, a compressible `Content-Type`, a `Content-Length` from 1,000 to 10,000,000 B.
Not emulated: caching itself (every request reaches the origin), WAF, TLS, HTTP/2 and 3.

    edge = Distribution.from_template(template, resolver, origins={"web": bucket_app, "api": api_app})
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import shutil
import subprocess
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from local.template import TemplateError, resources_of_type

FUNCTIONS_RUNNER = Path(__file__).resolve().parent / "cloudfront_functions.mjs"

# Managed cache policies (by id) and the encodings they let CloudFront compress to.
MANAGED_CACHE_POLICY_ENCODINGS = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": ("br", "gzip"),  # Managed-CachingOptimized
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": (),  # Managed-CachingDisabled (TTL 0: no encoding can be enabled)
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": (),  # Managed-CachingOptimizedForUncompressedObjects
}
# CloudFront's list of the Content-Type values it compresses.
COMPRESSIBLE_TYPES = frozenset([
    "application/dash+xml", "application/eot", "application/font", "application/font-sfnt",
    "application/javascript", "application/json", "application/opentype", "application/otf",
    "application/pkcs7-mime", "application/protobuf", "application/rss+xml", "application/truetype",
    "application/ttf", "application/vnd.apple.mpegurl", "application/vnd.mapbox-vector-tile",
    "application/vnd.ms-fontobject", "application/xhtml+xml", "application/xml", "application/x-font-opentype",
    "application/x-font-truetype", "application/x-font-ttf", "application/x-httpd-cgi", "application/x-javascript",
    "application/x-mpegurl", "application/x-opentype", "application/x-otf", "application/x-perl",
    "application/x-ttf", "font/eot", "font/opentype", "font/otf", "font/ttf", "image/svg+xml", "text/css",
    "text/csv", "text/html", "text/javascript", "text/js", "text/plain", "text/richtext",
    "text/tab-separated-values", "text/xml", "text/x-component", "text/x-java-source", "text/x-script",
    "vnd.apple.mpegurl",
])
COMPRESSIBLE_SIZES = range(1_000, 10_000_001)


class CloudFrontFunctions:
    """The template's CloudFront Functions in one `node` process (each runs in well under a millisecond)."""

    def __init__(self, code_by_arn: dict[str, str]) -> None:
        node = shutil.which("node")
        if node is None:
            raise TemplateError("the CloudFront Functions need `node` on PATH (installed with the web dependencies)")
        self._process = subprocess.Popen([node, str(FUNCTIONS_RUNNER)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)
        self._lock = threading.Lock()
        self.runs: Counter[str] = Counter()  # by function name: what CloudFront would bill
        for arn, code in code_by_arn.items():
            answer = self._ask({"load": arn, "code": code})
            if "error" in answer:
                raise TemplateError(f"CloudFront Function {arn.rsplit('/', 1)[-1]}: {answer['error']}")

    def _ask(self, message: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._process.stdin.write(json.dumps(message) + "\n")
            self._process.stdin.flush()
            return json.loads(self._process.stdout.readline() or '{"error": "node exited"}')

    def run(self, arn: str, event: dict[str, Any]) -> dict[str, Any]:
        self.runs[arn.rsplit("/", 1)[-1]] += 1
        answer = self._ask({"run": arn, "event": event})
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["result"]

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=5)


@dataclass
class Behavior:
    path_pattern: str  # "*" for the default behaviour
    origin: str
    allowed_methods: frozenset[str]
    encodings: tuple[str, ...]  # what this behaviour compresses to, best first; () for none
    functions: dict[str, str]  # event type (viewer-request, viewer-response) -> function ARN
    headers_policy: dict[str, Any] = field(default_factory=dict)

    def matches(self, path: str) -> bool:
        return path_matches(self.path_pattern, path)


def path_matches(pattern: str, path: str) -> bool:
    """CloudFront's path patterns: case-sensitive, `*` any characters (slashes too), `?` one; the leading / optional."""
    if pattern == "*":
        return True
    return fnmatch.fnmatchcase(path, pattern if pattern.startswith("/") else "/" + pattern)


def cache_behaviors(config: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(path pattern, behaviour) of a `DistributionConfig` in the order CloudFront tries them: the
    `CacheBehaviors` as listed, then `DefaultCacheBehavior` as `*`."""
    return [(spec["PathPattern"], spec) for spec in config.get("CacheBehaviors") or []] + [
        ("*", config["DefaultCacheBehavior"])]


def behavior_config_for(config: dict[str, Any], path: str) -> dict[str, Any]:
    """The behaviour of a `DistributionConfig` (resolved or not) that serves `path`."""
    return next(spec for pattern, spec in cache_behaviors(config) if path_matches(pattern, path))


@dataclass
class Origin:
    app: Callable  # WSGI app
    path: str = ""  # OriginPath
    custom_headers: dict[str, str] = field(default_factory=dict)
    domain: str = ""


def _viewer_event(request: Request, context: dict[str, str]) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    for name, value in request.headers.items():
        key = name.lower()
        if key == "cookie":
            continue  # in `cookies`, as CloudFront gives them
        if key in headers:
            headers[key].setdefault("multiValue", [{"value": headers[key]["value"]}]).append({"value": value})
        else:
            headers[key] = {"value": value}
    query = {name: {"value": values[0], **({"multiValue": [{"value": v} for v in values]} if len(values) > 1 else {})}
             for name, values in request.args.lists()}
    cookies = {name: {"value": value} for name, value in request.cookies.items()}
    return {
        "version": "1.0",
        "context": {**context, "eventType": "viewer-request", "requestId": str(uuid.uuid4())},
        "viewer": {"ip": request.remote_addr or "127.0.0.1"},
        "request": {"method": request.method, "uri": request.path, "querystring": query, "headers": headers,
                    "cookies": cookies},
    }


def _query_string(query: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    pairs = []
    for name, entry in query.items():
        values = [item["value"] for item in entry.get("multiValue") or []] or [entry.get("value", "")]
        pairs += [(name, value) for value in values]
    return urlencode(pairs)


def _function_response(result: dict[str, Any]) -> Response:
    response = Response(result.get("body", {}).get("data", "") if isinstance(result.get("body"), dict)
                        else result.get("body", ""), status=int(result["statusCode"]))
    for name, entry in (result.get("headers") or {}).items():
        response.headers[name] = entry["value"]
    return response


def _security_headers(policy: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(header, value, override) of a response headers policy's configuration."""
    found = []
    security = policy.get("SecurityHeadersConfig") or {}
    if "ContentSecurityPolicy" in security:
        item = security["ContentSecurityPolicy"]
        found.append(("Content-Security-Policy", item["ContentSecurityPolicy"], item.get("Override", False)))
    if "ReferrerPolicy" in security:
        item = security["ReferrerPolicy"]
        found.append(("Referrer-Policy", item["ReferrerPolicy"], item.get("Override", False)))
    if "StrictTransportSecurity" in security:
        item = security["StrictTransportSecurity"]
        value = f"max-age={item['AccessControlMaxAgeSec']}"
        value += "; includeSubDomains" if item.get("IncludeSubdomains") else ""
        value += "; preload" if item.get("Preload") else ""
        found.append(("Strict-Transport-Security", value, item.get("Override", False)))
    if "ContentTypeOptions" in security:
        found.append(("X-Content-Type-Options", "nosniff", security["ContentTypeOptions"].get("Override", False)))
    if "FrameOptions" in security:
        item = security["FrameOptions"]
        found.append(("X-Frame-Options", item["FrameOption"], item.get("Override", False)))
    if "XSSProtection" in security:
        item = security["XSSProtection"]
        value = "1" if item.get("Protection") else "0"
        value += "; mode=block" if item.get("ModeBlock") else ""
        found.append(("X-XSS-Protection", value, item.get("Override", False)))
    for item in (policy.get("CustomHeadersConfig") or {}).get("Items") or []:
        found.append((item["Header"], item["Value"], item.get("Override", False)))
    return found


class Distribution:
    """A WSGI app that routes, runs the functions, calls the origin and answers as CloudFront would."""

    def __init__(self, behaviors: list[Behavior], origins: dict[str, Origin], functions: CloudFrontFunctions,
                 default_root_object: str = "", name: str = "local") -> None:
        self.behaviors = behaviors
        self.origins = origins
        self.functions = functions
        self.default_root_object = default_root_object
        self.context = {"distributionDomainName": f"{name}.cloudfront.net", "distributionId": name.upper()}

    @classmethod
    def from_template(cls, template: dict[str, Any], resolver: Any, origin_apps: Callable[[str, str], Callable | None],
                      logical_id: str | None = None) -> Distribution:
        """`origin_apps(domain, origin_path)` gives the local WSGI app of an origin, or None when not emulated."""
        distributions = resources_of_type(template, "AWS::CloudFront::Distribution")
        if not distributions:
            raise TemplateError("no AWS::CloudFront::Distribution: the local edge routes as it does")
        logical_id = logical_id or next(iter(distributions))
        code_by_arn, policies, cache_policies = {}, {}, {}
        for function_id, resource in resources_of_type(template, "AWS::CloudFront::Function").items():
            properties = resolver.resolve(resource.get("Properties") or {})
            arn = f"arn:aws:cloudfront::{resolver.account_id}:function/{properties.get('Name', function_id)}"
            resolver.attributes[(function_id, "FunctionMetadata.FunctionARN")] = arn
            resolver.attributes[(function_id, "FunctionARN")] = arn
            code_by_arn[arn] = properties["FunctionCode"]
        for policy_id, resource in resources_of_type(template, "AWS::CloudFront::ResponseHeadersPolicy").items():
            resolver.physical_ids[policy_id] = f"local-{policy_id}"
            policies[f"local-{policy_id}"] = resolver.resolve(resource["Properties"]["ResponseHeadersPolicyConfig"])
        for policy_id, resource in resources_of_type(template, "AWS::CloudFront::CachePolicy").items():
            resolver.physical_ids[policy_id] = f"local-{policy_id}"
            parameters = resolver.resolve(resource["Properties"]["CachePolicyConfig"]).get(
                "ParametersInCacheKeyAndForwardedToOrigin") or {}
            cache_policies[f"local-{policy_id}"] = tuple(
                encoding for encoding, key in (("br", "EnableAcceptEncodingBrotli"), ("gzip", "EnableAcceptEncodingGzip"))
                if parameters.get(key))
        config = resolver.resolve(distributions[logical_id]["Properties"]["DistributionConfig"])

        origins = {}
        for origin in config.get("Origins") or []:
            app = origin_apps(origin["DomainName"], origin.get("OriginPath", ""))
            origins[origin["Id"]] = Origin(
                app=app or _not_emulated,
                path=origin.get("OriginPath", ""),
                custom_headers={h["HeaderName"]: h["HeaderValue"] for h in origin.get("OriginCustomHeaders") or []},
                domain=origin["DomainName"],
            )

        def behavior(spec: dict[str, Any], pattern: str) -> Behavior:
            cache_policy = spec.get("CachePolicyId", "")
            encodings = cache_policies.get(cache_policy, MANAGED_CACHE_POLICY_ENCODINGS.get(cache_policy, ()))
            return Behavior(
                path_pattern=pattern,
                origin=spec["TargetOriginId"],
                allowed_methods=frozenset(spec.get("AllowedMethods") or ["GET", "HEAD"]),
                encodings=encodings if spec.get("Compress") else (),
                functions={item["EventType"]: item["FunctionARN"] for item in spec.get("FunctionAssociations") or []},
                headers_policy=policies.get(spec.get("ResponseHeadersPolicyId", ""), {}),
            )

        behaviors = [behavior(spec, pattern) for pattern, spec in cache_behaviors(config)]
        return cls(behaviors, origins, CloudFrontFunctions(code_by_arn), config.get("DefaultRootObject", ""))

    def behavior_for(self, path: str) -> Behavior:
        return next(behavior for behavior in self.behaviors if behavior.matches(path))

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        behavior = self.behavior_for(request.path)
        if request.method not in behavior.allowed_methods:
            return _cloudfront_error(403, "This distribution is not configured to allow the HTTP request method "
                                          "that was used for this request.")
        event = _viewer_event(request, self.context)
        if "viewer-request" in behavior.functions:
            try:
                result = self.functions.run(behavior.functions["viewer-request"], event)
            except RuntimeError:
                return _cloudfront_error(503, "The CloudFront function associated with the viewer request failed.")
            if "statusCode" in result:
                return self._finish(request, behavior, _function_response(result))
            event["request"] = result
        response = self._from_origin(request, behavior, event["request"])
        return self._finish(request, behavior, response)

    def _from_origin(self, request: Request, behavior: Behavior, viewer_request: dict[str, Any]) -> Response:
        origin = self.origins[behavior.origin]
        uri = viewer_request["uri"]
        if uri == "/" and self.default_root_object:
            uri = "/" + self.default_root_object
        environ = dict(request.environ)
        environ["PATH_INFO"] = origin.path + uri
        environ["QUERY_STRING"] = _query_string(viewer_request.get("querystring") or {})
        headers = Headers()
        for name, entry in (viewer_request.get("headers") or {}).items():
            for item in entry.get("multiValue") or [entry]:
                headers.add(name, item["value"])
        cookies = "; ".join(f"{name}={entry['value']}" for name, entry in (viewer_request.get("cookies") or {}).items())
        if cookies:
            headers["Cookie"] = cookies
        for name in [key for key in environ if key.startswith("HTTP_")]:
            del environ[name]
        for name, value in headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        for name, value in origin.custom_headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        forwarded = request.headers.get("X-Forwarded-For")
        viewer = request.remote_addr or "127.0.0.1"
        environ["HTTP_X_FORWARDED_FOR"] = f"{forwarded}, {viewer}" if forwarded else viewer
        environ["HTTP_VIA"] = f"1.1 {self.context['distributionDomainName']} (CloudFront)"
        environ["HTTP_X_AMZ_CF_ID"] = uuid.uuid4().hex
        if "CONTENT_TYPE" in environ and "Content-Type" not in headers:
            del environ["CONTENT_TYPE"]
        return Response.from_app(origin.app, environ, buffered=True)

    def _finish(self, request: Request, behavior: Behavior, response: Response) -> Response:
        for name, value, override in _security_headers(behavior.headers_policy):
            if override or name not in response.headers:
                response.headers[name] = value
        for item in (behavior.headers_policy.get("RemoveHeadersConfig") or {}).get("Items") or []:
            response.headers.pop(item["Header"], None)
        _compress(request, behavior, response)
        response.headers["Via"] = f"1.1 {self.context['distributionDomainName']} (CloudFront)"
        response.headers["X-Cache"] = "Miss from cloudfront"
        return response

    def close(self) -> None:
        self.functions.close()


def _compress(request: Request, behavior: Behavior, response: Response) -> None:
    accepted = {part.split(";")[0].strip().lower() for part in request.headers.get("Accept-Encoding", "").split(",")}
    encoding = next((e for e in behavior.encodings if e in accepted), None)
    media_type = (response.mimetype or "").lower()
    length = response.headers.get("Content-Length", "")
    if (encoding is None or request.environ.get("SERVER_PROTOCOL") == "HTTP/1.0" or request.method == "HEAD"
            or response.status_code not in (200, 403, 404) or "Content-Encoding" in response.headers
            or media_type not in COMPRESSIBLE_TYPES or not length.isdigit() or int(length) not in COMPRESSIBLE_SIZES):
        return
    body = response.get_data()
    if encoding == "br":
        import brotli

        compressed = brotli.compress(body)
    else:
        compressed = gzip.compress(body)
    response.set_data(compressed)
    response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    etag = response.headers.get("ETag")
    if etag and not etag.startswith("W/"):
        response.headers["ETag"] = "W/" + etag


def _cloudfront_error(status: int, message: str) -> Response:
    page = (f"<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\"><HTML><HEAD><TITLE>ERROR: The request "
            f"could not be satisfied</TITLE></HEAD><BODY><H1>{status} ERROR</H1><H2>The request could not be "
            f"satisfied.</H2><HR noshade size=\"1px\">{message}</BODY></HTML>")
    response = Response(page, status=status, content_type="text/html")
    response.headers["X-Cache"] = "Error from cloudfront"
    return response


def _not_emulated(environ: dict[str, Any], start_response: Callable) -> Any:
    return _cloudfront_error(502, "CloudFront wasn't able to connect to the origin (not emulated locally).")(
        environ, start_response)
