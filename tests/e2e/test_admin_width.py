"""The administration's pages fit a laptop's 1280-pixel window: the role rows under a
person (a list and three choosers, select2's at 260 pixels each, side by side) made the
page 1491 pixels wide (walk a18)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.utils import sign_in

from .conftest import show_html

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_persons_page_with_a_role_row_fits_1280_pixels(client, people, live_server, browser):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    # Someone with a role: the page has a role row, as the add page has one added.
    url = reverse("admin:safeguarding_user_change", args=[people["agency"].pk])
    html = client.get(url).content.decode()
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        show_html(page, live_server, html)
        page.locator(".select2-container").first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        context.close()
