"""Option 2 end to end: our API and the local FranceConnect provider over HTTP, following the
redirects and submitting the provider's forms as a browser would."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urljoin, urlsplit

import jsonschema
import pytest
import requests

from tests.e2e.localstack import ROOT
from tests.franceconnect_provider.oidc_client import Page

pytestmark = pytest.mark.e2e

PASSWORD = "MotdePasse1"
DUBOIS_NIR = "2620875107034"


class _NoFollow:
    """A session whose form posts stop at the first redirect, so the test sees each hop."""

    def __init__(self, session: requests.Session) -> None:
        self.session = session

    def post(self, url: str, **kwargs) -> requests.Response:
        return self.session.post(url, allow_redirects=False, **kwargs)


def _follow_until(session: requests.Session, response: requests.Response, prefix: str) -> str:
    """Follows redirects by hand until one points at `prefix`; returns that URL (fragment included)."""
    for _ in range(5):
        assert response.status_code in (302, 303), (response.status_code, response.text[:300])
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(prefix):
            return location
        response = session.get(location, allow_redirects=False)
    raise AssertionError("too many redirects")


def franceconnect(base: str, *, login: str = "test", password: str = "123", provider: str = "impots.gouv.fr",
                  button: str = "Continuer sur L'Assurance Maladie", session: requests.Session | None = None):
    """Clicks "S'identifier avec FranceConnect" and plays the provider's pages; returns the fragment
    our callback sends the browser back with, and the session (the browser)."""
    browser = session or requests.Session()
    return_to = f"{base}/franceconnect/retour"
    start = browser.get(f"{base}/v1/franceconnect/login", params={"return_to": return_to}, allow_redirects=False)
    assert start.status_code == 302 and "fc_binding=" in start.headers["Set-Cookie"]
    authorize = urlsplit(start.headers["Location"])
    query = parse_qs(authorize.query)
    assert query["acr_values"] == ["eidas1"] and len(query["nonce"][0]) == 64 and len(query["state"][0]) == 64
    choice = Page.of(browser.get(start.headers["Location"]))
    if choice.status != 200 or "error=" in choice.url:  # the provider answered at once (server_error mode)
        final = choice.url
    else:
        login_page = Page.of(choice.submit(browser, provider))
        confirm = Page.of(login_page.submit(browser, "Se connecter", {"Identifiant": login, "Mot de passe": password}))
        assert "Vous allez vous connecter en tant que" in confirm.text, confirm.text
        final = _follow_until(browser, confirm.submit(_NoFollow(browser), button), return_to)
    fragment = urlsplit(final).fragment
    return {key: values[0] for key, values in parse_qs(fragment).items()}, browser


def misbehave(base: str, mode: str) -> None:
    assert requests.post(f"{base}/_fc/_control/misbehave", json={"mode": mode}).status_code == 200


def continue_signup(base: str, fragment: dict, email: str) -> dict:
    auth = {"Authorization": f"Bearer {fragment['signup_token']}"}
    signup = f"{base}/v1/signups/{fragment['signup_id']}"
    assert requests.post(f"{signup}/terms", json={"accepted": True, "version": "2020-04"}, headers=auth).status_code == 200
    chosen = requests.post(f"{signup}/password", json={"password": PASSWORD, "password_confirmation": PASSWORD},
                           headers=auth)
    assert chosen.status_code == 200, chosen.text
    contact = requests.post(f"{signup}/contact", headers=auth, json={
        "email": email, "email_confirmation": email, "email_marketing_consent": True})
    assert contact.status_code == 201, contact.text
    return contact.json()


def test_married_woman_signs_up_with_franceconnect_confirms_and_logs_in(local_stack):
    fragment, browser = franceconnect(local_stack)
    assert fragment["next_step"] == "terms" and fragment["signup_id"] and fragment["signup_token"]
    # The proof step is FranceConnect's: the Carte Vitale + IBAN step is not asked.
    auth = {"Authorization": f"Bearer {fragment['signup_token']}"}
    status = requests.get(f"{local_stack}/v1/signups/{fragment['signup_id']}", headers=auth).json()
    assert status["next_step"] == "terms"
    # The terms step shows the terms this answer gives: no GET /v1/terms.
    assert status["terms"] == requests.get(f"{local_stack}/v1/terms").json()
    assert status["email_suggestion"] == "angela.dubois@example.test"  # to prefill, never to match
    # What FranceConnect sent, for her to check it is hers; and the way out if it is not.
    assert status["franceconnect_identity"] == {
        "given_names": "Angela Claire Louise", "birth_name": "DUBOIS", "usage_name": "LEROY",
        "birth_date": "1962-08-24", "birth_date_precision": "day", "gender": "female",
        "birthplace": "75107", "birthcountry": "99100"}
    assert status["franceconnect_logout_url"].startswith(f"{local_stack}/_fc/api/v2/session/end?")

    created = continue_signup(local_stack, fragment, "angela.dubois@example.test")
    logout = created["franceconnect_logout_url"]
    assert logout.startswith(f"{local_stack}/_fc/api/v2/session/end?")
    back = browser.get(logout, allow_redirects=False)
    assert back.status_code in (302, 303)
    assert back.headers["Location"].startswith(f"{local_stack}/creer-mon-compte/messagerie")

    message = requests.get(f"{local_stack}/_local/mailbox").json()["messages"][-1]
    assert message["to"] == ["angela.dubois@example.test"]
    token = message["text"].split("token=", 1)[1].split()[0]
    assert requests.post(f"{local_stack}/v1/email-confirmations", json={"token": token}).json() == {"status": "active"}
    session = requests.post(f"{local_stack}/v1/sessions", json={"nir": DUBOIS_NIR, "password": PASSWORD})
    assert session.status_code == 201, session.text

    again, _ = franceconnect(local_stack)
    assert again == {"error": "ACCOUNT_ALREADY_EXISTS"}


def test_person_born_abroad_is_matched(local_stack):
    fragment, _ = franceconnect(local_stack, login="eleni", provider="L'Identité Numérique La Poste")
    assert fragment["next_step"] == "terms"


def test_the_identity_received_goes_to_the_signup_token_holder_only_and_never_to_the_logs(running_stack):
    base = running_stack.base_url
    before = len(running_stack.output())  # the start lists the demo people, on purpose: only what follows counts
    fragment, _ = franceconnect(base, login="eleni", provider="L'Identité Numérique La Poste")
    status_url = f"{base}/v1/signups/{fragment['signup_id']}"
    mine = requests.get(status_url, headers={"Authorization": f"Bearer {fragment['signup_token']}"})
    assert mine.status_code == 200
    document = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    documented = document["paths"]["/v1/signups/{signup_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    jsonschema.validate(mine.json(), {**documented["schema"], "components": document["components"]})
    # Born abroad: no commune, the country's code.
    assert mine.json()["franceconnect_identity"] == {
        "given_names": "Eleni", "birth_name": "PAPADOPOULOS", "birth_date": "1983-06-12",
        "birth_date_precision": "day", "gender": "female", "birthcountry": "99126"}
    refused = [requests.get(status_url),
               requests.get(status_url, headers={"Authorization": "Bearer " + "x" * 43}),
               requests.delete(status_url, headers={"Authorization": "Bearer " + "x" * 43})]
    for answer in refused:
        assert answer.status_code == 401 and answer.json()["code"] == "SIGNUP_SESSION_INVALID"
        assert "PAPADOPOULOS" not in answer.text and "Eleni" not in answer.text and "1983" not in answer.text
    logged = running_stack.output()[before:]
    assert "SignupStarted" in logged  # the functions' logs are there
    for personal in ("PAPADOPOULOS", "Papadopoulos", "Eleni", "1983-06-12", "99126", fragment["signup_token"]):
        assert personal not in logged, f"{personal!r} is in the stack's logs"


@pytest.mark.parametrize("login", ["inconnu", "michel"])
def test_nobody_matched_or_excluded_gets_the_uniform_refusal(local_stack, login):
    fragment, _ = franceconnect(local_stack, login=login, provider="ameli.fr")
    assert fragment == {"error": "ONLINE_SIGNUP_UNAVAILABLE"}


def test_going_back_at_franceconnect_cancels(local_stack):
    fragment, _ = franceconnect(local_stack, login="paul", button="Revenir")
    assert fragment == {"error": "FRANCECONNECT_CANCELLED"}


@pytest.mark.parametrize("mode", [
    "wrong_signature", "wrong_iss", "wrong_aud", "wrong_nonce", "wrong_acr", "expired_token", "unknown_kid",
    "wrong_at_hash", "json_userinfo", "userinfo_other_sub", "userinfo_wrong_signature", "userinfo_unknown_kid",
    "userinfo_wrong_iss", "userinfo_expired_token", "wrong_callback_iss", "server_error_callback",
])
def test_every_misbehaviour_of_franceconnect_ends_in_failure_without_a_signup(local_stack, mode):
    misbehave(local_stack, mode)
    try:
        fragment, _ = franceconnect(local_stack, login="eleni")
    finally:
        misbehave(local_stack, "none")
    assert fragment == {"error": "FRANCECONNECT_FAILED"}
    # The same person, with a provider that behaves, does get a signup: the refusal was the check's.
    assert franceconnect(local_stack, login="eleni")[0]["next_step"] == "terms"


def test_callback_in_another_browser_or_replayed_fails(local_stack):
    browser = requests.Session()
    start = browser.get(f"{local_stack}/v1/franceconnect/login",
                        params={"return_to": f"{local_stack}/franceconnect/retour"}, allow_redirects=False)
    choice = Page.of(browser.get(start.headers["Location"]))
    login_page = Page.of(choice.submit(browser, "impots.gouv.fr"))
    confirm = Page.of(login_page.submit(browser, "Se connecter", {"Identifiant": "eleni", "Mot de passe": "123"}))
    to_callback = confirm.submit(_NoFollow(browser), "Continuer sur L'Assurance Maladie")
    callback_url = urljoin(to_callback.url, to_callback.headers["Location"])

    stranger = requests.get(callback_url, allow_redirects=False)  # no binding cookie
    assert stranger.headers["Location"].endswith("#error=FRANCECONNECT_FAILED")
    replayed = browser.get(callback_url, allow_redirects=False)  # the state was spent by the first call
    assert replayed.headers["Location"].endswith("#error=FRANCECONNECT_FAILED")


def test_return_to_outside_the_allow_list_is_refused(local_stack):
    answer = requests.get(f"{local_stack}/v1/franceconnect/login",
                          params={"return_to": "https://evil.example/steal"}, allow_redirects=False)
    assert answer.status_code == 422
    assert answer.json()["errors"][0] == {"field": "return_to", "code": "NOT_ALLOWED",
                                          "message": "Cette adresse de retour n'est pas autorisée."}


def test_rotated_keys_are_fetched_again_once(local_stack):
    assert franceconnect(local_stack, login="eleni")[0]["next_step"] == "terms"  # our JWKS cache is warm
    assert requests.post(f"{local_stack}/_fc/_control/rotate-keys").status_code == 200
    assert franceconnect(local_stack, login="eleni")[0]["next_step"] == "terms"


def test_the_franceconnect_functions_calls_are_allowed_by_their_roles(local_stack):
    """Last in this module: the least-privilege check (local/iam.py) over the calls of the journeys above."""
    assert franceconnect(local_stack, login="paul")[0]["next_step"] == "terms"

    report = requests.get(f"{local_stack}/_local/iam", timeout=120).json()

    assert report["checked"] > 0
    assert report["denied"] == [], "\n".join(report["denied"])
