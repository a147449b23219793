"""The agency hears when an officer moves the due date of a return it still owes, even if
the broker was down at the time: beat's re-queue of request e-mails
(`rapid_reviews.requeue_request_emails`) sends it later, once, with the date as it is
then. Mail goes through a real SMTP server (aiosmtpd); the last test runs a real Celery
worker on a real Redis that is down when the date moves."""

import datetime as dt
import subprocess
import sys
import time

import pytest
from django.utils import timezone

from rapid_reviews import mail as request_mail
from rapid_reviews import services
from rapid_reviews.models import InformationRequest, StatusChange
from rapid_reviews.tasks import requeue_request_emails, send_due_date_moved
from safeguarding.calendar import add_working_days
from tests.mail_server import subject_of, text_of
from tests.safeguarding.test_sweep_worker import (  # noqa: F401 - fixtures
    ROOT,
    child_env,
    mail_server,
    redis_server,
    start_worker,
    wait_for,
)

from .conftest import CHILD_NAME, return_and_submit

REASON = f"The panel meeting moved; {CHILD_NAME}'s sibling was seen."


def long(day: dt.date) -> str:
    return f"{day:%A %-d %B %Y}"


def requests_told(sent_requests, smtp):
    """The requests' own e-mails ("please send your return") sent, and the inbox emptied,
    so that what follows is only about the moved date."""
    for change in StatusChange.objects.filter(information_request__isnull=False):
        request_mail.request_email_deliver(status_change_id=change.pk)
    assert len(smtp) == len(sent_requests)
    smtp.clear()


def move(request, actor, due_date):
    """Move the due date with no on_commit callback run: as if the broker had refused the
    task queued after the commit."""
    return services.information_request_update(
        information_request=request,
        actor=actor,
        contact=request.contact,
        due_date=due_date,
        reason=REASON,
    )


def later(monkeypatch):
    """Beat's next run, once the first queueing has had its chance."""
    when = timezone.now() + request_mail.REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("rapid_reviews.tasks.timezone.now", lambda: when)


def test_a_date_moved_twice_while_the_broker_was_down_is_sent_once_with_the_latest_date(
    sent_requests, contributors, people, smtp, monkeypatch
):
    requests_told(sent_requests, smtp)
    request = sent_requests["police"]
    told, between, latest = (add_working_days(request.due_date, n) for n in (0, 1, 2))
    move(request, people["officer"], between)
    request = move(request, people["officer"], latest)
    assert smtp == []
    assert requeue_request_emails() == 0  # not yet: the first queueing may still be on its way
    later(monkeypatch)
    assert requeue_request_emails() == 1
    (message,) = smtp
    assert message["To"] == contributors["police"].email
    assert long(latest)[:-5] in subject_of(message)
    body = " ".join(text_of(message).split())
    # The date it is due now, and the one the agency knew; never the date in between it
    # was never told of, the officer's reason or the child.
    assert f"It is now due by: {long(latest)}" in body
    assert f"It was due by: {long(told)}" in body
    assert long(between) not in body
    assert "panel meeting" not in message.as_string() and "Amelia" not in message.as_string()
    # Once: the next run finds nothing, and the first move's task arriving late (queued
    # before the deploy, with the date it was queued for) sends nothing more.
    assert requeue_request_emails() == 0
    assert send_due_date_moved(request.pk, between.isoformat(), told.isoformat()) != "sent"
    assert send_due_date_moved(request.pk) != "sent"
    assert len(smtp) == 1


def test_a_date_moved_and_moved_back_while_the_broker_was_down_is_not_e_mailed(
    sent_requests, people, smtp, monkeypatch
):
    """The agency still has the right date: an e-mail saying it changed would be wrong."""
    requests_told(sent_requests, smtp)
    request = sent_requests["police"]
    told = request.due_date
    request = move(request, people["officer"], add_working_days(told, 1))
    move(request, people["officer"], told)
    later(monkeypatch)
    assert requeue_request_emails() == 0
    assert send_due_date_moved(request.pk) != "sent"
    assert smtp == []


def test_a_date_moved_back_to_one_the_agency_was_told_before_is_e_mailed_again(
    sent_requests, contributors, people, smtp, django_capture_on_commit_callbacks
):
    """Moved to Tuesday (told), to Wednesday (told), back to Tuesday: the agency, working
    to Wednesday, must hear of Tuesday again."""
    requests_told(sent_requests, smtp)
    request = sent_requests["police"]
    first, second = add_working_days(request.due_date, 1), add_working_days(request.due_date, 2)
    for day in (first, second, first):
        with django_capture_on_commit_callbacks(execute=True):
            request = move(request, people["officer"], day)
    assert len(smtp) == 3
    body = " ".join(text_of(smtp[-1]).split())
    assert f"It is now due by: {long(first)}" in body
    assert f"It was due by: {long(second)}" in body


