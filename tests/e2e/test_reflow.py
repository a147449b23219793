"""WCAG 1.4.10 Reflow: at 320 CSS pixels wide no page of the service scrolls sideways as a
whole. A table too wide for the screen scrolls inside its own named, focusable box
(static/js/tables.mjs, `.app-table-scroll`); everything else wraps.

Every page type the Nu HTML Checker reads (tests/e2e/test_html_validity.py: each page as
its user sees it, error states included, the rapid review and local review pages with
their timetables among them) is opened in a 320-pixel-wide Chromium with the service's
stylesheet and scripts."""

import os
from pathlib import Path

import pytest

from tests.notifications.conftest import make_incident  # noqa: F401 - fixture
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    make_review,
    review,
    sent_requests,
)
from tests.test_url_isolation import world  # noqa: F401 - fixture

from .conftest import show_html
from .test_html_validity import collect

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 800}
# Set REFLOW_SCREENSHOTS to a folder to keep a full-page PNG of every page at 320 pixels.
SHOTS = os.environ.get("REFLOW_SCREENSHOTS")

# What sticks out past the right edge of the screen, for the failure message.
STICKING_OUT = """() => {
  const edge = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > edge + 1)
    .filter((el) => !el.closest(".app-table-scroll"))
    .slice(0, 3)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
}"""


def test_every_page_reflows_at_320_pixels(
    client,
    people,
    world,  # noqa: F811 - the fixture imported above
    make_incident,  # noqa: F811
    settings,
    live_server,
    browser,
):
    settings.AXES_ENABLED = False
    pages = collect(client, people, world, make_incident())
    assert {
        "rapid_reviews_detail.html",
        "lcspr_detail.html",
        "review-reviewer.html",
        "home-manager.html",
        "notifications_detail.html",
        "safeguarding_people.html",
    } <= set(pages)
    context = browser.new_context(bypass_csp=True, viewport=NARROW)
    page = context.new_page()
    try:
        wide = {}
        for name, html in sorted(pages.items()):
            show_html(page, live_server, html)
            if SHOTS:
                page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
            scroll_width, client_width = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert client_width <= 320
            if scroll_width > client_width:
                wide[name] = (scroll_width, page.evaluate(STICKING_OUT))
        assert wide == {}
        # The rapid review's information requests do not fit: they scroll in a named box.
        show_html(page, live_server, pages["rapid_reviews_detail.html"])
        box = page.get_by_role("region", name="Information requests (scrolls sideways)")
        assert box.get_attribute("tabindex") == "0"
    finally:
        context.close()
