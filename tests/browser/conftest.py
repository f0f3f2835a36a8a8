"""Fixtures of the browser tests: Debian's Chromium driven by Playwright against the local stack.

- `stack`: the local stack with the default durations; `short_stack`: links valid 4 s, addresses kept
  8 s (the deleted-address flow); `expiry_stack`: links valid 4 s, addresses kept 30 s (expired links).
- `page`: a fresh browser context (French, Paris time) per test; console errors, failed requests
  and CSP violations are collected and must stay empty.
- `shot(page, name)`: runs axe-core on the screen (no violation allowed, the results in the
  assertion message) and saves a screenshot to test-artifacts/screenshots/<name>.png.

Skipped, with the reason, when /usr/bin/chromium is missing (`make test` installs it).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.localstack import ROOT, start_local_stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SHORT_DURATIONS = {"CONFIRMATION_LINK_VALIDITY": "PT4S", "PENDING_EMAIL_RETENTION": "PT8S"}
# Links expire after 4 s but addresses stay 30 s: the "expired, not yet deleted" window is wide enough for
# a browser to act in. (With PT8S it would be [4 s, 6 s) only: moto's Wait state, on top of the
# whole-second timestamps of the workflow input, can act up to 2 s before a deadline.)
EXPIRY_DURATIONS = {"CONFIRMATION_LINK_VALIDITY": "PT4S", "PENDING_EMAIL_RETENTION": "PT30S"}


def pytest_collection_modifyitems(config, items):
    """Each test module says `pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]`
    (one xdist worker runs them all: they share the stacks and the browser)."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


# -- the local stacks ---------------------------------------------------------------------------------

def _stop_keeping_log(running, name: str) -> None:
    """Stops the stack; its output stays in test-artifacts/ to explain a failure."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    running.stop_output = running.output()
    running.stop()
    (ARTIFACTS / f"{name}.log").write_text(running.stop_output, encoding="utf-8")


@pytest.fixture(scope="session")
def stack():
    running = start_local_stack()
    yield running.base_url
    _stop_keeping_log(running, "browser-stack")


@pytest.fixture(scope="session")
def short_stack():
    running = start_local_stack(**SHORT_DURATIONS)
    yield running.base_url
    _stop_keeping_log(running, "browser-short-stack")


@pytest.fixture(scope="session")
def expiry_stack():
    running = start_local_stack(**EXPIRY_DURATIONS)
    yield running.base_url
    _stop_keeping_log(running, "browser-expiry-stack")


class Mailbox:
    """The emails the stack sent (`/_local/mailbox`), and the confirmation link in them."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def messages(self, to: str | None = None) -> list[dict]:
        found = requests.get(f"{self.base_url}/_local/mailbox", timeout=5).json()["messages"]
        return [m for m in found if to is None or to in m.get("to", [])]

    def wait_for_link(self, to: str, count: int = 1, timeout: float = 15.0) -> str:
        """The confirmation URL of the `count`-th email sent to `to` (waits for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages(to)
            if len(messages) >= count:
                text = messages[count - 1]["text"] or ""
                match = re.search(r"https?://\S+/activation#token=[A-Za-z0-9_\-.~%]+", text)
                assert match, "no confirmation link in the email text"
                return match.group(0)
            time.sleep(0.2)
        raise AssertionError(f"no email number {count} to {to} within {timeout} s")


@pytest.fixture
def mailbox(stack) -> Mailbox:
    return Mailbox(stack)


@pytest.fixture
def short_mailbox(short_stack) -> Mailbox:
    return Mailbox(short_stack)


@pytest.fixture
def expiry_mailbox(expiry_stack) -> Mailbox:
    return Mailbox(expiry_stack)


# -- the browser ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class PageProblems(list):
    """Console errors, uncaught exceptions, CSP violations and failed requests seen by a page."""


def _new_page(browser, base_url: str, viewport: dict | None):
    context = browser.new_context(
        base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris",
        viewport=viewport or {"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = PageProblems()
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.method} {r.url} {r.failure}"))
    page.problems = problems
    return context, page


def _checked_page(browser, base_url: str, viewport: dict | None = None):
    """A fresh page; when the test is over, it must not have met a console error, an uncaught error,
    a CSP violation or a failed request."""
    context, page = _new_page(browser, base_url, viewport)
    yield page
    context.close()
    assert not _real_problems(page.problems), "\n".join(page.problems)


@pytest.fixture
def page(browser, stack):
    yield from _checked_page(browser, stack)


@pytest.fixture
def phone_page(browser, stack):
    """A 360 px wide screen (a small phone)."""
    yield from _checked_page(browser, stack, {"width": 360, "height": 740})


@pytest.fixture
def short_page(browser, short_stack):
    yield from _checked_page(browser, short_stack)


@pytest.fixture
def expiry_page(browser, expiry_stack):
    yield from _checked_page(browser, expiry_stack)


@pytest.fixture(scope="session")
def franceconnect_stack():
    """A stack of its own: the FranceConnect journey creates the account of the married woman,
    whom other screens' tests use."""
    running = start_local_stack()
    yield running.base_url
    _stop_keeping_log(running, "browser-franceconnect-stack")


@pytest.fixture
def franceconnect_page(browser, franceconnect_stack):
    yield from _checked_page(browser, franceconnect_stack)


@pytest.fixture
def franceconnect_mailbox(franceconnect_stack) -> Mailbox:
    return Mailbox(franceconnect_stack)


def _real_problems(problems: list[str]) -> list[str]:
    # The API answers 4xx on purpose in many tests: Chromium logs each as a console error
    # ("Failed to load resource: the server responded with a status of 422"); those are expected.
    # A screen replaced while one of its icons loads cancels the load (net::ERR_ABORTED): harmless.
    expected = ("Failed to load resource: the server responded with a status of 4", "net::ERR_ABORTED")
    return [p for p in problems if not any(e in p for e in expected)]


# -- accessibility and screenshots ------------------------------------------------------------------------

def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation.get('help')}")
        for node in violation.get("nodes", [])[:5]:
            lines.append(f"    {node.get('target')}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def shot():
    """`shot(page, "01-accueil")`: axe-core finds no violation, then a screenshot is saved."""
    axe = _axe()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def check(page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        page.locator("#app:not([aria-busy])").wait_for()
        results = axe.run(page)
        violations = results.response["violations"]
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        assert not violations, (
            f"axe-core on {name} ({page.url}): {len(violations)} violation(s)\n{_describe(violations)}\n"
            + json.dumps(violations, ensure_ascii=False)[:4000]
        )

    return check
