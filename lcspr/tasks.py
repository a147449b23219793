"""Thin Celery tasks of the local reviews: take ids, call one service, retry on failure."""

from celery import shared_task
from django.utils import timezone

from safeguarding.tasks import RETRIED_SEND, queue_each


@shared_task(name="lcspr.send_written_request", ignore_result=True, **RETRIED_SEND)
def send_written_request(check_id: int) -> str:
    """Tell a review's reviewers the partners have asked them in writing (lcspr/mail.py)."""
    from .mail import written_request_deliver

    return written_request_deliver(check_id=check_id)


@shared_task(name="lcspr.send_written_reply", ignore_result=True, **RETRIED_SEND)
def send_written_reply(check_id: int) -> str:
    """Tell the business unit the reviewer has answered its written request."""
    from .mail import written_reply_deliver

    return written_reply_deliver(check_id=check_id)


@shared_task(name="lcspr.requeue_written_requests", ignore_result=True)
def requeue_written_requests() -> int:
    """Run by beat: queue again the written requests never e-mailed (the broker was down,
    or the review had no reviewer yet), and the reviewers' replies the business unit was
    not told of. Sending twice is harmless: the row decides."""
    from .mail import untold_written_replies, untold_written_requests

    now = timezone.now()
    return queue_each(
        send_written_request, untold_written_requests(now=now)[:500], "written request"
    ) + queue_each(send_written_reply, untold_written_replies(now=now)[:500], "written reply")


@shared_task(name="lcspr.send_action_assigned", ignore_result=True, **RETRIED_SEND)
def send_action_assigned(action_id: int) -> str:
    """Tell an agency an action of an action plan is theirs (lcspr/mail.py)."""
    from .mail import action_assigned_deliver

    return action_assigned_deliver(action_id=action_id)


@shared_task(name="lcspr.send_action_due_date_moved", ignore_result=True, **RETRIED_SEND)
def send_action_due_date_moved(action_id: int) -> str:
    """Tell an agency the due date of an action it owns moved (lcspr/mail.py)."""
    from .mail import action_due_date_moved_deliver

    return action_due_date_moved_deliver(action_id=action_id)


@shared_task(name="lcspr.requeue_action_emails", ignore_result=True)
def requeue_action_emails() -> int:
    """Run by beat: queue again the action e-mails never sent: an action given to an
    agency, and a due date moved. The row decides: once."""
    from .mail import untold_action_due_date_moves, untold_actions

    now = timezone.now()
    return queue_each(send_action_assigned, untold_actions(now=now)[:500], "action") + queue_each(
        send_action_due_date_moved,
        untold_action_due_date_moves(now=now)[:500],
        "action due date email",
    )


@shared_task(name="lcspr.send_reviewer_notice", ignore_result=True, **RETRIED_SEND)
def send_reviewer_notice(status_change_id: int) -> str:
    """Tell a review's reviewers it went on hold, resumed or was closed (lcspr/mail.py)."""
    from .mail import reviewer_notice_deliver

    return reviewer_notice_deliver(status_change_id=status_change_id)


@shared_task(name="lcspr.send_reviewer_assigned", ignore_result=True, **RETRIED_SEND)
def send_reviewer_assigned(assignment_id: int) -> str:
    """Tell a reviewer they have been assigned to a review (lcspr/mail.py)."""
    from .mail import reviewer_assigned_deliver

    return reviewer_assigned_deliver(assignment_id=assignment_id)


@shared_task(name="lcspr.requeue_reviewer_notices", ignore_result=True)
def requeue_reviewer_notices() -> int:
    """Run by beat: queue again the reviewers' notices never sent: a hold, resumption,
    closing or reopening, and a reviewer's assignment. The row decides: once."""
    from .mail import untold_reviewer_assignments, untold_reviewer_moves

    now = timezone.now()
    return queue_each(
        send_reviewer_notice, untold_reviewer_moves(now=now)[:500], "reviewer notice"
    ) + queue_each(
        send_reviewer_assigned, untold_reviewer_assignments(now=now)[:500], "reviewer assigned"
    )


@shared_task(name="lcspr.send_action_reminders", ignore_result=True)
def send_action_reminders() -> int:
    """Run by beat: remind agencies of actions due in a week or overdue (lcspr/chasing.py)."""
    from .chasing import action_reminders_send

    return action_reminders_send()
