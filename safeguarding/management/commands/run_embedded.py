"""Serve the embedded demo: the web server, a Celery worker and Celery beat together.

The worker runs beat inside it (`-B`) against the embedded broker (kombu's filesystem
transport under var/broker), so no Redis is needed. One Ctrl-C stops everything.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the app with an in-process Celery worker and beat (embedded demo)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr, **options):
        if not settings.CELERY_BROKER_URL.startswith("filesystem://") and not settings.DEBUG:
            raise CommandError("run_embedded is for the embedded demo; use docker-compose.")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # Links in e-mails and calendar feeds point at this server unless SITE_URL says.
        env.setdefault("SITE_URL", f"http://{addr}")
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "safeguarding",
                    "worker",
                    "-B",
                    "--pool=solo",
                    "--loglevel=WARNING",
                    "--without-mingle",
                    "--without-gossip",
                ],
                env=env,
                cwd=settings.BASE_DIR,
            ),
            subprocess.Popen(
                [*manage, "runserver", addr, "--noreload"], env=env, cwd=settings.BASE_DIR
            ),
        ]
        self.stdout.write(
            self.style.SUCCESS(
                f"\nServing http://{addr}/ with a Celery worker and beat (embedded broker).\n"
                f"E-mail is written to {settings.EMAIL_FILE_PATH}. Press Ctrl-C to stop.\n"
            )
        )
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in processes):
                time.sleep(0.5)
        finally:
            for p in processes:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for p in processes:
                try:
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
        self.stdout.write("Stopped.")
