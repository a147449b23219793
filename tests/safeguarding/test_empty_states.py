"""A brand-new partnership's pages say what will appear on them and how to start,
rather than "Nothing." or "No incidents match." as if a filter hid something."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from tests.utils import sign_in

from .report_helpers import make_deadline

pytestmark = pytest.mark.django_db

NONE_LOGGED = "No serious incidents have been logged yet."


def _log(partnership, officer):
    return services.incident_create(
        partnership=partnership,
        actor=officer,
        awareness_date=timezone.localdate() - dt.timedelta(days=1),
    )


def test_an_empty_incident_list_says_none_is_logged_and_how_to_log_one(client, people):
    sign_in(client, people["officer"])
    html = client.get(reverse("notifications:list")).content.decode()
    assert NONE_LOGGED in html and "No incidents match." not in html
    # How to log one: the page's own button, not a second link of the same name.
    assert html.count(f'href="{reverse("notifications:new")}"') == 1
    assert "log it with the “Log a serious incident” button above" in html
    # Nothing to download.
    assert reverse("notifications:list-export", args=["csv"]) not in html


def test_a_filter_that_chooses_nothing_says_no_incident_matches(client, people, partnership):
    _log(partnership, people["officer"])
    sign_in(client, people["officer"])
    html = client.get(reverse("notifications:list"), {"status": "notified"}).content.decode()
    assert "No incidents match." in html and NONE_LOGGED not in html
    html = client.get(reverse("notifications:list")).content.decode()
    assert reverse("notifications:list-export", args=["csv"]) in html


def test_the_first_dashboard_explains_itself_and_offers_no_downloads(client, people):
    sign_in(client, people["manager"])
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert "Nothing." not in html and "No open deadlines." not in html
    assert "No deadline is open." in html
    assert "When a serious incident is logged" in html
    assert reverse("safeguarding:dashboard-export", args=["csv"]) not in html
    assert reverse("safeguarding:dashboard-export", args=["xlsx"]) not in html
    assert f'href="{reverse("notifications:new")}"' in html  # may log one from here


def test_a_dashboard_with_open_deadlines_offers_its_downloads(client, people, partnership):
    make_deadline(partnership, due=timezone.localdate(), owner=people["officer"])
    sign_in(client, people["manager"])
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert reverse("safeguarding:dashboard-export", args=["csv"]) in html
    assert "No deadline is open." not in html
    assert "No deadline is overdue." in html  # each empty section says what it lacks


@pytest.mark.parametrize("role", ["agency", "reviewer", "regional"])
def test_roles_that_cannot_log_an_incident_are_not_offered_it(client, people, role):
    sign_in(client, people[role])
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert reverse("notifications:new") not in html
