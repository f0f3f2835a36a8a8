"""Option 2 in the browser: the FranceConnect button, the local provider's pages, then the common
steps, the FranceConnect logout, activation and login (issue 4's and 5's "done when")."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .journey import PASSWORD, accept_terms, activate, choose_password, give_contact, h1, log_in, open_link, person

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# The married woman of the demo fixtures: FranceConnect knows her as DUBOIS (birth name), LEROY (usage).
DUBOIS = person("2620875107034")


def through_franceconnect(page, login: str = "test", password: str = "123") -> None:
    page.goto("/creer-mon-compte")
    page.get_by_role("link", name=re.compile("S.identifier avec FranceConnect")).click()
    expect(page.locator("h1")).to_contain_text("Je choisis un compte")  # the provider's own page
    page.get_by_role("button", name="impots.gouv.fr").click()
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Vous allez vous connecter en tant que")).to_be_visible()
    page.get_by_role("button", name="Continuer sur L'Assurance Maladie").click()


def test_a_married_woman_creates_her_account_with_franceconnect(franceconnect_page, franceconnect_mailbox, shot):
    page, mailbox = franceconnect_page, franceconnect_mailbox
    # The identity check's GET /v1/signups/{id} gives the terms step what it shows: neither GET /v1/terms
    # nor a second GET of the signup on the way to the code personnel.
    reads: list[str] = []
    page.on("request", lambda request: reads.append(f"{request.method} {urlsplit(request.url).path}")
            if request.method == "GET" and urlsplit(request.url).path.startswith(("/v1/signups/", "/v1/terms"))
            else None)
    through_franceconnect(page)
    # Back on our side: no identity nor proof step; first the identity FranceConnect sent, to check it is hers.
    expect(h1(page)).to_have_text("Vérifiez votre identité")
    expect(page).to_have_title(re.compile("^Vérifiez votre identité"))
    assert identity_shown(page) == {
        "Prénoms": "Angela Claire Louise", "Nom de naissance": "DUBOIS", "Nom d'usage": "LEROY", "Sexe": "Féminin",
        "Date de naissance": "24/08/1962", "Lieu de naissance": "Paris, commune de code INSEE 75107"}
    assert "#" not in page.url and "token" not in page.url
    shot(page, "fc-03-identite-recue")
    # FranceConnect's pages are out of the back history: Back is our form, Forward this screen again.
    page.go_back()
    expect(h1(page)).to_have_text("Je crée mon compte ameli")
    assert urlsplit(page.url).path == "/creer-mon-compte", page.url
    page.go_forward()
    expect(h1(page)).to_have_text("Vérifiez votre identité")
    # Each showing of the identity asked once (the return, then Forward), as it must; then no more.
    assert len(reads) == 2 and all(read.startswith("GET /v1/signups/") for read in reads), reads
    page.get_by_role("link", name="C'est bien moi, continuer").click()
    expect(page.locator(".terms-text")).to_contain_text("Version 2020-04")
    accept_terms(page, shot=shot, prefix="fc-")
    assert "#" not in page.url and "token" not in page.url
    expect(h1(page)).to_contain_text("Je choisis un code personnel")
    assert len(reads) == 2, reads
    choose_password(page)
    # FranceConnect's address prefills the first email field; the person still confirms it.
    expect(page.get_by_label("Saisissez votre adresse email")).to_have_value("angela.dubois@example.test")
    expect(page.get_by_label("Je confirme mon adresse email")).to_have_value("")
    give_contact(page, "angela.dubois@example.test", shot=shot, prefix="fc-")
    # The client opened FranceConnect's logout, which brought the person back to this page with the
    # logout's state, checked and removed from the address bar.
    assert urlsplit(page.url).path == "/creer-mon-compte/messagerie", page.url
    expect(h1(page)).to_have_text("Consultez votre messagerie")
    assert "state=" not in page.url, page.url
    # The full address survives the logout's round trip (this tab only), to be reread and corrected.
    expect(page.locator(".email-address")).to_have_text("angela.dubois@example.test")
    shot(page, "fc-07-messagerie")
    # Nor FranceConnect's logout: Back stays on our pages, and says what to do next.
    page.go_back()
    assert "/_fc" not in page.url, page.url
    expect(h1(page)).to_have_text("Consultez votre messagerie")
    page.go_forward()
    assert "/_fc" not in page.url, page.url

    open_link(page, mailbox.wait_for_link("angela.dubois@example.test"))
    activate(page)
    log_in(page, DUBOIS, PASSWORD)
    expect(h1(page)).to_contain_text("Mon compte")

    # Coming back through FranceConnect, she is told she already has an account.
    page.context.clear_cookies()
    through_franceconnect(page)
    expect(h1(page)).to_have_text("Vous avez déjà un compte ameli")
    shot(page, "fc-40-compte-existant")


def identity_shown(page) -> dict[str, str]:
    terms = page.locator(".received-identity dt").all_inner_texts()
    return dict(zip(terms, page.locator(".received-identity dd").all_inner_texts(), strict=True))


def test_not_me_on_a_phone_cancels_the_signup_and_logs_out_of_franceconnect(franceconnect_page, shot):
    page = franceconnect_page
    page.set_viewport_size({"width": 360, "height": 740})
    through_franceconnect(page, login="eleni")
    expect(h1(page)).to_have_text("Vérifiez votre identité")
    assert identity_shown(page) == {
        "Prénoms": "Eleni", "Nom de naissance": "PAPADOPOULOS", "Sexe": "Féminin",
        "Date de naissance": "12/06/1983", "Lieu de naissance": "À l'étranger (pays de code INSEE 99126)"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    shot(page, "fc-03-identite-recue-360")
    signup = page.evaluate("JSON.parse(sessionStorage.getItem('ameli.signup'))")

    # By keyboard: from the title, the first stop is the way out.
    page.keyboard.press("Tab")
    not_me = page.get_by_role("button", name="Ce n'est pas moi : me déconnecter de FranceConnect")
    expect(not_me).to_be_focused()
    page.keyboard.press("Enter")

    # FranceConnect's logout came back, and the person is told what happened.
    expect(h1(page)).to_have_text("Vous êtes déconnecté de FranceConnect")
    assert urlsplit(page.url).path == "/franceconnect/retour" and "state=" not in page.url, page.url
    expect(page.get_by_text("la création de compte a été annulée", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("S.identifier avec FranceConnect"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "fc-05-pas-moi-deconnecte-360")
    # The signup is cancelled: its token opens nothing any more, and this tab forgot it.
    assert page.evaluate("sessionStorage.getItem('ameli.signup')") is None
    gone = page.request.get(f"/v1/signups/{signup['id']}", headers={"Authorization": f"Bearer {signup['token']}"})
    assert gone.status == 401
    # FranceConnect's logout page is not in the back history.
    page.go_back()
    assert "/_fc" not in page.url, page.url


def test_an_identity_matching_nobody_gets_the_refusal_with_advice(franceconnect_page):
    page = franceconnect_page
    through_franceconnect(page, login="inconnu")
    expect(h1(page)).to_have_text("Création de compte en ligne impossible")
    expect(page.get_by_role("link", name="Je crée mon compte avec ma carte Vitale")).to_be_visible()


def test_a_logout_return_this_tab_did_not_ask_for_is_not_taken_for_one(franceconnect_page):
    # Issue 12 defect 10: the logout's state is kept by the client and checked on return.
    page = franceconnect_page
    page.goto("/creer-mon-compte/messagerie?state=" + "F" * 64)
    expect(h1(page)).to_have_text("Retour de FranceConnect")
    expect(page.get_by_text("Votre compte ameli est créé")).to_have_count(0)
    assert "state=" not in page.url, page.url
