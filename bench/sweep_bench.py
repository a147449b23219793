"""Reminder sweep benchmark: N open deadlines across partnerships, one sweep claiming
their reminders, then the repeat sweeps beat runs all day (which must claim nothing).

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_bench \
        .venv/bin/python manage.py migrate -v0
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_bench \
        .venv/bin/python bench/sweep_bench.py 5000

Everything runs in one transaction that is rolled back; sending is stubbed (the sweep's
cost is the database work; sending happens in workers).
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from safeguarding import reminders  # noqa: E402
from safeguarding.models import Deadline, Membership, Partnership, Role, User  # noqa: E402


class Rollback(Exception):
    pass


def main(n: int) -> None:
    reminders.queue_send = lambda pk: True
    now = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    try:
        with transaction.atomic():
            partnerships = [
                Partnership.objects.create(
                    name=f"Bench {i}",
                    code=f"BN{i:03d}",
                    local_authority="x",
                    contact_email="b@example.org",
                )
                for i in range(50)
            ]
            people = {}
            for p in partnerships:
                for role in (Role.PARTNERSHIP_MANAGER, Role.REVIEW_OFFICER):
                    u = User.objects.create(email=f"{role}-{p.code}@bench.example", full_name="B")
                    Membership.objects.create(user=u, partnership=p, role=role)
                    people[(p.pk, role)] = u
            rows = []
            for i in range(n):
                p = partnerships[i % len(partnerships)]
                due = dt.date(2026, 11, 20) + dt.timedelta(days=i % 40)  # overdue to 5 weeks
                rows.append(
                    Deadline(
                        partnership=p,
                        kind="notification",
                        subject_type="bench.x",
                        subject_id=i,
                        title=f"Bench {i}",
                        trigger_date=due,
                        rule="fixed",
                        due_date=due,
                        owner=people[(p.pk, Role.REVIEW_OFFICER)],
                    )
                )
            Deadline.objects.bulk_create(rows)
            for label in ("first sweep (claims)", "repeat sweep (nothing new)"):
                start = time.perf_counter()
                result = reminders.reminders_sweep(now=now)
                took = time.perf_counter() - start
                print(f"{label}: {took * 1000:.0f} ms, {len(result.claimed)} claimed")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
