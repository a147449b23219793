"""Thin Celery tasks of the local reviews: take ids, call one service, retry on failure."""

from celery import shared_task

from safeguarding.tasks import RETRIED_SEND


@shared_task(name="lcspr.send_written_request", ignore_result=True, **RETRIED_SEND)
def send_written_request(check_id: int) -> str:
    """Tell a review's reviewers the partners have asked them in writing (lcspr/mail.py)."""
    from .mail import written_request_deliver

    return written_request_deliver(check_id=check_id)
