"""The e-mails of information requests: to an agency's contributors when a request is
waiting for them (sent, or sent back for more) or is closed unanswered (the review went
to the National Panel), and to the officer who asked when the agency's return is in.

Each names the partnership, the case reference, the agency and the dates, and links to
the request; none names the child or says what happened (they sign in to see that).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from safeguarding.mail import (
    REQUEUE_AFTER,  # noqa: F401 - the tests read it here
    agency_recipients,
    business_unit_to_tell,
    send_templated,
    untold,
)

from .models import (
    AWAITING_RETURN,
    InformationRequest,
    RequestEmail,
    RequestStatus,
    ReturnReminder,
    StatusChange,
)

logger = logging.getLogger(__name__)


def recipients_for(request) -> tuple[list[str], bool]:
    """Who hears of a request (sent, sent back, or a reminder), and whether that is the
    agency's own address (`safeguarding.mail.agency_recipients`)."""
    return agency_recipients(request.agency, request.rapid_review.incident.partnership_id)


def mailbox_context(request, mailbox: bool) -> dict:
    """What the e-mails say when they go to the agency's address rather than a person."""
    return {
        "mailbox": mailbox,
        "partnership_contact": request.rapid_review.incident.partnership.contact_email,
    }


def return_mail_context(request, mailbox: bool, *, due: dt.date, **extra) -> dict:
    """What the e-mails to an agency about its awaited return (reminders, a moved due
    date) all say: whose return, for which case, due when, and the link to answer it."""
    incident = request.rapid_review.incident
    return {
        **mailbox_context(request, mailbox),
        "service_name": getattr(settings, "SERVICE_NAME", "Safeguarding practice reviews"),
        "partnership": incident.partnership.name,
        "reference": incident.reference,
        "agency": request.agency.name,
        "due": due,
        "more_information": request.status == RequestStatus.MORE_INFORMATION,
        "link": settings.SITE_URL + reverse("rapid_reviews:contributor-request", args=[request.pk]),
        **extra,
    }


def _officers(request) -> tuple[list[str], bool]:
    return officers_to_tell(request), False


