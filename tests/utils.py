"""Helpers shared by the tests."""

import contextlib
import re
import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator_for(user) -> TOTPDevice:
    """The user's confirmed authenticator app (set one up if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def totp_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current one, or, when that time step was already
    used (a device accepts each step once), the next one, which its tolerance allows.
    Several sign-ins within one step wait for the clock (at most one step)."""
    device.refresh_from_db(fields=["last_t", "drift"])
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    needed = device.last_t + 1
    while totp.t() + device.tolerance < needed:
        time.sleep(0.5)
    if totp.t() < needed:
        totp.time = time.time() + device.step * (needed - totp.t())
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user):
    """Sign `user` in on the test client as a real sign-in leaves the session: password
    accepted and the second factor passed (django_otp.login)."""
    device = authenticator_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user


def emailed_code(to: str) -> str:
    """The set-up code in the last e-mail sent to `to` (Django's test outbox)."""
    from django.core import mail

    for message in reversed(mail.outbox):
        if to in message.to:
            match = re.search(r"\b(\d{6})\b", message.body)
            assert match, message.body
            return match.group(1)
    raise AssertionError(f"no email to {to}")


def date_fields(prefix, day):
    """A date as the GOV.UK day, month and year boxes post it."""
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def posts_at_once(cookies, url: str, data: dict, times: int) -> list:
    """POST `data` to `url` `times` times at the same moment, each request on its own
    thread and database connection, signed in with `cookies`; the responses, in the order
    they finished."""
    import threading

    from django.db import connection
    from django.test import Client

    start, responses = threading.Barrier(times), []

    def post():
        client = Client()
        client.cookies = cookies
        start.wait()
        try:
            responses.append(client.post(url, data))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def assert_errors_reported(response, expected: dict[str, tuple[str, str]]) -> None:
    """The form was refused with each expected error at once: {field: (the id its error
    summary link goes to, words of its message)}."""
    assert response.status_code == 200
    errors = response.context["form"].errors
    summary = (
        response.content.decode().partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    )
    for field, (anchor, words) in expected.items():
        assert words in str(errors.get(field, "")), (field, dict(errors))
        assert f'href="#{anchor}"' in summary, (anchor, summary)


@contextlib.contextmanager
def tasks_in_process():
    """Celery runs tasks at once, in the test's process, raising what they raise. Set on
    Celery's own settings, and taken off them afterwards rather than set back: a value
    set back would stay fixed, and later tests that make tasks eager through Django's
    settings (CELERY_TASK_ALWAYS_EAGER) would no longer be."""
    from safeguarding.celery import app as celery_app

    keys = ("task_always_eager", "task_eager_propagates")
    changes = celery_app.conf.changes
    saved = {key: changes[key] for key in keys if key in changes}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    try:
        yield
    finally:
        for key in keys:
            changes.pop(key, None)
        changes.update(saved)


def second_connection():
    """A second, plain connection to the test database (PostgreSQL): another request or
    worker whose change is still open while the test's own runs."""
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        host=s["HOST"],
        port=s["PORT"] or 5432,
        password=s["PASSWORD"] or None,
    )


def commit_once_waited_on(side, *, give_up_after: float = 60.0):
    """Commit `side` (a `second_connection`) in a thread once another backend is seen
    waiting on a lock it holds: seen, not guessed with a timer (a busy machine can take
    longer than any fixed wait to get there, and the change would then be committed
    before the test's own started). Committed anyway after `give_up_after` seconds, so a
    change that never waits fails its test's assertions rather than hanging. Join the
    thread returned."""
    import threading

    side_pid = side.info.backend_pid

    def commit_when_waited_on():
        try:
            with second_connection() as watcher:
                watcher.autocommit = True
                give_up = time.monotonic() + give_up_after
                while time.monotonic() < give_up:
                    waiting = watcher.execute(
                        "SELECT 1 FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                        [side_pid],
                    ).fetchone()
                    if waiting:
                        break
                    time.sleep(0.02)
        finally:
            side.commit()

    thread = threading.Thread(target=commit_when_waited_on)
    thread.start()
    return thread


def form_as_shown(html: str, *, having: str = "version") -> dict[str, list[str]]:
    """What a browser would post from the page's form that has a field named `having`,
    left as it was shown: its inputs, checked boxes and options, text areas and selected
    options, by name (each a list, as the test client takes several values of a name).
    Buttons are left out: add the one pressed."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.forms, self.current, self.area, self.select = [], None, None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.current = {}
                self.forms.append(self.current)
            if self.current is None or "disabled" in a:
                return
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
                if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                    self.current.setdefault(name, [])
                    return
                # A box without a value sends "on"; a text box without one, nothing typed.
                default = "on" if a.get("type") in ("radio", "checkbox") else ""
                self.current.setdefault(name, []).append(a.get("value", default))
            elif tag == "textarea" and name:
                self.area = name
                self.current.setdefault(name, []).append("")
            elif tag == "select" and name:
                self.select = name
                self.current.setdefault(name, [])
            elif tag == "option" and self.select and "selected" in a:
                self.current[self.select].append(a.get("value", ""))

        def handle_data(self, data):
            if self.area:
                self.current[self.area][-1] += data

        def handle_endtag(self, tag):
            if tag == "textarea":
                if self.area and self.current[self.area][-1].startswith("\n"):
                    self.current[self.area][-1] = self.current[self.area][-1][1:]
                self.area = None
            elif tag == "select":
                self.select = None
            elif tag == "form":
                self.current = None

    parser = Forms()
    parser.feed(html)
    return next(f for f in parser.forms if having in f)


def migrate(targets):
    """Migrate the test database to `targets` ([(app, migration name)]), for a data
    migration's test; the apps as they are at those migrations."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    """Back to every app's latest migration (a data migration's test ends with it)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    return migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
