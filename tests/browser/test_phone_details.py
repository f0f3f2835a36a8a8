"""Issue 13, "a journey anyone can finish on a phone": help wherever a person is sent to their caisse,
the forgotten code personnel, back and forward, the proof screen at 360 px, and the smaller items."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.localstack import ROOT

from .journey import VENTURI, expect_need_help, fill_identity, h1, start_from_landing

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_login_page_leads_to_an_honest_forgotten_code_page(phone_page, shot):
    page = phone_page
    page.goto("/connexion")
    page.get_by_role("link", name="Code personnel oublié ?").click()
    expect(h1(page)).to_have_text("Vous avez oublié votre code personnel ?")
    expect(page).to_have_title(re.compile("^Code personnel oublié"))
    expect(page.get_by_text("ne permet pas encore de choisir un nouveau code personnel en ligne")).to_be_visible()
    expect_need_help(page)
    shot(page, "50-code-oublie")
    page.get_by_role("link", name="Retour à la connexion").click()
    expect(h1(page)).to_have_text("Se connecter à mon compte ameli")


@pytest.mark.parametrize("path", ["/franceconnect/retour#error=ONLINE_SIGNUP_UNAVAILABLE"])
def test_the_franceconnect_refusal_says_how_to_reach_a_counsellor(phone_page, shot, path):
    phone_page.goto(path)
    expect(h1(phone_page)).to_have_text("Création de compte en ligne impossible")
    expect_need_help(phone_page)


def test_the_proof_screen_reads_as_in_the_guide_on_a_360_px_phone(phone_page, shot):
    page = phone_page
    start_from_landing(page)
    fill_identity(page, VENTURI)
    expect(h1(page)).to_have_text("Accédez immédiatement à votre compte")
    iban_row = page.locator(".proof-row--iban")
    expect(iban_row).to_have_text("FR76 3000 4*** **** ****")
    iban = page.get_by_label("Saisissez les 7 derniers chiffres de votre IBAN")
    # The last group of the IBAN on file and the input stay on one line, whatever the width.
    last_group = iban_row.locator(".proof-tail .proof-group")
    group_box, input_box = last_group.bounding_box(), iban.bounding_box()
    assert abs((group_box["y"] + group_box["height"] / 2) - (input_box["y"] + input_box["height"] / 2)) < 8
    assert input_box["x"] > group_box["x"]
    serial = page.get_by_label("Saisissez les 11 derniers chiffres du numéro de série")
    prefix_box = page.locator(".proof-row--serial .proof-group").bounding_box()
    assert abs(prefix_box["y"] - serial.bounding_box()["y"]) < 16, "the serial's first digits and the input share a row"
    # Where the serial is printed: a drawing, described in words.
    drawing = page.locator("figure.serial-drawing img")
    expect(drawing).to_be_visible()
    expect(drawing).to_have_attribute("alt", re.compile("recto .* numéro de série est imprimé à droite de la photo"))
    expect(page.locator("#dessin-carte-legende")).to_contain_text("au recto de votre carte Vitale avec photo")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for box in (input_box, serial.bounding_box()):
        assert box["x"] + box["width"] <= 360
    shot(page, "51-verification-360")
    # An error stays below the whole row.
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".proof-row--iban + .fr-error-text")).to_be_visible()


def test_before_the_form_what_to_have_ready_and_who_cannot_sign_up_online(phone_page, shot):
    page = phone_page
    page.goto("/creer-mon-compte")
    expect(page.get_by_text("Avant de commencer, munissez-vous de :")).to_be_visible()
    expect(page.get_by_text("carte Vitale avec photo", exact=True)).to_be_visible()
    who = page.get_by_role("button", name="Qui ne peut pas créer son compte en ligne ?")
    expect(who).to_have_attribute("aria-expanded", "false")  # folded: it does not slow those who can
    who.click()
    expect(page.get_by_text("CAMIEG, CANSSM, CAVIMAC, CNMSS, CRPCEN, ENIM, MGP")).to_be_visible()
    expect(page.get_by_text("numéro de sécurité sociale provisoire")).to_be_visible()
    expect_need_help(page)
    # The "?" buttons are touch targets of 44 x 44 px at least.
    for toggle in page.locator("button.help-toggle").all():
        box = toggle.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
    # The date hint works on a numeric keypad that has no "/": the 8 digits are enough.
    date = page.get_by_label("Ma date de naissance")
    expect(date).to_have_attribute("inputmode", "numeric")
    expect(page.get_by_text(re.compile("tapez les 8 chiffres : 18121962"))).to_be_visible()
    shot(page, "52-identite-avant-de-commencer")
    page.get_by_label("Mon nom").fill(VENTURI.last_name)
    page.get_by_label("Mon n° de sécurité sociale").fill(VENTURI.nir)
    date.fill("18121962")
    page.get_by_label("Mon code postal").fill(VENTURI.postal_code)
    page.get_by_role("button", name="Continuer").click()
    expect(h1(page)).to_have_text("Accédez immédiatement à votre compte")


def test_a_link_pasted_into_an_open_activation_page_is_read(page):
    page.goto("/activation")
    expect(h1(page)).to_have_text("Ce lien est incomplet")
    page.goto("/activation#token=un-jeton-colle")  # same page, new fragment: a hashchange
    expect(h1(page)).to_have_text("Activer mon compte ameli")
    assert "#" not in page.url and "token" not in page.url, page.url


def test_the_signup_session_end_is_announced_before_and_when_it_comes(page, shot):
    page.clock.install()
    start_from_landing(page)
    fill_identity(page, VENTURI)
    expect(h1(page)).to_have_text("Accédez immédiatement à votre compte")
    page.clock.fast_forward("25:30")
    warning = page.locator("#avis-fin-session")
    expect(warning).to_contain_text(re.compile(r"Il vous reste [45] minutes pour terminer"))
    expect(warning).to_have_attribute("role", "alert")
    shot(page, "53-avertissement-fin-de-session")
    page.clock.fast_forward("05:00")
    expect(warning).to_contain_text("Le délai de 30 minutes est dépassé")
    expect(warning.get_by_role("link", name="Recommencer la création de mon compte")).to_be_visible()


def _template_default(name: str) -> str:
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    return re.search(rf"\n  {name}:\n(?:    .*\n)*?    Default: (\S+)", text).group(1)


def test_the_footer_leads_to_the_accessibility_statement_and_the_legal_pages(phone_page, shot):
    page = phone_page
    page.goto("/")
    footer = page.locator("footer")
    footer.get_by_role("link", name="Accessibilité : partiellement conforme").click()
    expect(h1(page)).to_have_text("Déclaration d'accessibilité")
    for text in ("partiellement conforme", "RGAA", "Pages auditées", "Non-conformités", "Dérogations",
                 "Retour d'information et contact", "Voies de recours", "Défenseur des droits"):
        expect(page.locator("#app")).to_contain_text(text)
    shot(page, "54-accessibilite")

    footer.get_by_role("link", name="Mentions légales").click()
    expect(h1(page)).to_have_text("Mentions légales")
    expect(page.locator("#app")).to_contain_text("Directeur de la publication")
    shot(page, "55-mentions-legales")

    footer.get_by_role("link", name="Données personnelles").click()
    expect(h1(page)).to_have_text("Vos données personnelles")
    table = page.get_by_role("table", name="Durée de conservation de chaque donnée")
    # The periods the product applies (template defaults and code constants), not figures of our own.
    validity = int(re.fullmatch(r"P(\d+)D", _template_default("ConfirmationLinkValidity")).group(1))
    retention = int(re.fullmatch(r"P(\d+)D", _template_default("PendingEmailRetention")).group(1))
    expect(table).to_contain_text(f"valable {validity} jours")
    expect(table).to_contain_text(f"effacée {retention} jours après l'envoi du dernier lien")
    log_days = sorted(set(re.findall(r"RetentionInDays: (\d+)", (ROOT / "template.yaml").read_text(encoding="utf-8"))))
    for days in log_days:
        expect(table).to_contain_text(f"{days} jours")
    expect(table).to_contain_text("30 minutes")
    for text in ("Responsable du traitement", "Base légale", "Vos droits", "CNIL"):
        expect(page.locator("#app")).to_contain_text(text)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "56-donnees-personnelles")


def test_a_tap_on_menu_before_the_dsfr_scripts_are_set_up_opens_the_menu_once_they_are(phone_page):
    """The DSFR's scripts (in dist/app.js) set the header up once the first screen is rendered: while a screen
    waits for the API, the header's Menu is already there; a tap then is kept, and replayed."""
    page = phone_page
    delayed = []

    def slow(route):
        page.wait_for_timeout(1500)  # a slow network: the screen waits for its answer
        delayed.append(route.request.url)
        route.continue_()

    page.route(re.compile(r"/v1/account$"), slow)
    # A session the API no longer knows: "Mon compte" asks GET /v1/account, then goes to the login.
    page.add_init_script("sessionStorage.setItem('ameli.session', JSON.stringify({ token: 'ended' }))")
    page.goto("/mon-compte", wait_until="domcontentloaded")
    set_up = "button => button.getAttributeNames().some((name) => name.startsWith('data-fr-js'))"
    assert not page.locator("#bouton-menu").evaluate(set_up), "the DSFR was set up before the tap: proves nothing"
    page.get_by_role("button", name="Menu").click()
    menu = page.locator("#menu-principal")
    expect(menu.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(h1(page)).to_have_text("Se connecter à mon compte ameli")
    assert delayed, "GET /v1/account was not delayed: the test proves nothing"