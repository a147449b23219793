"""Serve the embedded demo: the web server, a Celery worker and Celery beat together.

The worker runs beat inside it (`-B`) against the embedded broker (kombu's filesystem
transport under var/broker, safeguarding/broker.py), so no Redis is needed. A worker
that stops on its own is started again. One Ctrl-C stops everything.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

#: A worker that stops on its own is started again, up to this many times a minute.
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0


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
        worker_command = [
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
        ]

        def start_worker():
            return subprocess.Popen(worker_command, env=env, cwd=settings.BASE_DIR)

        worker = start_worker()
        web = subprocess.Popen(
            [*manage, "runserver", addr, "--noreload"], env=env, cwd=settings.BASE_DIR
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"\nServing http://{addr}/ with a Celery worker and beat (embedded broker).\n"
                f"Email is written to {settings.EMAIL_FILE_PATH}. Press Ctrl-C to stop.\n"
            )
        )
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        restarts: list[float] = []
        try:
            while not stopping and web.poll() is None:
                if worker.poll() is not None:
                    # A worker that stops on its own is started again, so the pages stay
                    # up and queued e-mails still go (their tasks are acknowledged late);
                    # one that keeps stopping ends the demo rather than loop.
                    now = time.monotonic()
                    restarts = [t for t in restarts if now - t < RESTART_WINDOW] + [now]
                    if len(restarts) > MAX_RESTARTS:
                        self.stderr.write("The Celery worker keeps stopping; stopping the demo.")
                        break
                    self.stderr.write(
                        f"The Celery worker stopped (exit code {worker.returncode}); "
                        "starting it again."
                    )
                    worker = start_worker()
                time.sleep(0.5)
        finally:
            for p in (worker, web):
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for p in (worker, web):
                try:
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
        self.stdout.write("Stopped.")
