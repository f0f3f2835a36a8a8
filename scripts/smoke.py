"""Smoke test of a running stack, deployed or local: the health check, the routing CloudFront does,
and an Option 1 journey of the smoke person (events/smoke_person.json).

    make smoke URL=https://compte.ameli.fr          # after loading the smoke person (docs/deploy.md)
    .venv/bin/python -m scripts.smoke --url http://127.0.0.1:3000 [--email ...]
    .venv/bin/python -m scripts.smoke --start-local   # what CI runs: a local stack started for it

On a deployed stack the confirmation email goes to SES's mailbox simulator (never to a person), so the
journey ends at the contact step's 201; a later run finds the account and asks for a new link through
the login instead. On the local stack, whose mailbox is readable, the journey goes on: the link is
confirmed and the person logs in. Prints one line per step; exit status 0 when every step passed.
Nothing personal is printed: the smoke person is fictitious, and tokens are never shown.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
SMOKE_PERSON = ROOT / "events" / "smoke_person.json"
SES_SIMULATOR_SUCCESS = "success@simulator.amazonses.com"
LOCAL_EMAIL = "essai.fumee@example.test"  # the local stack accepts reserved test domains only there
PASSWORD = "Fumee-Essai-2026"
TIMEOUT = 30


class SmokeFailure(Exception):
    pass


class Smoke:
    def __init__(self, base_url: str, email: str | None) -> None:
        self.base = base_url.rstrip("/")
        self.http = requests.Session()
        self.local = self._is_local()
        self.email = email or (LOCAL_EMAIL if self.local else SES_SIMULATOR_SUCCESS)
        person = json.loads(SMOKE_PERSON.read_text(encoding="utf-8"))["beneficiaries"][0]
        self.person = person

    # -- helpers ---------------------------------------------------------------------------------
    def _is_local(self) -> bool:
        try:
            return self.http.get(f"{self.base}/_local/info", timeout=TIMEOUT).status_code == 200
        except requests.RequestException:
            return False

    def step(self, name: str, answer: requests.Response, *expected: int) -> dict:
        started = getattr(answer, "elapsed", None)
        took = f"{started.total_seconds() * 1000:.0f} ms" if started else ""
        if answer.status_code not in expected:
            code = ""
            if answer.headers.get("Content-Type", "").startswith("application/problem+json"):
                code = answer.json().get("code", "")
            raise SmokeFailure(f"{name}: HTTP {answer.status_code} {code} (expected {', '.join(map(str, expected))})")
        print(f"ok   {name}: {answer.status_code} {took}", flush=True)
        is_json = "json" in answer.headers.get("Content-Type", "")
        return answer.json() if is_json and answer.content else {}

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, f"{self.base}{path}", headers=headers, timeout=TIMEOUT, **kwargs)

    # -- the checks ------------------------------------------------------------------------------
    def routing(self) -> None:
        health = self.step("GET /v1/health", self.call("GET", "/v1/health"), 200)
        if health.get("status") not in ("ok", "up", "healthy", None):
            raise SmokeFailure(f"GET /v1/health: status {health.get('status')!r}")
        home = self.call("GET", "/")
        self.step("GET / (web client)", home, 200)
        if not home.headers.get("Content-Type", "").startswith("text/html"):
            raise SmokeFailure("GET /: not the web client's page")
        route = self.call("GET", "/activation")
        self.step("GET /activation (a navigation route gets the client's page)", route, 200)
        if not route.headers.get("Content-Type", "").startswith("text/html"):
            raise SmokeFailure("GET /activation: not the web client's page")
        unknown = self.call("GET", "/v1/does-not-exist")
        self.step("GET /v1/does-not-exist (the API's own 404 passes unchanged)", unknown, 404)
        if not unknown.headers.get("Content-Type", "").startswith("application/problem+json"):
            raise SmokeFailure("GET /v1/does-not-exist: not the API's problem+json (an error page hid it?)")

    def journey(self) -> None:
        person = self.person
        identity = {"last_name": person["usage_name"] or person["birth_name"], "nir": person["nir"],
                    "birth_date": person["birth_date"], "postal_code": person["postal_code"]}
        signup = self.step("POST /v1/signups", self.call("POST", "/v1/signups", json=identity), 201)
        url, token = f"/v1/signups/{signup['signup_id']}", signup["signup_token"]
        proof = {"iban_last7": person["iban"][-7:], "carte_vitale_serial_last11": person["carte_vitale"]["serial"][-11:]}
        proved = self.call("POST", f"{url}/proof", token, json=proof)
        if proved.status_code == 409:  # the proof step tells an existing account: an earlier run made it
            self.step("POST proof (the account of an earlier run exists)", proved, 409)
            self.existing_account()
            return
        # The terms step shows the terms the proof's answer carries, as the web client does (no GET /v1/terms).
        version = (self.step("POST proof", proved, 200).get("terms") or {}).get("version")
        if not version:
            raise SmokeFailure("POST proof: the answer carries no terms for the next step")
        self.step("POST terms", self.call("POST", f"{url}/terms", token, json={"accepted": True, "version": version}), 200)
        checked = self.step("POST password/check", self.call("POST", f"{url}/password/check", token, json={"password": PASSWORD}), 200)
        if checked.get("valid") is not True:
            raise SmokeFailure("POST password/check: the smoke password is refused by the policy")
        self.step("POST password", self.call("POST", f"{url}/password", token,
                                              json={"password": PASSWORD, "password_confirmation": PASSWORD}), 200)
        contact = {"email": self.email, "email_confirmation": self.email, "email_marketing_consent": False}
        created = self.step("POST contact (account created, link sent)", self.call("POST", f"{url}/contact", token, json=contact), 201)
        if created.get("status") != "pending_email_confirmation":
            raise SmokeFailure(f"POST contact: status {created.get('status')!r}")
        if self.local:
            self.confirm_from_the_local_mailbox()

    def existing_account(self) -> None:
        login = self.call("POST", "/v1/sessions", json={"nir": self.person["nir"], "password": PASSWORD})
        if login.status_code == 201:
            self.step("POST /v1/sessions (active account)", login, 201)
            return
        pending = self.step("POST /v1/sessions (pending account)", login, 403)
        self.step("POST /v1/account/email (a new link to the same address)",
                  self.call("POST", "/v1/account/email", pending.get("pending_token"), json={}), 202)

    def confirm_from_the_local_mailbox(self) -> None:
        deadline = time.monotonic() + 20
        while True:
            messages = self.call("GET", "/_local/mailbox").json()["messages"]
            mine = [m for m in messages if m["to"] == [self.email]]
            if mine or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if not mine:
            raise SmokeFailure("no confirmation email in the local mailbox")
        link = next(word for word in mine[-1]["text"].split() if "token=" in word)
        parts = urlsplit(link)
        token = (parse_qs(parts.fragment) or parse_qs(parts.query))["token"][0]
        self.step("POST /v1/email-confirmations (the link of the email)",
                  self.call("POST", "/v1/email-confirmations", json={"token": token}), 200)
        self.step("POST /v1/sessions (login)", self.call("POST", "/v1/sessions",
                                                          json={"nir": self.person["nir"], "password": PASSWORD}), 201)


@contextlib.contextmanager
def local_stack():
    """`python -m local` on a free port with the smoke person as its registry, stopped afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "LOCAL_PORT": str(port), "LOCAL_FIXTURES": str(SMOKE_PERSON)}
    output = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a full pipe would stall the server
    stack = subprocess.Popen([sys.executable, "-m", "local"], cwd=ROOT, env=environment,
                             stdout=output, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if stack.poll() is not None:
                output.seek(0)
                raise SmokeFailure(f"the local stack stopped at start:\n{output.read()[-3000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/v1/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SmokeFailure("the local stack did not answer within 120 s")
            time.sleep(0.5)
        yield base
    finally:
        stack.terminate()
        try:
            stack.wait(timeout=20)
        except subprocess.TimeoutExpired:
            stack.kill()
        output.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="the stack's public base URL (PublicBaseUrl output)")
    target.add_argument("--start-local", action="store_true", help="start a local stack for the test, then stop it")
    parser.add_argument("--email", help=f"where the link goes (default: {SES_SIMULATOR_SUCCESS}, or a test address locally)")
    args = parser.parse_args(argv)
    if args.start_local:
        try:
            with local_stack() as base:
                return run(base, args.email)
        except SmokeFailure as error:
            print(f"FAIL {error}", file=sys.stderr, flush=True)
            return 1
    return run(args.url, args.email)


def run(url: str, email: str | None) -> int:
    smoke = Smoke(url, email)
    print(f"smoke test of {smoke.base} ({'local stack' if smoke.local else 'deployed stack'})", flush=True)
    try:
        smoke.routing()
        smoke.journey()
    except (SmokeFailure, requests.RequestException, KeyError, ValueError) as error:
        print(f"FAIL {error}", file=sys.stderr, flush=True)
        return 1
    print("smoke test passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
