"""The translated template's topology: what issue 11 fixed, so that none of it can come back.

Each test names a way a first deploy would succeed and the product not work (or a second stack, a
stack deletion, a key rotation would break it)."""

import fnmatch
import json
import posixpath
import re
import subprocess
import tomllib
import uuid
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}


def of_type(resources: dict, resource_type: str) -> dict:
    return {name: r for name, r in resources.items() if r["Type"] == resource_type}


def only(resources: dict, resource_type: str) -> tuple[str, dict]:
    found = of_type(resources, resource_type)
    assert len(found) == 1, f"one {resource_type} expected, found {sorted(found)}"
    return next(iter(found.items()))


def refs_in(value) -> set[str]:
    """Logical ids a value refers to (Ref, GetAtt, ${...} in Sub)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                found |= {name.split(".")[0] for name in re.findall(r"\$\{([^!}][^}]*)\}", text)}
                if isinstance(inner, list):
                    found |= refs_in(inner[1])
            else:
                found |= refs_in(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= refs_in(inner)
    return found


def distribution(resources):
    return only(resources, "AWS::CloudFront::Distribution")[1]["Properties"]["DistributionConfig"]


def api_functions(resources) -> dict:
    return {n: r for n, r in of_type(resources, "AWS::Lambda::Function").items()}


# -- CloudFront: one origin for the web client and the API -----------------------------------------

def test_distribution_sends_v1_to_the_api_uncached_with_every_method(resources):
    config = distribution(resources)
    origins = {o["Id"]: o for o in config["Origins"]}
    api_behaviour = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/v1/*")
    api_origin = origins[api_behaviour["TargetOriginId"]]
    rest_api, _ = only(resources, "AWS::ApiGateway::RestApi")
    stage = only(resources, "AWS::ApiGateway::Stage")[1]["Properties"]
    assert refs_in(api_origin["DomainName"]) >= {rest_api}
    assert "execute-api" in json.dumps(api_origin["DomainName"])
    assert api_origin["OriginPath"] == f"/{stage['StageName']}"
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api_behaviour["CachePolicyId"] == CACHING_DISABLED
    # Authorization included: an AllViewer origin request policy forwards it when caching is disabled.
    assert api_behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert set(api_behaviour["AllowedMethods"]) == ALL_METHODS
    assert api_behaviour["Compress"] is True
    assert api_behaviour["ViewerProtocolPolicy"] == "https-only"  # a redirect would turn a POST into a GET


def test_default_behaviour_serves_the_bucket_through_oac_with_the_route_function(resources):
    config = distribution(resources)
    origins = {o["Id"]: o for o in config["Origins"]}
    default = config["DefaultCacheBehavior"]
    web_origin = origins[default["TargetOriginId"]]
    bucket, _ = only(resources, "AWS::S3::Bucket")
    assert refs_in(web_origin["DomainName"]) == {bucket}
    assert refs_in(web_origin["OriginAccessControlId"]) == set(of_type(resources, "AWS::CloudFront::OriginAccessControl"))
    assert default["Compress"] is True
    (association,) = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert refs_in(association["FunctionARN"]) == {"WebRoutesFunction"}


def _behaviour_for(config: dict, path: str) -> dict:
    """The behaviour CloudFront picks: the first cache behaviour whose pattern matches (case-sensitive,
    `*` any characters, `?` one), else the default."""
    return next((b for b in config["CacheBehaviors"] if fnmatch.fnmatchcase(path, b["PathPattern"])),
                config["DefaultCacheBehavior"])


def _function_ids(behaviour: dict) -> set[str]:
    return {name for association in behaviour.get("FunctionAssociations") or [] for name in refs_in(association)}


def _client_screens() -> list[str]:
    """The paths of the web client's table of screens (web/js/app.js)."""
    table = (ROOT / "web" / "js" / "app.js").read_text()
    screens = re.findall(r'^\s+"(/[^"]*)":', table, flags=re.MULTILINE)
    assert len(screens) > 10, screens
    return screens


def _client_files() -> set[str]:
    """Every file of its own origin the web client references: its two pages' links and scripts, the
    paths its code names (the screens' images), and the build's output."""
    files = set()
    for page in ("index.html", "activation.src.html"):
        files |= set(re.findall(r'(?:href|src)="(/[^"/][^"]*)"', (ROOT / "web" / page).read_text()))
    for code in (ROOT / "web" / "js").rglob("*.js"):
        files |= set(re.findall(r'["\'](/[\w-]+/[\w./-]+\.\w+)["\']', code.read_text()))
    files = {path for path in files if "." in path.rsplit("/", 1)[-1]}  # the pages' links to screens are not files
    built = ROOT / "web" / "dist"  # the build's output (the fonts its stylesheet names), once `make web-build` ran
    files |= {"/" + path.relative_to(ROOT / "web").as_posix() for path in built.rglob("*")
              if path.is_file() and not path.name.startswith(".")}
    assert {"/dist/app.js", "/dist/app.css", "/dist/activation.js"} <= files, files
    return files


@pytest.mark.parametrize("path", [*_client_screens(), "/activation", "/activation/"])
def test_every_screen_of_the_client_is_served_by_the_route_function(resources, path):
    behaviour = _behaviour_for(distribution(resources), path)
    assert behaviour is distribution(resources)["DefaultCacheBehavior"], path
    assert _function_ids(behaviour) == {"WebRoutesFunction"}


