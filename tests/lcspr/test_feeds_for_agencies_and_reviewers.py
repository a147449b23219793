"""The calendar feed of people outside the business unit: an agency contributor's holds
the returns and actions their agency still owes (linking to the agency's pages, not the
business unit's); an independent reviewer's holds the steps and statutory date of the
open reviews assigned to them. Neither holds another agency's, another review's, or the
partnership's own housekeeping."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from lcspr import services
from lcspr.models import HoldReason
from rapid_reviews import services as rr_services
from safeguarding import feeds
from tests.utils import sign_in

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _events(client, user) -> dict[str, str]:
    """{summary: url} of the user's feed, read as a calendar reads it."""
    token = feeds.calendar_feed_create(actor=user)
    client.logout()
    response = client.get(reverse("safeguarding:calendar-feed", args=[token]))
    assert response.status_code == 200
    return {
        str(e["summary"]): str(e["url"])
        for e in Calendar.from_ical(response.content).walk("VEVENT")
    }


def test_an_agencys_feed_holds_what_it_owes_with_its_own_pages(
    client, local_review, people, agencies, contributors, make_review
):
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    args = dict(
        recommendation=rec, actor=officer, lead="Lead", due_date=TODAY() + dt.timedelta(days=40)
    )
    police_action = services.action_add(description="Brief", agency=agencies["police"], **args)
    services.action_add(description="Audit", agency=agencies["health"], **args)
    rapid = make_review()
    (request,) = rr_services.information_requests_create(
        rapid_review=rapid,
        actor=officer,
        agencies=[agencies["police"]],
        due_date=TODAY() + dt.timedelta(days=7),
        send=True,
    )
    events = _events(client, contributors["police"])
    assert len(events) == 2
    links = set(events.values())
    assert any(u.endswith(reverse("lcspr:agency-action", args=[police_action.pk])) for u in links)
    assert any(
        u.endswith(reverse("rapid_reviews:contributor-request", args=[request.pk])) for u in links
    )
    assert all("/local-reviews/agency-actions/" in u or "/requests/" in u for u in links)
    assert not any("Health" in summary for summary in events)
    assert _events(client, contributors["other_police"]) == {}  # the other partnership's
    # Done: off the feed.
    services.action_update(
        action=police_action,
        actor=contributors["police"],
        status="complete",
        due_date=police_action.due_date,
        evidence_of_impact="All briefed.",
    )
    assert len(_events(client, contributors["police"])) == 1


def test_a_reviewers_feed_holds_the_steps_of_their_reviews_only(
    client, local_review, people, make_review
):
    from .conftest import open_review

    reviewer, officer = people["reviewer"], people["officer"]
    services.review_set_reviewers(review=local_review, actor=officer, reviewers=[reviewer])
    open_review(make_review, people)  # another review, not theirs
    events = _events(client, reviewer)
    assert events and all(local_review.get_absolute_url() in u for u in events.values())
    # Each step is something to do (the review's timetable names the state it reaches).
    ref = local_review.reference
    assert f"Due: Agree the terms of reference: {ref}" in events
    assert f"Due: Hold the practitioner learning event: {ref}" in events
    assert not any("Terms of reference agreed" in summary for summary in events)
    # A written request to answer: its reply-by date, linking to the answer page.
    from lcspr.models import PartnerCheck

    asked = services.partner_check_add(
        review=local_review,
        actor=people["manager"],
        kind=PartnerCheck.Kind.WRITTEN_REQUEST,
        checked_on=TODAY(),
        note="Please send the draft.",
        respond_by=TODAY() + dt.timedelta(days=10),
    )
    reply = reverse("lcspr:written-reply", args=[local_review.pk, asked.pk])
    events = _events(client, reviewer)
    assert [u for u in events.values() if u.endswith(reply)]
    services.written_request_reply(check=asked, actor=reviewer, text="Attached.")
    assert not [u for u in _events(client, reviewer).values() if u.endswith(reply)]
    services.review_put_on_hold(
        review=local_review,
        actor=officer,
        reason=HoldReason.INQUEST,
        note="",
        held_since=TODAY(),
        look_again_on=TODAY() + dt.timedelta(days=30),
    )
    held = _events(client, reviewer)
    assert not any("Look again" in summary for summary in held)  # the partnership's own
    sign_in(client, officer)  # the business unit still sees everything of theirs
    assert any("Look again" in summary for summary in _events(client, officer))


def test_the_reminders_page_says_what_an_agency_is_e_mailed_without_the_digest_choice(
    client, contributors, people
):
    sign_in(client, contributors["police"])
    page = client.get(reverse("safeguarding:reminder-settings")).content.decode()
    assert "5 working days before it is due" in page and "reminder_preference" not in page
    sign_in(client, people["officer"])
    page = client.get(reverse("safeguarding:reminder-settings")).content.decode()
    assert "reminder_preference" in page and "5 working days before it is due" not in page
    # Each role is told only what applies to it.
    sign_in(client, people["reviewer"])
    page = client.get(reverse("safeguarding:reminder-settings")).content.decode()
    assert "when the partners ask you in writing" in page and "your agency" not in page
    sign_in(client, people["regional"])
    page = client.get(reverse("safeguarding:reminder-settings")).content.decode()
    assert "nothing to remind you of" in page and "your agency" not in page
