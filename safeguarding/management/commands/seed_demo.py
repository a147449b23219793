from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safeguarding.demo import (
    DEMO_PASSWORD,
    DemoClock,
    date_records_from_history,
    seed_people_and_places,
)


class Command(BaseCommand):
    help = "Load the demo partnerships, agencies, people and cases. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEMO_MODE is off (never in production).",
        )

    def handle(self, *args, force=False, **options):
        if not (settings.DEMO_MODE or force):
            raise CommandError(
                "seed_demo only runs with DEMO_MODE=true (it creates demo sign-ins)."
            )
        sign_ins = seed_people_and_places()
        from notifications.demo import seed_incidents
        from safeguarding.models import Partnership

        # The cases' History says the day each step happened, not the time of loading.
        clock = DemoClock()
        for partnership in Partnership.objects.filter(code__in=["BSCP", "ASCP"]):
            count = seed_incidents(partnership, clock=clock)
            if count:
                self.stdout.write(f"Added {count} demo incidents to {partnership.code}.")
            from rapid_reviews.demo import seed_rapid_reviews

            seed_rapid_reviews(partnership, clock=clock)
        from lcspr.demo import seed_local_reviews

        seed_local_reviews(clock=clock)
        # Two cases of the partnership's older system, past their retention period: the
        # retention report's Keep, Stop keeping and Delete (notifications/demo.py).
        from notifications.demo import seed_past_retention

        for partnership in Partnership.objects.filter(code="BSCP"):
            seed_past_retention(partnership, clock=clock)
        # Made and last changed when their History says, not at loading.
        date_records_from_history()
        # Past years of closed cases for the charts and the regional comparison (after the
        # current cases above, whose "only once" checks look for any incident).
        from safeguarding.demo_history import seed_all_history

        history = seed_all_history()
        if any(history.values()):
            self.stdout.write(f"Added demo history: {history}.")
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with any of these:"))
        width = max(len(email) for email, *_ in sign_ins)
        for email, name, role in sign_ins:
            self.stdout.write(f"  {email.ljust(width)}  {name} – {role}")
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")
