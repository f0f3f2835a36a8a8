"""The local stack's parts, in-process and without moto: template reading, routing, events, static files."""

from __future__ import annotations

import base64
import json

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from local.config import ROOT
from local.gateway import Match, RouteTable, build_event, proxy_result_to_response
from local.server import WebBucket
from local.template import Resolver, Route, TemplateError, api_routes, functions, load_template


@pytest.fixture(scope="module")
def template():
    return load_template(ROOT / "template.yaml")


def test_cloudformation_tags_become_their_long_form(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n"
        "  A: {Type: X, Properties: {Name: !Sub '${AWS::StackName}-a', Arn: !GetAtt B.Arn, Id: !Ref B,\n"
        "     Pick: !If [C, !Ref AWS::NoValue, [1]], Test: !Not [!Equals [!Ref P, '']]}}\n",
        encoding="utf-8",
    )

    properties = load_template(path)["Resources"]["A"]["Properties"]

    assert properties["Name"] == {"Fn::Sub": "${AWS::StackName}-a"}
    assert properties["Arn"] == {"Fn::GetAtt": ["B", "Arn"]}
    assert properties["Id"] == {"Ref": "B"}
    assert properties["Pick"] == {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, [1]]}
    assert properties["Test"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "P"}, ""]}]}


def test_intrinsics_resolve_to_local_values(template):
    resolver = Resolver(template, parameter_overrides={"WebBaseUrl": "http://127.0.0.1:3000"})
    resolver.physical_ids["AccountsTable"] = "AccountsTable"
    resolver.attributes[("AccountsTable", "Arn")] = "arn:aws:dynamodb:eu-west-3:123456789012:table/AccountsTable"

    assert resolver.resolve({"Ref": "WebBaseUrl"}) == "http://127.0.0.1:3000"
    assert resolver.resolve({"Ref": "SenderEmail"}) == template["Parameters"]["SenderEmail"]["Default"]
    assert resolver.resolve({"Fn::Sub": "${AWS::StackName}/pseudonymisation-key"}) == "ameli-local/pseudonymisation-key"
    assert resolver.resolve({"Fn::Sub": "${AccountsTable.Arn}/index/x"}).endswith("table/AccountsTable/index/x")
    assert resolver.resolve({"Fn::Sub": ["${A}-${!Literal}", {"A": {"Ref": "AccountsTable"}}]}) == "AccountsTable-${Literal}"
    assert resolver.resolve({"K": {"Fn::If": ["HasAlarmEmail", "yes", {"Ref": "AWS::NoValue"}]}}) == {}
    with pytest.raises(TemplateError, match="unknown parameter or resource"):
        resolver.resolve({"Ref": "Nothing"})


def test_parameters_are_checked_against_their_allowed_pattern(template):
    with pytest.raises(TemplateError, match="ConfirmationLinkValidity"):
        Resolver(template, parameter_overrides={"ConfirmationLinkValidity": "P1M"}).check_parameters()


def test_routes_come_from_the_api_events_of_the_template(template):
    routes = api_routes(template)
    specs = functions(template)

    assert Route("/v1/signups", "POST", "StartSignupFunction", "StartSignup") in routes
    assert all(route.function in specs for route in routes)
    assert all(specs[name].handler == "app.lambda_handler" for name in specs)


def test_the_most_specific_resource_wins_and_only_declared_methods_answer():
    table = RouteTable([
        Route("/v1/signups/{signup_id}", "GET", "Session", "a"),
        Route("/v1/signups/{signup_id}", "DELETE", "Session", "b"),
        Route("/v1/signups/{signup_id}/proof", "POST", "Proof", "c"),
        Route("/v1/signups/current", "GET", "Current", "d"),
        Route("/files/{path+}", "ANY", "Files", "e"),
    ])

    assert table.match("/v1/signups/abc/proof", "POST") == Match("/v1/signups/{signup_id}/proof", "Proof",
                                                                 {"signup_id": "abc"})
    assert table.match("/v1/signups/current", "GET").function == "Current"
    assert table.match("/v1/signups/abc", "DELETE").function == "Session"
    assert table.match("/files/a/b.txt", "PUT").path_parameters == {"path": "a/b.txt"}
    assert table.match("/v1/nothing", "GET") is None
    # API Gateway REST: no implicit HEAD or OPTIONS (CORS preflight), no method the resource lacks
    for method in ("POST", "HEAD", "OPTIONS"):
        assert table.match("/v1/signups/abc", method) is None, method
    with pytest.raises(ValueError, match="two functions"):
        RouteTable([Route("/v1/x", "GET", "A", "a"), Route("/v1/x", "GET", "B", "b")])


