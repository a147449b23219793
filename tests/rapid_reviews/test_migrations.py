"""The data migration that closes requests left awaited after their review went to the
National Panel (rapid_reviews 0009)."""

import pytest
from django.utils import timezone

from rapid_reviews import services
from rapid_reviews.models import InformationRequest, StatusChange
from tests.utils import migrate, migrate_to_latest

from .conftest import decide_and_sign

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("rapid_reviews", "0008_late_reason")]
AFTER = [("rapid_reviews", "0009_request_not_needed")]


def test_requests_awaited_when_the_review_went_are_closed_by_its_sender(sent_requests, people):
    health, social_care = sent_requests["health"], sent_requests["social_care"]
    review = decide_and_sign(health.rapid_review, people["officer"])
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=timezone.localdate()
    )
    sent_at = StatusChange.objects.get(
        rapid_review=review, information_request=None, to_status="sent_to_panel"
    ).changed_at
    migrate(BEFORE)
    try:
        # As the service left them before: still "sent" (and one sent back for more).
        # (Going back has already reopened them and taken their closing rows away.)
        assert not StatusChange.objects.filter(to_status="not_needed").exists()
        InformationRequest.objects.filter(rapid_review=review).update(status="sent", version=2)
        InformationRequest.objects.filter(pk=social_care.pk).update(status="more_information")
        migrate(AFTER)
        rows = dict(
            InformationRequest.objects.filter(rapid_review=review).values_list("pk", "status")
        )
        assert set(rows.values()) == {"not_needed"} and len(rows) == 3
        closed = StatusChange.objects.filter(to_status="not_needed")
        change = closed.get(information_request=health.pk)
        assert change.from_status == "sent"
        assert change.actor_id == people["officer"].pk and change.changed_at == sent_at
        assert closed.get(information_request=social_care.pk).from_status == "more_information"
        assert closed.count() == 3
        # (Only the columns 0009 has: the model of today has more.)
        version = InformationRequest.objects.values_list("version", flat=True).get(pk=health.pk)
        assert version == 3
    finally:
        migrate_to_latest()


def test_going_back_reopens_the_closed_requests(sent_requests, people):
    """Back to 0008, which has no "not_needed": each request returns to the status it
    was closed from (the code of 0008 could not show it otherwise)."""
    review = decide_and_sign(sent_requests["health"].rapid_review, people["officer"])
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=timezone.localdate()
    )
    assert set(
        InformationRequest.objects.filter(rapid_review=review).values_list("status", flat=True)
    ) == {"not_needed"}
    migrate(BEFORE)
    try:
        statuses = set(
            InformationRequest.objects.filter(rapid_review=review).values_list("status", flat=True)
        )
        assert statuses == {"sent"}
        assert not StatusChange.objects.filter(to_status="not_needed").exists()
    finally:
        migrate_to_latest()
