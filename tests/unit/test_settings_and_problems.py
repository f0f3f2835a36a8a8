"""Configuration fails at container build naming what is missing; every refusal has one HTTP answer."""

import inspect
import json

import pytest

from ameli.bootstrap import Container
from ameli.domain import errors
from ameli.http.api import create_app, entrypoint
from ameli.http.problems import PROBLEMS, problem
from ameli.settings import MissingSetting, Settings
from tests.fakes import TEMPLATE_ENVIRONMENT as ENVIRONMENT


def test_settings_read_every_variable_of_the_template():
    settings = Settings.from_environment(ENVIRONMENT)
    assert settings.web_base_url == "https://compte.ameli.example"
    assert settings.franceconnect_issuer == "https://fc.example/api/v2"
    assert settings.allowed_origins == settings.franceconnect_return_to_allowed == ("https://compte.ameli.example",)


@pytest.mark.parametrize("variable", ["CONFIRMATION_STATE_MACHINE_ARN", "FC_CLIENT_ID", "HMAC_SECRET_NAME"])
def test_a_missing_required_variable_is_named(variable):
    with pytest.raises(MissingSetting, match=variable):
        Settings.from_environment({**ENVIRONMENT, variable: " "})


@pytest.fixture
def no_template_variables(monkeypatch):
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_in_lambda_a_handler_module_fails_at_init_naming_the_missing_variable(no_template_variables):
    no_template_variables.setenv("AWS_LAMBDA_FUNCTION_NAME", "ameli-signup-ContactFunction")
    with pytest.raises(MissingSetting, match="REGISTRY_TABLE"):
        entrypoint(create_app(), init=Container)


def test_outside_lambda_importing_a_handler_builds_nothing(no_template_variables):
    no_template_variables.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert callable(entrypoint(create_app(), init=Container))  # the OpenAPI generator, the benchmark


def _refusals():
    return [kind for _, kind in inspect.getmembers(errors, inspect.isclass)
            if issubclass(kind, errors.AppError) and kind is not errors.AppError]


def test_every_refusal_of_the_domain_has_its_own_status_code_and_title():
    assert set(_refusals()) == set(PROBLEMS)


def test_a_problem_body_carries_the_mapped_code_and_the_errors_detail():
    response = problem(errors.LoginLinkExpired(resend_options=["same_address"]))
    body = json.loads(response.body)
    assert response.status_code == 403
    assert body["code"] == "LINK_EXPIRED" and body["type"].endswith("/link-expired")
    assert body["detail"] == errors.LoginLinkExpired.detail and body["resend_options"] == ["same_address"]
