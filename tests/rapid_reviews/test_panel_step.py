"""Sending the rapid review to the National Panel on its statutory day is the statutory
clock itself, not a second clock beside it (ADR 0026)."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from rapid_reviews import services
from rapid_reviews.models import Milestone, Timetable
from rapid_reviews.selectors import milestones_of
from safeguarding.dashboard import build_dashboard
from safeguarding.deadline_selectors import feed_items
from safeguarding.deadlines import Kind, deadline_start, get_deadline
from safeguarding.models import Deadline, DeadlineChange, ReminderSent
from safeguarding.reminders import reminder_claim
from tests.utils import sign_in

from .conftest import decide_and_sign

pytestmark = pytest.mark.django_db


def rapid_review_clocks(review):
    return {
        (d.kind, d.key): d
        for d in Deadline.objects.for_subject(review).filter(
            kind__in=[Kind.RAPID_REVIEW, Kind.RAPID_REVIEW_MILESTONE]
        )
    }


def test_the_default_timetable_keeps_no_second_clock_on_the_statutory_day(review, partnership):
    clocks = rapid_review_clocks(review)
    assert set(clocks) == {
        (Kind.RAPID_REVIEW, ""),
        (Kind.RAPID_REVIEW_MILESTONE, Milestone.REQUESTS),
        (Kind.RAPID_REVIEW_MILESTONE, Milestone.RETURNS),
        (Kind.RAPID_REVIEW_MILESTONE, Milestone.MEETING),
        (Kind.RAPID_REVIEW_MILESTONE, Milestone.SIGN_OFF),
    }
    # The dashboard counts the review's clocks due on day 15 once.
    board = build_dashboard([partnership], today=review.due_date, limit=None)
    rapid = next(s for s in board.stages if s.key == "rapid_reviews")
    assert rapid.due_today == 1
    assert [r.id for r in board.due_today] == [clocks[(Kind.RAPID_REVIEW, "")].pk]

    # The timetable still shows the step, on the statutory clock's day.
    rows = {row.key: row for row in milestones_of(review)}
    assert list(rows) == list(Milestone.values)
    assert rows[Milestone.PANEL].due_date == review.due_date
    assert rows[Milestone.PANEL].closed_on is None


def test_sending_the_review_marks_the_step_done_from_the_statutory_clock(review, people):
    officer = people["officer"]
    review = decide_and_sign(review, officer)
    today = timezone.localdate()
    services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=today)
    assert get_deadline(review, Kind.RAPID_REVIEW).closed_on == today
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.PANEL) is None
    panel = next(row for row in milestones_of(review) if row.key == Milestone.PANEL)
    assert panel.closed_on == today and not panel.no_longer_needed


def test_an_earlier_local_day_is_a_target_with_its_own_clock(make_review, partnership, people):
    Timetable.objects.create(partnership=partnership, sign_off_day=12, panel_day=13)
    review = make_review()
    step = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.PANEL)
    assert step is not None and step.amount == 13
    assert step.due_date < review.due_date
    panel = next(row for row in milestones_of(review) if row.key == Milestone.PANEL)
    assert panel.due_date == step.due_date

    services.rapid_review_send_to_panel(
        rapid_review=decide_and_sign(review, people["officer"]),
        actor=people["officer"],
        sent_on=timezone.localdate(),
    )
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.PANEL).closed_on


def test_the_calendar_feed_has_one_event_on_day_15(review, people):
    titles = [
        item.title
        for item in feed_items(people["officer"])
        if review.incident.reference in item.title and item.due == review.due_date
    ]
    assert titles == [f"Complete the rapid review: {review.incident.reference}"]


def test_the_detail_page_shows_the_step_on_the_statutory_day(client, review, people):
    from safeguarding.dates import short_date

    sign_in(client, people["officer"])
    page = client.get(review.get_absolute_url()).content.decode()
    table = page.split('id="timetable"', 1)[1].split("</table>", 1)[0]
    row = table.split(str(Milestone.PANEL.label), 1)[1].split("</tr>", 1)[0]
    assert short_date(review.due_date) in row


def test_the_migration_removes_the_step_clocks_made_for_the_statutory_day(
    make_review, partnership, other_partnership, people
):
    """Reviews opened before the change kept a step clock for day 15; the migration takes
    those away (they always matched the statutory clock) and keeps local targets."""
    old = make_review()
    step = deadline_start(
        subject=old,
        partnership=partnership,
        kind=Kind.RAPID_REVIEW_MILESTONE,
        key=Milestone.PANEL,
        title="Sent to the National Panel",
        trigger_date=old.incident.notified_on,
        amount=15,
    )
    statutory = get_deadline(old, Kind.RAPID_REVIEW)
    assert step.due_date == statutory.due_date
    DeadlineChange.objects.create(
        deadline=step, old_due=step.due_date, new_due=step.due_date, reason="Calendar"
    )
    officer = people["officer"]
    claims = {
        clock.pk: reminder_claim(
            recipient=officer, deadline=clock, rule="before", occurrence="a#3", queue=False
        )
        for clock in (step, statutory)
    }
    Timetable.objects.create(partnership=other_partnership, sign_off_day=12, panel_day=13)
    local = make_review(partnership=other_partnership, actor=people["other_officer"])
    migration = importlib.import_module(
        "rapid_reviews.migrations.0013_panel_step_is_the_statutory_clock"
    )

    migration.remove_step_clocks_on_the_statutory_day(apps, None)

    assert get_deadline(old, Kind.RAPID_REVIEW_MILESTONE, Milestone.PANEL) is None
    assert get_deadline(old, Kind.RAPID_REVIEW) is not None
    # Its move history and reminders go with it; the statutory clock's stay.
    assert not DeadlineChange.objects.filter(deadline_id=step.pk).exists()
    assert list(ReminderSent.objects.filter(pk__in=[c.pk for c in claims.values()])) == [
        claims[statutory.pk]
    ]
    assert len(rapid_review_clocks(old)) == 5
    assert get_deadline(local, Kind.RAPID_REVIEW_MILESTONE, Milestone.PANEL).amount == 13


def test_a_met_step_says_in_words_whether_it_was_on_time(client, review, people):
    """WCAG 1.4.1: the timetable's tag colour is not the only sign a step was late."""
    import datetime as dt

    from safeguarding.deadlines import deadline_close

    requests = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.REQUESTS)
    deadline_close(
        subject=review,
        kind=Kind.RAPID_REVIEW_MILESTONE,
        key=Milestone.REQUESTS,
        on=requests.due_date + dt.timedelta(days=7),
    )
    returns = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.RETURNS)
    deadline_close(
        subject=review, kind=Kind.RAPID_REVIEW_MILESTONE, key=Milestone.RETURNS, on=returns.due_date
    )
    sign_in(client, people["officer"])
    page = client.get(review.get_absolute_url()).content.decode()
    table = page.split('id="timetable"', 1)[1].split("</table>", 1)[0]
    late = table.split(str(Milestone.REQUESTS.label), 1)[1].split("</tr>", 1)[0]
    assert "Met, " in late and "working days late" in late
    on_time = table.split(str(Milestone.RETURNS.label), 1)[1].split("</tr>", 1)[0]
    assert "Met on time" in on_time
