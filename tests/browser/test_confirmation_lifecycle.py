"""The confirmation link's lifecycle (journey.md section 3) with short durations: expired link (same
address, other address; links last 4 s, addresses 30 s) and deleted address (links 4 s, addresses 8 s)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from .journey import VENTURI, activate, h1, log_in, open_link, person, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LINK_VALIDITY = 4.0  # both stacks
RETENTION = 8.0  # short_stack
EXPIRY_RETENTION = 30.0  # expiry_stack


def wait_past(seconds: float, since: float) -> None:
    time.sleep(max(0.0, since + seconds + 0.7 - time.monotonic()))


def test_an_expired_link_is_sent_again_to_the_same_address(expiry_page, expiry_mailbox, shot):
    page, mailbox = expiry_page, expiry_mailbox
    martin = person("2951213055062", last_name="de la Tour-d'Auvergne")  # the usage name, typed freely
    email = "elodie.martin@example.test"
    sign_up(page, martin, email)
    sent = time.monotonic()
    link = mailbox.wait_for_link(email)
    wait_past(LINK_VALIDITY, sent)

    open_link(page, link)
    page.get_by_role("button", name="Activer mon compte").click()
    expect(h1(page)).to_have_text("Ce lien n'est plus actif")
    shot(page, "20-activation-lien-expire")
    page.get_by_role("button", name="Recevoir un nouveau lien à la même adresse").click()
    expect(h1(page)).to_have_text("Un nouveau lien vous a été envoyé")
    expect(page.get_by_text("e***@example.test")).to_be_visible()

    open_link(page, mailbox.wait_for_link(email, 2))
    activate(page)


def test_an_expired_link_is_sent_to_another_address_with_the_code_personnel(expiry_page, expiry_mailbox, shot):
    page, mailbox = expiry_page, expiry_mailbox
    marc = person("1920297105088")  # born overseas
    old, new = "marc.jb@example.test", "marc.jean-baptiste@example.test"
    sign_up(page, marc, old)
    sent = time.monotonic()
    link = mailbox.wait_for_link(old)
    wait_past(LINK_VALIDITY, sent)

    open_link(page, link)
    page.get_by_role("button", name="Activer mon compte").click()
    expect(h1(page)).to_have_text("Ce lien n'est plus actif")
    page.get_by_role("link", name="Recevoir le lien à une autre adresse").click()
    expect(h1(page)).to_have_text("Recevoir le lien à une autre adresse email")
    page.get_by_label("Saisissez votre nouvelle adresse email").fill(new)
    page.get_by_label("Je confirme ma nouvelle adresse email").fill(new)
    page.get_by_label(re.compile("^Mon code personnel")).fill("MotdePasse1")
    shot(page, "21-activation-autre-adresse")
    assert time.monotonic() - sent < EXPIRY_RETENTION - 5, "too slow: the address would be deleted before the resend"
    page.get_by_role("button", name="Valider").click()
    expect(h1(page)).to_have_text("Un nouveau lien vous a été envoyé")
    expect(page.get_by_text("m***@example.test")).to_be_visible()

    open_link(page, mailbox.wait_for_link(new))
    activate(page)
    log_in(page, marc)
    expect(h1(page)).to_have_text("Mon compte ameli")


def test_a_deleted_address_is_replaced_after_logging_in(short_page, short_mailbox, shot):
    page, mailbox = short_page, short_mailbox
    papadopoulos = person("2830699126041")
    old, new = "papadopoulos@example.test", "s.papadopoulos@example.test"
    sign_up(page, papadopoulos, old)
    sent = time.monotonic()
    link = mailbox.wait_for_link(old)
    wait_past(RETENTION, sent)

    open_link(page, link)
    page.get_by_role("button", name="Activer mon compte").click()
    expect(h1(page)).to_have_text("Adresse email à renseigner de nouveau")
    shot(page, "22-activation-adresse-supprimee")
    page.get_by_role("link", name="Se connecter").last.click()

    log_in(page, papadopoulos)
    expect(h1(page)).to_have_text("Indiquez une adresse email")
    shot(page, "23-connexion-nouvelle-adresse")
    page.get_by_label("Saisissez votre adresse email").fill(new)
    page.get_by_label("Je confirme mon adresse email").fill(new)
    page.get_by_role("button", name="Valider").click()
    expect(h1(page)).to_have_text("Un nouveau lien vous a été envoyé")

    open_link(page, mailbox.wait_for_link(new))
    activate(page)
    log_in(page, papadopoulos)
    expect(h1(page)).to_have_text("Mon compte ameli")


def test_logging_in_with_an_expired_link_offers_both_choices(expiry_page, expiry_mailbox, shot):
    page, mailbox = expiry_page, expiry_mailbox
    email = "venturi@example.test"
    sign_up(page, VENTURI, email)
    sent = time.monotonic()
    mailbox.wait_for_link(email)
    wait_past(LINK_VALIDITY, sent)

    log_in(page, VENTURI)
    expect(h1(page)).to_have_text("Ce lien n'est plus actif")
    expect(page.get_by_text("v***@example.test")).to_be_visible()
    shot(page, "24-connexion-lien-expire")
    page.get_by_role("link", name="Recevoir le lien à une autre adresse").click()
    expect(h1(page)).to_have_text("Recevoir le lien à une autre adresse email")
    shot(page, "25-connexion-autre-adresse")
    page.get_by_role("link", name="Retour").click()
    page.get_by_role("button", name="Recevoir un nouveau lien à la même adresse").click()
    expect(h1(page)).to_have_text("Un nouveau lien vous a été envoyé")
    open_link(page, mailbox.wait_for_link(email, 2))
    activate(page)
