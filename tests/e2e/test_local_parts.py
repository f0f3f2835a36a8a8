"""The local stack's parts, in-process and without moto: template reading, routing, events, static files."""

from __future__ import annotations

import base64
import json

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from local.config import ROOT
from local.gateway import RouteTable, build_event, proxy_result_to_response
from local.server import WebClient
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


def test_the_most_specific_resource_wins_and_options_goes_to_the_owner():
    table = RouteTable([
        Route("/v1/signups/{signup_id}", "GET", "Session", "a"),
        Route("/v1/signups/{signup_id}", "DELETE", "Session", "b"),
        Route("/v1/signups/{signup_id}/proof", "POST", "Proof", "c"),
        Route("/v1/signups/current", "GET", "Current", "d"),
        Route("/files/{path+}", "ANY", "Files", "e"),
    ])

    resource, parameters = table.match("/v1/signups/abc/proof")
    assert (resource.path, parameters) == ("/v1/signups/{signup_id}/proof", {"signup_id": "abc"})
    assert table.match("/v1/signups/current")[0].path == "/v1/signups/current"
    assert table.match("/files/a/b.txt")[1] == {"path": "a/b.txt"}
    assert table.match("/v1/nothing") is None
    session = table.match("/v1/signups/abc")[0]
    assert table.function_for(session, "OPTIONS") == "Session"
    assert table.function_for(session, "POST") is None
    assert session.allowed() == ["DELETE", "GET", "OPTIONS"]


def test_an_http_request_becomes_an_api_gateway_rest_event():
    table = RouteTable([Route("/v1/signups/{signup_id}/proof", "POST", "Proof", "c")])
    environ = EnvironBuilder(
        path="/v1/signups/abc/proof", method="POST", query_string="a=1&a=2&b=3",
        headers={"Authorization": "Bearer t", "Content-Type": "application/json"}, data=b'{"x": "\xc3\xa9"}',
    ).get_environ()
    resource, parameters = table.match("/v1/signups/abc/proof")

    event = build_event(Request(environ), resource, parameters)

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
    assert (context["stage"], context["resourcePath"], context["httpMethod"]) == ("api", resource.path, "POST")
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
    (folder / "index.html").write_text("<!doctype html><title>accueil</title>", encoding="utf-8")
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
    return WebClient(folder)


def get(web: WebClient, path: str, method: str = "GET"):
    response = web.respond(Request(EnvironBuilder(path=path, method=method).get_environ()))
    response.direct_passthrough = False  # send_file streams; the tests read the body
    return response


def test_static_files_are_served_with_their_type_and_security_headers(web):
    index = get(web, "/")
    script = get(web, "/js/app.js")
    dsfr = get(web, "/vendor/dsfr/dsfr.min.css")

    assert index.status_code == 200 and index.headers["Content-Type"] == "text/html; charset=utf-8"
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert dsfr.status_code == 200 and dsfr.mimetype == "text/css"
    for response in (index, script, dsfr):
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_client_routes_fall_back_to_the_single_page(web):
    assert get(web, "/activation").status_code == 200
    assert get(web, "/activation").mimetype == "text/html"
    assert get(web, "/js/missing.js").status_code == 404


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/js/../../secret.txt", "/.env", "/package.json", "/node_modules/@gouvfr/dsfr/package.json",
    "/node_modules/@gouvfr/dsfr/dist/dsfr.min.css", "/scripts/vendor.mjs", "/README.md",
    "/js/", "/js",
])
def test_no_listing_no_traversal_no_private_files(web, path):
    response = get(web, path)

    assert response.status_code in (200, 404)
    if response.status_code == 200:  # `/js` is a client route: the single page, never a listing
        assert b"accueil" in response.get_data()
    assert b"outside" not in response.get_data() and b"SECRET" not in response.get_data()
    assert b"{}" != response.get_data()


def test_only_reads_are_served(web):
    response = get(web, "/", method="POST")

    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_placeholder_page_stands_in_for_an_unbuilt_client(tmp_path):
    response = get(WebClient(tmp_path / "nothing"), "/")

    assert response.status_code == 200
    assert "/_local/docs" in response.get_data(as_text=True) and "/_local/mailbox" in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"
