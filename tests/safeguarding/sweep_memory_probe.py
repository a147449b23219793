"""The reminder sweep's peak memory at two sizes, measured in a fresh process.

Run by `test_reminders.py::test_the_sweep_streams_so_memory_stays_flat`:

    python -m tests.safeguarding.sweep_memory_probe sql|python

against the test database the test has filled (its open clocks: 100 numbered below 1000,
1,900 from 1000). tracemalloc counts the allocations of every thread of a process, and the
test process may still run threads of earlier tests (a live server, the browser driver's
event loop); their allocations during a sweep made the figure depend on what ran before.
Here only the sweep runs. Prints JSON: the claimed count and peak bytes of each size.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tracemalloc


def main(mode: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    django.setup()
    from django.conf import settings

    from safeguarding import reminders
    from safeguarding.models import Deadline, ReminderSent
    from tests.safeguarding.reminder_helpers import at

    settings.DEBUG = False  # no query log growing with the number of queries
    reminders.SWEEP_CHUNK = 50
    reminders.claims_in_one_statement = lambda: mode == "sql"
    reminders.queue_sends = lambda pks: len(pks)
    more = Deadline.objects.filter(subject_id__gte=1000)

    def peak_of_sweep(traced: bool = True) -> tuple[int, int]:
        ReminderSent.objects.all().delete()
        if traced:
            tracemalloc.start()
        result = reminders.reminders_sweep(now=at(1), collect=False)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result.claimed == []
        return result.claimed_count, peak

    # Warm at full size: modules imported, and the caches of Django and of the interpreter
    # itself filled, so that only what the sweep holds can differ below. Not traced: what
    # it leaves behind is untraced either way (stopping tracemalloc forgets its traces), and
    # tracing makes the Python way's sweep about six times slower.
    peak_of_sweep(traced=False)
    more.update(closed_on=dt.date(2026, 11, 27), outcome=Deadline.Outcome.MET)
    small = peak_of_sweep()
    more.update(closed_on=None, outcome="")
    large = peak_of_sweep()
    ReminderSent.objects.all().delete()
    return {"small": small, "large": large}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
