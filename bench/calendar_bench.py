"""Working-day calendar throughput (bank holidays only, and with a closure-day mapping).

Run: DEBUG=true .venv/bin/python bench/calendar_bench.py
"""

import datetime as dt
import os
import platform
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from safeguarding import calendar  # noqa: E402

STARTS = [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(0, 3650, 7)]
CLOSURES = {dt.date(2026, 12, 24): "Christmas Eve", dt.date(2026, 12, 31): "New Year's Eve"}


def run(label, fn, number=20):
    calls = len(STARTS) * number
    seconds = min(timeit.repeat(fn, number=number, repeat=5))
    print(f"{label:<48} {seconds / calls * 1e6:8.2f} µs per call")


calendar.add_working_days(dt.date(2026, 1, 1), 5)  # warm the per-year caches
print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
run("add_working_days(start, 5)", lambda: [calendar.add_working_days(s, 5) for s in STARTS])
run("add_working_days(start, 15)", lambda: [calendar.add_working_days(s, 15) for s in STARTS])
run(
    "add_working_days(start, 15, closures)",
    lambda: [calendar.add_working_days(s, 15, partnership=CLOSURES) for s in STARTS],
)
run(
    "working_days_between(start, start + 1 year)",
    lambda: [calendar.working_days_between(s, s + dt.timedelta(days=365)) for s in STARTS],
)
run("explain(start, 15)", lambda: [calendar.explain(s, 15) for s in STARTS], number=5)
