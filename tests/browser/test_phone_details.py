"""Issue 13, "a journey anyone can finish on a phone": help wherever a person is sent to their caisse,
the forgotten code personnel, back and forward, the proof screen at 360 px, and the smaller items."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

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
    expect(drawing).to_have_attribute("alt", re.compile("numéro de série est imprimé en bas"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for box in (input_box, serial.bounding_box()):
        assert box["x"] + box["width"] <= 360
    shot(page, "51-verification-360")
    # An error stays below the whole row.
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".proof-row--iban + .fr-error-text")).to_be_visible()
