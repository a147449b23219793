"""Reminding agencies of the actions they own in a local review's action plan: a week (5
working days) before an action not yet complete is due, and on the first working day it
is overdue. Once per action, due date and kind (`ActionReminder`), in office hours, on
the partnership's working days, to the agency's active contributors there (or its own
address); never naming the child nor the action's words (they sign in to read them).
The shared loop is `safeguarding.chasing`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from safeguarding.chasing import Chase, chase
from safeguarding.mail import agency_recipients, send_templated
from safeguarding.reminders import held_reason, local_time

from .models import Action, ActionReminder, ActionStatus, Status

Kind = ActionReminder.Kind
KINDS = {5: Kind.DUE_SOON, -1: Kind.OVERDUE}


def _partnership_id(action: Action) -> int:
    return action.recommendation.review.rapid_review.incident.partnership_id


def _recipients(action: Action) -> tuple[list[str], bool]:
    return agency_recipients(action.agency, _partnership_id(action))


def _claim(action: Action, kind: str, recipients: int) -> None:
    ActionReminder.objects.create(
        action=action, due_date=action.due_date, kind=kind, recipients=recipients
    )


def _send(action: Action, kind: str, to: list[str], mailbox: bool) -> None:
    review = action.recommendation.review
    partnership = review.rapid_review.incident.partnership
    context = {
        "service_name": settings.SERVICE_NAME,
        "partnership": partnership.name,
        "partnership_contact": partnership.contact_email,
        "mailbox": mailbox,
        "agency": action.agency.name,
        "reference": review.reference,
        "due": action.due_date,
        "overdue": kind == Kind.OVERDUE,
        "link": settings.SITE_URL + reverse("lcspr:agency-action", args=[action.pk]),
    }
    # The partnership by name: the agency (the police, the ICB) may answer several.
    gave = f"an action {partnership.name} gave {action.agency.name} in local review"
    subject = (
        f"Overdue: {gave} {review.reference} was due {action.due_date:%A %-d %B}"
        if kind == Kind.OVERDUE
        else f"Reminder: {gave} {review.reference} is due {action.due_date:%A %-d %B}"
    )
    send_templated(to=to, subject=subject, template="lcspr/email/action_reminder", context=context)


ACTIONS = Chase(
    kinds=KINDS,
    partnership_of=_partnership_id,
    due_of=lambda action: action.due_date,
    recipients=_recipients,
    claim=_claim,
    send=_send,
    name="action",
)


def action_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Send the action reminders due now; the number sent."""
    now = now or timezone.now()
    if held_reason(now):
        return 0
    today = local_time(now).date()
    owed = (
        Action.objects.filter(
            status__in=[ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS],
            due_date__gte=today - dt.timedelta(days=14),
            due_date__lte=today + dt.timedelta(days=14),
            recommendation__review__rapid_review__incident__partnership__is_active=True,
        )
        .exclude(recommendation__review__status=Status.CLOSED)
        .select_related("agency", "recommendation__review__rapid_review__incident__partnership")
        .order_by("due_date", "pk")
    )
    return chase(owed, ACTIONS, today=today)
