"""Thin Celery tasks: take ids, call one service, retry on failure, safe to run twice."""

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from safeguarding.tasks import RETRIED_SEND, queue_each

from .chasing import return_reminders_send
from .mail import due_date_moved_deliver, request_email_deliver, unsent_request_changes


@shared_task(name="rapid_reviews.send_request_email", acks_late=True, **RETRIED_SEND)
def send_request_email(status_change_id: int) -> str:
    return request_email_deliver(status_change_id=status_change_id)


@shared_task(name="rapid_reviews.send_due_date_moved", acks_late=True, **RETRIED_SEND)
def send_due_date_moved(request_id: int, due_date: str, was_due: str | None = None) -> str:
    return due_date_moved_deliver(
        request_id=request_id,
        due_date=dt.date.fromisoformat(due_date),
        was_due=dt.date.fromisoformat(was_due) if was_due else None,
    )


logger = logging.getLogger(__name__)


@shared_task(name="rapid_reviews.requeue_request_emails", ignore_result=True)
def requeue_request_emails() -> int:
    """Run by beat: queue again the request e-mails that were never sent (the broker was
    down when the request was sent). Sending twice is harmless: the e-mail row decides."""
    return queue_each(
        send_request_email,
        unsent_request_changes(now=timezone.now())[:500],
        "request e-mail",
    )


@shared_task(name="rapid_reviews.send_return_reminders", ignore_result=True)
def send_return_reminders() -> int:
    """Run by beat: remind agencies of returns due on the next working day or overdue
    (chasing.py; each reminder is sent once, in office hours)."""
    return return_reminders_send()