def test_an_http_request_becomes_an_api_gateway_rest_event():
    table = RouteTable([Route("/v1/signups/{signup_id}/proof", "POST", "Proof", "c")])
    environ = EnvironBuilder(
        path="/v1/signups/abc/proof", method="POST", query_string="a=1&a=2&b=3",
        headers={"Authorization": "Bearer t", "Content-Type": "application/json"}, data=b'{"x": "\xc3\xa9"}',
    ).get_environ()
    route = table.match("/v1/signups/abc/proof", "POST")

    event = build_event(Request(environ), route)

    assert event["resource"] == "/v1/signups/{signup_id}/proof"
    assert (event["path"], event["httpMethod"]) == ("/v1/signups/abc/proof", "POST")
    assert event["headers"]["Authorization"] == "Bearer t"
    assert event["multiValueHeaders"]["Authorization"] == ["Bearer t"]
    assert event["queryStringParameters"] == {"a": "2", "b": "3"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["3"]}
    assert event["pathParameters"] == {"signup_id": "abc"}
    assert event["stageVariables"] is None
    assert json.loads(event["body"]) == {"x": "é"} and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert (context["stage"], context["resourcePath"], context["httpMethod"]) == ("api", route.resource, "POST")
    assert context["requestId"] and context["identity"]["sourceIp"] and context["requestTimeEpoch"] > 0


def test_a_proxy_result_becomes_an_http_response():
    response = proxy_result_to_response({
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "Cache-Control": ["no-store"]},
        "body": base64.b64encode(b"\x00\x01").decode(),
        "isBase64Encoded": True,
    })

    assert response.status_code == 201
    assert response.get_data() == b"\x00\x01"
    assert response.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert response.headers.getlist("Cache-Control") == ["no-store"]
    with pytest.raises(ValueError):
        proxy_result_to_response({"body": "no status"})