def test_the_clients_files_are_served_as_the_default_behaviour_would_without_any_function(resources):
    """CloudFront bills a function run per request: the files (every request of a visit but its page)
    have behaviours of their own, the default's settings without its route function, which leaves a
    file unchanged anyway (test_files_go_to_the_bucket_unchanged)."""
    config = distribution(resources)
    default = config["DefaultCacheBehavior"]
    same = ("TargetOriginId", "ViewerProtocolPolicy", "AllowedMethods", "Compress", "CachePolicyId", "ResponseHeadersPolicyId")
    for path in sorted(_client_files()):
        behaviour = _behaviour_for(config, path)
        assert behaviour is not default, f"{path} runs the route function"
        assert not behaviour.get("FunctionAssociations"), path
        assert {key: behaviour.get(key) for key in same} == {key: default.get(key) for key in same}, path


def test_no_distribution_wide_error_pages_hide_the_apis_answers(resources):
    assert "CustomErrorResponses" not in distribution(resources)


def _run_cloudfront_function(node: str, resources: dict, logical_id: str, event: dict) -> dict:
    function = resources[logical_id]["Properties"]
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    script = function["FunctionCode"] + f"\nprocess.stdout.write(JSON.stringify(handler({json.dumps(event)})));\n"
    answer = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(answer.stdout)


def _viewer_request(uri: str) -> dict:
    return {"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "192.0.2.7"},
            "request": {"method": "GET", "uri": uri, "querystring": {}, "headers": {}, "cookies": {}}}


@pytest.mark.parametrize("uri", ["/", "/activation/lien-expire", "/creer-mon-compte/messagerie", "/franceconnect/retour/"])
def test_navigation_routes_get_the_client_page(node, resources, uri):
    assert _run_cloudfront_function(node, resources, "WebRoutesFunction", _viewer_request(uri))["uri"] == "/index.html"


@pytest.mark.parametrize("uri", ["/activation", "/activation/"])
def test_the_confirmation_links_page_is_the_light_one(node, resources, uri):
    assert _run_cloudfront_function(node, resources, "WebRoutesFunction", _viewer_request(uri))["uri"] == "/dist/activation.html"


@pytest.mark.parametrize("uri", ["/index.html", "/js/app.js", "/vendor/dsfr/dsfr.min.css", "/favicon.ico", "/missing.png"])
def test_files_go_to_the_bucket_unchanged(node, resources, uri):
    assert _run_cloudfront_function(node, resources, "WebRoutesFunction", _viewer_request(uri))["uri"] == uri


