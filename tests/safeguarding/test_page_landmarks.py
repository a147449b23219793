"""Nothing on a page outside a landmark (axe-core's "region" rule, which the browser tests
also run): the phase banner sits in the header's banner landmark, and a back link in a
navigation landmark of its own before <main>, which a page without one does not get."""

import re

import pytest
from django.urls import reverse

from tests.utils import sign_in

pytestmark = pytest.mark.django_db

BACK_NAV = '<nav aria-label="Back">'


def between(html, start, end):
    return html[html.index(start) : html.index(end, html.index(start))]


def test_the_phase_banner_is_inside_the_header(client):
    html = client.get(reverse("safeguarding:sign-in")).content.decode()
    header = between(html, '<header class="app-template-header">', "</header>")
    assert "govuk-phase-banner" in header and "govuk-service-navigation" in header
    assert header.count("<header") == 1  # the GOV.UK header itself is no second banner


def test_a_back_link_sits_in_its_own_navigation_landmark_before_main(client, people):
    manager = people["manager"]
    sign_in(client, manager)
    partnership = manager.memberships.get().partnership_id
    html = client.get(reverse("safeguarding:people", args=[partnership])).content.decode()
    nav = between(html, BACK_NAV, "</nav>")
    assert 'class="govuk-back-link"' in nav
    assert html.index(BACK_NAV) < html.index("<main")


def test_a_page_without_a_back_link_has_no_empty_landmark(client, people):
    sign_in(client, people["officer"])
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert BACK_NAV not in html
    assert not re.search(r"<nav[^>]*>\s*</nav>", html)


def test_the_public_pages_keep_their_tools_in_landmarks(client):
    html = client.get(reverse("learning:index")).content.decode()
    header = between(html, '<header class="app-template-header">', "</header>")
    assert "data-contrast-toggle" in header
    assert '<aside class="govuk-exit-this-page"' in html
