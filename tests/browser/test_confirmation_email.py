"""The confirmation email's HTML part on a 360 px phone, rendered by Chromium (issue 13: the raw link
overflowed it), and its plain-text part, which keeps the whole link on a line of its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ameli.service.emails import confirmation_email, confirmation_url
from ameli.service.tokens import new_token

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 360, "height": 740}
# Everything that sticks out of the viewport: the page's own width, and any element's right edge.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wider = [...document.querySelectorAll('body *')]
    .filter((node) => node.getBoundingClientRect().right > width + 0.5)
    .map((node) => `${node.tagName} ${Math.round(node.getBoundingClientRect().right)} px`);
  return { width, scrollWidth: document.documentElement.scrollWidth, wider };
}"""


def email(base_url: str = "https://compte.ameli.fr"):
    link = confirmation_url(base_url, new_token())
    return link, confirmation_email("paul.venturi@example.fr", link, datetime(2026, 12, 8, 22, 15, tzinfo=UTC))


@pytest.mark.parametrize("base_url", ["https://compte.ameli.fr", "https://creation-compte.ameli.assurance-maladie.fr"])
def test_the_html_email_fits_a_360_px_phone_and_keeps_a_link_to_copy(browser, base_url):
    link, message = email(base_url)
    context = browser.new_context(viewport=PHONE, locale="fr-FR", java_script_enabled=True)
    try:
        page = context.new_page()
        page.set_content(message.html)
        measured = page.evaluate(OVERFLOW)
        assert measured["scrollWidth"] <= measured["width"] == PHONE["width"], measured
        assert measured["wider"] == [], measured
        # The button and the fallback both lead to the link; the fallback shows it whole, to copy.
        assert page.get_by_role("link", name="Confirmer mon adresse email").get_attribute("href") == link
        fallback = page.locator("a.fallback-link")
        assert fallback.get_attribute("href") == link
        assert fallback.inner_text().replace("\n", "") == link
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "email-confirmation-360.png"), full_page=True)
    finally:
        context.close()


def test_the_text_part_keeps_the_whole_link_on_its_own_line():
    link, message = email()
    assert link in message.text.splitlines()
    assert "Activer mon compte" in message.text and "valable jusqu'au 08/12/2026 à 23h15" in message.text
