"""Recording that the rapid review went to the National Panel: what the page says."""

import pytest
from django.urls import reverse
from django.utils import timezone

from rapid_reviews.models import Status
from tests.utils import date_fields, sign_in

from .conftest import decide_and_sign

pytestmark = pytest.mark.django_db


def _send(client, review, **extra):
    return client.post(
        reverse("rapid_reviews:send-to-panel", args=[review.pk]),
        {**date_fields("sent_on", timezone.localdate()), **extra},
        follow=True,
    )


def test_a_late_reason_typed_for_an_on_time_send_is_not_kept_and_it_says_so(client, review, people):
    review = decide_and_sign(review, people["officer"])
    assert review.due_date >= timezone.localdate()
    sign_in(client, people["officer"])
    html = _send(client, review, late_reason="The meeting moved.").content.decode()
    review.refresh_from_db()
    assert review.status == Status.SENT_TO_PANEL
    assert review.late_reason == ""
    assert "It was sent on time, so the reason it was late is not kept." in html


def test_the_local_review_opened_is_said_plainly(client, review, people):
    review = decide_and_sign(review, people["officer"])
    sign_in(client, people["officer"])
    html = _send(client, review).content.decode()
    assert "Its local review is now open" in html
    assert "6 months counted from the decision" not in html
    assert "It is due 6 months after the decision to hold it." in html
