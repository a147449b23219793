"""The e-mail that tells an agency's contributors a request is waiting for them.

It names the partnership, the case reference, the agency and the due date, and links to the
request; it never names the child or says what happened (they sign in to see that).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from safeguarding.models import Membership, Role

from .models import RequestEmail, RequestStatus, StatusChange

logger = logging.getLogger(__name__)


def recipients_for(request) -> list[str]:
    """Active contributors for the request's agency in the review's partnership."""
    partnership = request.rapid_review.incident.partnership_id
    return sorted(
        set(
            Membership.objects.active()
            .filter(role=Role.AGENCY_CONTRIBUTOR, agency=request.agency_id, partnership=partnership)
            .values_list("user__email", flat=True)
        )
    )


def email_context(change: StatusChange) -> dict:
    request = change.information_request
    incident = request.rapid_review.incident
    return {
        "service_name": getattr(settings, "SERVICE_NAME", "Safeguarding practice reviews"),
        "partnership": incident.partnership.name,
        "reference": incident.reference,
        "agency": request.agency.name,
        "due": request.due_date,
        "more_information": change.to_status == RequestStatus.MORE_INFORMATION,
        "link": settings.SITE_URL + reverse("rapid_reviews:contributor-request", args=[request.pk]),
    }


#: A request e-mail not sent this long after its change is queued again (the first queueing
#: happens when the change commits; a broker outage then would otherwise lose it).
REQUEUE_AFTER = dt.timedelta(minutes=10)
#: Older changes are not e-mailed any more: someone has noticed by then.
REQUEUE_WITHIN = dt.timedelta(days=7)


def unsent_request_changes(*, now: dt.datetime):
    """Request sends (and send-backs) whose e-mail has not gone, queued long enough ago."""
    return (
        StatusChange.objects.filter(
            information_request__isnull=False,
            to_status__in=[RequestStatus.SENT, RequestStatus.MORE_INFORMATION],
            changed_at__lt=now - REQUEUE_AFTER,
            changed_at__gte=now - REQUEUE_WITHIN,
            email__isnull=True,
        )
        .order_by("changed_at", "id")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def request_email_deliver(*, status_change_id: int) -> str:
    """Send the e-mail for one request being sent (or sent back). Safe to run twice: a
    change that already has its e-mail row is skipped."""
    change = StatusChange.objects.select_related(
        "information_request__agency", "information_request__rapid_review__incident__partnership"
    ).get(pk=status_change_id)
    if change.information_request is None:
        return "not a request"
    email_row, created = RequestEmail.objects.select_for_update().get_or_create(
        status_change=change
    )
    if not created:
        return "already sent"
    to = recipients_for(change.information_request)
    if not to:
        logger.warning("No contributors to e-mail for request %s", change.information_request_id)
        return "no recipients"
    context = email_context(change)
    subject = (
        f"More information requested for rapid review {context['reference']}"
        if context["more_information"]
        else f"Information request for rapid review {context['reference']}"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("rapid_reviews/email/request.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(
        render_to_string("rapid_reviews/email/request.html", context), "text/html"
    )
    message.send()
    email_row.recipients = len(to)
    email_row.save(update_fields=["recipients"])
    return "sent"
