"""Bulk recomputation of 100,000 working-day clocks after a calendar change (issue 9: no
more than 2x numpy.busday_offset over the same dates and holidays).

The calendar change: every partnership closes on the first Monday of every month (added
inside a transaction that is rolled back at the end, so the data is left as it was).

1. `recompute_dates` (the target): the service's computation of the new due dates,
   `deadlines.working_day_dues` (what `deadlines_recompute_many` calls), against
   `numpy.busday_offset` over the same trigger dates, working-day counts and holidays
   (bank holidays plus each partnership's closure days, one numpy busday calendar per
   partnership, built inside the timing as ours builds its tables). Both start from the
   same arrays; their answers are compared and must agree date for date.
2. `recompute_end_to_end` (reported, no target in the issue): `deadlines_recompute_many`
   over the same clocks: lock and read them, compute, UPDATE the moved ones, and write
   their history and audit events; against the least SQL the job needs: the same
   SELECT … FOR UPDATE, numpy.busday_offset, and one UPDATE of the moved rows.
"""

from __future__ import annotations

import datetime as dt
import statistics

import numpy as np
from django.db import connection, transaction

from bench import common
from safeguarding import calendar, deadlines
from safeguarding.models import ClosureDay, Deadline, Partnership

N = 100_000
REASON = "Bench: calendar change"


def first_mondays(first_year: int, last_year: int) -> list[dt.date]:
    days = []
    for year in range(first_year, last_year + 1):
        for month in range(1, 13):
            day = dt.date(year, month, 1)
            days.append(day + dt.timedelta(days=(7 - day.weekday()) % 7))
    return days


def numpy_dues(owners, triggers, amounts, closures, years) -> np.ndarray:
    """The anchor: numpy.busday_offset per partnership with its holidays."""
    bank = [d for year in years for d in calendar.bank_holidays(year)]
    due = np.empty(len(triggers), dtype="datetime64[D]")
    bounds = np.flatnonzero(np.diff(owners)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(triggers)], strict=True):
        holidays = np.array(bank + list(closures[int(owners[lo])]), dtype="datetime64[D]")
        cal = np.busdaycalendar(weekmask="1111100", holidays=holidays)
        # "roll backward" then count: the trigger day never counts, as in the service.
        due[lo:hi] = np.busday_offset(
            triggers[lo:hi], amounts[lo:hi], roll="backward", busdaycal=cal
        )
    return due


def run(args) -> list[common.Result]:
    clocks = Deadline.objects.filter(rule=Deadline.Rule.WORKING_DAYS, amount__gt=0).order_by("id")
    ids = list(clocks.values_list("id", flat=True)[:N])
    results = []
    with transaction.atomic():  # rolled back at the end: the data is left as it was
        pids = list(Partnership.objects.values_list("pk", flat=True))
        span = Deadline.objects.filter(pk__in=ids).values_list("trigger_date", flat=True)
        first_year = min(span).year
        last_year = max(span).year + 1
        existing = set(ClosureDay.objects.values_list("partnership_id", "date"))
        ClosureDay.objects.bulk_create(
            [
                ClosureDay(partnership_id=pid, date=day, reason=REASON)
                for pid in pids
                for day in first_mondays(first_year, last_year)
                if (pid, day) not in existing
            ],
            batch_size=5000,
        )
        results.append(measure_dates(ids, pids, first_year, last_year, args))
        results.append(measure_end_to_end(ids, first_year, last_year, args))
        transaction.set_rollback(True)
    return results


def load(ids):
    rows = list(
        Deadline.objects.filter(pk__in=ids)
        .order_by("partnership_id", "id")
        .values_list("partnership_id", "trigger_date", "amount")
    )
    owners = np.array([r[0] for r in rows], dtype=np.int64)
    triggers = np.array([r[1] for r in rows], dtype="datetime64[D]")
    amounts = np.array([r[2] for r in rows], dtype=np.int64)
    closures = {int(pid): {} for pid in np.unique(owners)}
    for pid, day, reason in ClosureDay.objects.filter(partnership__in=list(closures)).values_list(
        "partnership_id", "date", "reason"
    ):
        closures[pid][day] = reason
    return owners, triggers, amounts, closures


