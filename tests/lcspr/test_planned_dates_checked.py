"""A milestone's planned date and the planned publication date are dates people plan to
meet: a working day of the partnership's calendar (as an action's or a return's due
date is), and not an implausible year (the walk saved 1 January 2030 for a review decided
in 2026)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lcspr import services
from lcspr.models import Review
from safeguarding import calendar
from safeguarding.deadlines import Kind, get_deadline
from tests.utils import sign_in

from .conftest import days_ago

pytestmark = pytest.mark.django_db


def _fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def _next(weekday: int, after: dt.date) -> dt.date:
    day = after + dt.timedelta(days=1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def _christmas(review) -> dt.date:
    """The first Christmas Day on a weekday (a bank holiday) after the decision."""
    year = review.decision_date.year
    while (day := dt.date(year, 12, 25)) <= review.decision_date or day.weekday() >= 5:
        year += 1
    return day


def test_a_milestone_planned_on_a_bank_holiday_or_weekend_is_refused(client, local_review, people):
    sign_in(client, people["officer"])
    url = reverse("lcspr:milestone", args=[local_review.pk, "draft_report"])
    christmas = _christmas(local_review)
    page = client.post(url, {**_fields("planned", christmas), "reason": "Panel moved"})
    html = page.content.decode()
    assert page.status_code == 200
    said = f"{christmas:%-d %B %Y} is Christmas Day"
    assert f"The planned date must be a working day: {said}" in html
    saturday = _next(5, local_review.decision_date + dt.timedelta(days=40))
    html = client.post(url, {**_fields("planned", saturday), "reason": "x"}).content.decode()
    assert f"The planned date must be a working day: {saturday:%-d %B %Y} is a Saturday" in html
    with pytest.raises(ValidationError):
        services.milestone_update(
            review=local_review,
            actor=people["officer"],
            key="draft_report",
            planned=saturday,
            reason="x",
        )


def test_a_milestone_kept_on_its_date_still_saves_whatever_day_it_is(local_review, people):
    """One planned before this check on a weekend is not refused when saved as it was
    (its actual date recorded, say)."""
    clock = get_deadline(local_review, Kind.LCSPR_MILESTONE, "terms_agreed")
    saturday = _next(5, local_review.decision_date + dt.timedelta(days=3))
    clock.due_date = saturday
    clock.save(update_fields=["due_date"])
    services.milestone_update(
        review=local_review,
        actor=people["officer"],
        key="terms_agreed",
        planned=saturday,
        actual=days_ago(1),
    )
    clock.refresh_from_db()
    assert clock.closed_on == days_ago(1)


def test_a_milestone_years_away_is_refused_with_the_latest_date(client, local_review, people):
    sign_in(client, people["officer"])
    url = reverse("lcspr:milestone", args=[local_review.pk, "draft_report"])
    latest = local_review.decision_date.replace(year=local_review.decision_date.year + 2)
    too_late = calendar.working_day_on_or_after(latest + dt.timedelta(days=1))
    html = client.post(
        url, {**_fields("planned", too_late), "reason": "Typed the wrong year"}
    ).content.decode()
    assert (
        f"The planned date must be no later than {latest:%-d %B %Y}, 2 years after the "
        "decision to hold the review: check the year" in html
    )
    ok = calendar.working_day_on_or_before(latest)
    response = client.post(url, {**_fields("planned", ok), "reason": "Trial next year"})
    assert response.status_code == 302
    # After the statutory date: saved, with a warning on the page.
    page = client.get(reverse("lcspr:detail", args=[local_review.pk])).content.decode()
    assert "after the date the report is expected to be published" in page


def _approved(local, actor):
    local = services.review_save_terms(
        review=local, actor=actor, text="Terms.", agreed_on=days_ago(50)
    )
    return services.review_approve_final(review=local, actor=actor, approved_on=days_ago(10))


def test_a_planned_publication_on_a_bank_holiday_or_years_away_is_refused(
    client, local_review, people
):
    local = _approved(local_review, people["officer"])
    sign_in(client, people["officer"])
    url = reverse("lcspr:notice", args=[local.pk])
    sent = calendar.working_day_on_or_before(days_ago(5))
    christmas = _christmas(local)
    html = client.post(
        url, {**_fields("sent_on", sent), **_fields("planned_publication", christmas)}
    ).content.decode()
    assert (
        "The planned publication date must be a working day: "
        f"{christmas:%-d %B %Y} is Christmas Day" in html
    )
    too_late = dt.date(local.decision_date.year + 3, 1, 2)
    too_late = calendar.working_day_on_or_after(too_late)
    html = client.post(
        url, {**_fields("sent_on", sent), **_fields("planned_publication", too_late)}
    ).content.decode()
    latest = local.decision_date.replace(year=local.decision_date.year + 2)
    assert (
        f"The planned publication date must be no later than {latest:%-d %B %Y}, 2 years "
        "after the decision to hold the review: check the year" in html
    )
    assert Review.objects.get(pk=local.pk).planned_publication is None
