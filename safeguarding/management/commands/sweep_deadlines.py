"""Run the reminder sweep once, exactly as beat does (optionally as of another moment)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from safeguarding.reminders import local_time, reminders_sweep


class Command(BaseCommand):
    help = (
        "Claim and queue every reminder due now (or --at a local time such as "
        "2026-12-01T10:00). Safe to run at the same time as beat: each reminder goes once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", help="Local date and time (Europe/London), ISO format")

    def handle(self, *args, at=None, **options):
        now = None
        if at:
            try:
                now = local_time(dt.datetime.fromisoformat(at))
            except ValueError as exc:
                raise CommandError(f"--at must look like 2026-12-01T10:00 ({exc})") from exc
        result = reminders_sweep(now=now)
        when = f"{result.at:%A %-d %B %Y %H:%M}"
        if result.held:
            self.stdout.write(f"{when}: nothing sent, {result.held}.")
            return
        for row in result.claimed:
            # The clock as something to do, as the dashboard and the e-mail say it (a
            # step's stored title is the state its timetable lists).
            title = row.deadline.task if row.deadline_id else "daily digest"
            state = "held for digest" if row.status == "held" else "queued"
            self.stdout.write(
                f"  {state}: {row.rule} {row.occurrence} to {row.recipient.email}: {title}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{when}: {len(result.claimed)} reminders claimed, {result.requeued} re-queued, "
                f"{result.digests} digests."
            )
        )
