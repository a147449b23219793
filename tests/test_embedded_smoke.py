"""The embedded default (`make run`): SQLite, filesystem broker, file outbox, demo data."""

import datetime as dt
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from safeguarding import calendar

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

CHECK_PAGES = textwrap.dedent(
    """
    from django.test import Client
    from safeguarding.demo import DEMO_PASSWORD
    from safeguarding.models import AuditEvent, Membership, Partnership, User

    # BSCP and ASCP, plus three partnerships with history only (safeguarding/demo_history.py).
    assert Partnership.objects.count() == 5, Partnership.objects.count()
    assert User.objects.count() == 11, User.objects.count()
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {"manager", "officer", "agency", "reviewer", "regional"}, roles
    expected = {
        "manager@bscp.example": "Partnerships you manage",
        "officer@bscp.example": "Review officer",
        "police@bscp.example": "Information requests for your agency",
        "reviewer@ascp.example": "Reviews you are commissioned for",
        "regional@midshire.example": "Regional figures",
    }
    for email, heading in expected.items():
        client = Client(HTTP_HOST="127.0.0.1")
        response = client.post("/sign-in/", {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, (email, response.status_code)
        assert response.url.startswith("/two-factor/"), response.url
        assert client.get("/").status_code == 302  # the second factor is asked for first
        skipped = client.post("/two-factor/skip/")  # DEMO_MODE's "Skip for the demo"
        assert skipped.status_code == 302, skipped.status_code
        home = client.get("/")
        assert home.status_code == 200 and heading in home.content.decode(), email
        audit = client.get("/audit/")
        assert audit.status_code == (200 if email.startswith("manager") else 403), email
        # Older and Newer events by key, on SQLite too (ADR 0023).
        for key in ("before", "after"):
            audit = client.get(f"/audit/?{key}=1764151200000000-5")
            assert audit.status_code == (200 if email.startswith("manager") else 403), email
    assert AuditEvent.objects.filter(action="sign_in").count() == len(expected)
    # The demo runs with DEBUG on, yet shows the service’s own "Page not found", never
    # Django’s technical page listing every URL pattern.
    for path in ("/no-such-page/", "/learning-from-reviews/nowhere/"):
        missing = client.get(path)
        text = missing.content.decode()
        assert missing.status_code == 404, (path, missing.status_code)
        assert "Page not found" in text and "URLconf" not in text, (path, text[:300])
        # It goes out through the other middleware: the security headers are on it.
        assert missing.headers.get("X-Frame-Options") == "DENY", dict(missing.headers)
    # An address Django cannot read (more fields than it takes) gets the service’s own
    # page too, not a traceback nor a bare error.
    crowded = "&".join(f"f{n}=1" for n in range(1001))
    for refused in (
        client.get(f"/learning-from-reviews/?{crowded}"),
        Client(HTTP_HOST="127.0.0.1").post(
            "/sign-in/", crowded, "application/x-www-form-urlencoded"
        ),
    ):
        text = refused.content.decode()
        assert refused.status_code == 400, refused.status_code
        assert "could not read that address" in text and "Traceback" not in text, text[:300]
    health = Client(HTTP_HOST="127.0.0.1").get("/healthz")
    assert health.json() == {"status": "ok", "database": "ok", "broker": "ok"}, health.content
    print("EMBEDDED-OK")
    """
)


def embedded_env(tmp_path) -> dict:
    """The environment `make run` gives: SQLite, the filesystem broker, the file outbox,
    demo mode; everything under `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    env.update(
        DEBUG="true",
        DEMO_MODE="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="filesystem://",
        CELERY_BROKER_DIR=str(tmp_path / "broker"),
        EMAIL_FILE_PATH=str(tmp_path / "outbox"),
    )
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A SQLite database `migrate` built (once for the tests here: it takes seconds)."""
    folder = tmp_path_factory.mktemp("migrated")
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=embedded_env(folder),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    return folder / "db.sqlite3"


