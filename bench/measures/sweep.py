"""The reminder sweep over every open deadline in England (issue 9: no more than 3x a
plain SQL select of the due reminders, with memory flat as the data grows).

Project: `reminders_sweep` at 10:00 on the data's "today", as beat runs it (claims are
inserted and each pending one is queued on the real broker). Measured twice:
- the first sweep of the day, which claims every reminder due (the claimed rows are
  deleted and the queue purged between repetitions, outside the timing);
- a repeat sweep, which finds everything already claimed (what beat does all day).
Anchor: one plain SELECT, straight through psycopg, of the open deadlines the sweep has to
look at (open, partnership active, due by the reminder horizon) with their owners: the
rows a sweep cannot avoid reading.
Memory: tracemalloc's peak during the first sweep, next to the number of rows it read.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tracemalloc
from zoneinfo import ZoneInfo

from django.db import connection

from bench import common
from safeguarding import reminders
from safeguarding.celery import app as celery_app
from safeguarding.models import ReminderSent


def bench_now() -> dt.datetime:
    day = dt.date.fromisoformat(os.environ.get("BENCH_TODAY", "2026-11-26"))
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=ZoneInfo("Europe/London"))


def clear_claims() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ReminderSent._meta.db_table}")  # noqa: S608
    celery_app.control.purge()


def run(args) -> list[common.Result]:
    now = bench_now()
    today = now.date()
    table = reminders.policy_table()
    max_before = max([n for p in table.values() for n in p.days_before] + [3])
    candidates = reminders.sweep_candidates(today, max_before).values_list(*reminders.SWEEP_COLUMNS)
    sql, params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        select = cursor.mogrify(sql, params)  # psycopg's client-side binding

    def anchor() -> None:
        with connection.cursor() as django_cursor:
            django_cursor.cursor.execute(select)
            django_cursor.cursor.fetchall()

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({select}) AS c")  # noqa: S608
        candidate_rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM safeguarding_deadline WHERE closed_on IS NULL")
        open_deadlines = cursor.fetchone()[0]

    clear_claims()
    # Memory of one first sweep, and the claims it made (checked: a sweep that claims
    # nothing would be timing nothing).
    tracemalloc.start()
    first = reminders.reminders_sweep(now=now, collect=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    claimed = first.claimed_count
    if claimed == 0 or ReminderSent.objects.count() < claimed:
        raise RuntimeError("The first sweep claimed nothing: nothing to measure")
    again = reminders.reminders_sweep(now=now, collect=False)
    if again.claimed_count:
        raise RuntimeError("A repeat sweep claimed reminders again")

    def first_sweep() -> float:
        clear_claims()  # outside the timing
        return common.timed(lambda: reminders.reminders_sweep(now=now, collect=False))

    ours, theirs = [], []
    repeat = max(5, args.repeat // 3)
    for _ in range(repeat):
        ours.append(first_sweep())
        theirs.append(common.timed(anchor))

    size = {
        "open_deadlines": open_deadlines,
        "deadlines_read": candidate_rows,
        "reminders_claimed": claimed,
        "peak_memory_mib": round(peak / 2**20, 2),
        "chunk": reminders.SWEEP_CHUNK,
        "at": now.isoformat(),
    }
    results = [
        common.Result(
            name="sweep_first",
            title="Reminder sweep, first of the day (claims)",
            project=statistics.median(ours),
            anchor=statistics.median(theirs),
            anchor_name="plain SQL select of the open deadlines due a reminder",
            target="ratio <= 3.0",
            max_ratio=3.0,
            size=size,
            samples=repeat,
        )
    ]
    project, base, n = common.interleaved(
        lambda: reminders.reminders_sweep(now=now, collect=False), anchor, repeat=args.repeat
    )
    results.append(
        common.Result(
            name="sweep_repeat",
            title="Reminder sweep, repeat (all claimed)",
            project=project,
            anchor=base,
            anchor_name="plain SQL select of the open deadlines due a reminder",
            target="ratio <= 3.0",
            max_ratio=3.0,
            size=size,
            samples=n,
        )
    )
    clear_claims()
    return results
