"""The people of the demo fixtures and the steps of the web journey, shared by the browser tests.

Each step acts as a person would (labels, button names), checks the screen it lands on, and, when
given `shot`, runs axe-core on it and saves a screenshot (`prefix` + name).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.e2e.localstack import ROOT

PASSWORD = "MotdePasse1"
_FIXTURES = json.loads((ROOT / "local" / "demo_fixtures.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Person:
    last_name: str
    nir: str  # as typed: "1 62 12 2B 010 001"
    birth_date: str  # as typed: jj/mm/aaaa
    postal_code: str
    iban_last7: str
    serial_last11: str
    iban_masked: str
    serial_prefix: str


def person(nir13: str, *, last_name: str | None = None, postal_code: str | None = None) -> Person:
    """A beneficiary of local/demo_fixtures.json, as the person would type their identity."""
    entry = next(b for b in _FIXTURES["beneficiaries"] if b["nir"] == nir13)
    year, month, day = entry["birth_date"].split("-")
    spaced = " ".join([nir13[0], nir13[1:3], nir13[3:5], nir13[5:7], nir13[7:10], nir13[10:13]])
    iban = entry.get("iban") or ""
    serial = (entry.get("carte_vitale") or {}).get("serial") or ""
    visible = iban[:9]
    masked_head = visible + "*" * (len(iban) - 7 - len(visible))
    groups = [masked_head[i:i + 4] for i in range(0, len(masked_head), 4)]
    return Person(
        last_name=last_name or entry["birth_name"],
        nir=spaced,
        birth_date=f"{day}/{month}/{year}",
        postal_code=postal_code or entry["postal_code"],
        iban_last7=iban[-7:],
        serial_last11=serial[-11:],
        iban_masked=" ".join([*groups, "***", "****"]) if iban else "",
        serial_prefix=serial[:10],
    )


# The guide's person, typed exactly as in the guide.
VENTURI = Person("VENTURI", "1 62 12 2B 010 001", "18/12/1962", "63000", "7890143", "04671322630",
                 "FR76 3000 4*** **** **** *** ****", "8025000002")


def choose(scope, label: str) -> None:
    """Ticks a DSFR radio button or checkbox as a person does: by clicking its label."""
    scope.locator("label").filter(has_text=re.compile(f"^{re.escape(label)}$")).click()
    expect(scope.get_by_label(label, exact=True)).to_be_checked()


def h1(page: Page):
    return page.locator("h1")


def snap(shot, page: Page, prefix: str | None, name: str) -> None:
    if shot is not None and prefix is not None:
        shot(page, f"{prefix}{name}")


def start_from_landing(page: Page, shot=None, prefix: str | None = None) -> None:
    page.goto("/")
    expect(h1(page)).to_have_text("Le compte ameli")
    snap(shot, page, prefix, "01-accueil")
    page.get_by_role("link", name="Je crée mon compte").first.click()
    expect(h1(page)).to_have_text("Je crée mon compte ameli")
    expect(page).to_have_title(re.compile("^Je crée mon compte ameli"))


def fill_identity(page: Page, who: Person, shot=None, prefix: str | None = None) -> None:
    page.get_by_label("Mon nom").fill(who.last_name)
    page.get_by_label("Mon n° de sécurité sociale").fill(who.nir)
    page.get_by_label("Ma date de naissance").fill(who.birth_date)
    page.get_by_label("Mon code postal").fill(who.postal_code)
    snap(shot, page, prefix, "02-identite")
    page.get_by_role("button", name="Continuer").click()


def fill_proof(page: Page, who: Person, shot=None, prefix: str | None = None) -> None:
    expect(h1(page)).to_have_text("Accédez immédiatement à votre compte")
    # As in the guide: the IBAN on file without its last 7 characters, then the input on the same row.
    known = " ".join(re.findall(".{1,4}", who.iban_masked.replace(" ", "")[:-7]))
    expect(page.locator(".proof-row--iban")).to_have_text(known)
    expect(page.locator(".proof-row--serial")).to_have_text(who.serial_prefix)
    page.get_by_label("Saisissez les 7 derniers chiffres de votre IBAN").fill(who.iban_last7)
    page.get_by_label("Saisissez les 11 derniers chiffres du numéro de série").fill(who.serial_last11)
    snap(shot, page, prefix, "03-verification")
    page.get_by_role("button", name="Valider").click()


def accept_terms(page: Page, shot=None, prefix: str | None = None) -> None:
    expect(h1(page)).to_contain_text("J'accepte les conditions d'utilisation")
    expect(h1(page)).to_contain_text("Étape 1 sur 3")
    expect(page).to_have_title(re.compile("^J'accepte les conditions d'utilisation"))
    snap(shot, page, prefix, "04-conditions")
    choose(page, "Oui, j'accepte")
    page.get_by_role("button", name="Continuer").click()


def choose_password(page: Page, password: str = PASSWORD, shot=None, prefix: str | None = None) -> None:
    expect(h1(page)).to_contain_text("Je choisis un code personnel")
    expect(h1(page)).to_contain_text("Étape 2 sur 3")
    page.get_by_label(re.compile("^Mon nouveau code")).fill(password)
    page.get_by_label(re.compile("^Confirmer mon nouveau code")).fill(password)
    expect(page.locator('[data-rule="strength"]')).to_have_attribute("data-state", "met")
    snap(shot, page, prefix, "05-code-personnel")
    page.get_by_role("button", name="Continuer").click()


def give_contact(page: Page, email: str, *, mobile: str | None = None, shot=None, prefix: str | None = None) -> None:
    expect(h1(page)).to_contain_text("Informations personnelles")
    expect(h1(page)).to_contain_text("Étape 3 sur 3")
    page.get_by_label("Saisissez votre adresse email").fill(email)
    page.get_by_label("Je confirme mon adresse email").fill(email)
    choose(page.get_by_role("group", name=re.compile("m'envoyer par email")), "Non")
    if mobile:
        page.get_by_label("Saisissez votre n° de téléphone portable").fill(mobile)
        choose(page.get_by_role("group", name="Par SMS"), "Oui")
    snap(shot, page, prefix, "06-coordonnees")
    page.get_by_role("button", name="Valider").click()
    expect(h1(page)).to_have_text("Consultez votre messagerie")


def sign_up(page: Page, who: Person, email: str, *, shot=None, prefix: str | None = None, mobile: str | None = None) -> None:
    """From the landing page to "Consultez votre messagerie"."""
    start_from_landing(page, shot, prefix)
    fill_identity(page, who, shot, prefix)
    fill_proof(page, who, shot, prefix)
    accept_terms(page, shot, prefix)
    choose_password(page, shot=shot, prefix=prefix)
    give_contact(page, email, mobile=mobile, shot=shot, prefix=prefix)
    # The full address, to be reread while it can still be corrected (issue 13: the typo trap).
    expect(page.locator(".email-address")).to_have_text(email)
    expect(page.get_by_role("link", name="Modifier l'adresse")).to_be_visible()
    snap(shot, page, prefix, "07-messagerie")


def open_link(page: Page, link: str) -> None:
    """Opens the confirmation link; the token leaves the address bar, nothing is consumed yet."""
    page.goto(link)
    expect(h1(page)).to_have_text("Activer mon compte ameli")
    assert "#" not in page.url and "token" not in page.url, page.url


def activate(page: Page, shot=None, prefix: str | None = None) -> None:
    page.get_by_role("button", name="Activer mon compte").click()
    expect(h1(page)).to_have_text("Votre compte ameli est activé")
    snap(shot, page, prefix, "09-compte-active")


def log_in(page: Page, who: Person, password: str = PASSWORD) -> None:
    if not page.url.rstrip("/").endswith("/connexion"):
        page.goto("/connexion")
    expect(h1(page)).to_have_text("Se connecter à mon compte ameli")
    page.get_by_label("Mon n° de sécurité sociale").fill(who.nir)
    page.get_by_label(re.compile("^Mon code personnel")).fill(password)
    page.get_by_role("button", name="Se connecter").click()


def expect_need_help(page: Page) -> None:
    """The "Besoin d'aide ?" block: the 36 46 with its price mention and hours, and where to find one's caisse."""
    help_block = page.locator("section.need-help").filter(has=page.get_by_role("heading", name="Besoin d'aide ?")).last
    expect(help_block).to_be_visible()
    expect(help_block.get_by_role("link", name="36 46")).to_have_attribute("href", "tel:3646")
    expect(help_block).to_contain_text("Service gratuit + prix de l'appel")
    expect(help_block).to_contain_text("Du lundi au vendredi, de 8 h 30 à 17 h 30")
    caisse = help_block.get_by_role("link", name=re.compile("Trouver ma caisse"))
    expect(caisse).to_have_attribute("href", re.compile(r"^https://www\.ameli\.fr/"))
    expect(caisse).to_have_attribute("target", "_blank")
