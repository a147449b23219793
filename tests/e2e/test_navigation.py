"""The service navigation at a laptop's 1280 pixels and a phone's 320: every role's pages
are on one row at 1280 (no item pushed onto a second row), also for someone holding
several roles, and the person's own links ("Your account", "Sign out") sit in the header,
not among them. At 320 the GOV.UK menu button shows and hides the same items, and the
header's links stay outside it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from safeguarding.models import Membership, Role
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
    client, people, live_server, browser, partnership, agency, region
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    # Someone who manages a partnership and also sends an agency's returns (a ninth
    # page once, which wrapped); and an administrator holding every role at once.
    both = UserFactory(full_name="Manager And Contributor")
    every = UserFactory(is_staff=True, is_superuser=True)
    for user, roles in ((both, (Role.PARTNERSHIP_MANAGER, Role.AGENCY_CONTRIBUTOR)), (every, Role)):
        for role in roles:
            Membership.objects.create(
                user=user,
                role=role,
                partnership=None if role == Role.REGIONAL_VIEWER else partnership,
                region=region if role == Role.REGIONAL_VIEWER else None,
                agency=agency if role == Role.AGENCY_CONTRIBUTOR else None,
            )
    homes = {role: home_of(client, people[role]) for role in people}
    homes["administrator"] = home_of(client, admin)
    homes["manager and contributor"] = home_of(client, both)
    homes["administrator with every role"] = home_of(client, every)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        rows, names = {}, {}
        for role, html in homes.items():
            show_html(page, live_server, html)
            rows[role] = page.evaluate(ROWS)
            names[role] = page.locator(f"{ITEMS} a").all_inner_texts()
            account = page.get_by_role("navigation", name="Account")
            expect(account.get_by_role("link", name="Your account")).to_be_visible()
            expect(account.get_by_role("button", name="Sign out")).to_be_visible()
            assert page.locator(".govuk-header").get_by_role("navigation", name="Account").count()
            service = page.locator(".govuk-service-navigation")
            assert not service.get_by_text("Sign out").count()
            assert not service.get_by_text("Your account").count()
        assert rows == dict.fromkeys(homes, 1)
        # Every page is there, none hidden; the reminders are on the account page.
        assert names["manager"] == [
            "Home",
            "Incidents",
            "Rapid reviews",
            "Reports",
            "Local reviews",
            "Audit trail",
        ]
        assert names["manager and contributor"] == [
            "Home",
            "Incidents",
            "Rapid reviews",
            "Reports",
            "Local reviews",
            "Information requests",
            "Audit trail",
        ]
        assert names["agency"] == ["Home", "Information requests", "Actions"]
        assert names["administrator with every role"] == [
            *names["manager and contributor"],
            "Outbox",
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
        account = page.get_by_role("navigation", name="Account")
        expect(account.get_by_role("button", name="Sign out")).to_be_visible()
        expect(account.get_by_role("link", name="Your account")).to_be_visible()
        menu.click()
        expect(nav.get_by_role("link", name="Incidents")).to_be_visible()
        assert page.evaluate(ROWS) == 6  # one item a row
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()
