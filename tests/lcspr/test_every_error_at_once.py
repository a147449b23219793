"""The local review's forms report every mistake in one go: a date that must not be before
the decision (the service's own check, run by the form with the review) appears with
what else is missing, each in the error summary linking to its field."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.utils import assert_errors_reported, date_fields, sign_in

pytestmark = pytest.mark.django_db


def test_a_check_before_the_decision_is_reported_with_what_a_written_request_needs(
    client, local_review, people
):
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:check-add", args=[local_review.pk]),
        {
            "kind": "written_request",
            **date_fields("checked_on", local_review.decision_date - dt.timedelta(days=2)),
            "note": "",
        },
    )
    assert_errors_reported(
        response,
        {
            "checked_on": (
                "id_checked_on_0",
                "must be the same as or after the decision to hold the review",
            ),
            "note": ("id_note", "Enter what"),
            "respond_by": ("id_respond_by_0", "Enter the date the reviewer should reply by"),
        },
    )


def test_a_hold_before_the_decision_is_reported_with_its_detail_and_date_to_look_again(
    client, local_review, people
):
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:hold", args=[local_review.pk]),
        {
            "reason": "other",
            "note": "",
            **date_fields("held_since", local_review.decision_date - dt.timedelta(days=2)),
            **date_fields("look_again_on", timezone.localdate() - dt.timedelta(days=1)),
            "version": local_review.version,
        },
    )
    assert_errors_reported(
        response,
        {
            "held_since": (
                "id_held_since_0",
                "must be the same as or after the decision to hold the review",
            ),
            "note": ("id_note", "Enter why the review is on hold"),
            "look_again_on": ("id_look_again_on_0", "The date to look again must be in the future"),
        },
    )


def test_closing_before_the_decision_is_reported_with_the_missing_reason(
    client, local_review, people
):
    sign_in(client, people["manager"])
    response = client.post(
        reverse("lcspr:close", args=[local_review.pk]),
        {
            "reason": "",
            **date_fields("closed_on", local_review.decision_date - dt.timedelta(days=1)),
            "version": local_review.version,
        },
    )
    assert_errors_reported(
        response,
        {
            "closed_on": (
                "id_closed_on_0",
                "must be the same as or after the decision to hold the review",
            ),
            "reason": ("id_reason", "Enter why the review is closed without publication"),
        },
    )


def test_a_hold_form_opened_before_a_colleagues_change_says_so_with_its_other_errors(
    client, local_review, people
):
    """The hold form's service checks the version itself: a page opened before a
    colleague saved the review says so beside its other errors, with the links of the
    summary going to the first radio (the form's first question)."""
    from lcspr.models import Review

    opened_at = local_review.version
    Review.objects.filter(pk=local_review.pk).update(version=opened_at + 1)
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:hold", args=[local_review.pk]),
        {"note": "", "version": str(opened_at), **date_fields("held_since", timezone.localdate())},
    )
    html = response.content.decode()
    assert response.status_code == 200
    summary = html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert "Select why the review is on hold" in summary
    assert "was changed after you opened this page" in summary
    assert 'href="#id_reason_1"' in summary and 'id="id_reason_1"' in html
    # Saving again is now against the version saved: the hidden field moved on.
    assert f'name="version" value="{opened_at + 1}"' in html
