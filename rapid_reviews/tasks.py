"""Thin Celery tasks: take ids, call one service, retry on failure, safe to run twice."""

import logging

from celery import shared_task
from django.utils import timezone

from safeguarding.tasks import RETRIED_SEND, queue_each

from .chasing import return_reminders_send
from .mail import (
    due_date_moved_deliver,
    request_email_deliver,
    unsent_request_changes,
    untold_due_date_moves,
)


@shared_task(name="rapid_reviews.send_request_email", acks_late=True, **RETRIED_SEND)
def send_request_email(status_change_id: int) -> str:
    return request_email_deliver(status_change_id=status_change_id)


@shared_task(name="rapid_reviews.send_due_date_moved", acks_late=True, **RETRIED_SEND)
def send_due_date_moved(request_id: int, *_queued_dates: str | None) -> str:
    """Tell the agency its return's due date moved. Tasks queued by an earlier version
    also carry the dates of their move: the e-mail now says the date as it is when it
    goes, so they are not needed."""
    return due_date_moved_deliver(request_id=request_id)


logger = logging.getLogger(__name__)


@shared_task(name="rapid_reviews.requeue_request_emails", ignore_result=True)
def requeue_request_emails() -> int:
    """Run by beat: queue again the request e-mails that were never sent (the broker was
    down when the request was sent, sent back or returned, or when its due date moved).
    Sending twice is harmless: the e-mail row, or the request's untold move, decides."""
    now = timezone.now()
    return queue_each(
        send_request_email, unsent_request_changes(now=now)[:500], "request email"
    ) + queue_each(send_due_date_moved, untold_due_date_moves(now=now)[:500], "due date email")


@shared_task(name="rapid_reviews.send_return_reminders", ignore_result=True)
def send_return_reminders() -> int:
    """Run by beat: remind agencies of returns due on the next working day or overdue
    (chasing.py; each reminder is sent once, in office hours)."""
    return return_reminders_send()
