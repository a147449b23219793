"""WCAG 1.4.10 Reflow: at 320 CSS pixels wide no page of the service scrolls sideways as a
whole. A table too wide for the screen scrolls inside its own box (`.app-table-scroll`,
written round every table by the templates), which the script (static/js/tables.mjs)
names and makes focusable when it scrolls; everything else wraps.

Every page type the Nu HTML Checker reads (tests/e2e/test_html_validity.py: each page as
its user sees it, error states included, the rapid review and local review pages with
their timetables among them) is opened in a 320-pixel-wide Chromium with the service's
stylesheet, once with its scripts and once with JavaScript off."""

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
# Whether the box of the table captioned `caption` is narrower than its table.
SCROLLS = """(caption) => [...document.querySelectorAll(".app-table-scroll")].some(
  (box) => box.querySelector("caption")?.textContent.trim() === caption
    && box.scrollWidth > box.clientWidth + 1
)"""
# Whether any table's box is narrower than its table.
ANY_BOX_SCROLLS = """() => [...document.querySelectorAll(".app-table-scroll")].some(
  (box) => box.scrollWidth > box.clientWidth + 1
)"""
# Each table sits in exactly one box: the template's, the script adding none of its own.
TABLES_NOT_IN_ONE_BOX = """() => [...document.querySelectorAll("table.govuk-table")].filter(
  (table) => !table.parentElement.classList.contains("app-table-scroll")
    || table.parentElement.parentElement.closest(".app-table-scroll")
).length"""


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
    for javascript in (True, False):
        context = browser.new_context(
            bypass_csp=True, viewport=NARROW, java_script_enabled=javascript
        )
        page = context.new_page()
        try:
            wide, unboxed = {}, {}
            for name, html in sorted(pages.items()):
                show_html(page, live_server, html)
                if SHOTS:
                    shot = f"{name}.png" if javascript else f"{name}-no-js.png"
                    page.screenshot(path=str(Path(SHOTS) / shot), full_page=True)
                scroll_width, client_width = page.evaluate(
                    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                assert client_width <= 320
                if scroll_width > client_width:
                    wide[name] = (scroll_width, page.evaluate(STICKING_OUT))
                if count := page.evaluate(TABLES_NOT_IN_ONE_BOX):
                    unboxed[name] = count
            assert (javascript, wide) == (javascript, {})
            assert (javascript, unboxed) == (javascript, {})
            # The rapid review's information requests do not fit: they scroll in their box,
            # which the script (only) names and puts in the tab order.
            show_html(page, live_server, pages["rapid_reviews_detail.html"])
            assert page.evaluate(SCROLLS, "Information requests")
            requests = page.get_by_role("region", name="Information requests (scrolls sideways)")
            if javascript:
                assert requests.get_attribute("tabindex") == "0"
            else:
                assert requests.count() == 0
            # An agency's own list of its requests fits a phone: its agency said once above
            # the table rather than in a column, each reference on one line (ADR 0020).
            show_html(page, live_server, pages["rapid_reviews_contributor-list.html"])
            assert page.locator("table").count()
            assert page.evaluate(ANY_BOX_SCROLLS) is False
            reference = page.locator("table a.govuk-link").first
            assert reference.evaluate("(a) => a.getClientRects().length") == 1
            # The public pages run the same table script: the cookies page's second table
            # scrolls in its box, named, focusable and with its hint.
            show_html(page, live_server, pages["learning-cookies.html"])
            assert page.evaluate(SCROLLS, "Set only when you choose it")
            chosen = page.get_by_role(
                "region", name="Set only when you choose it (scrolls sideways)"
            )
            hints = page.get_by_text("Scroll sideways to see the whole table.")
            if javascript:
                assert chosen.get_attribute("tabindex") == "0"
                assert hints.count() >= 1
            else:
                assert chosen.count() == 0 and hints.count() == 0
        finally:
            context.close()
