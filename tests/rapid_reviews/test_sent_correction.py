"""Correcting the day a rapid review was recorded as sent to the National Panel (it was
typed wrong): the 15-working-day clock and the timetable's last step are met on the
corrected day, which says whether the review went late; audited with the reason."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rapid_reviews import services
from rapid_reviews.models import Milestone, RapidReview, SignOff, Timetable
from rapid_reviews.selectors import milestones_of
from safeguarding.deadlines import Kind, get_deadline
from safeguarding.models import AuditEvent, Deadline
from tests.utils import date_fields, sign_in

from .conftest import decide_and_sign

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def send(review, people):
    """Signed off 10 days ago, due 5 days ago, recorded as sent 6 days ago (on time)."""
    review = decide_and_sign(review, people["officer"])
    SignOff.objects.filter(rapid_review=review).update(signed_on=days_ago(10))
    RapidReview.objects.filter(pk=review.pk).update(decided_on=days_ago(10), due_date=days_ago(5))
    Deadline.objects.filter(subject_id=review.pk, kind=Deadline.Kind.RAPID_REVIEW).update(
        due_date=days_ago(5)
    )
    review.refresh_from_db()
    return services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=days_ago(6)
    )


@pytest.fixture
def sent(review, people):
    return send(review, people)


def correct(review, actor, **values):
    return services.rapid_review_correct_sent_to_panel(
        rapid_review=review, actor=actor, **{"reason": "Typed from the wrong email", **values}
    )


def test_a_corrected_date_moves_the_clocks_and_says_whether_it_went_late(sent, people):
    officer = people["officer"]
    with pytest.raises(ValidationError) as error:
        correct(sent, officer, sent_on=days_ago(2))
    assert list(error.value.message_dict) == ["late_reason"]

    review = correct(sent, officer, sent_on=days_ago(2), late_reason="The police summary.")
    assert review.sent_to_panel_on == days_ago(2)
    assert review.late_reason == "The police summary."
    clock = get_deadline(review, Kind.RAPID_REVIEW)
    assert clock.closed_on == days_ago(2) and not clock.met_in_time()
    # The timetable's last step is that clock on day 15 (a local target: below).
    step = next(row for row in milestones_of(review) if row.key == Milestone.PANEL)
    assert step.closed_on == days_ago(2)
    event = AuditEvent.objects.filter(
        object_type="rapid_reviews.rapidreview", object_id=str(review.pk)
    ).latest("occurred_at")
    assert event.changes["sent_to_panel_on"] == {
        "old": days_ago(6).isoformat(),
        "new": days_ago(2).isoformat(),
    }
    assert event.changes["reason"] == "Typed from the wrong email"

    # Back to a day on time: the reason it was late no longer applies.
    review = correct(review, officer, sent_on=days_ago(7))
    assert review.late_reason == "" and get_deadline(review, Kind.RAPID_REVIEW).met_in_time()


def test_a_corrected_date_moves_a_local_target_for_sending_too(make_review, partnership, people):
    """A timetable that sends the review before day 15 keeps a clock for that step; it is
    met on the corrected day with the statutory clock."""
    Timetable.objects.create(partnership=partnership, sign_off_day=12, panel_day=13)
    review = send(make_review(), people)
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.PANEL).amount == 13

    correct(review, people["officer"], sent_on=days_ago(7))

    for kind, key in ((Kind.RAPID_REVIEW, ""), (Kind.RAPID_REVIEW_MILESTONE, Milestone.PANEL)):
        assert get_deadline(review, kind, key).closed_on == days_ago(7)


@pytest.mark.parametrize(
    ("sent_on", "reason", "field", "message"),
    [
        (11, "Typo", "sent_on", "the last sign-off"),
        (-1, "Typo", "sent_on", "must be today or in the past"),
        (7, "  ", "reason", "Enter why the date is being corrected"),
    ],
)
def test_a_correction_is_checked_like_the_send(sent, people, sent_on, reason, field, message):
    with pytest.raises(ValidationError) as error:
        correct(sent, people["officer"], sent_on=days_ago(sent_on), reason=reason)
    assert message in " ".join(error.value.message_dict[field])
    sent.refresh_from_db()
    assert sent.sent_to_panel_on == days_ago(6)


def test_it_cannot_move_after_the_panels_reply_or_once_sent_again(sent, people):
    officer = people["officer"]
    review = services.rapid_review_record_panel_response(
        rapid_review=sent,
        actor=officer,
        response="more_information",
        responded_on=days_ago(4),
        note="Say more about the school.",
        more_information_by=days_ago(1),
    )
    with pytest.raises(ValidationError) as error:
        correct(review, officer, sent_on=days_ago(3), late_reason="Late.")
    assert "before the National Panel’s reply" in error.value.message_dict["sent_on"][0]
    assert correct(review, officer, sent_on=days_ago(7)).sent_to_panel_on == days_ago(7)

    review = services.rapid_review_send_to_panel(
        rapid_review=review, actor=officer, sent_on=days_ago(1)
    )
    with pytest.raises(services.TransitionError, match="sent to the National Panel again"):
        correct(review, officer, sent_on=days_ago(2))
    review.refresh_from_db()
    assert review.sent_to_panel_on == days_ago(1)
    assert get_deadline(review, Kind.RAPID_REVIEW).closed_on == days_ago(7)


def test_the_review_page_links_to_the_correction_and_the_form_saves_it(client, sent, people):
    sign_in(client, people["officer"])
    url = reverse("rapid_reviews:send-to-panel-correct", args=[sent.pk])
    page = client.get(sent.get_absolute_url()).content.decode()
    assert f'href="{url}">Correct<span class="govuk-visually-hidden"> the date it was sent' in page

    response = client.post(url, {**date_fields("sent_on", days_ago(2)), "version": sent.version})
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    # Every error at once: the late reason with the missing reason for the correction.
    assert "Enter why the review was sent after its due date" in html
    assert "Enter why the date is being corrected" in html

    response = client.post(
        url,
        {
            **date_fields("sent_on", days_ago(7)),
            "reason": "Typed from the wrong email",
            "version": sent.version,
        },
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.sent_to_panel_on == days_ago(7)


def test_the_correction_page_is_refused_before_the_review_is_sent(client, review, people):
    sign_in(client, people["officer"])
    url = reverse("rapid_reviews:send-to-panel-correct", args=[review.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url == review.get_absolute_url()
    assert (
        client.post(url, {**date_fields("sent_on", days_ago(1)), "reason": "x"}).status_code == 302
    )
    review.refresh_from_db()
    assert review.sent_to_panel_on is None
