"""The clocks stay right when the calendar changes, a review is held and resumed, or a date
falls on a day nobody works: the dates cases show agree with their clocks, the notice
before publication always leaves 7 working days, and nothing closed comes back."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from lcspr import services as lcspr_services
from lcspr.models import HoldReason
from notifications import services as incident_services
from rapid_reviews import services as rr_services
from safeguarding import calendar
from safeguarding.calendar_changes import calendar_changed
from safeguarding.dashboard import Row
from safeguarding.deadlines import get_deadline, notice_by
from safeguarding.models import ClosureDay, Deadline, ReminderSent
from safeguarding.reminder_mail import headline
from tests.lcspr.conftest import days_ago, local_review  # noqa: F401 - fixture
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    make_review,
    review,
)
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

Kind = Deadline.Kind
TODAY = timezone.localdate


def next_working(day: dt.date, n: int, partnership) -> dt.date:
    return calendar.add_working_days(day, n, partnership=partnership)


def test_a_closure_day_moves_the_dates_the_incident_and_rapid_review_show(
    review,  # noqa: F811
    partnership,
    people,
):
    officer = people["officer"]
    today = TODAY()
    draft = incident_services.incident_create(
        partnership=partnership,
        actor=officer,
        awareness_date=calendar.add_working_days(today, -1, partnership=partnership),
    )
    draft_clock = get_deadline(draft, Kind.NOTIFICATION)
    review_clock = get_deadline(review, Kind.RAPID_REVIEW)
    assert draft.notification_due == draft_clock.due_date
    assert review.due_date == review_clock.due_date
    before = (draft.notification_due, review.due_date)

    closed = next_working(today, 1, partnership)  # inside both clocks
    ClosureDay.objects.create(partnership=partnership, date=closed, reason="Office move")
    calendar_changed(partnership=partnership)

    draft.refresh_from_db()
    review.refresh_from_db()
    draft_clock.refresh_from_db()
    review_clock.refresh_from_db()
    assert draft_clock.due_date == next_working(before[0], 1, partnership)
    assert review_clock.due_date == next_working(before[1], 1, partnership)
    assert (draft.notification_due, review.due_date) == (
        draft_clock.due_date,
        review_clock.due_date,
    )
    # The page says the same date as its clock.
    page = _get(people, officer, draft.get_absolute_url())
    assert f"Notify the National Panel by {draft_clock.due_date:%-d %B %Y}" in page


def _get(people, user, url):
    from django.test import Client

    client = Client()
    sign_in(client, user)
    return client.get(url).content.decode()


def test_the_notice_always_leaves_seven_working_days_before_the_target(partnership):
    """For every target day over a year and more (weekends, bank holidays, Christmas and a
    closure day among them): sent on the notice date, publication on the target is
    allowed; sent a working day later, it is not."""
    closures = {dt.date(2027, 4, 1): "Office closed"}
    day = dt.date(2026, 11, 1)
    while day <= dt.date(2027, 12, 31):
        by = notice_by(day, 7, partnership=closures)
        assert calendar.is_working_day(by, partnership=closures), day
        assert calendar.add_working_days(by, 7, partnership=closures) <= day, day
        later = calendar.add_working_days(by, 1, partnership=closures)
        assert calendar.add_working_days(later, 7, partnership=closures) > day, day
        day += dt.timedelta(days=1)
    # Saturday 21 November 2026: counted back from Friday 20, not from the Saturday.
    assert notice_by(dt.date(2026, 11, 21), 7, partnership={}) == dt.date(2026, 11, 11)


def _decided_for_a_saturday_target() -> dt.date:
    day = days_ago(60)
    while (day + relativedelta(months=6)).weekday() != 5:
        day -= dt.timedelta(days=1)
    return day


def _approved(local, officer, approved_on):
    local = lcspr_services.review_save_terms(
        review=local, actor=officer, text="Terms.", agreed_on=local.decision_date
    )
    return lcspr_services.review_approve_final(review=local, actor=officer, approved_on=approved_on)


def test_the_notice_clock_of_a_saturday_target_and_after_a_closure_day(
    make_review,  # noqa: F811
    people,
    partnership,
):
    officer = people["officer"]
    rapid = make_review()
    local = lcspr_services.review_open(
        rapid_review=rapid, decision_date=_decided_for_a_saturday_target(), actor=officer
    )
    assert local.target_publication.weekday() == 5
    local = _approved(local, officer, local.decision_date + dt.timedelta(days=1))
    notice = get_deadline(local, Kind.PRE_PUBLICATION_NOTICE)
    assert notice.rule == Deadline.Rule.WORKING_DAYS_BEFORE
    assert notice.due_date == notice_by(local.target_publication, 7, partnership=partnership)
    # Sent on the notice date, the target publication date is allowed.
    earliest = lcspr_services.earliest_publication(local, notice.due_date).due
    assert earliest <= local.target_publication

    # A closure day between the notice and the target: the notice comes a day earlier.
    closed = calendar.add_working_days(notice.due_date, 2, partnership=partnership)
    ClosureDay.objects.create(partnership=partnership, date=closed, reason="Training day")
    calendar_changed(partnership=partnership)
    before = notice.due_date
    notice.refresh_from_db()
    assert notice.due_date == calendar.add_working_days(before, -1, partnership=partnership)
    earliest = lcspr_services.earliest_publication(local, notice.due_date).due
    assert earliest <= local.target_publication


def test_resuming_a_hold_begun_on_the_approval_day_keeps_the_finished_steps_closed(
    local_review,  # noqa: F811
    people,
    partnership,
):
    officer = people["officer"]
    approved_on = days_ago(10)
    local = _approved(local_review, officer, approved_on)
    moot = Deadline.objects.for_subject(local).filter(
        kind=Kind.LCSPR_MILESTONE, outcome=Deadline.Outcome.CANCELLED
    )
    moot_keys = set(moot.values_list("key", flat=True))
    assert moot_keys  # the unfinished steps final approval made moot
    local = lcspr_services.review_put_on_hold(
        review=local,
        actor=officer,
        reason=HoldReason.CRIMINAL_PROCEEDINGS,
        note="",
        held_since=approved_on,
        look_again_on=TODAY() + dt.timedelta(days=14),
    )
    assert get_deadline(local, Kind.PRE_PUBLICATION_NOTICE).outcome == "paused"
    local = lcspr_services.review_resume(review=local, actor=officer, resumed_on=days_ago(3))

    still_moot = Deadline.objects.for_subject(local).filter(
        kind=Kind.LCSPR_MILESTONE, outcome=Deadline.Outcome.CANCELLED, closed_on=approved_on
    )
    assert set(still_moot.values_list("key", flat=True)) == moot_keys
    notice = get_deadline(local, Kind.PRE_PUBLICATION_NOTICE)
    assert local.expected_publication > local.target_publication
    assert notice.is_open and notice.trigger_date == local.expected_publication
    # Counted back in working days from the later date: never a weekend or holiday.
    assert notice.due_date == notice_by(local.expected_publication, 7, partnership=partnership)
    page = _get(people, officer, local.get_absolute_url())
    assert "Not recorded" in page and "No longer needed" not in page


def _row(due: dt.date, today: dt.date, left: int) -> Row:
    return Row(
        id=1,
        title="Draft report: BSCP-2026-001",
        url="/",
        reference="BSCP-2026-001",
        kind=Kind.LCSPR_MILESTONE,
        owner_id=None,
        owner_name="",
        due_date=due,
        moved=False,
        left=left,
        stage="lcspr",
        stage_label="Local review",
        rag="due-soon",
        rag_label="Amber",
        partnership_code="BSCP",
        due_later=due > today,
    )


def test_a_clock_due_on_a_sunday_is_not_due_today_on_the_friday():
    friday, sunday = dt.date(2027, 3, 5), dt.date(2027, 3, 7)
    assert calendar.working_days_between(friday, sunday) == 0
    assert _row(sunday, friday, 0).left_text == (
        "Due Sunday 7 March: no working day left before it"
    )
    assert _row(friday, friday, 0).left_text == "Due today"


def test_the_due_reminder_of_a_weekend_clock_names_its_day(partnership, people):
    sunday = TODAY() + dt.timedelta(days=(6 - TODAY().weekday()) or 7)
    clock = Deadline.objects.create(
        partnership=partnership,
        kind=Kind.LCSPR_MILESTONE,
        subject_type="safeguarding.partnership",
        subject_id=partnership.pk,
        title="Draft report",
        trigger_date=TODAY(),
        rule=Deadline.Rule.FIXED,
        due_date=sunday,
    )
    row = ReminderSent(deadline=clock, rule="due", context={"working_days": 0})
    assert headline(row, clock) == f"Due {sunday:%A %-d %B %Y}: no working day left before it"
    clock.due_date = TODAY()
    assert headline(row, clock) == "Due today"


def test_moving_a_closure_day_to_another_partnership_recomputes_both(
    partnership, other_partnership, people, django_capture_on_commit_callbacks
):
    officer = people["officer"]
    today = TODAY()
    mine = incident_services.incident_create(
        partnership=partnership, actor=officer, awareness_date=today
    )
    theirs = incident_services.incident_create(
        partnership=other_partnership, actor=people["other_officer"], awareness_date=today
    )
    usual, later = next_working(today, 5, None), next_working(today, 6, None)
    with django_capture_on_commit_callbacks(execute=True):
        closure = ClosureDay.objects.create(
            partnership=partnership, date=next_working(today, 2, None), reason="Closed"
        )
    mine.refresh_from_db()
    assert mine.notification_due == later
    with django_capture_on_commit_callbacks(execute=True):
        closure.partnership = other_partnership
        closure.save()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.notification_due, theirs.notification_due) == (usual, later)
    assert get_deadline(mine, Kind.NOTIFICATION).due_date == usual


def test_due_within_five_working_days_counts_the_partnerships_closure_days(
    client, partnership, people
):
    officer = people["officer"]
    today = TODAY()
    ClosureDay.objects.create(
        partnership=partnership, date=next_working(today, 2, None), reason="Closed"
    )
    incident = incident_services.incident_create(
        partnership=partnership, actor=officer, awareness_date=today
    )
    # Its 5th working day, counting the closure day as closed, is 6 days of England's.
    assert incident.notification_due == next_working(today, 6, None)
    sign_in(client, officer)
    html = client.get(reverse("notifications:list"), {"due": "5"}).content.decode()
    assert incident.reference in html


def test_a_return_cannot_be_due_after_the_rapid_review(
    review,  # noqa: F811
    agencies,  # noqa: F811
    people,
):
    officer = people["officer"]
    too_late = calendar.add_working_days(review.due_date, 1)
    with pytest.raises(ValidationError) as error:
        rr_services.information_requests_create(
            rapid_review=review, actor=officer, agencies=[agencies["health"]], due_date=too_late
        )
    message = error.value.message_dict["due_date"][0]
    assert f"on or before {review.due_date:%-d %B %Y}" in message
    (created,) = rr_services.information_requests_create(
        rapid_review=review, actor=officer, agencies=[agencies["health"]], due_date=review.due_date
    )
    assert created.due_date == review.due_date


def test_a_recompute_stopped_by_a_deadlock_is_run_again(partnership, people, monkeypatch):
    """PostgreSQL breaks a deadlock by stopping one transaction: the recompute is then
    simply run again (it is idempotent); any other database error is not hidden."""
    from django.db import OperationalError

    from safeguarding import calendar_changes

    real, calls = calendar_changes.deadlines_recompute, []

    def once_deadlocked(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected")
        return real(**kwargs)

    monkeypatch.setattr(calendar_changes, "deadlines_recompute", once_deadlocked)
    incident = incident_services.incident_create(
        partnership=partnership, actor=people["officer"], awareness_date=TODAY()
    )
    ClosureDay.objects.create(
        partnership=partnership, date=next_working(TODAY(), 1, None), reason="Closed"
    )
    moved = calendar_changed(partnership=partnership)
    assert len(calls) == 2 and [d.subject_id for d in moved] == [incident.pk]

    def broken(**kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(calendar_changes, "deadlines_recompute", broken)
    with pytest.raises(OperationalError):
        calendar_changed(partnership=partnership)


@pytest.mark.parametrize(
    "aware, due, seen",
    [
        (dt.date(2026, 11, 27), dt.date(2026, 12, 4), dt.date(2026, 12, 5)),  # a Saturday
        (dt.date(2026, 11, 27), dt.date(2026, 12, 4), dt.date(2026, 12, 6)),  # a Sunday
        (dt.date(2026, 8, 21), dt.date(2026, 8, 28), dt.date(2026, 8, 31)),  # bank holiday
    ],
)
def test_a_notification_due_on_friday_is_overdue_on_the_weekend_not_due_today(
    client, partnership, people, aware, due, seen, monkeypatch
):
    from notifications.views.reading import clock_for

    officer = people["officer"]
    incident = incident_services.incident_create(
        partnership=partnership,
        actor=officer,
        awareness_date=aware,
        incident_date=aware,
        incident_place="Brookfield",
    )
    assert incident.notification_due == due
    clock = clock_for(incident, seen)
    assert (clock["running"], clock["left"], clock["overdue"]) == (True, -1, 1)
    assert calendar.working_days_left(seen, due, partnership=partnership) == -1
    assert calendar.working_days_left(due, due, partnership=partnership) == 0  # on the day
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: seen)
    sign_in(client, officer)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Due today" not in page and "1 working day overdue" in page
