"""The two ways of working out the reminders due give the same answer (issue 9).

On PostgreSQL the sweep claims every due reminder with one INSERT … SELECT
(`reminders.due_reminders_sql`); on SQLite it works them out in Python a chunk of clocks
at a time (`reminders.due_reminders_python`, built on `reminder_for`, which the schedule
tests pin down). Here random partnerships, people, roles, policies, closure days and
clocks are generated and both must list exactly the same reminders, and a whole sweep
must claim the same rows either way.
"""

import datetime as dt
import json
import random

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguarding import calendar, reminders
from safeguarding.models import (
    ClosureDay,
    Deadline,
    Membership,
    Partnership,
    ReminderPolicy,
    ReminderSent,
    Role,
    User,
)
from tests.factories import PartnershipFactory, UserFactory
from tests.safeguarding.reminder_helpers import LONDON

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL is PostgreSQL's"),
]

#: Working days from November 2026 to February 2027: across Christmas and New Year.
DAYS = [
    d
    for d in (dt.date(2026, 11, 2) + dt.timedelta(days=i) for i in range(120))
    if calendar.is_working_day(d)
]


#: Those reminded (officers), those told when overdue (managers), and one role neither.
ROLES = [Role.REVIEW_OFFICER, Role.PARTNERSHIP_MANAGER, Role.INDEPENDENT_REVIEWER]


def _world(rng: random.Random, today: dt.date) -> None:
    """Three partnerships (one closed down), eight people, random roles, policies, closure
    days and forty clocks due from five weeks before `today` to four weeks after. Each
    partnership has, two times in five, no review officer at all (their clocks nobody
    owns go to its managers), besides those whose officers are all switched off."""
    partnerships = [PartnershipFactory() for _ in range(3)]
    no_officers = {p.pk for p in partnerships if rng.random() < 0.4}
    Partnership.objects.filter(pk=partnerships[2].pk).update(is_active=rng.random() < 0.5)
    people = [
        UserFactory(
            is_active=rng.random() < 0.85,
            reminder_preference=rng.choice(User.ReminderPreference.values),
        )
        for _ in range(8)
    ]
    seen = set()
    for _ in range(14):
        key = (rng.choice(people), rng.choice(partnerships), rng.choice(ROLES))
        if key[1].pk in no_officers and key[2] == Role.REVIEW_OFFICER:
            continue
        if key not in seen:
            seen.add(key)
            Membership.objects.create(user=key[0], partnership=key[1], role=key[2])
    for kind in Deadline.Kind.values:
        for partnership in [None, *partnerships]:
            if rng.random() < 0.3:
                ReminderPolicy.objects.create(
                    partnership=partnership,
                    kind=kind,
                    days_before=rng.sample([0, 1, 2, 3, 4, 5, 7, 10], rng.randint(0, 3)),
                    on_the_day=rng.random() < 0.7,
                    overdue_every=rng.choice([0, 1, 2, 3, 5]),
                    escalate=rng.random() < 0.7,
                    enabled=rng.random() < 0.9,
                )
    for partnership in partnerships:
        for day in rng.sample(range(-40, 30), rng.randint(0, 4)):
            ClosureDay.objects.create(
                partnership=partnership, date=today + dt.timedelta(days=day), reason="Closed"
            )
    clocks = []
    for i in range(40):
        due = today + dt.timedelta(days=rng.randint(-35, 28))
        closed = rng.random() < 0.15
        clocks.append(
            Deadline(
                partnership=rng.choice(partnerships),
                kind=rng.choice(Deadline.Kind.values),
                subject_type="tests.clock",
                subject_id=i,
                title=f"Clock {i}",
                owner=rng.choice([None, None, *people]),
                trigger_date=due - dt.timedelta(days=10),
                rule=Deadline.Rule.FIXED,
                due_date=due,
                closed_on=today if closed else None,
                outcome=Deadline.Outcome.MET if closed else "",
            )
        )
    Deadline.objects.bulk_create(clocks)


def _python_rows(setting) -> set[tuple]:
    return {
        (d, r, rule, occ, status, ctx["working_days"], ctx["on"])
        for chunk in reminders.due_reminders_python(setting)
        for d, r, rule, occ, status, ctx in chunk
    }


def _sql_rows(setting) -> list[tuple]:
    sql, params = reminders.due_reminders_sql(setting)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (d, r, rule, occ, status, ctx["working_days"], ctx["on"])
            for d, r, rule, occ, status, text in cursor.fetchall()
            for ctx in [json.loads(text)]
        ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32 - 1), today=st.sampled_from(DAYS))
