"""After the bank-holiday data changed (a new `holidays` release): recompute open clocks."""

from django.core.management.base import BaseCommand

from safeguarding.calendar_changes import calendars_changed_everywhere


class Command(BaseCommand):
    help = "Recompute every open working-day deadline; owners of moved ones are told once."

    def handle(self, *args, **options):
        moved = calendars_changed_everywhere()
        for code, count in moved.items():
            self.stdout.write(f"  {code}: {count} deadlines moved")
        self.stdout.write(self.style.SUCCESS(f"{sum(moved.values())} deadlines moved in total."))