def test_api_calls_carry_the_viewer_address_cloudfront_saw_not_the_clients_claim(node, resources):
    event = _viewer_request("/v1/signups")
    event["request"]["headers"]["x-viewer-ip"] = {"value": "203.0.113.99"}  # forged by the client
    request = _run_cloudfront_function(node, resources, "ApiViewerAddressFunction", event)
    assert request["headers"]["x-viewer-ip"] == {"value": "192.0.2.7"}
    config = distribution(resources)
    api_behaviour = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/v1/*")
    assert [refs_in(a["FunctionARN"]) for a in api_behaviour["FunctionAssociations"]] == [{"ApiViewerAddressFunction"}]


ROUTE_CLASSES = [
    ("POST", "/v1/signups", "signup-start"),
    ("POST", "/v1/sessions", "login"),
    ("POST", "/v1/signups/0f6c1a2e-3b4d-4c5e-8f90-123456789abc/proof", "proof"),
    # the spellings API Gateway or WAF's NORMALIZE_PATH may read as the same route
    ("POST", "/v1/signups/", "signup-start"),
    ("POST", "//v1//sessions", "login"),
    ("POST", "/v1/./signups", "signup-start"),
    ("POST", "/v1/x/../sessions", "login"),
    ("POST", "/v1/sign%75ps", "signup-start"),
    ("POST", "/v1/signups/abc/proof/", "proof"),
    ("POST", "/v1/signups/abc/../def/proof", "proof"),
    ("POST", "/v1/signups/%2e%2e/proof", "proof"),
    ("POST", "/v1/signups/abc/pro%6Ff", "proof"),
    ("POST", "/v1/signups/%zz/proof", "proof"),  # a malformed escape is read as written
    # no other call
    ("GET", "/v1/signups", None),
    ("GET", "/v1/signups/abc/proof", None),
    ("POST", "/v1/signups/abc", None),
    ("POST", "/v1/signups/abc/terms", None),
    ("POST", "/v1/signups/abc/password", None),
    ("POST", "/v1/email-confirmations/resend", None),
    ("POST", "/v1/account/email", None),
    ("DELETE", "/v1/sessions/current", None),
    ("GET", "/v1/health", None),
    ("POST", "/v2/signups", None),
]


@pytest.mark.parametrize(("method", "uri", "route_class"), ROUTE_CLASSES)
def test_the_edge_names_the_rate_limited_route_over_whatever_the_viewer_sent(node, resources, method, uri, route_class):
    for forged in (None, {"value": "login"}, {"value": "proof", "multiValue": [{"value": "proof"}, {"value": "signup-start"}]}):
        event = _viewer_request(uri)
        event["request"]["method"] = method
        if forged:
            event["request"]["headers"]["x-rate-route"] = forged
        request = _run_cloudfront_function(node, resources, "ApiViewerAddressFunction", event)
        assert request["headers"].get("x-rate-route") == ({"value": route_class} if route_class else None), forged
        assert request["uri"] == uri and request["headers"]["x-viewer-ip"] == {"value": "192.0.2.7"}


def test_franceconnect_uris_are_on_the_web_origin(resources):
    for name, function in api_functions(resources).items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["FC_REDIRECT_URI"] == {"Fn::Sub": "${WebBaseUrl}/v1/franceconnect/callback"}, name
        assert variables["FC_POST_LOGOUT_REDIRECT_URI"]["Fn::Sub"].startswith("${WebBaseUrl}/"), name


# -- per-client limits, and an API reachable only through CloudFront --------------------------------

def test_web_acl_is_on_the_api_stage(resources):
    _, association = only(resources, "AWS::WAFv2::WebACLAssociation")
    acl_name, acl = only(resources, "AWS::WAFv2::WebACL")
    assert acl["Properties"]["Scope"] == "REGIONAL"
    assert refs_in(association["Properties"]["WebACLArn"]) == {acl_name}
    arn = association["Properties"]["ResourceArn"]
    assert refs_in(arn) >= {only(resources, "AWS::ApiGateway::RestApi")[0]}
    assert "/stages/" in json.dumps(arn)


def _substituted(value, parameters: dict) -> str:
    """A `Fn::Sub` string as CloudFormation hands it to the resource before the dynamic reference is
    resolved: parameters by value, other names (logical ids) as `<Name>`."""
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    assert isinstance(text, str), value
    return re.sub(r"\$\{([^!}][^}]*)\}", lambda m: parameters.get(m.group(1), f"<{m.group(1)}>"), text)


def _origin_check(translated, **parameters) -> tuple[str, set[str]]:
    """(the reference CloudFront sends in its origin header, the references the web ACL accepts in it),
    with the template's parameters at their defaults unless given."""
    header_name = "x-origin-verify"
    resources = translated["Resources"]
    config = distribution(resources)
    api_origin = next(o for o in config["Origins"] if "CustomOriginConfig" in o)
    (header,) = api_origin["OriginCustomHeaders"]
    assert header["HeaderName"] == header_name
    values = {name: str(spec.get("Default", "")) for name, spec in translated["Parameters"].items()}
    values.update(parameters)
    rules = only(resources, "AWS::WAFv2::WebACL")[1]["Properties"]["Rules"]
    first = min(rules, key=lambda rule: rule["Priority"])
    assert "Block" in first["Action"]
    accepted = first["Statement"]["NotStatement"]["Statement"]
    matches = [s["ByteMatchStatement"] for s in accepted["OrStatement"]["Statements"]] if "OrStatement" in accepted \
        else [accepted["ByteMatchStatement"]]
    for match in matches:
        assert match["FieldToMatch"]["SingleHeader"]["Name"] == header_name
        assert match["PositionalConstraint"] == "EXACTLY"
        assert match["TextTransformations"] == [{"Priority": 0, "Type": "NONE"}]
    return _substituted(header["HeaderValue"], values), {_substituted(m["SearchString"], values) for m in matches}


def test_requests_without_cloudfronts_secret_header_are_blocked(translated):
    sent, accepted = _origin_check(translated)
    assert sent.startswith("{{resolve:secretsmanager:<OriginVerifySecret>:SecretString:")
    assert sent in accepted  # the same secret, resolved by CloudFormation


def test_cloudfront_sends_the_pinned_version_and_the_web_acl_also_accepts_the_other(translated):
    sent, accepted = _origin_check(translated, OriginVerifySentVersion="a" * 36, OriginVerifyAlsoAcceptedVersion="b" * 36)
    assert sent == "{{resolve:secretsmanager:<OriginVerifySecret>:SecretString:::" + "a" * 36 + "}}"
    assert accepted == {sent, sent.replace("a" * 36, "b" * 36)}
    # A new pin is a new reference text: what makes CloudFormation read the secret again.
    assert _origin_check(translated, OriginVerifySentVersion="c" * 36)[0] != sent


@pytest.mark.parametrize("name", ["OriginVerifySentVersion", "OriginVerifyAlsoAcceptedVersion"])
def test_a_pin_is_a_version_id_or_nothing(translated, name):
    pattern = translated["Parameters"][name]["AllowedPattern"]
    for accepted in ("", "2f0c7bb4-5a7e-4c1e-9d3b-0a6f1e2d3c4b"):
        assert re.fullmatch(pattern, accepted)
    # A staging label is not a version id, and ':' or '}' would change the reference itself.
    for refused in ("AWSCURRENT", "2f0c7bb4-5a7e-4c1e-9d3b-0a6f1e2d3c4b}}", "x:AWSPREVIOUS:2f0c7bb4-5a7e-4c1e-9d3b-0a6f1e2d"):
        assert not re.fullmatch(pattern, refused)


def test_the_origin_check_is_one_billed_rule(resources):
    rules = only(resources, "AWS::WAFv2::WebACL")[1]["Properties"]["Rules"]
    checking = [rule["Name"] for rule in rules if "OriginVerifySecret" in refs_in(rule)]
    assert checking == ["through-cloudfront-only"]


def _rotation_steps() -> list[tuple[str, str | dict[str, str]]]:
    """docs/deploy.md's rotation of the origin header, as the operator types it."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    section = text.split("#### Rotating the origin header\n", 1)[1].split("\n### ", 1)[0]
    script = section.split("```\n", 2)[1]
    steps = []
    for line in script.splitlines():
        if "put-secret-value" in line:
            assert line.startswith("NEW=$(") and "get-random-password" in line, line
            steps.append(("put", "$NEW"))
        elif "sam deploy" in line:
            pins = dict(re.findall(r"(OriginVerify\w+Version)=(\S*)", line))
            assert set(pins) == {"OriginVerifySentVersion", "OriginVerifyAlsoAcceptedVersion"}, line
            assert all(pins.values()), f"an empty pin means 'current at the update', not a version: {line}"
            steps.append(("deploy", pins))
        elif line.startswith("aws cloudfront wait distribution-deployed"):
            steps.append(("wait", ""))
        elif line.startswith("sleep "):
            assert int(line.split()[1]) >= 600, line
            steps.append(("sleep", ""))
    return steps


def test_the_rotation_runbook_never_has_cloudfront_send_a_value_the_web_acl_refuses(translated):
    """Replays the runbook on the template. Neither change is atomic: until a wait for the
    distribution, some edges may still send any value sent since the last wait; until WAF has had
    the time to propagate (a sleep), some places may still apply any web ACL since the last sleep."""
    steps = _rotation_steps()
    # Before: the stack as the first deploy left it (empty pins: the only version there is, $OLD).
    as_before = {"OriginVerifySentVersion": "$OLD", "OriginVerifyAlsoAcceptedVersion": "$OLD"}
    assert _origin_check(translated)[0].endswith(":::}}")
    sent, accepted = _origin_check(translated, **as_before)
    maybe_sent, maybe_applied, created = {sent}, [accepted], {"$OLD"}
    for kind, detail in steps:
        if kind == "put":
            created.add(detail)
        elif kind == "wait":
            maybe_sent = {sent}
        elif kind == "sleep":
            maybe_applied = [accepted]
        else:
            assert set(detail.values()) <= created, f"{detail} names a version not yet created"
            sent, accepted = _origin_check(translated, **detail)
            maybe_sent, maybe_applied = maybe_sent | {sent}, [*maybe_applied, accepted]
            refused = {value for value in maybe_sent for acl in maybe_applied if value not in acl}
            assert not refused, (detail, refused)
    assert (sent, accepted) == _origin_check(translated, OriginVerifySentVersion="$NEW", OriginVerifyAlsoAcceptedVersion="$NEW")
    assert len(accepted) == 1, "the old value is still accepted at the end of the rotation"


def _rate_rules(resources) -> list[dict]:
    rules = only(resources, "AWS::WAFv2::WebACL")[1]["Properties"]["Rules"]
    return [rule for rule in rules if "RateBasedStatement" in rule["Statement"]]


@pytest.fixture(scope="session")
def api_viewer_function(node, resources):
    """ApiViewerAddressFunction's code from the template, run as the local edge runs it (one node process,
    a context of its own): `run(event)` gives the request CloudFront sends on to the API."""
    from local.edge import CloudFrontFunctions

    functions = CloudFrontFunctions({"ApiViewerAddressFunction": resources["ApiViewerAddressFunction"]["Properties"]["FunctionCode"]})
    yield lambda event: functions.run("ApiViewerAddressFunction", event)
    functions.close()


def _forwarded(api_viewer_function, method: str, uri: str, viewer_ip: str = "192.0.2.7", headers: dict | None = None) -> dict:
    """The request as WAF inspects it on the stage: the function's output, under the origin path."""
    event = _viewer_request(uri)
    event["viewer"]["ip"] = viewer_ip
    event["request"]["method"] = method
    event["request"]["headers"].update(headers or {})
    request = api_viewer_function(event)
    return {"method": request["method"], "path": "/api" + request["uri"],
            "headers": {name: entry["value"] for name, entry in request["headers"].items()}}


def _transformed(value: str, transformations: list[dict]) -> str:
    assert all(t["Type"] in ("NONE", "NORMALIZE_PATH") for t in transformations), transformations
    return posixpath.normpath(value) if any(t["Type"] == "NORMALIZE_PATH" for t in transformations) else value


def _field(field_to_match: dict, request: dict) -> str | None:
    """The part of the request a statement inspects (None: the request has no such header)."""
    ((kind, spec),) = field_to_match.items()
    if kind == "Method":
        return request["method"]
    if kind == "UriPath":
        return request["path"]
    assert kind == "SingleHeader", kind
    return request["headers"].get(spec["Name"].lower())  # WAF matches header names in any case


def _matches(statement: dict, request: dict) -> bool:
    """Evaluates the statements the rules' scope-downs use against one request as WAF receives it."""
    if "AndStatement" in statement:
        return all(_matches(s, request) for s in statement["AndStatement"]["Statements"])
    if "OrStatement" in statement:
        return any(_matches(s, request) for s in statement["OrStatement"]["Statements"])
    if "NotStatement" in statement:
        return not _matches(statement["NotStatement"]["Statement"], request)
    if "SizeConstraintStatement" in statement:
        size = statement["SizeConstraintStatement"]
        value = _field(size["FieldToMatch"], request)
        if value is None:
            return False  # a missing header matches no size constraint
        length = len(_transformed(value, size["TextTransformations"]))
        return {"GT": length > size["Size"], "GE": length >= size["Size"], "EQ": length == size["Size"],
                "NE": length != size["Size"], "LT": length < size["Size"], "LE": length <= size["Size"]}[size["ComparisonOperator"]]
    match = statement["ByteMatchStatement"]
    value = _field(match["FieldToMatch"], request)
    if value is None:
        return False
    value, wanted = _transformed(value, match["TextTransformations"]), match["SearchString"]
    return {"EXACTLY": value == wanted, "ENDS_WITH": value.endswith(wanted),
            "STARTS_WITH": value.startswith(wanted), "CONTAINS": wanted in value}[match["PositionalConstraint"]]


LIMITED_ROUTES = ["POST /v1/signups", "POST /v1/signups/{signup_id}/proof", "POST /v1/sessions",
                  "POST /v1/email-confirmations/resend", "POST /v1/account/email"]
# Signup start, proof and login: the routes ApiViewerAddressFunction classes in x-rate-route.
CLASSED_ROUTES = LIMITED_ROUTES[:3]
# The two ways to have a link sent share one allowance per client (one rule, one count per IP).
LINK_SENDS = {"POST /v1/email-confirmations/resend", "POST /v1/account/email"}


def _aggregation_key(rule: dict, request: dict) -> tuple[str, ...] | None:
    """The aggregation instance WAF counts a request under for this rule, or None when the request
    lacks one of the key's components (WAF then leaves it out of the rule): the viewer IP in the
    header ForwardedIPConfig names, and the path (normalised) or a header when the custom keys name them."""
    statement = rule["Statement"]["RateBasedStatement"]
    viewer_header = statement["ForwardedIPConfig"]["HeaderName"]
    assert viewer_header == "x-viewer-ip", rule["Name"]  # what ApiViewerAddressFunction writes
    viewer_ip = request["headers"].get(viewer_header)
    if statement["AggregateKeyType"] == "FORWARDED_IP":
        return (viewer_ip,) if viewer_ip else None
    assert statement["AggregateKeyType"] == "CUSTOM_KEYS", rule["Name"]
    key = []
    for custom in statement["CustomKeys"]:
        ((kind, spec),) = custom.items()
        if kind == "ForwardedIP":
            value = viewer_ip
        elif kind == "UriPath":
            value = _transformed(request["path"], spec["TextTransformations"])
        elif kind == "Header":
            value = request["headers"].get(spec["Name"].lower())
            value = None if value is None else _transformed(value, spec["TextTransformations"])
        else:
            raise AssertionError(f"{rule['Name']}: a key the limits do not expect: {kind}")
        if value is None:
            return None
        key.append(value)
    assert [kind for custom in statement["CustomKeys"] for kind in custom].count("ForwardedIP") == 1, \
        f"{rule['Name']}: not counted per client"
    return tuple(key)


class WebAclCounts:
    """The web ACL's rate-based rules over one evaluation window, as WAF applies them to what
    CloudFront forwards (ApiViewerAddressFunction's output): in priority order, each counting the
    requests its scope-down matches per aggregation instance, blocking with its 429 once the instance
    is over the limit."""

    def __init__(self, translated: dict, api_viewer_function) -> None:
        defaults = {name: int(spec["Default"]) for name, spec in translated["Parameters"].items()
                    if spec["Type"] == "Number"}
        self.rules = sorted(_rate_rules(translated["Resources"]), key=lambda rule: rule["Priority"])
        self.limits = {rule["Name"]: defaults[rule["Statement"]["RateBasedStatement"]["Limit"]["Ref"]]
                       for rule in self.rules}
        self.function = api_viewer_function
        self.counts: Counter = Counter()

    def _request(self, route: str, viewer_ip: str, signup_id: str, headers: dict | None) -> dict:
        method, template_path = route.split(" ")
        return _forwarded(self.function, method, template_path.replace("{signup_id}", signup_id), viewer_ip, headers)

    def _scoped(self, request: dict) -> list[dict]:
        return [r for r in self.rules if _matches(r["Statement"]["RateBasedStatement"]["ScopeDownStatement"], request)]

    def status(self, route: str, viewer_ip: str, signup_id: str = "0f6c1a2e-3b4d-4c5e-8f90-123456789abc",
               headers: dict | None = None) -> int:
        """The answer WAF gives the request (200: passed on to the API); `headers`: what the viewer sent."""
        request = self._request(route, viewer_ip, signup_id, headers)
        for rule in self._scoped(request):
            key = _aggregation_key(rule, request)
            if key is None:
                continue
            instance = (rule["Name"], key)
            self.counts[instance] += 1
            if self.counts[instance] > self.limits[rule["Name"]]:
                return rule["Action"]["Block"]["CustomResponse"]["ResponseCode"]
        return 200

    def limit_of(self, route: str) -> int:
        request = self._request(route, "192.0.2.7", str(uuid.uuid4()), None)
        (limit,) = {self.limits[r["Name"]] for r in self._scoped(request) if _aggregation_key(r, request)}
        return limit


@pytest.mark.parametrize("route", LIMITED_ROUTES)
def test_each_abusable_route_is_rate_limited_per_viewer_ip(translated, api_viewer_function, route):
    paths = only(translated["Resources"], "AWS::ApiGateway::RestApi")[1]["Properties"]["Body"]["paths"]
    method, template_path = route.split(" ")
    assert method.lower() in paths[template_path], f"{route} is not a route of the API"
    web_acl = WebAclCounts(translated, api_viewer_function)
    limit = web_acl.limit_of(route)

    # a new signup id at each request: the proofs of many signups from one client share its allowance
    allowed = [web_acl.status(route, "192.0.2.7", signup_id=str(uuid.uuid4())) for _ in range(limit)]
    over = web_acl.status(route, "192.0.2.7", signup_id=str(uuid.uuid4()))

    assert allowed == [200] * limit
    assert over == 429
    assert web_acl.status(route, "198.51.100.20") == 200  # another client


@pytest.mark.parametrize("exhausted", LIMITED_ROUTES)
def test_each_route_keeps_its_own_allowance_per_client(translated, api_viewer_function, exhausted):
    """Signup starts, proofs and logins share a rule (WAF bills per rule), not a count: the rule's keys
    are the viewer IP and the route class."""
    web_acl = WebAclCounts(translated, api_viewer_function)
    for _ in range(web_acl.limit_of(exhausted) + 1):
        web_acl.status(exhausted, "192.0.2.7")

    for route in LIMITED_ROUTES:
        shared = route == exhausted or {route, exhausted} <= LINK_SENDS
        assert web_acl.status(route, "192.0.2.7") == (429 if shared else 200), route


@pytest.mark.parametrize("exhausted", CLASSED_ROUTES)
def test_a_route_class_the_viewer_sends_neither_evades_its_limit_nor_spends_another_routes(
        translated, api_viewer_function, exhausted):
    """The function overwrites x-rate-route: a viewer naming another class (or none, or many) in it is
    still counted under its route's own, and spends nothing of the class it named."""
    web_acl = WebAclCounts(translated, api_viewer_function)
    others = [route for route in CLASSED_ROUTES if route != exhausted]
    claims = ["signup-start", "login", "proof", "", "x" * 40]
    limit = web_acl.limit_of(exhausted)
    answers = [web_acl.status(exhausted, "192.0.2.7", signup_id=str(uuid.uuid4()),
                              headers={"x-rate-route": {"value": claims[n % len(claims)],
                                                        "multiValue": [{"value": claims[n % len(claims)]}, {"value": "proof"}]}})
               for n in range(limit + 1)]

    assert answers == [200] * limit + [429]
    for route in others:
        assert web_acl.status(route, "192.0.2.7") == 200, route


def test_a_route_class_the_viewer_sends_on_other_calls_is_dropped(translated, api_viewer_function):
    web_acl = WebAclCounts(translated, api_viewer_function)
    for route in ("GET /v1/health", "POST /v1/signups/{signup_id}/terms", "GET /v1/signups/{signup_id}"):
        for _ in range(web_acl.limits["starts-proofs-and-logins-per-client"] + 1):
            assert web_acl.status(route, "192.0.2.7", headers={"x-rate-route": {"value": "proof"}}) == 200, route
    for route in CLASSED_ROUTES:
        assert web_acl.status(route, "192.0.2.7") == 200, route


def test_limits_of_one_value_share_one_billed_rule(resources):
    """Each rule costs $1 a month: through-cloudfront-only, signup starts, proofs and logins (one limit,
    counted per IP and the route class the edge function writes, which holds no signup id), link sends
    (a lower limit of their own)."""
    rules = {rule["Name"]: rule for rule in only(resources, "AWS::WAFv2::WebACL")[1]["Properties"]["Rules"]}
    assert sorted(rules) == sorted(["through-cloudfront-only", "starts-proofs-and-logins-per-client", "link-sends-per-client"])
    statement = rules["starts-proofs-and-logins-per-client"]["Statement"]["RateBasedStatement"]
    assert statement["Limit"] == {"Ref": "ClientRequestsPerFiveMinutes"}
    assert statement["CustomKeys"] == [{"ForwardedIP": {}},
                                       {"Header": {"Name": "x-rate-route", "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}]
    # scoped down to the requests the function classed: the header there, with a value
    assert statement["ScopeDownStatement"] == {"SizeConstraintStatement": {
        "FieldToMatch": {"SingleHeader": {"Name": "x-rate-route"}}, "ComparisonOperator": "GT", "Size": 0,
        "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}
    assert rules["link-sends-per-client"]["Statement"]["RateBasedStatement"]["Limit"] == {"Ref": "ClientResendsPerFiveMinutes"}


def test_every_rate_limit_answers_the_same_429(resources):
    bodies = only(resources, "AWS::WAFv2::WebACL")[1]["Properties"]["CustomResponseBodies"]
    for rule in _rate_rules(resources):
        response = rule["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        assert json.loads(bodies[response["CustomResponseBodyKey"]]["Content"])["code"] == "TOO_MANY_ATTEMPTS"
        assert {h["Name"]: h["Value"] for h in response["ResponseHeaders"]} == {"retry-after": "300", "cache-control": "no-store"}


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/health"), ("GET", "/v1/signups/abc"), ("POST", "/v1/signups/abc/terms"), ("GET", "/v1/signups"),
    ("POST", "/v1/email-confirmations"), ("DELETE", "/v1/sessions/current"), ("POST", "/v1/signups/abc/password"),
])
def test_routes_nobody_abuses_are_not_rate_limited(resources, api_viewer_function, method, path):
    request = _forwarded(api_viewer_function, method, path)
    assert "x-rate-route" not in request["headers"]
    assert not [r for r in _rate_rules(resources) if _matches(r["Statement"]["RateBasedStatement"]["ScopeDownStatement"], request)]


# -- SES ----------------------------------------------------------------------------------------------

def test_every_function_sends_through_the_configuration_set_whose_bounces_reach_a_topic(resources):
    config_set_name, config_set = only(resources, "AWS::SES::ConfigurationSet")
    _, destination = only(resources, "AWS::SES::ConfigurationSetEventDestination")
    event_destination = destination["Properties"]["EventDestination"]
    assert refs_in(destination["Properties"]["ConfigurationSetName"]) == {config_set_name}
    assert event_destination["Enabled"] is True
    assert {"bounce", "complaint"} <= set(event_destination["MatchingEventTypes"])
    (topic,) = refs_in(event_destination["SnsDestination"]["TopicARN"])
    policies = [p for p in of_type(resources, "AWS::SNS::TopicPolicy").values() if topic in refs_in(p["Properties"]["Topics"])]
    assert any(s["Principal"] == {"Service": "ses.amazonaws.com"} and s["Action"] == "sns:Publish"
               for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"])
    for name, function in api_functions(resources).items():
        assert function["Properties"]["Environment"]["Variables"]["SES_CONFIGURATION_SET"] == config_set["Properties"]["Name"], name


# -- alarms reach someone ---------------------------------------------------------------------------

def test_alarms_publish_to_a_topic_cloudwatch_can_encrypt_for(resources):
    alarms = of_type(resources, "AWS::CloudWatch::Alarm")
    assert alarms
    for name, alarm in alarms.items():
        for topic in refs_in(alarm["Properties"]["AlarmActions"]):
            key = resources[topic]["Properties"].get("KmsMasterKeyId")
            if key is None:
                continue
            assert key != "alias/aws/sns", f"{name}: CloudWatch cannot use the AWS managed SNS key"
            (key_id,) = refs_in(key)
            statements = resources[key_id]["Properties"]["KeyPolicy"]["Statement"]
            assert any(s["Principal"].get("Service") == "cloudwatch.amazonaws.com"
                       and {"kms:GenerateDataKey*", "kms:Decrypt"} <= set(s["Action"]) for s in statements), name


# -- a second stack, a deletion, a replacement --------------------------------------------------------

NAME_PROPERTIES = ("Name", "TopicName", "LogGroupName", "TableName", "FunctionName", "RoleName",
                   "StateMachineName", "AliasName", "LayerName", "BucketName")


def test_every_physical_name_comes_from_the_stack(resources):
    for logical_id, resource in resources.items():
        properties = resource.get("Properties", {})
        for key in NAME_PROPERTIES:
            if key in properties and resource["Type"] not in ("AWS::ApiGateway::Stage",):
                value = json.dumps(properties[key])
                assert "AWS::StackName" in value or refs_in(properties[key]), f"{logical_id}.{key} = {value}"
        config = properties.get("ResponseHeadersPolicyConfig") or properties.get("OriginAccessControlConfig")
        if config:
            assert "AWS::StackName" in json.dumps(config["Name"]), logical_id


def test_keys_and_tables_that_cannot_be_rebuilt_are_retained(resources):
    kept = {name for name, r in of_type(resources, "AWS::SecretsManager::Secret").items()} | {"RegistryTable", "AccountsTable"}
    for name in kept:
        assert resources[name].get("DeletionPolicy") == "Retain", name
        assert resources[name].get("UpdateReplacePolicy") == "Retain", name
    assert resources["AccountsTable"]["Properties"]["DeletionProtectionEnabled"] is True


# -- logs -----------------------------------------------------------------------------------------------

def test_every_function_logs_to_a_group_of_its_own_with_a_retention(resources):
    groups = of_type(resources, "AWS::Logs::LogGroup")
    used = []
    for name, function in api_functions(resources).items():
        (group,) = refs_in(function["Properties"]["LoggingConfig"]["LogGroup"])
        assert group in groups, name
        assert groups[group]["Properties"]["RetentionInDays"] in (180, 365), name
        used.append(group)
    assert len(used) == len(set(used))
    assert all("RetentionInDays" in g["Properties"] for g in groups.values())


def test_api_access_logs_go_to_a_retained_group_without_paths_or_headers(resources):
    stage = only(resources, "AWS::ApiGateway::Stage")[1]["Properties"]
    (group,) = refs_in(stage["AccessLogSetting"]["DestinationArn"])
    assert resources[group]["Properties"]["RetentionInDays"] == 365
    log_format = stage["AccessLogSetting"]["Format"]
    assert "$context.resourcePath" in log_format
    assert "$context.path" not in log_format  # the path holds signup ids
    rest_api = only(resources, "AWS::ApiGateway::RestApi")[1]
    assert rest_api.get("DependsOn") == "ApiGatewayAccount"  # the account's CloudWatch role exists first
    assert "ApiGatewayAccount" in of_type(resources, "AWS::ApiGateway::Account")


def test_functions_declare_the_endpoint_override_sam_local_may_set(resources):
    for name, function in api_functions(resources).items():
        assert function["Properties"]["Environment"]["Variables"]["AWS_ENDPOINT_URL"] == "", name


# -- the workflow ---------------------------------------------------------------------------------------

def _tasks(definition: dict):
    for name, state in definition["States"].items():
        if state["Type"] == "Task":
            yield name, state


def _definition() -> dict:
    return json.loads((ROOT / "statemachine" / "confirmation.asl.json").read_text())


def _dynamodb_error_codes() -> set[str]:
    """DynamoDB's error codes, from botocore's model of the API (what DynamoDB answers on the wire)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("dynamodb")
    return {name for name in model.shape_names if model.shape_for(name).metadata.get("exception")}


def test_error_names_follow_the_integration_type():
    """The optimized integration names errors `DynamoDB.<code>`; the AWS SDK integration
    `DynamoDb.<code>` with `Exception` appended when the code lacks it (so `InternalServerError` is
    `DynamoDB.InternalServerError` in one and `DynamoDb.InternalServerErrorException` in the other)."""
    codes = _dynamodb_error_codes()
    assert {"InternalServerError", "RequestLimitExceeded", "TransactionCanceledException"} <= codes
    optimized = {f"DynamoDB.{code}" for code in codes} | {"DynamoDB.AmazonDynamoDBException"}
    sdk = {f"DynamoDb.{code if code.endswith('Exception') else code + 'Exception'}" for code in codes}
    checked = 0
    for name, state in _tasks(_definition()):
        resource = state["Resource"]
        if resource.startswith("arn:aws:states:::aws-sdk:dynamodb:"):
            allowed = sdk
        elif resource.startswith("arn:aws:states:::dynamodb:"):
            allowed = optimized
        else:
            continue
        errors = [e for rule in state.get("Retry", []) + state.get("Catch", []) for e in rule["ErrorEquals"]]
        assert errors, name
        for error in errors:
            if not error.startswith("States."):
                assert error in allowed, (name, error)
                checked += 1
    assert checked


def test_a_cancelled_transaction_is_retried_when_throttled_not_taken_for_a_superseded_link():
    definition = _definition()
    for name, state in _tasks(definition):
        for catch in state.get("Catch", []):
            if not any(e.endswith("TransactionCanceledException") for e in catch["ErrorEquals"]):
                continue
            choice = definition["States"][catch["Next"]]
            assert choice["Type"] == "Choice", name
            text = json.dumps(choice["Choices"])
            assert "ThrottlingError" in text and "TransactionConflict" in text
            branches = {json.dumps(c): c["Next"] for c in choice["Choices"]}
            throttled = next(target for rule, target in branches.items() if "ThrottlingError" in rule)
            # the throttled branch leads back to the same task, and is bounded
            seen, current = [], throttled
            while current != name and current not in seen and len(seen) < 5:
                seen.append(current)
                current = definition["States"][current]["Next"]
            assert current == name, (name, seen)
            assert "NumericLessThan" in text
            assert definition["States"][choice["Default"]]["Type"] == "Fail"


# -- deploy configuration --------------------------------------------------------------------------------

def test_samconfig_deploys_without_a_prompt_and_only_declared_parameters():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    declared = set(json.loads(json.dumps(_template_parameters())))
    for environment, commands in config.items():
        if not isinstance(commands, dict) or "deploy" not in commands:
            continue
        deploy = commands["deploy"]["parameters"]
        assert deploy.get("confirm_changeset") is False, environment
        for override in deploy.get("parameter_overrides", []):
            assert override.split("=", 1)[0] in declared, (environment, override)


def _template_parameters() -> list[str]:
    text = (ROOT / "template.yaml").read_text()
    block = text.split("\nParameters:\n", 1)[1].split("\nConditions:\n", 1)[0]
    return re.findall(r"^  (\w+):$", block, flags=re.MULTILINE)


def test_the_layer_ships_phonenumbers_without_its_geodata():
    requirements = (ROOT / "layers" / "shared" / "requirements.txt").read_text().split()
    assert any(r.startswith("phonenumberslite==") for r in requirements)
    assert not any(r.startswith("phonenumbers==") for r in requirements)
    code = "\n".join(p.read_text() for p in (ROOT / "layers" / "shared" / "ameli").rglob("*.py"))
    assert not re.search(r"phonenumbers\s*import\s*(geocoder|carrier|timezone)|phonenumbers\.(geocoder|carrier|timezone)", code)


def test_sam_local_env_vars_example_only_sets_declared_variables(resources):
    """`sam local invoke --env-vars` silently ignores a variable the template does not declare."""
    example = json.loads((ROOT / "events" / "env.json").read_text())["Parameters"]
    for name, function in api_functions(resources).items():
        declared = function["Properties"]["Environment"]["Variables"]
        assert set(example) <= set(declared), (name, sorted(set(example) - set(declared)))