def officers_to_tell(request) -> list[str]:
    """Who hears that a return is in: whoever last sent the request (or sent it back), if
    they still hold an officer or manager role in the partnership; otherwise its review
    officers; and if it has none, its managers."""
    asked_by = (
        StatusChange.objects.filter(
            information_request=request,
            to_status__in=[RequestStatus.SENT, RequestStatus.MORE_INFORMATION],
        )
        .order_by("-changed_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    return business_unit_to_tell(request.rapid_review.incident.partnership_id, asked_by)


def _late(request) -> bool:
    due, returned_on = request.due_date, request.returned_on
    return due is not None and returned_on is not None and returned_on > due


def email_context(change: StatusChange, *, mailbox: bool = False) -> dict:
    request = change.information_request
    review = request.rapid_review
    incident = review.incident
    returned = change.to_status == RequestStatus.RETURNED
    link = (
        reverse("rapid_reviews:request", args=[review.pk, request.pk])
        if returned
        else reverse("rapid_reviews:contributor-request", args=[request.pk])
    )
    return {
        **mailbox_context(request, mailbox),
        "service_name": getattr(settings, "SERVICE_NAME", "Safeguarding practice reviews"),
        "partnership": incident.partnership.name,
        "reference": incident.reference,
        "agency": request.agency.name,
        "due": request.due_date,
        "returned_on": request.returned_on,
        "late": returned and _late(request),
        "more_information": change.to_status == RequestStatus.MORE_INFORMATION,
        "link": settings.SITE_URL + link,
    }


def _returned_subject(context: dict) -> str:
    return f"Return received from {context['agency']} for rapid review {context['reference']}"


# The subjects of the e-mails to an agency name the partnership asking: an agency (the
# police, the ICB) answers several partnerships, and a case reference alone is a code.


def _not_needed_subject(context: dict) -> str:
    return (
        f"{context['partnership']} no longer needs {context['agency']}’s information for "
        f"rapid review {context['reference']}: it has gone to the National Panel"
    )


def _request_subject(context: dict) -> str:
    more = "more information" if context["more_information"] else "information"
    return (
        f"{context['partnership']} asks {context['agency']} for {more} for rapid review "
        f"{context['reference']}"
    )


#: The request changes that are e-mailed: who to, the subject, and the templates.
E_MAILED = {
    RequestStatus.SENT: (recipients_for, _request_subject, "rapid_reviews/email/request"),
    RequestStatus.MORE_INFORMATION: (
        recipients_for,
        _request_subject,
        "rapid_reviews/email/request",
    ),
    RequestStatus.RETURNED: (_officers, _returned_subject, "rapid_reviews/email/returned"),
    RequestStatus.NOT_NEEDED: (
        recipients_for,
        _not_needed_subject,
        "rapid_reviews/email/not_needed",
    ),
}


def unsent_request_changes(*, now: dt.datetime):
    """E-mailed request changes (sent, sent back, returned) whose e-mail has not gone,
    queued long enough ago."""
    return untold(
        StatusChange.objects.filter(
            information_request__isnull=False, to_status__in=list(E_MAILED), email__isnull=True
        ),
        "changed_at",
        now=now,
    )


def _superseded(change: StatusChange) -> bool:
    """The request has changed status again since this change."""
    later = Q(changed_at__gt=change.changed_at) | Q(changed_at=change.changed_at, pk__gt=change.pk)
    return StatusChange.objects.filter(
        later, information_request=change.information_request_id
    ).exists()


@transaction.atomic
def request_email_deliver(*, status_change_id: int) -> str:
    """Send the e-mail of one request change (sent, sent back or returned). Safe to run
    twice: a change that already has its e-mail row is skipped."""
    change = StatusChange.objects.select_related(
        "information_request__agency", "information_request__rapid_review__incident__partnership"
    ).get(pk=status_change_id)
    if change.information_request is None or change.to_status not in E_MAILED:
        return "not a request"
    email_row, created = RequestEmail.objects.select_for_update().get_or_create(
        status_change=change
    )
    if not created:
        return "already sent"
    if _superseded(change):
        # Queued again late (a broker outage) after the request moved on: "please send
        # your return" once it is in, or "a return is in" once it is sent back, would be
        # wrong now, and the later change has its own e-mail.
        logger.info("Request %s changed again since; not emailed", change.information_request_id)
        return "superseded"
    find_recipients, subject_of, template = E_MAILED[change.to_status]
    to, mailbox = find_recipients(change.information_request)
    if not to:
        logger.warning("No one to email for request %s", change.information_request_id)
        return "no recipients"
    context = email_context(change, mailbox=mailbox)
    send_templated(to=to, subject=subject_of(context), template=template, context=context)
    email_row.recipients = len(to)
    email_row.save(update_fields=["recipients"])
    return "sent"


def untold_due_date_moves(*, now: dt.datetime):
    """Awaited returns whose agency was not e-mailed the due date an officer moved, moved
    long enough ago (the e-mail is queued when the move commits; a broker outage then
    would otherwise lose it)."""
    return untold(
        InformationRequest.objects.filter(status__in=AWAITING_RETURN), "due_date_moved_at", now=now
    )


@transaction.atomic
def due_date_moved_deliver(*, request_id: int) -> str:
    """Tell the agency that the due date of its awaited return moved: the date it is due
    now and the one it knew (the officer's reason stays with the partnership: it may name
    the family). The request is locked and its untold move cleared with the sending (a
    failed send rolls back and is tried again), so however many tasks are queued for one
    request (one per move, and beat's re-queue), the agency gets one e-mail, with the date
    as it is when it goes. Not at all if the request has moved on since (its return is
    in, it closed) or the date went back to the one the agency knew (nothing untold)."""
    request = (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "rapid_review__incident__partnership")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.due_date_moved_at is None:
        return "nothing untold"
    if not request.is_awaiting_return:
        return "superseded"
    to, mailbox = recipients_for(request)
    due, was_due = request.due_date, request.due_date_was
    request.due_date_was = request.due_date_moved_at = None
    request.save(update_fields=["due_date_was", "due_date_moved_at"])
    if not to:
        logger.warning("No one to email for request %s", request.pk)
        return "no recipients"
    # What was sent, for the record (a date told before and moved back to is told again).
    ReturnReminder.objects.update_or_create(
        information_request=request,
        due_date=due,
        kind=ReturnReminder.Kind.MOVED,
        defaults={"recipients": len(to), "sent_at": timezone.now()},
    )
    context = return_mail_context(request, mailbox, due=due, was_due=was_due)
    send_templated(
        to=to,
        subject=f"New due date: {context['partnership']} needs {context['agency']}’s "
        f"information for rapid review {context['reference']} by {due:%A %-d %B}",
        template="rapid_reviews/email/due_date_moved",
        context=context,
    )
    return "sent"
