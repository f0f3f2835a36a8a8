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
    through_franceconnect(page)
    # Back on our side: no identity nor proof step, straight to the terms; no token left in the URL.
    expect(h1(page)).to_contain_text("J'accepte les conditions d'utilisation")
    # FranceConnect's pages are out of the back history: Back is our form, Forward the terms again.
    page.go_back()
    expect(h1(page)).to_have_text("Je crée mon compte ameli")
    assert urlsplit(page.url).path == "/creer-mon-compte", page.url
    page.go_forward()
    accept_terms(page, shot=shot, prefix="fc-")
    assert "#" not in page.url and "token" not in page.url
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
