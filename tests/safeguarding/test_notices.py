"""The cookies page and the privacy notice: reachable by anyone, from every page's footer,
in the staff and the public layouts; and the cookies page names every cookie the service
actually sets, with the settings' own names and periods."""

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.notices import cookie_names
from tests.factories import PASSWORD
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

PAGES = {
    "safeguarding:cookies": "Cookies",
    "safeguarding:privacy": "Privacy notice",
    "learning:cookies": "Cookies",
    "learning:privacy": "Privacy notice",
}


@pytest.mark.parametrize("name", PAGES)
def test_anyone_can_read_them_signed_out(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{PAGES[name]}</h1>' in html
    # Each in its own layout: the public one has "Exit this page", the staff one has not.
    assert ("Exit this page" in html) == name.startswith("learning")


def test_the_cookies_page_names_the_cookies_and_periods_the_settings_use(client, settings):
    settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_AGE = "sg_session", 20 * 60
    html = client.get(reverse("safeguarding:cookies")).content.decode()
    for name in cookie_names().values():
        assert f"<code>{name}</code>" in html
    assert "<code>sg_session</code>" in html
    assert "do nothing for 20 minutes" in html


def test_the_privacy_notice_gives_the_retention_period_the_settings_use(client, settings):
    settings.RETENTION_YEARS = 30
    html = client.get(reverse("learning:privacy")).content.decode()
    assert "kept for 30 years after its last stage closed" in html
    assert f'href="{reverse("learning:cookies")}"' in html


def test_every_page_links_to_them_in_its_footer(client, people):
    public = client.get(reverse("learning:index")).content.decode()
    assert f'href="{reverse("learning:cookies")}"' in public
    assert f'href="{reverse("learning:privacy")}"' in public
    sign_in(client, people["officer"])
    home = client.get(reverse("safeguarding:home")).content.decode()
    assert f'href="{reverse("safeguarding:cookies")}"' in home
    assert f'href="{reverse("safeguarding:privacy")}"' in home


def test_they_can_be_read_before_the_second_factor(people):
    """Someone stopped at the second factor can still read what they are agreeing to."""
    client = Client()
    client.force_login(people["officer"])  # password accepted, second factor not yet
    for name in ("safeguarding:cookies", "safeguarding:privacy"):
        assert client.get(reverse(name)).status_code == 200


def test_the_service_sets_no_cookie_the_cookies_page_does_not_name(people, partnership):
    """A whole visit: the sign-in form, a change that shows a "saved" message, the public
    pages' contrast choice and signing out. Every cookie any response sets is listed."""
    client = Client()
    named = set(cookie_names().values())
    seen = set()

    def visit(response):
        seen.update(response.cookies.keys())
        return response

    visit(client.get(reverse("safeguarding:sign-in")))
    visit(
        client.post(
            reverse("safeguarding:sign-in"),
            {"username": people["officer"].email, "password": PASSWORD},
        )
    )
    sign_in(client, people["officer"])
    changed = visit(
        client.post(
            reverse("safeguarding:password-change"),
            {
                "old_password": PASSWORD,
                "new_password1": "a-new-long-passphrase-2026",
                "new_password2": "a-new-long-passphrase-2026",
            },
        )
    )
    assert changed.status_code == 302
    page = visit(client.get(changed.url))
    assert "Your password has been changed" in page.content.decode()  # a message was shown
    visit(client.get(reverse("learning:contrast")))
    visit(client.post(reverse("safeguarding:sign-out")))
    assert seen and seen <= named, seen - named