@pytest.fixture
def web(tmp_path):
    folder = tmp_path / "web"
    (folder / "js").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>accueil</title>" + "<p>page</p>" * 200, encoding="utf-8")
    (folder / "js" / "app.js").write_text("console.log(1)", encoding="utf-8")
    (folder / "package.json").write_text("{}", encoding="utf-8")
    (folder / ".env").write_text("SECRET=1", encoding="utf-8")
    dsfr = folder / "node_modules" / "@gouvfr" / "dsfr"
    (dsfr / "dist").mkdir(parents=True)
    (dsfr / "dist" / "dsfr.min.css").write_text("body{}", encoding="utf-8")
    (dsfr / "package.json").write_text("{}", encoding="utf-8")
    (folder / "vendor" / "dsfr").mkdir(parents=True)
    (folder / "vendor" / "dsfr" / "dsfr.min.css").write_text("body{}", encoding="utf-8")
    (folder / "scripts").mkdir()
    (folder / "scripts" / "vendor.mjs").write_text("//", encoding="utf-8")
    (folder / "README.md").write_text("# web", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    return WebBucket(folder)


def call(app, path: str, method: str = "GET", headers: dict | None = None):
    return Response.from_app(app, EnvironBuilder(path=path, method=method, headers=headers).get_environ(),
                             buffered=True)


def test_the_bucket_serves_objects_by_their_exact_key_with_their_type(web):
    index = call(web, "/index.html")
    script = call(web, "/js/app.js")
    dsfr = call(web, "/vendor/dsfr/dsfr.min.css")

    assert index.status_code == 200 and index.headers["Content-Type"] == "text/html; charset=utf-8"
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert dsfr.status_code == 200 and dsfr.mimetype == "text/css"
    assert "Cache-Control" not in index.headers and "Content-Disposition" not in index.headers


@pytest.mark.parametrize("path", [
    "/", "/activation", "/js/missing.js", "/../secret.txt", "/js/../../secret.txt", "/.env", "/package.json",
    "/node_modules/@gouvfr/dsfr/package.json", "/node_modules/@gouvfr/dsfr/dist/dsfr.min.css",
    "/scripts/vendor.mjs", "/README.md", "/js/", "/js",
])
def test_a_key_the_bucket_does_not_hold_is_s3s_403(web, path):
    response = call(web, path)

    assert response.status_code == 403 and b"<Code>AccessDenied</Code>" in response.get_data()
    assert b"outside" not in response.get_data() and b"SECRET" not in response.get_data()


# -- the edge: the template's CloudFront distribution, with recording origins -------------------------------

def recording_origin(name: str, seen: list, body: bytes = b"{}", content_type: str = "application/json",
                     status: int = 200):
    def app(environ, start_response):
        request = Request(environ)
        seen.append((name, request.method, request.path, dict(request.headers)))
        start_response(f"{status} X", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]
    return app


@pytest.fixture
def edge(template, web):
    from local.server import build_edge

    seen: list = []
    big_page = b"<!doctype html>" + b"<p>page</p>" * 200
    api = recording_origin("api", seen, json.dumps({"code": "NOT_FOUND", "pad": "x" * 2000}).encode(),
                           "application/problem+json", 404)
    bucket = recording_origin("web", seen, big_page, "text/html")
    distribution = build_edge(template, Resolver(template), "Api", api, bucket, lambda secret_id: "verify-value")
    yield distribution, seen
    distribution.close()


def test_the_api_behaviour_sends_v1_to_the_api_origin_under_its_stage_with_the_origin_header(edge):
    distribution, seen = edge

    answer = call(distribution, "/v1/signups/abc?x=1", method="POST", headers={"Authorization": "Bearer t"})

    name, method, path, headers = seen[-1]
    assert (name, method, path) == ("api", "POST", "/api/v1/signups/abc")
    assert headers["Authorization"] == "Bearer t" and headers["X-Origin-Verify"] == "verify-value"
    assert headers["X-Viewer-Ip"]  # the template's viewer-request function ran
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"  # never index.html


def test_the_api_receives_the_rate_limited_route_class_the_template_function_writes_not_the_viewers(edge):
    """The local edge runs the template's ApiViewerAddressFunction itself: the classes are the ones the
    web ACL counts on AWS (tests/deploy/test_topology.py runs the same code against the rule)."""
    distribution, seen = edge
    forged = {"X-Rate-Route": "login"}

    call(distribution, "/v1/signups", method="POST", headers=forged)
    call(distribution, "/v1/signups/0f6c1a2e-3b4d-4c5e-8f90-123456789abc/proof", method="POST", headers=forged)
    call(distribution, "/v1/sessions", method="POST", headers={"X-Rate-Route": "proof"})
    call(distribution, "/v1/signups/abc/terms", method="POST", headers=forged)
    call(distribution, "/v1/health", headers=forged)

    assert [(path, headers.get("X-Rate-Route")) for _, _, path, headers in seen] == [
        ("/api/v1/signups", "signup-start"), ("/api/v1/signups/0f6c1a2e-3b4d-4c5e-8f90-123456789abc/proof", "proof"),
        ("/api/v1/sessions", "login"), ("/api/v1/signups/abc/terms", None), ("/api/v1/health", None)]


def test_navigation_routes_get_the_page_and_files_stay_files(edge):
    distribution, seen = edge

    call(distribution, "/creer-mon-compte/messagerie")
    call(distribution, "/")
    call(distribution, "/js/app.js")

    assert [path for _, _, path, _ in seen] == ["/index.html", "/index.html", "/js/app.js"]


def test_only_navigations_and_api_calls_run_a_function_as_the_templates_behaviours_say(edge):
    distribution, seen = edge

    call(distribution, "/creer-mon-compte")
    call(distribution, "/v1/health")
    for path in ("/dist/app.js", "/dist/fonts", "/vendor/dsfr/favicon/favicon.svg"):  # img/ is in dist/app.js
        call(distribution, path)

    # a path without an extension under /dist would be the client's page if the route function ran there
    assert [path for _, _, path, _ in seen] == ["/index.html", "/api/v1/health", "/dist/app.js", "/dist/fonts",
                                                "/vendor/dsfr/favicon/favicon.svg"]
    assert distribution.functions.runs == {"ameli-local-web-routes": 1, "ameli-local-api-viewer-address": 1}


def test_a_method_the_behaviour_does_not_allow_is_cloudfronts_403(edge):
    distribution, seen = edge

    answer = call(distribution, "/", method="POST")

    assert answer.status_code == 403 and not seen


def test_the_web_behaviour_compresses_as_cloudfront_does(edge):
    distribution, _ = edge

    brotli_answer = call(distribution, "/", headers={"Accept-Encoding": "gzip, deflate, br"})
    gzip_answer = call(distribution, "/", headers={"Accept-Encoding": "gzip"})
    plain = call(distribution, "/")

    assert brotli_answer.headers["Content-Encoding"] == "br" and "Accept-Encoding" in brotli_answer.headers["Vary"]
    assert gzip_answer.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert int(brotli_answer.headers["Content-Length"]) < int(plain.headers["Content-Length"])
    assert "default-src 'self'" in plain.headers["Content-Security-Policy"]  # the response headers policy


def test_api_answers_are_not_compressed_behind_a_caching_disabled_policy(edge):
    distribution, _ = edge

    answer = call(distribution, "/v1/nothing", headers={"Accept-Encoding": "br, gzip"})

    assert "Content-Encoding" not in answer.headers
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_iam_check_denies_a_call_the_role_does_not_allow(template):
    from local.iam import check_calls, function_policies

    resolver = Resolver(template)
    for table in ("RegistryTable", "SignupsTable", "AccountsTable", "IdempotencyTable"):
        resolver.attributes[(table, "Arn")] = f"arn:aws:dynamodb:eu-west-3:123456789012:table/{table}"
    calls = [
        {"function": "StartSignupFunction", "action": "dynamodb:GetItem", "params": {"TableName": "RegistryTable"}},
        {"function": "StartSignupFunction", "action": "dynamodb:DeleteItem", "params": {"TableName": "AccountsTable"}},
        {"function": "HealthFunction", "action": "ses:SendEmail",
         "params": {"FromEmailAddress": "ne-pas-repondre@assurance-maladie.example"}},
    ]

    checked, denied = check_calls(calls, function_policies(template, resolver), region="eu-west-3",
                                  account="123456789012", stack_name="ameli-local", secret_arns={})

    assert checked == 3
    assert denied == [
        "StartSignupFunction: dynamodb:DeleteItem on arn:aws:dynamodb:eu-west-3:123456789012:table/AccountsTable",
        "HealthFunction: ses:SendEmail on arn:aws:ses:eu-west-3:123456789012:identity/"
        "ne-pas-repondre@assurance-maladie.example",
    ]


def test_local_faults_are_read_as_service_equals_fraction():
    from local.faults import FaultSwitch, parse_faults

    assert parse_faults("ses=1, dynamodb=0.3") == {"ses": 1.0, "dynamodb": 0.3}
    assert parse_faults("") == {}
    for bad in ("ses", "ses=x", "s3=1", "ses=1.5"):
        with pytest.raises(ValueError):
            parse_faults(bad)
    switch = FaultSwitch({"ses": 1.0})
    assert switch.active() == {"ses": 1.0} and switch.rates()["dynamodb"] == 0.0