def test_the_sql_lists_exactly_the_reminders_python_works_out(seed, today):
    with transaction.atomic():
        _world(random.Random(seed), today)
        setting = reminders.SweepSetting(today)
        expected = _python_rows(setting)
        found = _sql_rows(setting)
        transaction.set_rollback(True)
    assert len(found) == len(set(found)), "the SQL lists a reminder twice"
    assert set(found) == expected


def test_the_generated_worlds_are_due_reminders_of_every_rule():
    """The comparison above is only worth something if the worlds it draws have
    reminders of each rule and to people of each kind: checked over a few seeds."""
    rules, statuses, told_as = set(), set(), set()
    for seed in range(20):
        today = DAYS[seed * 7 % len(DAYS)]
        with transaction.atomic():
            _world(random.Random(seed), today)
            rows = _sql_rows(reminders.SweepSetting(today))
            told_as |= _told_as(rows)
            transaction.set_rollback(True)
        rules |= {row[2].split("_")[0] for row in rows}
        statuses |= {row[4] for row in rows}
    assert rules == {"before", "due", "overdue", "escalation"}
    assert statuses == {ReminderSent.Status.PENDING, ReminderSent.Status.HELD}
    # Reminders (not escalations) of clocks nobody owns go to officers, and, where a
    # partnership has no active officer, to its managers: both are drawn, before the
    # day, on the day and overdue (with no escalation).
    assert {"owner", "officer", "manager"} <= {who for who, _rule in told_as}
    assert {("manager", rule) for rule in ("before", "due", "overdue")} <= told_as


def _told_as(rows) -> set[tuple[str, str]]:
    """(as whom, rule) of each reminder that is not an escalation: as the clock's owner,
    or, for a clock nobody in the business unit owns, as a review officer or a manager."""
    deadlines = dict(Deadline.objects.values_list("pk", "owner_id"))
    roles = set(
        Membership.objects.filter(user__is_active=True).values_list(
            "user_id", "partnership_id", "role"
        )
    )
    partnership_of = dict(Deadline.objects.values_list("pk", "partnership_id"))
    told = set()
    for deadline_id, recipient_id, rule, *_rest in rows:
        if rule == "escalation":
            continue
        pid = partnership_of[deadline_id]
        if deadlines[deadline_id] == recipient_id:
            who = "owner"
        elif (recipient_id, pid, Role.REVIEW_OFFICER) in roles:
            who = "officer"
        else:
            assert (recipient_id, pid, Role.PARTNERSHIP_MANAGER) in roles
            who = "manager"
        told.add((who, rule.split("_")[0]))
    return told


