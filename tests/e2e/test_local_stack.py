"""The local stack over HTTP: `python -m local` started as a developer starts it (see conftest.py)."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
import requests

from local.config import DEFAULT_FIXTURES
from local.fixtures import load_fixture_file

from .journeys import PASSWORD, complete_signup, identity_of, proof_of
from .localstack import ROOT, free_port, stack_environment, start_local_stack

pytestmark = pytest.mark.e2e

ELIGIBLE_REGIMES = {"general", "CAMIEG", "CANSSM", "CAVIMAC", "CNMSS", "CRPCEN", "ENIM", "MGP"}


def test_local_info_gives_the_urls_of_the_stack(local_stack):
    answer = requests.get(f"{local_stack}/_local/info", timeout=10)

    assert answer.status_code == 200
    info = answer.json()
    assert info["api_base"] == f"{local_stack}/v1"
    assert info["web_base"] == f"{local_stack}/"
    assert info["franceconnect_issuer"] == f"{local_stack}/_fc/api/v2"
    assert info["mailbox"] == f"{local_stack}/_local/mailbox"
    assert info["openapi"] == f"{local_stack}/_local/openapi.json"
    assert info["docs"] == f"{local_stack}/_local/docs"


def test_option1_signup_ends_with_a_confirmation_email_in_the_mailbox(local_stack):
    base = local_stack
    started = requests.post(f"{base}/v1/signups", json={
        "last_name": "VENTURI", "nir": "1 62 12 2B 010 001", "birth_date": "1962-12-18", "postal_code": "63000",
    }, timeout=30)
    assert started.status_code == 201, started.text
    signup = started.json()
    assert signup["next_step"] == "proof"
    assert signup["proof"]["iban_masked"].replace(" ", "").endswith("*" * 7)
    assert "7890143" not in signup["proof"]["iban_masked"].replace(" ", "")
    assert signup["proof"]["carte_vitale_serial_prefix"] == "8025000002"
    url = f"{base}/v1/signups/{signup['signup_id']}"
    auth = {"Authorization": f"Bearer {signup['signup_token']}"}

    proof = requests.post(
        f"{url}/proof", json={"iban_last7": "7890143", "carte_vitale_serial_last11": "04671322630"},
        headers=auth, timeout=30,
    )
    assert (proof.status_code, proof.json()["next_step"]) == (200, "terms")

    terms = requests.get(f"{base}/v1/terms", timeout=30)
    assert terms.status_code == 200 and terms.json()["version"]
    accepted = requests.post(
        f"{url}/terms", json={"accepted": True, "version": terms.json()["version"]}, headers=auth, timeout=30
    )
    assert (accepted.status_code, accepted.json()["next_step"]) == (200, "password")

    check = requests.post(f"{url}/password/check", json={"password": PASSWORD}, headers=auth, timeout=30)
    assert check.status_code == 200 and check.json()["valid"] is True
    chosen = requests.post(
        f"{url}/password", json={"password": PASSWORD, "password_confirmation": PASSWORD}, headers=auth, timeout=30
    )
    assert (chosen.status_code, chosen.json()["next_step"]) == (200, "contact")

    email = "paul.venturi.e2e@example.test"
    contact = requests.post(f"{url}/contact", json={
        "email": email, "email_confirmation": email, "email_marketing_consent": False, "mobile_phone": "06 12 34 56 78",
    }, headers=auth, timeout=30)
    assert contact.status_code == 201, contact.text
    assert contact.json()["status"] == "pending_email_confirmation"

    messages = requests.get(f"{base}/_local/mailbox", timeout=10).json()["messages"]
    mine = [message for message in messages if message["to"] == [email]]
    assert len(mine) == 1
    assert re.search(r"https?://\S+token=\S+", mine[0]["text"])
    assert mine[0]["subject"] and mine[0]["html"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", mine[0]["sent_at"])


def test_every_refusal_of_option1_has_the_same_body(local_stack):
    demo = load_fixture_file(DEFAULT_FIXTURES).beneficiaries
    cases = {
        "uncertified NIR": next(b for b in demo if not b.nir_certified),
        "not a rights holder": next(b for b in demo if b.nir_certified and not b.rights_holder),
        "other regime": next(b for b in demo if b.regime not in ELIGIBLE_REGIMES),
        "no IBAN": next(b for b in demo if b.iban is None),
        "no Carte Vitale": next(b for b in demo if b.carte_vitale is None),
        "inactive card": next(b for b in demo if b.carte_vitale and b.carte_vitale.status == "inactive"),
        "failed mutation": next(b for b in demo if b.carte_vitale and b.carte_vitale.status == "mutation_failed"),
    }
    identities = {name: identity_of(b) for name, b in cases.items()}
    assert "1620175056999" not in {b.nir for b in demo}
    identities["unknown NIR"] = {
        "last_name": "INCONNU", "nir": "1620175056999", "birth_date": "1962-01-15", "postal_code": "75001",
    }
    venturi = next(b for b in demo if b.nir == "162122B010001")
    identities["known NIR, other name"] = {**identity_of(venturi), "last_name": "VENTURINI"}
    identities["known NIR, other postal code"] = identity_of(venturi, postal_code="13001")

    answers = {name: requests.post(f"{local_stack}/v1/signups", json=body, timeout=30) for name, body in identities.items()}

    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 403)
    bodies = {a.content for a in answers.values()}
    assert len(bodies) == 1, {name: a.text for name, a in answers.items()}
    assert json.loads(bodies.pop())["code"] == "ONLINE_SIGNUP_UNAVAILABLE"
    assert {a.headers["Content-Type"] for a in answers.values()} == {"application/problem+json"}


def test_unknown_path_is_a_404_problem(local_stack):
    # (`/v1` alone is not under the distribution's `/v1/*` behaviour: the web client's page, as on CloudFront)
    for path in ("/v1/nothing-here", "/_local/nothing-here", "/_fc/api/v2/.well-known/openid-configuration"):
        answer = requests.get(f"{local_stack}{path}", timeout=10)
        if path.startswith("/_fc") and answer.status_code != 404:
            continue  # a local FranceConnect provider is mounted
        assert answer.status_code == 404, path
        assert answer.headers["Content-Type"] == "application/problem+json"
        problem = answer.json()
        assert (problem["status"], problem["code"]) == (404, "NOT_FOUND")
        assert problem["title"] and problem["detail"]


def test_a_method_the_api_does_not_declare_is_what_api_gateway_answers(local_stack):
    """API Gateway REST answers an undeclared method of a known resource (a CORS preflight included: the API
    declares no OPTIONS) with its MISSING_AUTHENTICATION_TOKEN response, which the template makes a 404
    problem; never a 405, and the function is not called."""
    answers = [
        requests.put(f"{local_stack}/v1/signups", json={}, timeout=10),
        requests.head(f"{local_stack}/v1/health", timeout=10),
        requests.options(f"{local_stack}/v1/signups", headers={
            "Origin": local_stack, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"}, timeout=10),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert {answer.headers["Content-Type"] for answer in answers} == {"application/problem+json"}
    assert answers[0].json()["code"] == "NOT_FOUND"
    assert "Access-Control-Allow-Origin" not in answers[2].headers


def test_api_answers_are_never_cached(local_stack):
    answers = [
        requests.get(f"{local_stack}/v1/health", timeout=10),
        requests.get(f"{local_stack}/v1/terms", timeout=10),
        requests.post(f"{local_stack}/v1/signups", json={}, timeout=10),
        requests.get(f"{local_stack}/v1/signups/00000000-0000-0000-0000-000000000000", timeout=10),
        requests.get(f"{local_stack}/v1/nothing-here", timeout=10),
    ]

    assert [a.status_code for a in answers] == [200, 200, 422, 401, 404]
    assert {a.headers.get("Cache-Control") for a in answers} == {"no-store"}


def test_mailbox_can_be_emptied(local_stack):
    assert requests.delete(f"{local_stack}/_local/mailbox", timeout=10).status_code == 204
    assert requests.get(f"{local_stack}/_local/mailbox", timeout=10).json() == {"messages": []}


def test_web_root_is_served_with_security_headers(local_stack):
    answer = requests.get(f"{local_stack}/", timeout=10)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("raw_path", [
    "/../pyproject.toml", "/%2e%2e/template.yaml", "/..%2f..%2fpyproject.toml", "/package.json",
    "/node_modules/@gouvfr/dsfr/package.json", "/.git/config",
])
def test_web_files_outside_the_client_are_refused(local_stack, raw_path):
    host = urlsplit(local_stack)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    connection.request("GET", raw_path)  # sent as is: no client-side normalisation of `..`
    answer = connection.getresponse()
    body = answer.read()
    connection.close()

    # S3's 403 for a key the bucket does not hold, or the client's page for a path without a file extension
    # (the template's CloudFront Function), never a file from outside the published client
    assert answer.status in (403, 200)
    assert answer.status == 403 or b"<!doctype html>" in body.lower()
    assert b"[project]" not in body and b"AWSTemplateFormatVersion" not in body and b"[core]" not in body


def test_api_docs_are_served_without_a_cdn(local_stack):
    page = requests.get(f"{local_stack}/_local/docs", timeout=10)
    assert page.status_code == 200
    scripts = re.findall(r'src="([^"]+)"', page.text)
    assert scripts and all(src.startswith("/_local/") for src in scripts)
    for src in scripts:
        asset = requests.get(f"{local_stack}{src}", timeout=10)
        assert asset.status_code == 200 and "javascript" in asset.headers["Content-Type"]
    document = requests.get(f"{local_stack}/_local/openapi.json", timeout=30).json()
    assert "/v1/signups" in document["paths"]


def test_a_bad_fixture_file_stops_the_start_naming_entry_and_field(tmp_path):
    demo = json.loads(DEFAULT_FIXTURES.read_text(encoding="utf-8"))
    broken = {**demo["beneficiaries"][0], "birth_date": "1990-02-31"}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"beneficiaries": [broken], "franceconnect_identities": []}), encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "local"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=stack_environment(LOCAL_PORT=str(free_port()), LOCAL_FIXTURES=str(path)),
    )

    assert result.returncode != 0
    assert "beneficiaries[0]" in result.stderr and "birth_date" in result.stderr
    assert broken["nir"] not in result.stderr + result.stdout
    assert "1990-02-31" not in result.stderr + result.stdout


@pytest.mark.parametrize("settings", [
    {"CONFIRMATION_LINK_VALIDITY": "P1M"},
    {"CONFIRMATION_LINK_VALIDITY": "seven days"},
    {"PENDING_EMAIL_RETENTION": "PT0S"},
    {"CONFIRMATION_LINK_VALIDITY": "P30D", "PENDING_EMAIL_RETENTION": "P21D"},
])
def test_a_bad_duration_stops_the_start(settings):
    result = subprocess.run(
        [sys.executable, "-m", "local"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=stack_environment(LOCAL_PORT=str(free_port()), **settings),
    )

    assert result.returncode != 0
    assert any(name in result.stderr for name in settings)


def test_the_confirmation_lifecycle_plays_out_in_seconds_through_the_state_machine():
    """journey.md 3 with PT8S / PT16S: the real state machine expires the link, then deletes the address.
    (Seconds enough for a signup and a login on a loaded machine before the link expires.)"""
    stack = start_local_stack(CONFIRMATION_LINK_VALIDITY="PT8S", PENDING_EMAIL_RETENTION="PT16S")
    try:
        base = stack.base_url
        casanova = next(b for b in load_fixture_file(DEFAULT_FIXTURES).beneficiaries if b.nir == "280102A004017")
        assert re.search("[A-Z]", casanova.iban[-7:])  # the IBAN tail holds a letter
        contact = complete_signup(base, identity_of(casanova), proof_of(casanova), "maria.casanova@example.test")
        assert contact.status_code == 201, contact.text
        login = {"nir": casanova.nir, "password": PASSWORD}

        def login_code() -> str:
            return requests.post(f"{base}/v1/sessions", json=login, timeout=30).json().get("code")

        assert login_code() == "EMAIL_CONFIRMATION_PENDING"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            executions = requests.get(f"{base}/_local/executions", timeout=10).json()["executions"]
            if executions and executions[0]["status"] != "RUNNING":
                break
            time.sleep(0.5)
        assert [e["status"] for e in executions] == ["SUCCEEDED"]
        assert login_code() == "EMAIL_REQUIRED"
    finally:
        stack.stop()


def test_a_file_left_out_of_a_functions_built_code_stops_the_start(tmp_path):
    """The stack runs what `sam build` produced: a file missing there fails here, as on AWS."""
    import os
    import shutil

    built = ROOT / ".aws-sam" / "build"
    project = tmp_path / "project"
    build = project / ".aws-sam" / "build"
    build.mkdir(parents=True)
    (project / "statemachine").symlink_to(ROOT / "statemachine")  # the built template points at ../../
    for entry in built.iterdir():
        if entry.name == "StartSignupFunction":
            shutil.copytree(entry, build / entry.name, ignore=shutil.ignore_patterns("app.py"))
        elif entry.is_dir():
            (build / entry.name).symlink_to(entry)
        else:
            shutil.copy2(entry, build / entry.name)  # the template keeps its build time
    os.utime(build / "template.yaml", (time.time(), time.time()))

    result = subprocess.run(
        [sys.executable, "-m", "local"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=stack_environment(LOCAL_PORT=str(free_port()), LOCAL_BUILD_DIR=str(build)),
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "StartSignupFunction" in result.stderr and "ImportModuleError" in result.stderr
