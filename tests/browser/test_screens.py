"""Screens and behaviours beyond the main journey: refusal, errors next to fields, the keyboard alone,
live feedback on the code personnel, the FranceConnect return page, and the static files (CSP)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from .journey import accept_terms, choose, expect_need_help, fill_identity, fill_proof, h1, person, start_from_landing

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WEB = Path(__file__).resolve().parents[2] / "web"


def test_an_excluded_person_gets_the_refusal_page_with_the_other_ways(page, shot):
    fournier = person("2750131555066")  # no bank details on file: excluded from Option 1
    start_from_landing(page)
    fill_identity(page, fournier)
    expect(h1(page)).to_have_text("Création de compte en ligne impossible")
    expect(page.get_by_text("Contacter votre caisse d'assurance maladie")).to_be_visible()
    expect(page.get_by_role("link", name="S’identifier avec FranceConnect")).to_be_visible()
    expect_need_help(page)
    shot(page, "30-refus")


def test_field_errors_are_shown_next_to_fields_with_a_summary_that_takes_focus(page, shot):
    page.goto("/creer-mon-compte")
    page.get_by_role("button", name="Continuer").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Le formulaire contient 4 erreurs")
    name = page.get_by_label("Mon nom")
    expect(name).to_have_attribute("aria-invalid", "true")
    error_id = name.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_have_text("Indiquez votre nom.")
    expect(page.locator(".fr-input-group--error")).to_have_count(4)
    shot(page, "31-identite-erreurs")

    summary.get_by_role("link", name="Indiquez votre code postal.").click()
    expect(page.get_by_label("Mon code postal")).to_be_focused()

    # An error only the API can see (the NIR's key), next to its field.
    page.get_by_label("Mon nom").fill("VENTURI")
    page.get_by_label("Mon n° de sécurité sociale").fill("1 62 12 2B 010 001 99")
    page.get_by_label("Ma date de naissance").fill("31/02/1990")
    page.get_by_label("Mon code postal").fill("63000")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_label("Ma date de naissance")).to_be_focused()
    expect(page.get_by_text("Cette date n'existe pas")).to_be_visible()
    page.get_by_label("Ma date de naissance").fill("18/12/1962")
    page.get_by_role("button", name="Continuer").click()
    nir = page.get_by_label("Mon n° de sécurité sociale")
    expect(nir).to_have_attribute("aria-invalid", "true")
    expect(nir).to_be_focused()
    expect(page.locator(".fr-input-group--error")).to_have_count(1)


def test_the_identity_and_proof_screens_work_with_the_keyboard_alone(page, shot):
    casanova = person("280102A004017")  # born in Corsica (2A)
    page.goto("/creer-mon-compte")

    def tab_to(selector: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} not reachable with Tab")

    tab_to("button.help-toggle")  # the "?" of "Mon nom"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Vous pouvez indiquer votre nom de naissance ou votre nom d'usage")).to_be_visible()
    expect(page.locator("button.help-toggle").first).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    page.keyboard.type("Casanova")
    tab_to("input[name=nir]")
    page.keyboard.type(casanova.nir)
    tab_to("input[name=birth_date]")
    page.keyboard.type(casanova.birth_date)
    tab_to("input[name=postal_code]")
    page.keyboard.type(casanova.postal_code)
    shot(page, "32-identite-clavier")
    page.keyboard.press("Enter")

    expect(h1(page)).to_have_text("Accédez immédiatement à votre compte")
    expect(h1(page)).to_be_focused()
    tab_to("input[name=iban_last7]")
    page.keyboard.type("0000000")
    tab_to("input[name=carte_vitale_serial_last11]")
    page.keyboard.type(casanova.serial_last11)
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Il vous reste 2 essais.")
    expect(alert).to_be_focused()
    shot(page, "33-verification-erreur")

    tab_to("button.disclosure-toggle")
    page.keyboard.press("Enter")
    expect(page.get_by_text("contacter votre caisse d'assurance maladie")).to_be_visible()
    expect_need_help(page)
    tab_to("input[name=iban_last7]")
    page.keyboard.press("Control+A")
    page.keyboard.type(casanova.iban_last7)
    page.keyboard.press("Enter")
    expect(h1(page)).to_contain_text("J'accepte les conditions d'utilisation")
    tab_to("input[type=radio][value=accept]")
    page.keyboard.press("Space")
    tab_to("button[type=submit]")
    page.keyboard.press("Enter")
    expect(h1(page)).to_contain_text("Je choisis un code personnel")


def test_the_code_personnel_rules_tick_as_the_person_types(page, shot):
    leroy = person("2620875107034", last_name="Leroy")  # a married woman, by her usage name
    start_from_landing(page)
    fill_identity(page, leroy)
    fill_proof(page, leroy)
    accept_terms(page)
    expect(h1(page)).to_contain_text("Étape 2 sur 3")

    checks = []
    page.on("request", lambda r: checks.append(r.url) if r.url.endswith("/password/check") else None)
    rule = lambda key: page.locator(f'[data-rule="{key}"]')  # noqa: E731
    meter = page.locator(".strength-value")
    code = page.get_by_label(re.compile("^Mon nouveau code"))
    expect(rule("length")).to_have_attribute("data-state", "unknown")

    code.press_sequentially("soleil", delay=40)
    expect(rule("length")).to_have_attribute("data-state", "unmet")
    expect(rule("case")).to_have_attribute("data-state", "unmet")
    expect(rule("digit")).to_have_attribute("data-state", "unmet")
    expect(rule("length")).to_contain_text("règle non respectée")
    weak = meter.inner_text()
    shot(page, "34-code-personnel-regles")

    code.press_sequentially("Vert1962", delay=40)  # "soleilVert1962": long enough, mixed case, a digit, the birth year
    expect(rule("length")).to_have_attribute("data-state", "met")
    expect(rule("case")).to_have_attribute("data-state", "met")
    expect(rule("digit")).to_have_attribute("data-state", "met")
    expect(rule("personal")).to_have_attribute("data-state", "unmet")

    # A refused code never looks good: the meter says "refusé", red, and names what is wrong.
    strength_bar = page.locator(".strength-bar")
    reasons = page.locator(".strength-reasons")
    code.fill("Soléil-Vert1")  # the guide's forbidden character
    expect(meter).to_have_text("refusé")
    expect(strength_bar).to_have_attribute("data-strength", "refused")
    expect(reasons).to_have_text("Code refusé : le caractère « é » n'est pas autorisé.")
    expect(rule("allowed")).to_contain_text("le caractère « é » n'est pas autorisé")
    shot(page, "34b-code-personnel-refuse")
    code.fill("soleilvert1")  # strong enough for zxcvbn, but no uppercase letter
    expect(reasons).to_contain_text("il manque une lettre majuscule")
    expect(meter).to_have_text("refusé")
    code.fill("Soleil Vert1")
    expect(reasons).to_contain_text("« espace »")

    code.fill("")
    checks.clear()
    code.press_sequentially("MotdePasse1", delay=40)
    for key in ("length", "case", "digit", "allowed", "personal", "strength"):
        expect(rule(key)).to_have_attribute("data-state", "met")
    expect(meter).not_to_have_text(weak)
    expect(meter).to_have_text(re.compile(r"(moyen|bon|très bon) \([234] sur 4\)"))
    expect(reasons).to_be_hidden()
    expect(strength_bar).not_to_have_attribute("data-strength", "refused")
    assert len(checks) <= 2, f"the rules were checked {len(checks)} times while typing one word"
    live = page.locator("#annonce-regles")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_have_text(re.compile(r"6 règles respectées sur 6\. Niveau indicatif de sécurité : "))
    shot(page, "35-code-personnel-valide")

    # The API refuses what the rules refuse; the confirmation must match.
    code.fill("Azerty123")
    page.get_by_label(re.compile("^Confirmer mon nouveau code")).fill("Azerty123")
    page.get_by_role("button", name="Continuer").click()
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".fr-error-text").filter(has_text="trop facile à deviner")).to_be_visible()
    code.fill("MotdePasse1")
    page.get_by_label(re.compile("^Confirmer mon nouveau code")).fill("MotdePasse2")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Les deux codes personnels saisis ne sont pas identiques.")).to_be_visible()
    page.get_by_label(re.compile("^Confirmer mon nouveau code")).fill("MotdePasse1")
    page.get_by_role("button", name="Continuer").click()
    expect(h1(page)).to_contain_text("Étape 3 sur 3")

    # A reload resumes the signup where it stands (sessionStorage + GET /v1/signups/{id}).
    page.reload()
    expect(h1(page)).to_contain_text("Étape 3 sur 3")
    # The phone consents appear with a number only: the number stays optional for real.
    sms = page.get_by_role("group", name="Par SMS")
    expect(sms).to_be_hidden()
    page.get_by_label("Saisissez votre n° de téléphone portable").fill("06 12 34 56 78")
    expect(sms).to_be_visible()
    choose(sms, "Oui")
    page.get_by_label("Saisissez votre n° de téléphone portable").fill("")
    expect(sms).to_be_hidden()
    expect(page.locator("input[name=mobile_marketing_sms_consent][value=false]")).to_be_checked()
    page.get_by_role("button", name="Annuler").click()
    expect(h1(page)).to_have_text("Le compte ameli")
    expect(page.get_by_text("Votre demande de création de compte a été annulée.")).to_be_visible()


def test_refusing_the_terms_ends_the_signup(page, shot):
    dubois = person("2620875107034")  # by her birth name this time
    start_from_landing(page)
    fill_identity(page, dubois)
    fill_proof(page, dubois)
    expect(h1(page)).to_contain_text("Étape 1 sur 3")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Indiquez si vous acceptez les conditions d'utilisation.")).to_be_visible()
    page.get_by_role("button", name=re.compile("conditions d'utilisation détaillées")).click()
    expect(page.get_by_role("heading", name="Conditions générales d'utilisation du compte ameli")).to_be_visible()
    choose(page, "Non, je refuse")
    page.get_by_role("button", name="Continuer").click()
    expect(h1(page)).to_have_text("Votre compte n'a pas été créé")
    shot(page, "36-conditions-refusees")


@pytest.mark.parametrize("code, title", [
    ("FRANCECONNECT_CANCELLED", "Identification avec FranceConnect annulée"),
    ("FRANCECONNECT_FAILED", "L'identification avec FranceConnect n'a pas abouti"),
    ("ONLINE_SIGNUP_UNAVAILABLE", "Création de compte en ligne impossible"),
    ("ACCOUNT_ALREADY_EXISTS", "Vous avez déjà un compte ameli"),
])
def test_the_franceconnect_return_page_reads_and_clears_its_fragment(page, shot, code, title):
    page.goto(f"/franceconnect/retour#error={code}")
    expect(h1(page)).to_have_text(title)
    assert "#" not in page.url, page.url
    shot(page, f"37-franceconnect-{code.lower()}")


def test_the_franceconnect_button_goes_to_the_api_with_this_origin_as_return(page, stack):
    page.goto("/creer-mon-compte")
    button = page.get_by_role("link", name="S’identifier avec FranceConnect")
    expected = f"/v1/franceconnect/login?return_to={requests.utils.quote(stack + '/franceconnect/retour', safe='')}"
    expect(button).to_have_attribute("href", expected)
    what = page.get_by_role("link", name="Qu’est-ce que FranceConnect ?")
    expect(what).to_have_attribute("target", "_blank")
    expect(what).to_have_attribute("title", re.compile("nouvelle fenêtre"))


def test_unknown_paths_show_a_not_found_page(page, shot):
    page.goto("/une-page-qui-n-existe-pas")
    expect(h1(page)).to_have_text("Page non trouvée")
    shot(page, "38-page-non-trouvee")


def test_the_activation_page_without_its_token_explains_what_to_do(page, shot):
    page.goto("/activation")
    expect(h1(page)).to_have_text("Ce lien est incomplet")
    expect(page).to_have_title(re.compile("^Lien incomplet"))
    shot(page, "39-activation-lien-incomplet")


def test_a_person_who_already_has_an_account_is_sent_to_the_login(page, stack, shot):
    martin = person("2951213055062")
    # Her account exists (pending confirmation), created through the API.
    api = f"{stack}/v1"
    started = requests.post(f"{api}/signups", json={
        "last_name": "MARTIN", "nir": martin.nir, "birth_date": "1995-12-01", "postal_code": martin.postal_code,
    }, timeout=10).json()
    bearer = {"Authorization": f"Bearer {started['signup_token']}"}
    steps = [
        ("proof", {"iban_last7": martin.iban_last7, "carte_vitale_serial_last11": martin.serial_last11}),
        ("terms", {"accepted": True, "version": requests.get(f"{api}/terms", timeout=10).json()["version"]}),
        ("password", {"password": "MotdePasse1", "password_confirmation": "MotdePasse1"}),
        ("contact", {"email": "elodie@example.test", "email_confirmation": "elodie@example.test",
                     "email_marketing_consent": False}),
    ]
    for step, body in steps:
        answer = requests.post(f"{api}/signups/{started['signup_id']}/{step}", json=body, headers=bearer, timeout=10)
        assert answer.ok, (step, answer.status_code, answer.json().get("code"))

    start_from_landing(page)
    fill_identity(page, martin)
    fill_proof(page, martin)
    expect(h1(page)).to_have_text("Vous avez déjà un compte ameli")
    shot(page, "40-compte-existant")
    page.get_by_role("link", name="Se connecter").last.click()
    expect(h1(page)).to_have_text("Se connecter à mon compte ameli")


def test_three_wrong_proofs_lock_the_online_signup_with_the_wait(short_page, shot):
    page = short_page  # a stack of its own: the lock lasts 24 h for this NIR
    casanova = person("280102A004017")
    start_from_landing(page)
    fill_identity(page, casanova)
    iban = page.get_by_label("Saisissez les 7 derniers chiffres de votre IBAN")
    serial = page.get_by_label("Saisissez les 11 derniers chiffres du numéro de série")
    alert = page.get_by_role("alert")
    for left in (2, 1):
        iban.fill("0000000")
        serial.fill(casanova.serial_last11)
        page.get_by_role("button", name="Valider").click()
        expect(alert).to_contain_text(f"Il vous reste {left} essai")
    iban.fill("0000000")
    page.get_by_role("button", name="Valider").click()
    expect(alert).to_contain_text("Trop de tentatives")
    expect(alert).to_contain_text(re.compile(r"Vous pourrez réessayer dans environ 24 heures, à partir du "))
    expect(alert).to_be_focused()
    expect_need_help(page)
    shot(page, "41-verification-bloquee")


class _Inline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("an inline <script>")
        if tag == "style":
            self.problems.append("a <style> element")
        for name in names:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"a {name}= attribute on <{tag}>")


def test_the_client_is_served_csp_friendly(stack):
    answer = requests.get(f"{stack}/", timeout=5)
    assert answer.status_code == 200
    assert "script-src 'self'" in answer.headers.get("Content-Security-Policy", "")
    parser = _Inline()
    parser.feed(answer.text)
    assert not parser.problems, parser.problems
    assert '<html lang="fr">' in answer.text

    for script in sorted((WEB / "js").rglob("*.js")):
        text = script.read_text(encoding="utf-8")
        for forbidden in (".innerHTML", "eval(", "new Function", "setAttribute(\"style\"", ".style."):
            assert forbidden not in text, f"{script.relative_to(WEB)} uses {forbidden}"

    for path in ("/dist/app.css", "/dist/app.js", "/dist/fonts/marianne-regular.woff2",
                 "/dist/fonts/marianne-bold.woff2", "/dist/activation.css", "/dist/activation.js"):
        assert requests.get(f"{stack}{path}", timeout=5).status_code == 200, path
    for built in ("app.css", "app.js", "activation.css", "activation.js"):
        text = (WEB / "dist" / built).read_text(encoding="utf-8")
        assert "eval(" not in text and "new Function" not in text, f"dist/{built}"
    assert 'src="/dist/app.js"' in answer.text
    # A client path without a file is the single-page app's shell; the confirmation link's page is its own.
    fallback = requests.get(f"{stack}/activation/lien-expire", timeout=5)
    assert fallback.status_code == 200 and 'src="/dist/app.js"' in fallback.text
    link_page = requests.get(f"{stack}/activation", timeout=5)
    assert link_page.status_code == 200 and 'src="/dist/activation.js"' in link_page.text
    assert "/dist/app." not in link_page.text and "/fonts/" not in link_page.text
    assert "script-src 'self'" in link_page.headers.get("Content-Security-Policy", "")
    # The favicon is inline in both pages (the CSP allows img-src data:): no request of its own.
    for html in (answer.text, link_page.text):
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
        assert len(icons) == 1 and icons[0].startswith("data:image/svg+xml,"), icons
    assert "img-src 'self' data:" in link_page.headers["Content-Security-Policy"]
    parser = _Inline()
    parser.feed(link_page.text)
    assert not parser.problems, parser.problems
