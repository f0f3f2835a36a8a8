"""The email typo trap and the account's consents, in Chromium (issue 13, items 1 and 7): the end
screen shows the full address with "Modifier l'adresse"; a pending login offers the same address or
another one; the account page changes each marketing consent. axe-core on every new screen."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.localstack import ROOT, start_local_stack

from .conftest import Mailbox, _checked_page, _stop_keeping_log
from .journey import activate, h1, log_in, open_link, person, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Three demo people the other browser tests never sign up, made eligible in a stack of this module's own
# (each person can sign up once per stack).
PEOPLE = {"2900559350078": "LAMBERT", "1041144109033": "PETIT", "2880435238057": "MOREL"}


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory):
    demo = json.loads((ROOT / "local" / "demo_fixtures.json").read_text(encoding="utf-8"))
    people = [{**b, "nir_certified": True, "rights_holder": True, "carte_vitale": {**b["carte_vitale"], "status": "active"}}
              for b in demo["beneficiaries"] if b["nir"] in PEOPLE]
    path = tmp_path_factory.mktemp("fixtures") / "people.json"
    path.write_text(json.dumps({"beneficiaries": people, "franceconnect_identities": []}), encoding="utf-8")
    running = start_local_stack(LOCAL_FIXTURES=str(path))
    yield running.base_url
    _stop_keeping_log(running, "browser-address-stack")


@pytest.fixture
def own_page(browser, own_stack):
    yield from _checked_page(browser, own_stack)


@pytest.fixture
def own_phone_page(browser, own_stack):
    yield from _checked_page(browser, own_stack, {"width": 360, "height": 740})


@pytest.fixture
def own_mailbox(own_stack) -> Mailbox:
    return Mailbox(own_stack)


def test_a_typo_seen_on_the_end_screen_is_corrected_without_redoing_the_signup(own_phone_page, own_mailbox, shot):
    page, mailbox = own_phone_page, own_mailbox  # 360 px
    lambert = person("2900559350078")
    typo, right = "claire.lambert@exmaple.test", "claire.lambert@example.test"
    sign_up(page, lambert, typo)
    expect(page.locator(".email-address")).to_have_text(typo)
    shot(page, "30-messagerie-adresse-complete")

    page.get_by_role("link", name="Modifier l'adresse").click()
    expect(h1(page)).to_have_text("Modifier mon adresse email")
    expect(page.get_by_label("Saisissez votre adresse email")).to_have_value(typo)
    page.get_by_label("Saisissez votre adresse email").fill(right)
    page.get_by_label("Je confirme mon adresse email").fill("claire.lambert@exemple.test")
    page.get_by_role("button", name="Envoyer le lien à cette adresse").click()
    expect(page.get_by_text("Les deux adresses email ne sont pas identiques.")).to_be_visible()
    page.get_by_label("Je confirme mon adresse email").fill(right)
    shot(page, "31-modifier-adresse")
    page.get_by_role("button", name="Envoyer le lien à cette adresse").click()

    expect(h1(page)).to_have_text("Consultez votre messagerie")
    expect(page.get_by_text("Un nouveau lien vous a été envoyé à cette adresse.")).to_be_visible()
    expect(page.locator(".email-address")).to_have_text(right)
    shot(page, "32-messagerie-adresse-corrigee")

    first, second = mailbox.wait_for_link(typo), mailbox.wait_for_link(right)
    open_link(page, first)
    page.get_by_role("button", name="Activer mon compte").click()
    expect(h1(page)).to_have_text("Ce lien n'est pas valide")
    open_link(page, second)
    activate(page)


def test_a_pending_login_offers_the_same_address_or_another(own_page, own_mailbox, shot):
    page, mailbox = own_page, own_mailbox
    petit = person("1041144109033")
    typo, right = "luc.petit@exmaple.test", "luc.petit@example.test"
    sign_up(page, petit, typo)
    mailbox.wait_for_link(typo)

    log_in(page, petit)
    expect(h1(page)).to_have_text("Votre adresse email n'est pas encore confirmée")
    expect(page.get_by_role("button", name="Recevoir un nouveau lien à la même adresse")).to_be_visible()
    other = page.get_by_role("link", name="Recevoir le lien à une autre adresse")
    expect(other).to_be_visible()
    shot(page, "33-connexion-meme-ou-autre-adresse")
    other.click()
    expect(h1(page)).to_have_text("Recevoir le lien à une autre adresse email")
    page.get_by_label("Saisissez votre adresse email").fill(right)
    page.get_by_label("Je confirme mon adresse email").fill(right)
    shot(page, "34-connexion-autre-adresse")
    page.get_by_role("button", name="Valider").click()
    expect(h1(page)).to_have_text("Un nouveau lien vous a été envoyé")
    expect(page.get_by_text("l***@example.test")).to_be_visible()
    open_link(page, mailbox.wait_for_link(right))
    activate(page)


def test_the_account_page_changes_each_marketing_consent(own_page, own_mailbox, shot):
    page, mailbox = own_page, own_mailbox
    morel = person("2880435238057")
    email = "sophie.morel@example.test"
    sign_up(page, morel, email, mobile="06 11 22 33 44")  # SMS yes, the rest no
    open_link(page, mailbox.wait_for_link(email))
    activate(page)
    log_in(page, morel)
    expect(h1(page)).to_have_text("Mon compte ameli")

    by_email = page.get_by_role("checkbox", name="Par email")
    sms = page.get_by_role("checkbox", name="Par SMS, sur mon portable")
    expect(by_email).not_to_be_checked()
    expect(sms).to_be_checked()
    expect(page.get_by_role("checkbox", name="Par téléphone, sur mon fixe")).to_have_count(0)  # no landline
    shot(page, "35-mon-compte-choix")

    page.locator("label[for='consent-email_marketing']").click()
    page.locator("label[for='consent-mobile_marketing_sms']").click()
    page.get_by_role("button", name="Enregistrer mes choix").click()
    expect(page.get_by_text("Vos choix sont enregistrés.")).to_be_visible()
    expect(page.locator("#consent-email_marketing-hint")).to_have_text(re.compile(r"^Accepté le "))
    expect(page.locator("#consent-mobile_marketing_sms-hint")).to_have_text(re.compile(r"^Refusé le "))
    shot(page, "36-mon-compte-choix-enregistres")

    page.reload()
    expect(h1(page)).to_have_text("Mon compte ameli")
    expect(page.get_by_role("checkbox", name="Par email")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Par SMS, sur mon portable")).not_to_be_checked()
