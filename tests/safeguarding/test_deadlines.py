"""The clock services: start, move with a reason, close, recompute after calendar changes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from safeguarding import deadlines
from safeguarding.models import AuditEvent, ClosureDay, Deadline

pytestmark = pytest.mark.django_db

Kind = Deadline.Kind


def start(partnership, subject, **kw):
    args = dict(
        subject=subject,
        partnership=partnership,
        kind=Kind.NOTIFICATION,
        title="Notify the Panel: BSCP-2026-001",
        trigger_date=dt.date(2026, 6, 13),
        amount=5,
    )
    args.update(kw)
    return deadlines.deadline_start(**args)


def test_start_computes_the_due_date_and_is_idempotent(partnership):
    first = start(partnership, partnership)
    assert first.due_date == dt.date(2026, 6, 19)  # DOMAIN.md: Sat 13 June + 5 = Fri 19 June
    again = start(partnership, partnership)
    assert again.pk == first.pk
    assert Deadline.objects.count() == 1


def test_calendar_months_rule(partnership):
    d = start(
        partnership,
        partnership,
        kind=Kind.PUBLICATION,
        rule=Deadline.Rule.CALENDAR_MONTHS,
        amount=6,
        trigger_date=dt.date(2026, 8, 31),
    )
    assert d.due_date == dt.date(2027, 2, 28)


def test_move_needs_a_reason_and_keeps_history(partnership, people):
    d = start(partnership, partnership)
    with pytest.raises(ValidationError):
        deadlines.deadline_move(
            deadline=d, actor=people["officer"], reason="  ", trigger_date=dt.date(2026, 6, 15)
        )
    moved = deadlines.deadline_move(
        deadline=d, actor=people["officer"], reason="Typo", trigger_date=dt.date(2026, 6, 15)
    )
    assert moved.due_date == dt.date(2026, 6, 22)
    change = moved.changes.get()
    assert (change.old_due, change.new_due, change.reason) == (
        dt.date(2026, 6, 19),
        dt.date(2026, 6, 22),
        "Typo",
    )
    event = AuditEvent.objects.get(object_type="safeguarding.deadline")
    assert event.changes["reason"] == "Typo"


def test_close_and_reopen(partnership):
    d = start(partnership, partnership)
    closed = deadlines.deadline_close(
        subject=partnership, kind=Kind.NOTIFICATION, on=dt.date(2026, 6, 18)
    )
    assert closed.outcome == Deadline.Outcome.MET and closed.met_in_time()
    assert not Deadline.objects.open().exists()
    # Closing twice keeps the first date.
    again = deadlines.deadline_close(
        subject=partnership, kind=Kind.NOTIFICATION, on=dt.date(2026, 6, 25)
    )
    assert again.closed_on == dt.date(2026, 6, 18)
    deadlines.deadline_reopen(subject=partnership, kind=Kind.NOTIFICATION)
    d.refresh_from_db()
    assert d.is_open


def test_queryset_vocabulary(partnership, other_partnership):
    late = start(partnership, partnership, trigger_date=dt.date(2026, 11, 2))  # due 9 Nov
    soon = start(partnership, other_partnership, trigger_date=dt.date(2026, 11, 23))  # due 30 Nov
    today = dt.date(2026, 11, 26)
    assert list(Deadline.objects.overdue(on=today)) == [late]
    assert list(Deadline.objects.due_within(working_days=3, on=today)) == [soon]
    assert list(Deadline.objects.for_subject(other_partnership)) == [soon]


def test_recompute_after_a_closure_day_moves_open_clocks_only(partnership, other_partnership):
    open_one = start(partnership, partnership, trigger_date=dt.date(2026, 12, 21))
    closed_one = start(partnership, other_partnership, trigger_date=dt.date(2026, 12, 21))
    deadlines.deadline_close(
        subject=other_partnership, kind=Kind.NOTIFICATION, on=dt.date(2026, 12, 22)
    )
    assert open_one.due_date == dt.date(2026, 12, 30)  # 22, 23, 24, 29, 30
    ClosureDay.objects.create(
        partnership=partnership, date=dt.date(2026, 12, 24), reason="Office closed"
    )
    moved = deadlines.deadlines_recompute(partnership=partnership)
    assert [d.pk for d in moved] == [open_one.pk]
    open_one.refresh_from_db()
    closed_one.refresh_from_db()
    assert open_one.due_date == dt.date(2026, 12, 31) and open_one.moved_by_calendar
    assert closed_one.due_date == dt.date(2026, 12, 30)
    explanation = deadlines.deadline_explain(open_one)
    assert "Partnership closure: Office closed" in [s.reason for s in explanation.skipped]


def test_a_clock_reopened_after_a_calendar_change_counts_from_the_new_calendar(
    partnership, other_partnership
):
    """A recompute passes closed clocks by; reopening one counts it again, with history."""
    clock = start(partnership, other_partnership, trigger_date=dt.date(2026, 12, 21))
    deadlines.deadline_close(
        subject=other_partnership, kind=Kind.NOTIFICATION, on=dt.date(2026, 12, 22)
    )
    ClosureDay.objects.create(
        partnership=partnership, date=dt.date(2026, 12, 24), reason="Office closed"
    )
    assert deadlines.deadlines_recompute(partnership=partnership) == []
    clock = deadlines.deadline_reopen(subject=other_partnership, kind=Kind.NOTIFICATION)
    assert clock.is_open and clock.due_date == dt.date(2026, 12, 31)
    assert clock.moved_by_calendar
    (change,) = clock.changes.all()
    assert (change.old_due, change.new_due) == (dt.date(2026, 12, 30), dt.date(2026, 12, 31))
    assert change.reason == "The working-day calendar changed while the clock was stopped"
    # Reopening again (nothing changed since) writes nothing more.
    deadlines.deadline_close(
        subject=other_partnership, kind=Kind.NOTIFICATION, on=dt.date(2026, 12, 23)
    )
    deadlines.deadline_reopen(subject=other_partnership, kind=Kind.NOTIFICATION)
    assert clock.changes.count() == 1


def test_bulk_recompute_writes_what_a_move_by_hand_writes(partnership, other_partnership, people):
    """Set-wise recomputation: the UPDATE, the history and the audit of every moved clock;
    clocks whose date does not change are left alone; closed and fixed clocks are not read."""
    user = people["manager"]
    moving = start(partnership, partnership, trigger_date=dt.date(2026, 12, 21))  # due 30th
    staying = start(partnership, other_partnership, trigger_date=dt.date(2026, 11, 2))
    fixed = start(
        partnership, user, rule=Deadline.Rule.FIXED, due_date=dt.date(2026, 12, 24), amount=0
    )
    ClosureDay.objects.create(partnership=partnership, date=dt.date(2026, 12, 24), reason="Shut")
    moved = deadlines.deadlines_recompute_many(
        Deadline.objects.filter(partnership=partnership), actor=user
    )
    assert moved == [moving.pk]
    for d in (moving, staying, fixed):
        d.refresh_from_db()
    assert moving.due_date == dt.date(2026, 12, 31) and moving.moved_by_calendar
    assert not staying.moved_by_calendar and fixed.due_date == dt.date(2026, 12, 24)
    (change,) = moving.changes.all()
    assert (change.old_due, change.new_due, change.actor) == (
        dt.date(2026, 12, 30),
        dt.date(2026, 12, 31),
        user,
    )
    event = AuditEvent.objects.get(object_type="safeguarding.deadline", object_id=str(moving.pk))
    assert event.changes["due_date"] == {"old": "2026-12-30", "new": "2026-12-31"}
    assert event.actor == user and event.partnership_id == partnership.pk
    # Run again: nothing moves, nothing more is written.
    assert deadlines.deadlines_recompute_many(Deadline.objects.all(), actor=user) == []
    assert moving.changes.count() == 1
