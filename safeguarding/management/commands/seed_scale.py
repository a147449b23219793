"""Generate national-scale synthetic data for the benchmarks (issue 9): safeguarding/scale/."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from safeguarding import scale as scale_data
from safeguarding.models import Partnership, Region


class Command(BaseCommand):
    help = (
        "Fill the database with deterministic national-scale data (partnerships S001...). "
        "--scale 1.0 is the full national figure: 150 partnerships, 20 years, 50,000 "
        "incidents, 250,000 information requests (and their returns), 20,000 local reviews "
        "with 100,000 actions, all their deadlines and 10 million audit events. PostgreSQL "
        "only unless --allow-sqlite. Runs in one transaction: all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="multiplier (default 1.0)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--partnerships", type=int, default=150)
        parser.add_argument("--years", type=int, default=20)
        parser.add_argument("--today", help="the date the data is 'as of' (default: today)")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if the database already holds scale data of the same size "
            "(make bench); stop with an error if it holds a different size",
        )
        parser.add_argument(
            "--allow-sqlite", action="store_true", help="run on a database other than PostgreSQL"
        )

    def handle(self, *args, **o):
        if connection.vendor != "postgresql" and not o["allow_sqlite"]:
            raise CommandError(
                f"seed_scale is meant for PostgreSQL (this database is {connection.vendor}); "
                "pass --allow-sqlite to run it anyway."
            )
        if o["scale"] <= 0:
            raise CommandError("--scale must be greater than 0.")
        if not 1 <= o["partnerships"] <= 999:
            raise CommandError("--partnerships must be between 1 and 999.")
        if not 1 <= o["years"] <= 50:
            raise CommandError("--years must be between 1 and 50.")
        if (
            Partnership.objects.filter(code__regex=scale_data.CODE_REGEX).exists()
            or Region.objects.filter(code__startswith="scale-").exists()
        ):
            if o["if_empty"]:
                self._check_same_size(o)
                return
            raise CommandError(
                "This database already holds scale data (partnerships S001...). Audit events "
                "are append-only, so it cannot be removed: seed a fresh database instead."
            )
        try:
            today = dt.date.fromisoformat(o["today"]) if o["today"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today must look like 2026-11-26 ({exc})") from exc

        expected = scale_data.expected_counts(o["scale"], o["partnerships"], o["years"])
        self.stdout.write(
            f"Seeding scale data: scale {o['scale']}, seed {o['seed']}, "
            f"{o['partnerships']} partnerships, {o['years']} years to {today:%Y}, "
            f"{expected['incidents']:,} incidents, {expected['audit_events']:,} audit events"
        )
        seeder = scale_data.Seeder(
            scale=o["scale"],
            seed=o["seed"],
            partnerships=o["partnerships"],
            years=o["years"],
            today=today,
            log=self.stdout.write,
            batch_size=o["batch_size"],
        )
        start = time.perf_counter()
        with transaction.atomic():
            timings = seeder.run()
        total_rows = sum(rows for _label, rows, _took in timings)
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total_rows:,} rows in {time.perf_counter() - start:.1f} s")
        )

    def _check_same_size(self, o) -> None:
        from notifications.models import Incident

        expected = scale_data.expected_counts(o["scale"], o["partnerships"], o["years"])
        found = {
            "partnerships": Partnership.objects.filter(code__regex=scale_data.CODE_REGEX).count(),
            "incidents": Incident.objects.filter(
                partnership__code__regex=scale_data.CODE_REGEX
            ).count(),
        }
        wanted = {key: expected[key] for key in found}
        if found != wanted:
            raise CommandError(
                f"This database holds scale data of another size ({found}, not {wanted}). "
                "Seed a fresh database: drop it, or point DATABASE_URL at another one."
            )
        self.stdout.write(f"Scale data already here ({found['incidents']:,} incidents): kept.")