def measure_dates(ids, pids, first_year, last_year, args) -> common.Result:
    owners, triggers, amounts, closures = load(ids)
    years = range(first_year - 1, last_year + 3)

    def ours():
        calendar.clear_caches()  # as deadlines_recompute_many does: tables rebuilt
        return deadlines.working_day_dues(owners, triggers, amounts, closures)

    def anchor():
        return numpy_dues(owners, triggers, amounts, closures, years)

    mismatches = int(np.count_nonzero(ours() != anchor()))
    if mismatches:
        raise RuntimeError(f"The service and numpy disagree on {mismatches} due dates")
    project, base, n = common.interleaved(ours, anchor, repeat=args.repeat)
    return common.Result(
        name="recompute_dates",
        title=f"Recompute {len(ids):,} due dates (calendar work)",
        project=project,
        anchor=base,
        anchor_name="numpy.busday_offset, same dates and holidays",
        target="ratio <= 2.0",
        max_ratio=2.0,
        size={
            "deadlines": len(ids),
            "partnerships": len(closures),
            "closure_days": sum(len(c) for c in closures.values()),
            "years": f"{first_year}-{last_year}",
            "answers_compared": len(ids),
        },
        samples=n,
    )


def measure_end_to_end(ids, first_year, last_year, args) -> common.Result:
    table = Deadline._meta.db_table
    years = range(first_year - 1, last_year + 3)
    moved_counts = []

    def ours():
        with transaction.atomic():
            moved_counts.append(
                len(deadlines.deadlines_recompute_many(Deadline.objects.filter(pk__in=ids)))
            )
            transaction.set_rollback(True)

    def anchor():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, partnership_id, trigger_date, amount, due_date FROM {table} "  # noqa: S608
                "WHERE id = ANY(%s) ORDER BY partnership_id, id FOR UPDATE",
                [ids],
            )
            rows = cursor.fetchall()
            owners = np.array([r[1] for r in rows], dtype=np.int64)
            triggers = np.array([r[2] for r in rows], dtype="datetime64[D]")
            amounts = np.array([r[3] for r in rows], dtype=np.int64)
            old = np.array([r[4] for r in rows], dtype="datetime64[D]")
            cursor.execute(
                "SELECT partnership_id, date FROM safeguarding_closureday "
                "WHERE partnership_id = ANY(%s)",
                [np.unique(owners).tolist()],
            )
            closures: dict[int, list] = {}
            for pid, day in cursor.fetchall():
                closures.setdefault(pid, []).append(day)
            for pid in np.unique(owners).tolist():
                closures.setdefault(pid, [])
            new = numpy_dues(owners, triggers, amounts, closures, years)
            moved = np.flatnonzero(new != old)
            cursor.execute(
                f"UPDATE {table} AS d SET due_date = v.due, moved_by_calendar = TRUE "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::date[]) AS v(id, due) WHERE d.id = v.id",
                [[rows[i][0] for i in moved.tolist()], new[moved].tolist()],
            )
            transaction.set_rollback(True)

    repeat = max(5, args.repeat // 3)
    project, base, n = common.interleaved(ours, anchor, repeat=repeat, warmup=1)
    return common.Result(
        name="recompute_end_to_end",
        title=f"Recompute {len(ids):,} clocks in the database",
        project=project,
        anchor=base,
        anchor_name="SELECT FOR UPDATE + numpy.busday_offset + one UPDATE",
        target="reported (no target set)",
        size={"deadlines": len(ids), "moved": statistics.median(moved_counts)},
        samples=n,
        notes="Ours also writes a DeadlineChange and an audit event per moved clock.",
    )
