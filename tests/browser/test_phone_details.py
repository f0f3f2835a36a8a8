"""Issue 13, "a journey anyone can finish on a phone": help wherever a person is sent to their caisse,
the forgotten code personnel, back and forward, the proof screen at 360 px, and the smaller items."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .journey import expect_need_help, h1

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
