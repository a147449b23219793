"""The e-mails of the local reviews: to the independent reviewers when the partners ask
them in writing for information or a draft (reg 14), and to an agency when an action of
the action plan is given to it. Each names the partnership, the review's reference and a
date, and links to the page; never the child, nor the request's or the action's words
(they sign in to read them)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from safeguarding.mail import agency_recipients, send_templated
from safeguarding.models import Membership, Role

from .models import Action, PartnerCheck, Status


def reviewers_to_tell(review) -> list[str]:
    """The review's reviewers who still hold the reviewer role in its partnership."""
    return sorted(
        Membership.objects.active()
        .with_role(Role.INDEPENDENT_REVIEWER)
        .filter(partnership=review.partnership, user__in=review.reviewers.all())
        .values_list("user__email", flat=True)
        .distinct()
    )


@transaction.atomic
def written_request_deliver(*, check_id: int) -> str:
    """E-mail one written request to the reviewers. Safe to run twice: the check's row is
    locked and marked told, so it is sent once."""
    check = (
        PartnerCheck.objects.select_for_update(of=("self",))
        .select_related("review__rapid_review__incident__partnership")
        .filter(pk=check_id, kind=PartnerCheck.Kind.WRITTEN_REQUEST)
        .first()
    )
    if check is None:
        return "not a written request"
    if check.reviewers_told_at is not None:
        return "already sent"
    review = check.review
    to = reviewers_to_tell(review)
    if not to:
        return "no reviewer"
    context = {
        "service_name": settings.SERVICE_NAME,
        "partnership": review.partnership.name,
        "reference": review.reference,
        "respond_by": check.respond_by,
        "link": settings.SITE_URL + review.get_absolute_url(),
    }
    send_templated(
        to=to,
        subject=f"{review.partnership.name} asks you in writing about local review "
        f"{review.reference}",
        template="lcspr/email/written_request",
        context=context,
    )
    check.reviewers_told_at = timezone.now()
    check.save(update_fields=["reviewers_told_at"])
    return "sent"


#: A written request not e-mailed this long after it was saved is queued again (the
#: broker may have been down, or the review had no reviewer yet).
REQUEUE_AFTER = dt.timedelta(minutes=10)


def untold_written_requests(*, now: dt.datetime):
    """Written requests not yet e-mailed, saved long enough ago, whose reply date has not
    passed and whose review has a reviewer: their ids, oldest first."""
    return (
        PartnerCheck.objects.filter(
            Q(respond_by__isnull=True) | Q(respond_by__gte=timezone.localdate(now)),
            kind=PartnerCheck.Kind.WRITTEN_REQUEST,
            reviewers_told_at__isnull=True,
            recorded_at__lt=now - REQUEUE_AFTER,
            review__reviewers__isnull=False,
        )
        .distinct()
        .order_by("recorded_at", "id")
        .values_list("pk", flat=True)
    )


def agency_to_tell(action: Action) -> list[str]:
    """Who answers for the action's agency in the review's partnership: its active
    contributors there, or the agency's own address when it has none."""
    partnership = action.recommendation.review.partnership
    if not partnership.is_active:
        return []
    return agency_recipients(action.agency, partnership.pk)[0]


@transaction.atomic
def action_assigned_deliver(*, action_id: int) -> str:
    """E-mail the owning agency that an action is theirs. Safe to run twice: the row is
    locked and marked told, so it is sent once."""
    action = (
        Action.objects.select_for_update(of=("self",))
        .select_related("agency", "recommendation__review__rapid_review__incident__partnership")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        return "no such action"
    if action.agency_told_at is not None:
        return "already sent"
    review = action.recommendation.review
    if review.status == Status.CLOSED:
        return "review closed"
    to = agency_to_tell(action)
    if not to:
        return "no one to tell"
    from django.urls import reverse

    send_templated(
        to=to,
        subject=f"{review.partnership.name}: an action for {action.agency.name} in local "
        f"review {review.reference}",
        template="lcspr/email/action_assigned",
        context={
            "service_name": settings.SERVICE_NAME,
            "partnership": review.partnership.name,
            "agency": action.agency.name,
            "reference": review.reference,
            "due": action.due_date,
            "link": settings.SITE_URL + reverse("lcspr:agency-action", args=[action.pk]),
        },
    )
    action.agency_told_at = timezone.now()
    action.save(update_fields=["agency_told_at"])
    return "sent"


#: An action's e-mail is queued again for this long after the action was added (the
#: broker may have been down, or the agency had nobody to tell yet); then it stops.
TELL_AGENCY_WITHIN = dt.timedelta(days=14)


def untold_actions(*, now: dt.datetime):
    """Actions whose agency was not e-mailed, added long enough ago (their own queueing
    may be on its way) and recently enough: their ids, oldest first."""
    return (
        Action.objects.filter(
            agency_told_at__isnull=True,
            created_at__lt=now - REQUEUE_AFTER,
            created_at__gte=now - TELL_AGENCY_WITHIN,
        )
        .exclude(recommendation__review__status=Status.CLOSED)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )
