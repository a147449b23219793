"""Reminding agencies of their returns: a business unit's daily chasing, done for it.

An agency whose return is awaited (sent, or sent back for more) hears twice at most per
due date: on the working day before it is due ("due tomorrow"), and on the first working
day it is overdue. Only while the rapid review still gathers information; only in office
hours on the partnership's working days; to the agency's active contributors in the
partnership; never naming the child. A `ReturnReminder` row, unique per request, due date
and kind, is claimed in the same transaction as the sending, so a run twice (or two runs
at once) sends once, and a failed send is tried again by the next run. The officer who
asked is told through the dashboard and their own reminders, as before.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from safeguarding import calendar
from safeguarding.chasing import Chase, chase
from safeguarding.mail import send_templated
from safeguarding.reminders import held_reason, local_time

from .mail import recipients_for, return_mail_context
from .models import InformationRequest, RequestStatus, ReturnReminder
from .services.requests import REQUESTS_OPEN_WHILE

logger = logging.getLogger(__name__)
Kind = ReturnReminder.Kind


#: Working days left on the day each reminder goes: the working day before, and the first
#: working day overdue.
KINDS = {1: Kind.DUE_NEXT, -1: Kind.OVERDUE}


def reminder_kind(today: dt.date, due: dt.date, closures) -> str | None:
    """Which reminder an awaited return due on `due` gets on `today`, if any."""
    return KINDS.get(calendar.working_days_between(today, due, partnership=closures))


def _send(request: InformationRequest, kind: str, to: list[str], mailbox: bool) -> None:
    context = return_mail_context(
        request, mailbox, due=request.due_date, overdue=kind == Kind.OVERDUE
    )
    subject = (
        f"Overdue: {context['partnership']} asked for {context['agency']}’s information for "
        f"rapid review {context['reference']} by {request.due_date:%A %-d %B}"
        if kind == Kind.OVERDUE
        else f"Reminder: {context['partnership']} needs {context['agency']}’s information for "
        f"rapid review {context['reference']} by {request.due_date:%A %-d %B}"
    )
    send_templated(
        to=to, subject=subject, template="rapid_reviews/email/return_reminder", context=context
    )


def _claim(request: InformationRequest, kind: str, recipients: int) -> None:
    ReturnReminder.objects.create(
        information_request=request, due_date=request.due_date, kind=kind, recipients=recipients
    )


RETURNS = Chase(
    kinds=KINDS,
    partnership_of=lambda request: request.rapid_review.incident.partnership_id,
    due_of=lambda request: request.due_date,
    recipients=recipients_for,
    claim=_claim,
    send=_send,
    name="return",
)


def return_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Send the reminders due now; the number sent."""
    now = now or timezone.now()
    if held_reason(now):
        return 0
    today = local_time(now).date()
    awaited = (
        InformationRequest.objects.filter(
            status__in=[RequestStatus.SENT, RequestStatus.MORE_INFORMATION],
            rapid_review__status__in=REQUESTS_OPEN_WHILE,
            # A partnership switched off leaves its contributors nothing to open.
            rapid_review__incident__partnership__is_active=True,
            due_date__gte=today - dt.timedelta(days=14),
            due_date__lte=today + dt.timedelta(days=14),
        )
        .select_related("agency", "rapid_review__incident__partnership")
        .order_by("due_date", "pk")
    )
    return chase(awaited, RETURNS, today=today)
