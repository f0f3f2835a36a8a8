"""Where the person comes back after FranceConnect (`return_to`, issue 12 defect 8): only an allowed
origin or app scheme, in printable ASCII, stored as rebuilt from its parts; and a FranceConnect that
cannot be reached at the start sends the person back there instead of answering 5xx."""

from __future__ import annotations

import pytest

from ameli.domain import errors
from ameli.ports import FranceConnectFailure, FranceConnectState
from ameli.service.franceconnect import FranceConnectService
from tests.fakes import CountingTelemetry, FakePseudonymizer, FrozenClock, settings_for_tests

WEB = "https://compte.ameli.example"
RETURN_TO = f"{WEB}/franceconnect/retour"


class StateStore:
    """The FranceConnect part of the signup store."""

    def __init__(self) -> None:
        self.states: dict[str, FranceConnectState] = {}

    def save_franceconnect_state(self, state: FranceConnectState) -> None:
        self.states[state.state] = state

    def take_franceconnect_state(self, state: str) -> FranceConnectState | None:
        return self.states.pop(state, None)


class Provider:
    """The client port, failing the way it is told to."""

    def __init__(self) -> None:
        self.discovery_failure: str | None = None

    def authorization_url(self, *, state: str, nonce: str) -> str:
        if self.discovery_failure:
            raise FranceConnectFailure(self.discovery_failure)
        return f"https://fc.test/api/v2/authorize?state={state}"

    def complete(self, *, code: str, nonce: str, callback_issuer: str | None):
        raise FranceConnectFailure("id_token_signature")

    def logout_url(self, *, id_token: str, state: str) -> str:
        return "https://fc.test/api/v2/session/end"


@pytest.fixture
def store() -> StateStore:
    return StateStore()


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture
def service(store, provider) -> FranceConnectService:
    return FranceConnectService(
        settings=settings_for_tests(web_base_url=WEB, franceconnect_return_to_allowed=(WEB, "fr.ameli.app://")),
        clock=FrozenClock(), registry=None, store=store, client=provider, pseudonymizer=FakePseudonymizer(), opener=None,
        telemetry=CountingTelemetry(),
    )


@pytest.mark.parametrize("return_to", [
    f"{RETURN_TO}\r\nSet-Cookie: fc_binding=volé",  # urlsplit drops CR and LF: it used to pass the list
    f"{RETURN_TO}\n",
    f"{WEB}/france\tconnect/retour",
    f"\t{RETURN_TO}",
    f" {RETURN_TO}",
    f"{RETURN_TO} ",
    f"{RETURN_TO}\x00",
    f"{RETURN_TO}\x7f",
    f"{RETURN_TO}\u2028",  # LINE SEPARATOR
    f"{RETURN_TO}\xa0",  # no-break space
    f"{WEB}/\u202eetour",  # right-to-left override
    "fr.ameli.app://retour\r\n",
    f"{WEB}\\@evil.example/",
    f"{WEB}@evil.example/",
    f"{RETURN_TO}#signup_token=x",
    "https://evil.example/franceconnect/retour",
    "https://[::1/franceconnect/retour",  # urlsplit raises ValueError: it used to escape as a 5xx
    "",
    None,
])
def test_a_return_to_with_control_whitespace_or_a_foreign_origin_is_refused_and_nothing_is_kept(
        service, store, return_to):
    with pytest.raises(errors.InvalidRequest) as refused:
        service.begin(return_to)
    assert [(i.field, i.code) for i in refused.value.errors] == [("return_to", "NOT_ALLOWED")]
    assert store.states == {}


@pytest.mark.parametrize("return_to", [RETURN_TO, f"{RETURN_TO}?depuis=accueil", "fr.ameli.app://franceconnect"])
def test_an_allowed_return_to_is_kept_as_rebuilt_and_the_callback_comes_back_to_it(service, store, return_to):
    started = service.begin(return_to)
    (state,) = store.states.values()
    assert state.return_to == return_to
    assert started.location.startswith("https://fc.test/api/v2/authorize?")

    back = service.complete({"state": state.state, "code": "c", "iss": "x"}, started.browser_binding)
    assert back.location == f"{return_to}#error=FRANCECONNECT_FAILED"


