"""The two statutory rules: publish within 6 calendar months of the decision, and send
the final report to the Panel and DfE at least 7 working days before publication."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lcspr import services
from lcspr.models import Status
from safeguarding.deadlines import Kind, get_deadline

from .conftest import TODAY, days_ago, to_notice_sent

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize(
    ("decided", "target"),
    [
        (D(2026, 8, 31), D(2027, 2, 28)),  # no 31 February: the month's last day
        (D(2027, 8, 31), D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), D(2026, 9, 30)),
        (D(2026, 12, 31), D(2027, 6, 30)),
        (D(2026, 1, 15), D(2026, 7, 15)),
        (D(2026, 6, 30), D(2026, 12, 30)),
    ],
)
def test_target_publication_is_six_calendar_months_after_the_decision(
    make_review, people, decided, target
):
    review = services.review_open(
        rapid_review=make_review(), decision_date=decided, actor=people["officer"]
    )
    assert review.target_publication == target
    deadline = get_deadline(review, Kind.PUBLICATION)
    assert deadline.due_date == target
    assert deadline.rule == "calendar_months" and deadline.amount == 6


def test_opening_twice_changes_nothing(make_review, people):
    rapid = make_review()
    first = services.review_open(
        rapid_review=rapid, decision_date=D(2026, 8, 31), actor=people["officer"]
    )
    again = services.review_open(
        rapid_review=rapid, decision_date=D(2026, 9, 30), actor=people["officer"]
    )
    assert again.pk == first.pk and again.target_publication == D(2027, 2, 28)


def _approved(local_review, officer, approved):
    review = services.review_save_terms(
        review=local_review, actor=officer, text="Terms.", agreed_on=days_ago(50)
    )
    return services.review_approve_final(review=review, actor=officer, approved_on=approved)


def test_earliest_publication_skips_christmas_and_new_year(local_review):
    explanation = services.earliest_publication(local_review, D(2026, 12, 22))
    # 23, 24 Dec; 25 and 28 Dec are bank holidays; 29, 30, 31 Dec; 1 Jan; 4, 5 Jan.
    assert explanation.due == D(2027, 1, 5)
    assert D(2026, 12, 28) in [s.date for s in explanation.skipped]


def test_planned_publication_must_be_seven_working_days_after_the_notice(local_review, people):
    officer = people["officer"]
    review = _approved(local_review, officer, days_ago(20))
    sent = days_ago(15)
    earliest = services.earliest_publication(review, sent).due
    with pytest.raises(ValidationError) as error:
        services.review_send_notice(
            review=review,
            actor=officer,
            sent_on=sent,
            planned_publication=earliest - dt.timedelta(days=1),
        )
    message = error.value.message_dict["planned_publication"][0]
    assert f"{earliest:%-d %B %Y}" in message and "7 working days" in message
    review = services.review_send_notice(
        review=review, actor=officer, sent_on=sent, planned_publication=earliest
    )
    assert review.status == Status.NOTICE_SENT
    assert get_deadline(review, Kind.PRE_PUBLICATION_NOTICE).closed_on == sent


def test_publication_date_cannot_beat_the_seven_working_days(local_review, people):
    officer = people["officer"]
    review = to_notice_sent(local_review, officer, notice_days_ago=2)
    from .conftest import publish

    with pytest.raises(ValidationError) as error:
        publish(review, officer)
    assert "7 working days" in error.value.message_dict["published_on"][0]


def test_an_embargoed_report_counts_the_seven_working_days_to_the_embargos_end(
    local_review, people
):
    """Under an embargo the public first reads the report when the embargo ends, the day
    it counts as published for the 6 months: the 7 working days after the notice run to
    that day. Recorded 2 days after the notice with an embargo ending on the earliest day
    it was refused, as if made public at once; an embargo ending sooner is refused."""
    from .conftest import publish

    officer = people["officer"]
    review = to_notice_sent(local_review, officer, notice_days_ago=2)
    earliest = services.earliest_publication(review, review.notice_sent_on).due
    with pytest.raises(ValidationError) as error:
        publish(review, officer, embargo_until=earliest - dt.timedelta(days=1))
    errors = error.value.message_dict
    assert "published_on" not in errors
    assert f"{earliest:%-d %B %Y}" in errors["embargo_until"][0]
    assert "7 working days" in errors["embargo_until"][0]
    review = publish(review, officer, embargo_until=earliest)
    assert (review.status, review.published_on, review.embargo_until) == (
        Status.PUBLISHED,
        TODAY(),
        earliest,
    )
    assert get_deadline(review, Kind.PUBLICATION).closed_on == earliest


def test_the_notice_clock_starts_at_approval(local_review, people):
    review = _approved(local_review, people["officer"], days_ago(20))
    deadline = get_deadline(review, Kind.PRE_PUBLICATION_NOTICE)
    assert deadline is not None and deadline.closed_on is None


def test_a_publication_date_refused_before_the_earliest_day_points_to_the_embargo(
    local_review, people
):
    """The earliest day is after today: today is refused as too early and that day as
    in the future, which left the page with no way out that it named. Each error now
    says that an embargo ending on or after the earliest day puts it up today."""
    from .conftest import publish

    officer = people["officer"]
    review = to_notice_sent(local_review, officer, notice_days_ago=2)
    earliest = services.earliest_publication(review, review.notice_sent_on).due
    assert earliest > TODAY()
    for published_on in (TODAY(), earliest):
        with pytest.raises(ValidationError) as error:
            publish(review, officer, published_on=published_on)
        (message,) = error.value.message_dict["published_on"]
        assert (
            f"To put the report up today, set an embargo that ends on or after "
            f"{earliest:%-d %B %Y}" in message
        ), message
