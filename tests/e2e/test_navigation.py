"""The service navigation at a laptop's 1280 pixels and a phone's 320: every role's pages
are on one row at 1280 (no item pushed onto a second row), and "Sign out" sits in the
header, not among them. At 320 the GOV.UK menu button shows and hides the same items."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.utils import sign_in

from .conftest import show_html

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ITEMS = ".govuk-service-navigation__item"
# The rows the visible items take up (items on one row share their top edge).
ROWS = f"new Set([...document.querySelectorAll('{ITEMS}')].filter((e) => e.offsetParent)"
ROWS += ".map((e) => Math.round(e.getBoundingClientRect().top))).size"


def home_of(client, user):
    sign_in(client, user)
    return client.get(reverse("safeguarding:home")).content.decode()


def test_every_roles_navigation_keeps_to_one_row_at_1280_pixels(
    client, people, live_server, browser
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    homes = {role: home_of(client, people[role]) for role in people}
    homes["administrator"] = home_of(client, admin)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        rows = {}
        for role, html in homes.items():
            show_html(page, live_server, html)
            rows[role] = page.evaluate(ROWS)
            sign_out = page.get_by_role("button", name="Sign out")
            expect(sign_out).to_be_visible()
            assert page.locator(".govuk-header").get_by_role("button", name="Sign out").count()
            assert not page.locator(".govuk-service-navigation").get_by_text("Sign out").count()
        assert rows == dict.fromkeys(homes, 1)
        # The manager has the most pages: all of them are there, none hidden.
        show_html(page, live_server, homes["manager"])
        names = page.locator(f"{ITEMS} a").all_inner_texts()
        assert names == [
            "Home",
            "Incidents",
            "Rapid reviews",
            "Reports",
            "Local reviews",
            "Audit trail",
            "Reminders",
            "Your account",
        ]
    finally:
        context.close()


def test_at_320_pixels_the_menu_button_shows_the_navigation(client, people, live_server, browser):
    html = home_of(client, people["manager"])
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 800})
    page = context.new_page()
    try:
        show_html(page, live_server, html)
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_be_visible()
        nav = page.get_by_role("navigation", name="Menu")
        expect(nav.get_by_role("link", name="Incidents")).to_be_hidden()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        menu.click()
        expect(nav.get_by_role("link", name="Incidents")).to_be_visible()
        assert page.evaluate(ROWS) == 8  # one item a row
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()
