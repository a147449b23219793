"""Rapid review services. `rapid_review_open` is the hook the notification stage calls."""

from django.db import transaction

from notifications.models import Incident
from safeguarding.deadlines import Kind, Rule, compute_due, deadline_start
from safeguarding.models import User

from .models import RapidReview

WORKING_DAYS_TO_COMPLETE = 15


@transaction.atomic
def rapid_review_open(*, incident: Incident, actor: User) -> RapidReview:
    """Open the rapid review: due 15 working days after the notification was sent."""
    assert incident.notified_on is not None, "a rapid review needs a sent notification"
    due = compute_due(
        trigger_date=incident.notified_on,
        rule=Rule.WORKING_DAYS,
        amount=WORKING_DAYS_TO_COMPLETE,
        partnership=incident.partnership,
    )
    review, _ = RapidReview.objects.update_or_create(incident=incident, defaults={"due_date": due})
    deadline_start(
        subject=review,
        partnership=incident.partnership,
        kind=Kind.RAPID_REVIEW,
        title=f"Complete the rapid review: {incident.reference}",
        reference=incident.reference,
        url=incident.get_absolute_url(),
        trigger_date=incident.notified_on,
        amount=WORKING_DAYS_TO_COMPLETE,
        owner=actor,
    )
    return review