def test_a_sweep_claims_and_queues_the_same_rows_in_one_statement_or_in_python(
    monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(reminders, "queue_sends", lambda pks: queued.extend(pks) or len(pks))
    today = dt.date(2026, 12, 2)
    now = dt.datetime.combine(today, dt.time(10), tzinfo=LONDON)
    _world(random.Random(2026), today)
    claimed = {}
    for one_statement in (True, False):
        monkeypatch.setattr(reminders, "claims_in_one_statement", lambda v=one_statement: v)
        queued.clear()
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                result = reminders.reminders_sweep(now=now)
            rows = [
                (*row[1:6], tuple(sorted(row[6].items())))
                for row in ReminderSent.objects.values_list(
                    "pk", "deadline_id", "recipient_id", "rule", "occurrence", "status", "context"
                )
            ]
            pending = set(
                ReminderSent.objects.filter(
                    status=ReminderSent.Status.PENDING, deadline__isnull=False
                ).values_list("pk", flat=True)
            )
            again = reminders.reminders_sweep(now=now)
            transaction.set_rollback(True)
        assert result.claimed_count + result.digests == len(rows) == len(set(rows))
        assert result.claimed_count > 0 and result.digests > 0
        assert again.claimed_count == 0  # once: the second sweep finds them all claimed
        # Every pending reminder this sweep claimed is queued once (digests come later).
        assert sorted(queued[: len(pending)]) == sorted(pending) and len(pending) > 0
        claimed[one_statement] = set(rows)
    assert claimed[True] == claimed[False]


def test_an_escalation_had_already_stands_for_the_overdue_in_either_way(monkeypatch):
    """A clock handed to a manager who had its escalation: neither way of claiming (one
    statement, or Python a chunk at a time) claims its "overdue" of the same occurrence for
    them (`reminders.told_by_escalation`), and both claim the same rows. An escalation of
    another occurrence tells them nothing of this one. Over a few random worlds."""
    monkeypatch.setattr(reminders, "queue_sends", lambda pks: len(pks))
    seen = {"told": 0, "not told": 0}
    for seed in range(6):
        with transaction.atomic():
            told, earlier = _escalated_world_swept_both_ways(monkeypatch, seed)
            transaction.set_rollback(True)
        seen["told"] += len(told)
        seen["not told"] += len(earlier)
    assert min(seen.values()) >= 5, seen  # the worlds drew enough of both


def _escalated_world_swept_both_ways(monkeypatch, seed: int):
    rng = random.Random(seed)
    today = DAYS[seed * 11 % len(DAYS)]
    _world(rng, today)
    overdue = sorted(
        row[:4] for row in _python_rows(reminders.SweepSetting(today)) if row[2] == "overdue"
    )
    told = set(rng.sample(overdue, len(overdue) // 2))
    earlier = [row for row in overdue if row not in told]
    ReminderSent.objects.bulk_create(
        [
            ReminderSent(
                deadline_id=d,
                recipient_id=r,
                rule="escalation",
                occurrence=occurrence if (d, r, _rule, occurrence) in told else "2020-01-01#0",
                status=ReminderSent.Status.SENT,
            )
            for d, r, _rule, occurrence in overdue
        ]
    )
    claimed = {}
    for one_statement in (True, False):
        monkeypatch.setattr(reminders, "claims_in_one_statement", lambda v=one_statement: v)
        with transaction.atomic():
            now = dt.datetime.combine(today, dt.time(10), tzinfo=LONDON)
            result = reminders.reminders_sweep(now=now)
            transaction.set_rollback(True)
        claimed[one_statement] = {
            (r.deadline_id, r.recipient_id, r.rule, r.occurrence, r.status) for r in result.claimed
        }
    assert claimed[True] == claimed[False]
    keys = {row[:4] for row in claimed[True]}
    assert not keys & told
    assert set(earlier) <= keys
    return told, earlier


def _clock(partnership, due, *, kind=Deadline.Kind.ACTION, owner=None, n=0) -> Deadline:
    return Deadline.objects.create(
        partnership=partnership,
        kind=kind,
        subject_type="tests.clock",
        subject_id=n,
        title=f"Clock {n}",
        owner=owner,
        trigger_date=due - dt.timedelta(days=10),
        rule=Deadline.Rule.FIXED,
        due_date=due,
    )


@pytest.fixture
def office():
    """A partnership with one active review officer."""
    partnership = PartnershipFactory()
    officer = UserFactory()
    Membership.objects.create(user=officer, partnership=partnership, role=Role.REVIEW_OFFICER)
    return partnership


def test_a_kind_without_a_policy_row_gets_the_code_default_both_ways(office):
    today = dt.date(2026, 12, 2)
    _clock(office, today - dt.timedelta(days=1), kind="retired_kind")
    setting = reminders.SweepSetting(today)
    rows = _sql_rows(setting)
    assert [row[2:4] for row in rows] == [("overdue", "2026-12-01#0")]
    assert set(rows) == _python_rows(setting)


def test_three_weeks_of_closure_days_still_leave_the_reminder_due(office):
    today = dt.date(2026, 12, 2)
    for day in range(1, 22):
        ClosureDay.objects.create(
            partnership=office, date=today + dt.timedelta(days=day), reason="Closed"
        )
    due = calendar.add_working_days(today, 3, partnership=office)
    _clock(office, due)
    setting = reminders.SweepSetting(today)
    expected = reminders.reminder_on(
        due, today=today, policy=reminders.DEFAULT_POLICY, closures=calendar.closure_days(office)
    )
    rows = _sql_rows(setting)
    assert expected is not None and [row[2] for row in rows] == [expected.rule] == ["before_3"]
    assert set(rows) == _python_rows(setting)


def test_a_clock_reopened_mid_sweep_waits_for_the_next_sweep(office):
    """The working days handed to the SQL start at the earliest open due date read before
    the statement; a clock due earlier that opens in between is left to the next sweep,
    never counted against days the array does not hold."""
    today = dt.date(2026, 12, 2)
    first = _clock(office, today - dt.timedelta(days=3), n=1)
    setting = reminders.SweepSetting(today)
    sql, params = reminders.due_reminders_sql(setting)
    reopened = _clock(office, today - dt.timedelta(days=30), n=2)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[:4] for row in cursor.fetchall()}
    expected = {row[:4] for row in _python_rows(reminders.SweepSetting(today))}
    assert found == {row for row in expected if row[0] == first.pk} and found
    # The next sweep counts it, with the right repeat number.
    later = {row[:4] for row in _sql_rows(reminders.SweepSetting(today))}
    assert later == expected and any(row[0] == reopened.pk for row in later)


def test_the_select_runs_with_server_side_binding_too(office):
    import psycopg

    today = dt.date(2026, 12, 2)
    _clock(office, today - dt.timedelta(days=1))
    sql, params = reminders.due_reminders_sql(reminders.SweepSetting(today))
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        assert [row[2] for row in cursor.fetchall()] == ["overdue"]
