"""Exactly once, end to end: real sweeps (subprocesses), a real Celery worker, a real Redis
and a real SMTP server (aiosmtpd), on the PostgreSQL test database. Faults: stop and
restart Redis and the mail server. Every service here is started by the test on a spare
loopback port; the machine's own Redis is left alone.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from safeguarding.models import ReminderSent
from tests.mail_server import Inbox, MailServer, free_port
from tests.safeguarding.reminder_helpers import CHILD_NAME, start_clock

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=60.0, step=0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )

        def up():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return True
            except OSError:
                return False

        assert wait_for(up, 10), "redis-server did not start"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_server():
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def child_env(redis_server, mail_server):
    db = settings.DATABASES["default"]  # the pytest-django test database (test_<name>)
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    env.update(
        DEBUG="true",
        DEMO_MODE="false",
        PYTHONUNBUFFERED="1",
        DATABASE_URL=f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        CONN_MAX_AGE="0",
        CELERY_BROKER_URL=redis_server.url,
        REMINDER_QUEUE=f"reminders-{uuid.uuid4().hex[:8]}",
        EMAIL_URL=f"smtp://127.0.0.1:{mail_server.port}",
        EMAIL_TIMEOUT="5",
        REMINDER_REQUEUE_AFTER_SECONDS="1",
        REMINDER_RETRY_BACKOFF_SECONDS="1",
        LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture
def worker(transactional_db, child_env, tmp_path):
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "safeguarding",
            "worker",
            "--pool=solo",
            "-Q",
            child_env["REMINDER_QUEUE"],
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        env=child_env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def sweep(env, at="2026-12-02T10:00"):
    return subprocess.Popen(
        [sys.executable, "manage.py", "sweep_deadlines", "--at", at],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def finish(*procs):
    outs = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out.decode()
        outs.append(out.decode())
    return outs


def make_clocks(partnership, people, n=3):
    # Due Tuesday 1 December; on Wednesday 2 December each is overdue: the owner is
    # reminded and the partnership manager told (2 e-mails per clock).
    for i in range(n):
        start_clock(partnership, owner=people["officer"], key=f"-{i}")
    return 2 * n


def test_concurrent_sweeps_with_a_real_worker_send_each_reminder_once(
    partnership, people, mail_server, child_env, worker
):
    expected = make_clocks(partnership, people)
    finish(sweep(child_env), sweep(child_env))  # two sweeps at the same time
    assert wait_for(lambda: len(mail_server.inbox.messages) >= expected, 90)
    time.sleep(2)  # anything doubled would arrive now
    messages = mail_server.inbox.messages
    assert len(messages) == expected
    rows = ReminderSent.objects.all()
    assert rows.count() == expected
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert {m["Message-ID"] for m in messages} == {r.message_id for r in rows}
    assert sorted(m["To"] for m in messages) == sorted(
        [people["officer"].email] * 3 + [people["manager"].email] * 3
    )
    for m in messages:
        raw = m.as_string()
        assert "BSCP-2026-014" in raw and CHILD_NAME not in raw
    # Beat firing again (and again, concurrently) sends nothing more.
    finish(sweep(child_env, "2026-12-02T11:00"), sweep(child_env, "2026-12-02T11:00"))
    time.sleep(3)
    assert len(mail_server.inbox.messages) == expected


def test_reminders_wait_for_redis_and_the_mail_server_and_go_out_once(
    partnership, people, redis_server, mail_server, child_env, worker, client, settings
):
    expected = make_clocks(partnership, people, n=2)
    # Redis is down: the sweep claims the reminders, logs that it could not queue them,
    # and finishes; the web keeps answering (health says the broker is unavailable).
    redis_server.stop()
    (out,) = finish(sweep(child_env))
    assert f"{expected} reminders claimed" in out
    rows = ReminderSent.objects.all()
    assert rows.count() == expected
    assert set(rows.values_list("status", flat=True)) == {"pending"}
    settings.CELERY_BROKER_URL = redis_server.url
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["broker"] == "unavailable"
    # Redis is back but the mail server is down: the worker fails, retries with back-off.
    mail_server.stop()
    redis_server.start()
    time.sleep(1.5)
    (out,) = finish(sweep(child_env, "2026-12-02T10:10"))
    assert f"0 reminders claimed, {expected} re-queued" in out
    assert wait_for(lambda: ReminderSent.objects.filter(attempts__gte=1).count() == expected, 60), (
        "the worker never tried to send"
    )
    assert not ReminderSent.objects.filter(status="sent").exists()
    # The mail server is back: every reminder goes out once, even with another sweep
    # re-queuing the rows still waiting.
    mail_server.start()
    finish(sweep(child_env, "2026-12-02T10:20"))
    assert wait_for(lambda: len(mail_server.inbox.messages) >= expected, 90)
    time.sleep(3)
    assert len(mail_server.inbox.messages) == expected
    assert set(ReminderSent.objects.values_list("status", flat=True)) == {"sent"}
    assert len({m["Message-ID"] for m in mail_server.inbox.messages}) == expected


class StallingInbox(Inbox):
    """Stalls the first message's DATA (then refuses it), so a worker can be killed mid-send."""

    def __init__(self):
        super().__init__()
        self.stalled = 0

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        if self.stalled == 0:
            self.stalled += 1
            await asyncio.sleep(8)
            return "451 Try again later"
        return await super().handle_DATA(server, session, envelope)


def start_worker(env, tmp_path, name):
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "safeguarding",
            "worker",
            "--pool=solo",
            "-Q",
            env["REMINDER_QUEUE"],
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
            "-n",
            f"{name}@%h",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_a_worker_killed_mid_send_leaves_the_reminder_to_be_sent_once(
    transactional_db, partnership, people, mail_server, child_env, tmp_path
):
    mail_server.inbox = StallingInbox()
    mail_server.stop()
    mail_server.start()
    start_clock(partnership, owner=people["officer"])  # due today: one reminder
    first = start_worker(child_env, tmp_path, "first")
    second = None
    try:
        finish(sweep(child_env, "2026-12-01T10:00"))
        assert wait_for(lambda: mail_server.inbox.stalled == 1, 60), "no send started"
        first.kill()  # SIGKILL in the middle of the SMTP conversation
        first.wait(10)
        row = ReminderSent.objects.get()
        assert row.status == "pending"  # the open transaction died with the worker
        second = start_worker(child_env, tmp_path, "second")
        time.sleep(1.5)
        (out,) = finish(sweep(child_env, "2026-12-01T10:10"))
        assert "1 re-queued" in out
        assert wait_for(lambda: len(mail_server.inbox.messages) == 1, 60)
        time.sleep(2)
        assert len(mail_server.inbox.messages) == 1
        row.refresh_from_db()
        assert row.status == "sent"
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(15)
