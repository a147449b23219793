"""Thin Celery tasks: take ids, call one service, retry on failure. Schedules: celery.py."""

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from .reminder_mail import reminder_deliver
from .reminders import reminders_sweep

logger = logging.getLogger(__name__)

#: Failures worth another try later: the mail server or the network is down or busy.
RETRY_ON = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError, OperationalError)

#: An e-mail's task: tried again on those failures, backing off from 5 s to 10 minutes,
#: up to 8 times.
RETRIED_SEND = {
    "autoretry_for": RETRY_ON,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


#: What a broker that is down or unreachable raises when a task is queued: kombu's
#: OperationalError (it wraps the transport's connection errors), or the socket's own.
BROKER_DOWN = (KombuOperationalError, OSError)


def _queue(task, args: tuple, what: str) -> bool:
    """Queue `task` with `args`: True if queued. A broker that is down or unreachable is
    logged as "not queued" and False returned (the caller's beat job, or the person,
    tries again). Any other error is a fault: logged with its traceback, and raised
    when tasks run in-process with errors propagated (as in the tests), so a fault in a
    task fails the test that caused it rather than passing as a missing e-mail."""
    try:
        task.delay(*args)
    except BROKER_DOWN as exc:
        logger.warning(f"{what} not queued", extra={"ids": args, "error": str(exc)})
        return False
    except Exception:
        logger.exception(f"{what} failed when queued", extra={"ids": args})
        conf = task.app.conf
        if conf.task_always_eager and conf.task_eager_propagates:
            raise
        return False
    return True


def queue_after_commit(task, *args) -> None:
    """Queue `task` with `args` once the current transaction commits (`_queue`: a broker
    that is down then is logged, never raised: the change stands, and the beat job that
    looks for what was never sent queues it later). Not a `functools.partial` given to
    Django's robust `on_commit`: Django names the callback when it logs the failure, and
    a partial has no name, so the failure became an AttributeError and a 500 page for a
    change that was made."""
    transaction.on_commit(lambda: _queue(task, args, task.name))


def queue_each(task, ids, what: str) -> int:
    """Queue `task` once for each id (a beat job sending what was never queued): stop at
    the first failure, which the next run retries. How many were queued."""
    queued = 0
    for pk in ids:
        if not _queue(task, (pk,), what):
            break
        queued += 1
    return queued


@shared_task(
    name="safeguarding.send_reminder",
    autoretry_for=RETRY_ON,
    retry_backoff=settings.REMINDER_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=settings.REMINDER_SEND_MAX_RETRIES,
    acks_late=True,
)
def send_reminder(reminder_id: int) -> str:
    """Send one claimed reminder. Safe to run twice: the service sends a row once."""
    return reminder_deliver(reminder_id=reminder_id)


@shared_task(name="safeguarding.send_security_notice", ignore_result=True, **RETRIED_SEND)
def send_security_notice(event_id: int) -> str:
    """Tell a person their password or second factor changed (security_notices.py)."""
    from .security_notices import notice_deliver

    return notice_deliver(event_id=event_id)


@shared_task(name="safeguarding.send_password_reset", ignore_result=True, **RETRIED_SEND)
def send_password_reset(email: str) -> str:
    """E-mail the account of this address, if any, the link it asked for to choose a new
    password (security_notices.py)."""
    from .security_notices import password_reset_deliver

    return password_reset_deliver(email=email)


@shared_task(name="safeguarding.send_invitation", ignore_result=True, **RETRIED_SEND)
def send_invitation(membership_id: int, new_account: bool | None = None) -> str:
    """Tell a person they have a new role (people.py): once, however often it is queued.
    Whether to ask them to choose a password is decided when it goes; `new_account`,
    which tasks queued before that still carry, is ignored."""
    from .people import invitation_deliver

    return invitation_deliver(membership_id=membership_id)


@shared_task(name="safeguarding.requeue_invitations", ignore_result=True)
def requeue_invitations() -> int:
    """Run by beat: queue again the e-mails about new roles that never went (the broker
    was down when the role was given). The role's untold mark decides: once."""
    from .people import untold_invitations

    return queue_each(send_invitation, untold_invitations(now=timezone.now())[:500], "invitation")


@shared_task(name="safeguarding.send_role_ended_notice", ignore_result=True, **RETRIED_SEND)
def send_role_ended_notice(past_role_id: int) -> str:
    """Tell a person a role of theirs was taken away (people.py): once."""
    from .people import role_ended_deliver

    return role_ended_deliver(past_role_id=past_role_id)


@shared_task(name="safeguarding.requeue_role_ended_notices", ignore_result=True)
def requeue_role_ended_notices() -> int:
    """Run by beat: queue again the e-mails about roles taken away that never went."""
    from .people import untold_roles_ended

    return queue_each(
        send_role_ended_notice, untold_roles_ended(now=timezone.now())[:500], "role ended"
    )


@shared_task(name="safeguarding.send_reminders", acks_late=True, ignore_result=True)
def send_reminders(reminder_ids: list[int]) -> int:
    """Send a batch of claimed reminders queued by the sweep, each on its own (its row lock
    and status make a repeat harmless). One that fails is handed to `send_reminder`, which
    retries it with back-off; the others carry on. Returns how many were sent."""
    sent = 0
    for reminder_id in reminder_ids:
        try:
            sent += reminder_deliver(reminder_id=reminder_id) == "sent"
        except RETRY_ON:
            send_reminder.apply_async(
                args=[reminder_id],
                queue=settings.REMINDER_QUEUE,
                countdown=settings.REMINDER_RETRY_BACKOFF_SECONDS,
            )
    return sent


@shared_task(name="safeguarding.sweep_reminders", ignore_result=True)
def sweep_reminders() -> int:
    """Run by beat through the day; the sweep itself holds reminders outside office hours."""
    return reminders_sweep(collect=False).claimed_count


@shared_task(name="safeguarding.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> int:
    """Delete the sessions past their expiry (what `manage.py clearsessions` does), and
    the create-once tokens of forms posted over 30 days ago (once.py)."""
    from django.contrib.sessions.models import Session

    from .models import FormSubmission

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    FormSubmission.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=30)).delete()
    return deleted


@shared_task(name="safeguarding.clear_held_uploads", ignore_result=True)
def clear_held_uploads() -> int:
    """Delete the files held for refused forms more than a day ago (held_uploads.py)."""
    from .held_uploads import clear_expired

    return clear_expired()