def test_a_move_not_yet_told_is_dropped_once_the_return_is_in_or_sent_back(
    sent_requests, contributors, people, smtp, monkeypatch
):
    """The return came in before the re-queue: nothing to tell. Sent back for more with a
    new date: the "more information" e-mail says that date, and no "moved" e-mail follows
    about a date from before."""
    requests_told(sent_requests, smtp)
    request = sent_requests["police"]
    request = move(request, people["officer"], add_working_days(request.due_date, 1))
    return_and_submit(request, contributors["police"])
    later(monkeypatch)
    assert requeue_request_emails() == 1  # the officer hears the return is in
    assert [m["Subject"].startswith("Return received") for m in smtp] == [True]
    new_due = add_working_days(timezone.localdate(), 4)
    services.agency_return_send_back(
        information_request=request, actor=people["officer"], note="More.", due_date=new_due
    )
    later(monkeypatch)
    assert requeue_request_emails() == 1
    assert "asks Midshire Police for more information" in " ".join(smtp[-1]["Subject"].split())
    assert long(new_due) in " ".join(text_of(smtp[-1]).split())
    assert requeue_request_emails() == 0 and len(smtp) == 2
    assert send_due_date_moved(request.pk) != "sent" and len(smtp) == 2


#: The officer's move, made by the web process (here a `manage.py shell`) while Redis is
#: down: the task queued after the commit cannot be published (logged, not raised).
MOVE = """
import datetime as dt
from rapid_reviews import services
from rapid_reviews.models import InformationRequest
from safeguarding.models import User
officer = User.objects.get(pk={officer})
for day in {days!r}:
    services.information_request_update(
        information_request=InformationRequest.objects.get(pk={request}),
        actor=officer,
        contact="",
        due_date=dt.date.fromisoformat(day),
        reason="The panel meeting moved.",
    )
"""


def run(env, *args):
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_date_moved_while_redis_was_down_reaches_the_agency_once_through_a_real_worker(
    eager_tasks,
    sent_requests,
    contributors,
    people,
    redis_server,  # noqa: F811 - fixture
    mail_server,  # noqa: F811 - fixture
    child_env,  # noqa: F811 - fixture
    tmp_path,
):
    """Redis is down while the officer moves the date twice; beat's re-queue (published to
    the real Redis, run by a real worker) e-mails the agency once, with the latest date,
    through the real SMTP server, however often beat runs."""
    request = sent_requests["police"]  # its own e-mail went when it was sent (eager)
    told, latest = request.due_date, add_working_days(request.due_date, 2)
    redis_server.stop()
    days = [add_working_days(told, 1).isoformat(), latest.isoformat()]
    out = run(
        child_env,
        sys.executable,
        "manage.py",
        "shell",
        "-c",
        MOVE.format(officer=people["officer"].pk, request=request.pk, days=days),
    )
    assert out.count("rapid_reviews.send_due_date_moved not queued") == 2  # logged, not raised
    request.refresh_from_db()
    assert request.due_date == latest and request.due_date_moved_at is not None
    redis_server.start()
    worker = start_worker({**child_env, "REMINDER_QUEUE": "celery"}, tmp_path, "requests")
    try:
        # Beat's next run, ten minutes on (the moves are dated back rather than the clock
        # moved on: the worker is another process).
        InformationRequest.objects.filter(pk=request.pk).update(
            due_date_moved_at=timezone.now() - request_mail.REQUEUE_AFTER - dt.timedelta(seconds=5)
        )
        celery = [sys.executable, "-m", "celery", "-A", "safeguarding", "call"]
        run(child_env, *celery, "rapid_reviews.requeue_request_emails")
        assert wait_for(lambda: len(mail_server.inbox.messages) >= 1, 90), "nothing sent"
        for _ in range(2):
            run(child_env, *celery, "rapid_reviews.requeue_request_emails")
        time.sleep(3)  # anything doubled would arrive now
    finally:
        worker.terminate()
        worker.wait(15)
    (message,) = mail_server.inbox.messages
    assert message["To"] == contributors["police"].email
    body = " ".join(text_of(message).split())
    assert f"It is now due by: {long(latest)}" in body
    assert f"It was due by: {long(told)}" in body
    request.refresh_from_db()
    assert request.due_date_moved_at is None
