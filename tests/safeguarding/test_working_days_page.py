"""A partnership's closure days and reminder schedule, for its business unit to read.

Only the administration site listed them; managers and officers see them here, with who
changes them and how to ask. Another partnership's people and the partnership's agency
contributors and reviewers never reach the page."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from safeguarding.models import ClosureDay, Deadline, ReminderPolicy
from tests.safeguarding.test_deadline_pages import _schedule_rows
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def _day(day: dt.date) -> str:
    return f"{day:%-d %B %Y}"


@pytest.fixture
def closures(partnership, other_partnership):
    from django.utils import timezone

    today = timezone.localdate()
    if (today.month, today.day) == (1, 1):
        pytest.skip("no day of this year is past on 1 January")
    days = {
        "upcoming": today + dt.timedelta(days=17),
        "later": today + dt.timedelta(days=40),
        "past": max(dt.date(today.year, 1, 1), today - dt.timedelta(days=30)),
        "last_year": dt.date(today.year - 1, 6, 1),
        "other": today + dt.timedelta(days=18),
    }
    reasons = {
        "upcoming": "Christmas Eve closure",
        "later": "Stocktake",
        "past": "Office move",
        "last_year": "Last year's closure",
        "other": "Ashdown closure",
    }
    for key, day in days.items():
        ClosureDay.objects.create(
            partnership=other_partnership if key == "other" else partnership,
            date=day,
            reason=reasons[key],
        )
    return days


def _url(partnership):
    return reverse("safeguarding:working-days", args=[partnership.pk])


@pytest.mark.parametrize("who", ["manager", "officer"])
def test_the_business_unit_reads_its_closure_days_and_reminders(
    client, partnership, people, closures, who
):
    ReminderPolicy.objects.create(
        partnership=partnership, kind=Deadline.Kind.NOTIFICATION, days_before=[4, 2]
    )
    sign_in(client, people[who])
    response = client.get(_url(partnership))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    # Upcoming first (soonest first), then those already past this year; not last year's.
    order = [page.index(_day(closures[key])) for key in ("upcoming", "later", "past")]
    assert order == sorted(order)
    assert "Christmas Eve closure" in page and "Office move" in page
    assert "Last year's closure" not in page and "Ashdown closure" not in page
    assert "Ask the service’s administrators to add a closure day" in page
    rows = _schedule_rows(page, partnership.name)
    assert rows["Notify the National Panel"].startswith("4 and 2 working days before")
    main = page.split("<main")[1].split("</main>")[0]
    assert "<form" not in main  # read only


def test_another_partnerships_people_get_not_found_and_never_see_its_closure_days(
    client, partnership, other_partnership, people, closures
):
    for who in ("other_manager", "other_officer"):
        sign_in(client, people[who])
        assert client.get(_url(partnership)).status_code == 404
        own = unescape(client.get(_url(other_partnership)).content.decode())
        assert "Ashdown closure" in own
        assert "Christmas Eve closure" not in own and _day(closures["upcoming"]) not in own
        home = unescape(client.get("/").content.decode())
        reminders = unescape(client.get("/reminders/").content.decode())
        assert "Christmas Eve closure" not in home + reminders


@pytest.mark.parametrize("who", ["agency", "reviewer", "regional"])
def test_agency_contributors_reviewers_and_regional_viewers_cannot_open_it(
    client, partnership, people, closures, who
):
    sign_in(client, people[who])
    assert client.get(_url(partnership)).status_code in (403, 404)


def test_it_is_linked_from_home_for_a_manager_and_from_the_reminders_page(
    client, partnership, people
):
    sign_in(client, people["manager"])
    assert _url(partnership) in client.get("/").content.decode()
    sign_in(client, people["officer"])
    assert _url(partnership) in client.get("/reminders/").content.decode()
