"""Option 1 from the landing page to an active account, as the guide shows it (desktop and 360 px)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .journey import (
    PASSWORD, VENTURI, accept_terms, activate, choose_password, fill_identity, fill_proof, give_contact, h1, log_in,
    open_link, person, sign_up, snap, start_from_landing,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_guides_person_creates_activates_and_uses_her_account(page, mailbox, shot):
    email = "paul.venturi@example.test"
    sign_up(page, VENTURI, email, shot=shot, prefix="", mobile="06 12 34 56 78")
    expect(page.get_by_text(re.compile(r"Ce lien est valable jusqu'au \S+ \d+ \S+ \d{4} à \d\d:\d\d"))).to_be_visible()

    # Logged out: logging in says the address is not confirmed yet, and offers a new link.
    log_in(page, VENTURI)
    expect(h1(page)).to_have_text("Votre adresse email n'est pas encore confirmée")
    expect(page.get_by_text("p***@example.test")).to_be_visible()
    shot(page, "10-connexion-email-a-confirmer")
    page.get_by_role("button", name="Recevoir un nouveau lien").click()
    expect(h1(page)).to_have_text("Un nouveau lien vous a été envoyé")
    shot(page, "11-nouveau-lien-envoye")

    # The first link was superseded by the second one.
    first, second = mailbox.wait_for_link(email, 1), mailbox.wait_for_link(email, 2)
    open_link(page, first)
    page.get_by_role("button", name="Activer mon compte").click()
    expect(h1(page)).to_have_text("Ce lien n'est pas valide")
    shot(page, "12-lien-invalide")

    # A mail scanner or a prefetch opening the link consumes nothing: the page only shows a button.
    scanner = page.context.new_page()
    scanner.goto(second)
    expect(scanner.locator("h1")).to_have_text("Activer mon compte ameli")
    scanner.close()

    open_link(page, second)
    shot(page, "08-activation")
    activate(page, shot, "")

    page.get_by_role("link", name="Se connecter").last.click()
    shot(page, "13-connexion")
    log_in(page, VENTURI)
    expect(h1(page)).to_have_text("Mon compte ameli")
    expect(page.get_by_text("Votre compte est actif.")).to_be_visible()
    expect(page.get_by_text("p***@example.test")).to_be_visible()
    expect(page.get_by_text("06 •• •• •• 78")).to_be_visible()
    expect(page.locator("header [data-account-link]").first).to_have_text("Mon compte")
    shot(page, "14-mon-compte")
    assert "token" not in page.url

    page.get_by_role("button", name="Se déconnecter").click()
    expect(h1(page)).to_have_text("Le compte ameli")
    expect(page.get_by_text("Vous êtes déconnecté de votre compte ameli.")).to_be_visible()
    page.goto("/mon-compte")
    expect(h1(page)).to_have_text("Se connecter à mon compte ameli")


def test_the_journey_works_on_a_360_px_wide_phone(phone_page, mailbox, shot):
    page = phone_page
    bernard = person("1850369123045", last_name="bernard", postal_code="69003")  # a former postal code
    email = "luc.bernard@example.test"

    def fits(name: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name}: the page is {width} px wide on a 360 px screen"
        shot(page, f"mobile-{name}")

    # On a phone the header's tools are behind the "Menu" button; following a link closes the menu.
    page.goto("/")
    page.get_by_role("button", name="Menu").click()
    menu = page.locator("#menu-principal")
    menu.get_by_role("link", name="Se connecter").click()
    expect(h1(page)).to_have_text("Se connecter à mon compte ameli")
    expect(h1(page)).to_be_focused()
    expect(menu).not_to_be_visible()

    sign_up(page, bernard, email, shot=lambda _page, name: fits(name), prefix="")
    # Back after the end never lands on an empty form: the step pages lead to "check your mailbox",
    # and the identity form (further back) says the account was just created.
    page.go_back()
    expect(h1(page)).to_have_text("Consultez votre messagerie")
    for _ in range(6):
        if urlsplit(page.url).path == "/creer-mon-compte":
            break
        page.go_back()
        page.locator("#app:not([aria-busy])").wait_for()
    expect(h1(page)).to_have_text("Je crée mon compte ameli")
    expect(page.get_by_text("Votre compte vient d'être créé")).to_be_visible()
    shot(page, "mobile-16-retour-apres-creation")
    page.go_forward()
    expect(h1(page)).to_have_text("Consultez votre messagerie")
    open_link(page, mailbox.wait_for_link(email))
    fits("08-activation")
    activate(page)
    fits("09-compte-active")
    log_in(page, bernard)
    expect(h1(page)).to_have_text("Mon compte ameli")
    fits("14-mon-compte")

    page.get_by_role("button", name="Menu").click()
    expect(menu.get_by_role("link", name="Mon compte")).to_be_visible()
    snap(shot, page, "mobile-", "15-menu")
    page.get_by_role("button", name="Fermer").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(h1(page)).to_have_text("Le compte ameli")


def test_each_step_shows_from_the_previous_answer_and_asks_the_api_only_after_a_reload_or_back(page):
    """The steps' answers give the next step: no GET /v1/signups/{id} on the way forward (issue 11, each
    call costs); a reload or Back onto a step cannot know what happened meanwhile, and asks. The terms
    come with the answer that leads to their step (the proof's, or that GET): never GET /v1/terms."""
    reads: list[str] = []
    terms_reads: list[str] = []
    page.on("request", lambda request: reads.append(urlsplit(request.url).path)
            if request.method == "GET" and re.fullmatch(r"/v1/signups/[^/]+", urlsplit(request.url).path) else None)
    page.on("request", lambda request: terms_reads.append(request.url)
            if urlsplit(request.url).path == "/v1/terms" else None)
    files: set[str] = set()  # the client's own files but the page itself: each one is a CloudFront request
    page.on("request", lambda request: files.add(urlsplit(request.url).path)
            if request.url.startswith("http") and request.resource_type != "document"
            and not urlsplit(request.url).path.startswith("/v1/") else None)
    marc = person("1920297105088")  # his account is made on other stacks only
    start_from_landing(page)
    fill_identity(page, marc)
    fill_proof(page, marc)
    expect(h1(page)).to_contain_text("J'accepte les conditions d'utilisation")
    terms_text = page.locator(".terms-text")
    expect(terms_text.locator("h2")).to_have_text("Conditions générales d'utilisation du compte ameli")
    expect(terms_text).to_contain_text("Version 2020-04")
    assert reads == [] and terms_reads == [], (reads, terms_reads)

    page.reload()
    page.locator("#app:not([aria-busy])").wait_for()
    expect(h1(page)).to_contain_text("J'accepte les conditions d'utilisation")
    expect(page.locator(".terms-text")).to_contain_text("Version 2020-04")
    assert len(reads) == 1 and terms_reads == [], (reads, terms_reads)
    accept_terms(page)
    expect(h1(page)).to_contain_text("Je choisis un code personnel")
    assert len(reads) == 1, reads

    page.reload()
    page.locator("#app:not([aria-busy])").wait_for()
    expect(h1(page)).to_contain_text("Je choisis un code personnel")
    assert len(reads) == 2, reads
    choose_password(page)
    expect(h1(page)).to_contain_text("Informations personnelles")
    assert len(reads) == 2, reads

    # Back onto the password step, already done: the API says the next step is the contact one. (The old
    # screen stays shown while the router asks: wait for the address and the end of the rendering.)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/creer-mon-compte/coordonnees$"))
    page.locator("#app:not([aria-busy])").wait_for()
    expect(h1(page)).to_contain_text("Informations personnelles")
    assert len(reads) == 3, reads
    give_contact(page, "marc.jb.retour@example.test")
    assert len(reads) == 3 and terms_reads == [], (reads, terms_reads)
    # One page, one stylesheet, one script (the DSFR's scripts and the Carte Vitale drawing in it), the two
    # fonts; the favicon is inline.
    assert files == {"/dist/app.css", "/dist/app.js", "/dist/fonts/marianne-regular.woff2",
                     "/dist/fonts/marianne-bold.woff2"}, files


def test_a_failed_login_says_so_without_telling_which_part_is_wrong(page):
    roux = person("1580717300021")  # MSA: excluded, never has an account
    log_in(page, roux, password=PASSWORD)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Le numéro de sécurité sociale ou le code personnel est incorrect.")
    expect(alert).to_be_focused()
