"""Thin Celery tasks: take ids, call one service, retry on failure, safe to run twice."""

from celery import shared_task

from safeguarding.tasks import RETRY_ON

from .mail import request_email_deliver


@shared_task(
    name="rapid_reviews.send_request_email",
    autoretry_for=RETRY_ON,
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def send_request_email(status_change_id: int) -> str:
    return request_email_deliver(status_change_id=status_change_id)
