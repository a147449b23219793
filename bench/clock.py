"""The bench's clock: the scale data's "today" (`BENCH_TODAY`), not the calendar's.

`seed_scale --today D` writes the national data as it stands on the morning of D: which
clocks are overdue, due today or due within five working days. Measured on a later
calendar day, the same data shows other pages (every clock due since D overdue, nothing
due today), so two runs on different days would not time the same pages. In the bench's
own processes only (those that load `bench.settings`: `bench/run.py` and the gunicorn
of the throughput measure), Django's clock starts at 10:00 London time on D, when beat
sends the morning's reminders, and runs on from there at the real pace.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

DEFAULT_TODAY = "2026-11-26"


def bench_now() -> dt.datetime:
    """10:00 on the data's today, London time."""
    day = dt.date.fromisoformat(os.environ.get("BENCH_TODAY", DEFAULT_TODAY))
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=ZoneInfo("Europe/London"))


def pin() -> None:
    """Make `django.utils.timezone.now` (and so `localdate`) start at `bench_now()`."""
    from django.utils import timezone

    start = bench_now().astimezone(dt.UTC)
    origin = time.monotonic()

    def now() -> dt.datetime:
        return start + dt.timedelta(seconds=time.monotonic() - origin)

    timezone.now = now