def migrated_env(migrated: Path, tmp_path) -> dict:
    """`embedded_env(tmp_path)` with a copy of the migrated database in `tmp_path`."""
    import sqlite3
    from contextlib import closing

    with (
        closing(sqlite3.connect(migrated)) as source,
        closing(sqlite3.connect(tmp_path / "db.sqlite3")) as copy,
    ):
        source.backup(copy)
    return embedded_env(tmp_path)


def test_seed_demo_and_main_pages_on_embedded_sqlite(migrated, tmp_path):
    env = migrated_env(migrated, tmp_path)

    def manage(*args, **kw):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            **kw,
        )

    migrate = manage("migrate", "--noinput")  # nothing left to apply
    assert migrate.returncode == 0, migrate.stderr
    assert "No migrations to apply." in migrate.stdout, migrate.stdout
    first = manage("seed_demo")
    assert first.returncode == 0, first.stderr
    assert "manager@bscp.example" in first.stdout and "Password for every demo user" in first.stdout
    # No stray warning among the sign-ins (kombu's "No hostname was supplied").
    assert "WARNING" not in first.stdout + first.stderr, first.stdout + first.stderr
    again = manage("seed_demo")  # idempotent
    assert again.returncode == 0, again.stderr
    pages = manage("shell", "-c", CHECK_PAGES)
    assert pages.returncode == 0, pages.stdout + pages.stderr
    assert "EMBEDDED-OK" in pages.stdout

    # The reminder sweep works its reminders out in Python on SQLite (PostgreSQL does it
    # in one statement): the demo's clocks get reminders, and a second sweep sends none.
    day = dt.date.today()
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    at = f"{day.isoformat()}T10:00"
    first_sweep = manage("sweep_deadlines", "--at", at)
    assert first_sweep.returncode == 0, first_sweep.stderr
    claimed = re.search(r"(\d+) reminders claimed", first_sweep.stdout)
    assert claimed and int(claimed.group(1)) > 0, first_sweep.stdout
    second_sweep = manage("sweep_deadlines", "--at", at)
    assert second_sweep.returncode == 0, second_sweep.stderr
    assert ": 0 reminders claimed" in second_sweep.stdout, second_sweep.stdout


def test_seed_demo_refuses_without_demo_mode(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    env.update(DEBUG="true", DEMO_MODE="false", DATABASE_URL=f"sqlite:///{tmp_path / 'db'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DEMO_MODE" in result.stderr


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _celery_children(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        try:
            if b"celery" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except FileNotFoundError:
            continue
    return found


def _wait(predicate, timeout=90.0):
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    return None


def test_the_demo_server_starts_again_a_worker_that_stops(migrated, tmp_path):
    """`make run`'s server: if the Celery worker stops on its own, it is started again
    and the pages stay up (it had taken the whole demo down with it)."""
    import json
    import signal
    import urllib.request

    from tests.mail_server import free_port

    env = migrated_env(migrated, tmp_path)
    addr = f"127.0.0.1:{free_port()}"
    out_path, err_path = tmp_path / "out.txt", tmp_path / "err.txt"
    # Output to files, not pipes (a process left behind by the killed worker would keep a
    # pipe open); its own process group, so that nothing it started outlives the test.
    with open(out_path, "w") as out, open(err_path, "w") as err:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "run_embedded", "--addr", addr],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )

    def healthy():
        try:
            with urllib.request.urlopen(f"http://{addr}/healthz", timeout=5) as response:
                return json.load(response).get("status") == "ok"
        except OSError:
            return False

    try:
        assert _wait(healthy), "the demo server did not come up"
        (worker,) = _wait(lambda: _celery_children(server.pid))
        os.kill(worker, signal.SIGKILL)
        again = _wait(lambda: [p for p in _celery_children(server.pid) if p != worker])
        assert again, "the worker was not started again"
        assert server.poll() is None and healthy()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        finally:
            try:
                os.killpg(server.pid, signal.SIGKILL)  # anything left of the group
            except ProcessLookupError:
                pass
    err = err_path.read_text()
    assert "starting it again" in err, err
    assert "Stopped." in out_path.read_text()
    assert server.returncode == 0
