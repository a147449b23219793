"""The rapid review's forms report every mistake in one go: a date that must not be before
an earlier step's (the service's own check, run by the form with the review) appears
with the missing answers, each in the error summary linking to its field."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rapid_reviews import services
from tests.utils import assert_errors_reported, date_fields, sign_in

from .conftest import decide_and_sign

pytestmark = pytest.mark.django_db


def test_the_meeting_before_the_notification_is_reported_with_the_missing_attendees(
    client, review, people
):
    sign_in(client, people["officer"])
    sent = review.incident.notified_on
    response = client.post(
        reverse("rapid_reviews:meeting", args=[review.pk]),
        {**date_fields("meeting_date", sent - dt.timedelta(days=1)), "attendees": ""},
    )
    assert_errors_reported(
        response,
        {
            "meeting_date": (
                "id_meeting_date_0",
                "must be the same as or after the date the notification was sent",
            ),
            "attendees": ("id_attendees", "Enter who attended the meeting"),
        },
    )


def test_a_decision_before_the_meeting_is_reported_with_the_missing_answers(client, review, people):
    officer = people["officer"]
    services.rapid_review_record_meeting(
        rapid_review=review,
        actor=officer,
        values={"meeting_date": timezone.localdate(), "attendees": "LA, police, health"},
    )
    sign_in(client, officer)
    response = client.post(
        reverse("rapid_reviews:decision", args=[review.pk]),
        {
            **date_fields("decided_on", timezone.localdate() - dt.timedelta(days=1)),
            "rationale": "",
        },
    )
    assert_errors_reported(
        response,
        {
            "decided_on": (
                "id_decided_on_0",
                "must be the same as or after the date of the meeting",
            ),
            "decision": ("id_decision_1", "Select the decision"),
            "rationale": ("id_rationale", "Enter the rationale for the decision"),
        },
    )


def test_a_sign_off_before_the_decision_is_reported_with_the_missing_name(client, review, people):
    review = decide_and_sign(review, people["officer"], signers=())
    sign_in(client, people["officer"])
    response = client.post(
        reverse("rapid_reviews:sign-off", args=[review.pk, "police"]),
        {**date_fields("signed_on", review.decided_on - dt.timedelta(days=3)), "name": ""},
    )
    assert_errors_reported(
        response,
        {
            "signed_on": (
                "id_signed_on_0",
                "must be the same as or after the date of the decision",
            ),
            "name": ("id_name", "Enter the name of the person signing off"),
        },
    )


@pytest.mark.django_db(transaction=True)
def test_a_refused_form_checks_the_version_inside_a_transaction_of_its_own(client, review, people):
    """Outside a test's own transaction (as in production) the stale-page check beside a
    refused form's errors locks the record in a transaction: an error page, never a 500."""
    sign_in(client, people["officer"])
    response = client.post(
        reverse("rapid_reviews:requests-new", args=[review.pk]),
        {"due_date_0": "31", "due_date_1": "2", "due_date_2": "2026", "version": review.version},
    )
    assert response.status_code == 200
    assert "Select at least one agency" in response.content.decode()


def _last_working_day_before_today(partnership) -> dt.date:
    from safeguarding.calendar import add_working_days

    return add_working_days(timezone.localdate(), -1, partnership=partnership)


def test_asking_agencies_reports_a_past_due_date_with_the_missing_agencies(client, review, people):
    sign_in(client, people["officer"])
    past = _last_working_day_before_today(review.incident.partnership)
    response = client.post(
        reverse("rapid_reviews:requests-new", args=[review.pk]),
        {**date_fields("due_date", past), "version": review.version},
    )
    assert_errors_reported(
        response,
        {
            "agencies": ("id_agencies_1", "Select at least one agency"),
            "due_date": ("id_due_date_0", "must be today or in the future"),
        },
    )


def test_sending_a_return_back_reports_a_past_due_date_with_the_missing_note(
    client, review, sent_requests, contributors, people
):
    from .conftest import return_and_submit

    police = sent_requests["police"]
    return_and_submit(police, contributors["police"])
    police.refresh_from_db()
    sign_in(client, people["officer"])
    past = _last_working_day_before_today(review.incident.partnership)
    response = client.post(
        reverse("rapid_reviews:request-send-back", args=[review.pk, police.pk]),
        {**date_fields("due_date", past), "note": "", "version": police.version},
    )
    assert_errors_reported(
        response,
        {
            "note": ("id_note", "Enter what more the agency needs to tell you"),
            "due_date": ("id_due_date_0", "must be today or in the future"),
        },
    )


def test_changing_a_request_reports_a_late_due_date_with_the_missing_reason(
    client, review, sent_requests, people
):
    """A new due date after the rapid review's own, and no reason for the change: both."""
    from safeguarding.calendar import add_working_days

    police = sent_requests["police"]
    sign_in(client, people["officer"])
    after = add_working_days(review.due_date, 1, partnership=review.incident.partnership)
    response = client.post(
        reverse("rapid_reviews:request-change", args=[review.pk, police.pk]),
        {
            **date_fields("due_date", after),
            "contact": "x" * 300,
            "reason": "",
            "version": police.version,
        },
    )
    assert_errors_reported(
        response,
        {
            "due_date": ("id_due_date_0", "when the rapid review is due"),
            "reason": ("id_reason", "Enter why the due date has changed"),
        },
    )
