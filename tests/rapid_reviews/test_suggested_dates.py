"""A date the form only suggests (another record's date, put in its boxes to start with) is
checked against the earliest day as any new date is: only a date kept as it was stored
is let through (`safeguarding.forms.GDSFormMixin`)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rapid_reviews import services
from rapid_reviews.models import RapidReview
from tests.utils import date_fields, sign_in

pytestmark = pytest.mark.django_db


def test_a_decision_on_the_suggested_meeting_day_before_the_duty_began_is_refused(
    client, review, people
):
    """The decision's boxes start with the meeting's date: a meeting imported from 2017
    does not make a first decision dated 2017 a date "kept as it was stored"."""
    services.rapid_review_record_meeting(
        rapid_review=review,
        actor=people["officer"],
        values={
            "meeting_date": timezone.localdate(),
            "attendees": "LA, police, health",
            "learning_local": "Share the health visitor's notes.",
        },
    )
    RapidReview.objects.filter(pk=review.pk).update(meeting_date=dt.date(2017, 1, 5))
    review.refresh_from_db()
    assert review.decided_on is None
    sign_in(client, people["officer"])
    response = client.post(
        reverse("rapid_reviews:decision", args=[review.pk]),
        {
            "decision": "no_local_review",
            "rationale": "No criteria met.",
            **date_fields("decided_on", dt.date(2017, 1, 5)),
            "version": review.version,
        },
    )
    assert response.status_code == 200, "a decision dated 5 January 2017 was recorded"
    assert dict(response.context["form"].errors) == {
        "decided_on": [
            "The date of the decision must be the same as or after 29 June 2018, when the duty "
            "to notify the National Panel began"
        ]
    }
    review.refresh_from_db()
    assert review.decided_on is None
