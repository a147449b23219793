"""The reminder sweep over every open deadline in England (issue 9: no more than 3x a
plain SQL select of the due reminders, with memory flat as the data grows).

Project: `reminders_sweep` at 10:00 on the data's "today", as beat runs it (claims are
inserted and each pending one is queued on the real broker). Measured twice:
- the first sweep of the day, which claims every reminder due (the claimed rows are
  deleted and the queue purged between repetitions, outside the timing);
- a repeat sweep, which finds everything already claimed (what beat does all day).
Anchor: the plain SQL select of the due reminders, straight through psycopg: the very
SELECT (`reminders.due_reminders_sql`) whose rows the sweep's INSERT … SELECT claims, with
its parameters bound, fetching every row. So the ratio is what claiming, queueing, the
set-up queries, re-queueing and digests add to reading what is due.
Memory: tracemalloc's peak during the first sweep, next to the number of rows it claimed.
"""

from __future__ import annotations

import statistics
import tracemalloc

from django.db import connection

from bench import common
from bench.clock import bench_now
from safeguarding import reminders
from safeguarding.celery import app as celery_app
from safeguarding.models import ReminderSent


def clear_claims() -> None:
    """Forget the claims (outside the timing), and vacuum, so that the next first sweep
    inserts into a table as it stands in the morning, not one full of dead rows."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ReminderSent._meta.db_table}")  # noqa: S608
        cursor.execute(f"VACUUM {ReminderSent._meta.db_table}")
    celery_app.control.purge()


def run(args) -> list[common.Result]:
    now = bench_now()
    today = now.date()
    setting = reminders.SweepSetting(today)
    sql, params = reminders.due_reminders_sql(setting)
    with connection.cursor() as cursor:
        select = cursor.mogrify(sql, params)  # psycopg's client-side binding

    def anchor() -> None:
        with connection.cursor() as django_cursor:
            django_cursor.cursor.execute(select)
            django_cursor.cursor.fetchall()

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({select}) AS c")  # noqa: S608
        due_rows = cursor.fetchone()[0]
        candidates = reminders.sweep_candidates(setting.horizon)
        candidate_rows = candidates.count()
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
    if claimed != due_rows:
        raise RuntimeError(f"The sweep claimed {claimed} reminders, the select lists {due_rows}")
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
        "deadlines_in_horizon": candidate_rows,
        "reminders_due": due_rows,
        "reminders_claimed": claimed,
        "peak_memory_mib": round(peak / 2**20, 2),
        "send_batch": reminders.SEND_BATCH,
        "at": now.isoformat(),
    }
    results = [
        common.Result(
            name="sweep_first",
            title="Reminder sweep, first of the day (claims)",
            project=statistics.median(ours),
            anchor=statistics.median(theirs),
            anchor_name="plain SQL select of the due reminders (the sweep's own SELECT)",
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
            anchor_name="plain SQL select of the due reminders (the sweep's own SELECT)",
            target="ratio <= 3.0",
            max_ratio=3.0,
            size=size,
            samples=n,
        )
    )
    clear_claims()
    return results