def test_franceconnect_unreachable_at_the_start_sends_the_person_back_with_the_failure(service, store, provider):
    provider.discovery_failure = "discovery_not_json"  # a maintenance page instead of the discovery document
    started = service.begin(RETURN_TO)
    assert started.location == f"{RETURN_TO}#error=FRANCECONNECT_FAILED"
    assert started.browser_binding is None
    assert store.states == {}
    assert ("FranceConnectFailed", {"reason": "discovery_not_json"}) in service.telemetry.counts


# -- the login endpoint itself (GET /v1/franceconnect/login), its handler called as API Gateway would --

def _login_handler(monkeypatch, service):
    import importlib.util
    import json
    import sys
    from pathlib import Path
    from types import SimpleNamespace

    file = Path(__file__).resolve().parents[2] / "functions" / "franceconnect_login" / "app.py"
    spec = importlib.util.spec_from_file_location("functions.franceconnect_login.app_under_test", file)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "container", lambda: SimpleNamespace(franceconnect=service,
                                                                     settings=service.settings))
    context = SimpleNamespace(function_name="franceconnect-login", memory_limit_in_mb=256, aws_request_id="r-1",
                              invoked_function_arn="arn:aws:lambda:eu-west-3:123456789012:function:login")

    def get(return_to: str) -> dict:
        event = {
            "resource": "/v1/franceconnect/login", "path": "/v1/franceconnect/login", "httpMethod": "GET",
            "headers": {}, "multiValueHeaders": {}, "queryStringParameters": {"return_to": return_to},
            "multiValueQueryStringParameters": {"return_to": [return_to]}, "pathParameters": None,
            "requestContext": {"requestId": "r-1", "path": "/v1/franceconnect/login", "stage": "v1"},
            "body": None, "isBase64Encoded": False,
        }
        answer = module.lambda_handler(event, context)
        headers = {k.lower(): v for k, v in (answer.get("headers") or {}).items()}
        multi = {k.lower(): v for k, v in (answer.get("multiValueHeaders") or {}).items()}
        body = json.loads(answer["body"]) if answer.get("body") else None
        return {"status": answer["statusCode"], "headers": {**{k: v[0] for k, v in multi.items()}, **headers},
                "body": body}
    return get


def test_the_login_endpoint_answers_422_for_a_return_to_with_a_line_break(monkeypatch, service, store):
    answer = _login_handler(monkeypatch, service)(f"{RETURN_TO}\r\nSet-Cookie: a=b")
    assert answer["status"] == 422
    assert answer["body"]["errors"][0]["code"] == "NOT_ALLOWED"
    assert store.states == {}


def test_the_login_endpoint_sends_back_without_a_cookie_when_franceconnect_is_down(monkeypatch, service, provider):
    provider.discovery_failure = "discovery_status"
    answer = _login_handler(monkeypatch, service)(RETURN_TO)
    assert answer["status"] == 302
    assert answer["headers"]["location"] == f"{RETURN_TO}#error=FRANCECONNECT_FAILED"
    assert "set-cookie" not in answer["headers"]


def test_the_login_endpoint_binds_the_browser_when_franceconnect_answers(monkeypatch, service):
    answer = _login_handler(monkeypatch, service)(RETURN_TO)
    assert answer["status"] == 302
    assert answer["headers"]["location"].startswith("https://fc.test/api/v2/authorize?")
    assert answer["headers"]["set-cookie"].startswith("fc_binding=")


# -- the provider's own error at the callback reaches the logs and metrics -------------------------------

@pytest.mark.parametrize(("error", "reason"), [
    ("server_error", "provider_error_server_error"),
    ("temporarily_unavailable", "provider_error_temporarily_unavailable"),
    ("invalid_scope", "provider_error_invalid_scope"),  # our misconfiguration, not FranceConnect's outage
    ("Jean DUPONT 1620875107001", "provider_error_other"),  # never the provider's free text
])
def test_a_callback_error_is_logged_with_the_providers_code(service, error, reason):
    started = service.begin(RETURN_TO)
    state = started.location.rsplit("state=", 1)[1]
    back = service.complete({"state": state, "error": error}, started.browser_binding)
    assert back.location == f"{RETURN_TO}#error=FRANCECONNECT_FAILED"
    assert ("FranceConnectFailed", {"reason": reason}) in service.telemetry.counts
    assert ("franceconnect refused", {"code": "FRANCECONNECT_FAILED", "reason": reason}) in service.telemetry.notes
