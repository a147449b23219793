"""Dashboard and report selectors at national scale (issue 7).

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_bench \
        .venv/bin/python manage.py migrate -v0
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_bench \
        .venv/bin/python bench/dashboard_bench.py [incidents_per_year]

Builds 150 partnerships in 9 regions, N incidents a year nationally (default 1,000) for
three years with their children, rapid reviews, information requests and closed clocks
(some late), plus a few hundred open clocks, all with bulk_create inside one transaction
that is rolled back. Then times each selector (best of 5) and counts its queries.
"""

import datetime as dt
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from notifications.models import Child, Incident  # noqa: E402
from rapid_reviews.models import InformationRequest, RapidReview  # noqa: E402
from safeguarding import calendar, reports  # noqa: E402
from safeguarding.dashboard import build_dashboard  # noqa: E402
from safeguarding.models import Agency, Deadline, Partnership, Region, User  # noqa: E402

TODAY = dt.date(2026, 11, 26)
YEARS = [2023, 2024, 2025]


class Rollback(Exception):
    pass


def build(per_year: int) -> tuple[list[Partnership], list[Region]]:
    rng = random.Random(7)
    regions = [Region.objects.create(name=f"Bench region {i}", code=f"bench-{i}") for i in range(9)]
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(
                name=f"Bench partnership {i}",
                code=f"BP{i:03d}",
                local_authority=f"Council {i}",
                contact_email="bench@example.org",
                region=regions[i % 9],
            )
            for i in range(150)
        ]
    )
    agencies = Agency.objects.bulk_create(
        [Agency(name=f"Bench agency {i}", kind=Agency.Kind.HEALTH) for i in range(60)]
    )
    people = User.objects.bulk_create(
        [User(email=f"bench{i}@bench.example", full_name=f"Bench person {i}") for i in range(300)]
    )
    incidents = []
    for year in YEARS:
        for i in range(per_year):
            p = partnerships[rng.randrange(150)]
            aware = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
            incidents.append(
                Incident(
                    partnership=p,
                    reference=f"{p.code}-{year}-{i:05d}",
                    year=year,
                    sequence=i + 1,
                    status="notified",
                    awareness_date=aware,
                    incident_date=aware,
                    notification_due=calendar.add_working_days(aware, 5),
                    nature=rng.choice(["death", "serious_harm", "other"]),
                    harm_categories=rng.sample(["physical", "sexual", "emotional", "neglect"], 2),
                    notified_on=calendar.add_working_days(aware, rng.choice([2, 3, 4, 5, 5, 7])),
                    created_by=people[0],
                )
            )
    Incident.objects.bulk_create(incidents, batch_size=2000)
    children, reviews, deadlines = [], [], []
    for inc in incidents:
        for k in range(rng.choice([1, 1, 2])):
            children.append(
                Child(
                    incident=inc,
                    position=k + 1,
                    pseudonym=f"Child {'AB'[k]}",
                    name="Bench",
                    date_of_birth=inc.awareness_date - dt.timedelta(days=rng.randrange(6500)),
                    sex=rng.choice(["female", "male"]),
                    ethnicity=rng.choice(["white_british", "asian_indian", "black_african", ""]),
                )
            )
        owner = people[inc.partnership_id % 300]
        deadlines.append(
            Deadline(
                partnership_id=inc.partnership_id,
                kind="notification",
                subject_type="notifications.incident",
                subject_id=inc.pk,
                title=inc.reference,
                owner=owner,
                trigger_date=inc.awareness_date,
                due_date=inc.notification_due,
                closed_on=inc.notified_on,
                outcome="met",
            )
        )
        due = calendar.add_working_days(inc.notified_on, 15)
        reviews.append(
            RapidReview(
                incident=inc,
                due_date=due,
                status="sent_to_panel",
                sent_to_panel_on=calendar.add_working_days(due, rng.choice([-2, -1, 0, 0, 3])),
            )
        )
    Child.objects.bulk_create(children, batch_size=2000)
    RapidReview.objects.bulk_create(reviews, batch_size=2000)
    requests = []
    for review in reviews:
        deadlines.append(
            Deadline(
                partnership_id=review.incident.partnership_id,
                kind="rapid_review",
                subject_type="rapid_reviews.rapidreview",
                subject_id=review.pk,
                title="RR",
                trigger_date=review.incident.notified_on,
                due_date=review.due_date,
                closed_on=review.sent_to_panel_on,
                outcome="met",
            )
        )
        for agency in rng.sample(agencies, 4):
            due = calendar.add_working_days(review.incident.notified_on, 7)
            requests.append(
                InformationRequest(
                    rapid_review=review,
                    agency=agency,
                    due_date=due,
                    status="returned",
                    sent_on=review.incident.notified_on,
                    returned_on=calendar.add_working_days(due, rng.choice([-3, -1, 0, 2])),
                )
            )
    InformationRequest.objects.bulk_create(requests, batch_size=2000)
    for req in requests:
        deadlines.append(
            Deadline(
                partnership_id=req.rapid_review.incident.partnership_id,
                kind="agency_return",
                subject_type="rapid_reviews.informationrequest",
                subject_id=req.pk,
                title="AR",
                trigger_date=req.sent_on,
                rule="fixed",
                due_date=req.due_date,
                closed_on=req.returned_on,
                outcome="met",
            )
        )
    for i in range(per_year // 2):  # open clocks around today, as on a working day
        p = partnerships[i % 150]
        deadlines.append(
            Deadline(
                partnership=p,
                kind=rng.choice(["notification", "rapid_review", "agency_return"]),
                subject_type="bench.open",
                subject_id=i,
                title=f"Open {i}",
                owner=people[rng.randrange(300)],
                trigger_date=TODAY,
                due_date=TODAY + dt.timedelta(days=rng.randrange(-10, 20)),
                moved_by_calendar=i % 25 == 0,
            )
        )
    Deadline.objects.bulk_create(deadlines, batch_size=5000)
    print(
        f"Built: {len(incidents):,} incidents, {len(children):,} children, "
        f"{len(requests):,} requests, {len(deadlines):,} deadlines"
    )
    return partnerships, regions


def timed(label, fn):
    best = None
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    print(f"| {label} | {best * 1000:.1f} ms | {len(ctx.captured_queries)} |")


def main(per_year: int) -> None:
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    start = time.perf_counter()
    try:
        with transaction.atomic():
            partnerships, regions = build(per_year)
            print(f"Build took {time.perf_counter() - start:.1f} s")
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            one = [partnerships[0]]
            region = [p for p in partnerships if p.region_id == regions[0].pk]
            one_ids, region_ids = [p.pk for p in one], [p.pk for p in region]
            all_ids = [p.pk for p in partnerships]
            year = reports.Period.year(2025)
            print("| Selector | Best of 5 | Queries |")
            print("|---|---|---|")
            timed("Dashboard, one partnership", lambda: build_dashboard(one, today=TODAY))
            timed(
                "Dashboard, all 150 partnerships",
                lambda: build_dashboard(partnerships, today=TODAY),
            )
            timed(
                "Timeliness, one partnership, one year",
                lambda: reports.timeliness(one_ids, year, today=TODAY),
            )
            timed(
                "Agency returns per agency, one partnership",
                lambda: reports.agency_timeliness(one_ids, year, today=TODAY),
            )
            timed("Counts (5 breakdowns), one partnership", lambda: reports.counts(one_ids, year))
            timed(
                "Regional timeliness by partnership (one region)",
                lambda: reports.timeliness(region_ids, year, today=TODAY, by_partnership=True),
            )
            timed(
                "Regional counts by partnership (one region)",
                lambda: reports.counts(region_ids, year, by_partnership=True),
            )
            timed(
                "National timeliness by partnership (150)",
                lambda: reports.timeliness(all_ids, year, today=TODAY, by_partnership=True),
            )
            timed(
                "National counts by partnership (150)",
                lambda: reports.counts(all_ids, year, by_partnership=True),
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
