"""The publish page warns (never refuses) when the day the report goes public falls on a
weekend or a bank holiday in England."""

import datetime as dt

import pytest
from django.urls import reverse

from lcspr import services
from lcspr.forms import publication_day_warnings
from lcspr.models import AnonymisationCheck
from tests.utils import date_fields, sign_in

from .conftest import BRIEFING, TODAY, pdf_upload, to_notice_sent

pytestmark = pytest.mark.django_db


def _next(weekday: int, after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(weekday - after.weekday()) % 7 or 7)


@pytest.mark.parametrize(
    ("day", "what"),
    [
        (dt.date(2026, 12, 12), "Saturday 12 December 2026, falls on a weekend"),
        (dt.date(2026, 12, 13), "Sunday 13 December 2026, falls on a weekend"),
        (dt.date(2026, 12, 25), "Friday 25 December 2026, falls on a bank holiday (Christmas Day)"),
        # Boxing Day is a Saturday in 2026: the bank holiday is the Monday after.
        (dt.date(2026, 12, 28), "Monday 28 December 2026, falls on a bank holiday (Boxing Day"),
        (dt.date(2027, 3, 29), "Monday 29 March 2027, falls on a bank holiday (Easter Monday)"),
    ],
)
def test_a_date_of_publication_on_a_weekend_or_bank_holiday_is_warned_of(day, what):
    (warning,) = publication_day_warnings(planned=None, published_on=day, embargo_until=None)
    assert warning.startswith(f"The date of publication, {what}")
    assert warning.endswith("You can still publish on that day.")


def test_working_days_and_no_dates_are_not_warned_of():
    monday = dt.date(2026, 12, 14)
    assert publication_day_warnings(planned=monday, published_on=monday, embargo_until=monday) == []
    assert publication_day_warnings(planned=None, published_on=None, embargo_until=None) == []


def test_the_planned_date_is_warned_of_once_when_it_is_the_date_of_publication():
    christmas = dt.date(2026, 12, 25)
    both = publication_day_warnings(planned=christmas, published_on=christmas, embargo_until=None)
    assert len(both) == 1 and both[0].startswith("The date of publication")
    (planned,) = publication_day_warnings(
        planned=christmas, published_on=dt.date(2026, 12, 14), embargo_until=None
    )
    assert planned.startswith(
        "The planned date of publication given to the Panel and DfE, Friday 25 December 2026"
    )


def _ready(local_review, officer):
    review = to_notice_sent(local_review, officer)
    services.briefing_save(review=review, actor=officer, values=BRIEFING)
    return review


def _warnings(html: str) -> list[str]:
    return [
        part.partition("</strong>")[0]
        for part in html.split('<span class="govuk-visually-hidden">Warning</span>')[1:]
    ]


def test_a_planned_date_on_a_bank_holiday_is_warned_of_as_the_page_opens(
    client, local_review, people
):
    officer = people["officer"]
    review = _ready(local_review, officer)
    christmas = dt.date(TODAY().year + 1, 12, 25)
    while christmas.weekday() >= 5:  # a weekday Christmas, so it is the bank holiday
        christmas = christmas.replace(year=christmas.year + 1)
    review.planned_publication = christmas
    review.save(update_fields=["planned_publication"])
    sign_in(client, officer)
    page = client.get(reverse("lcspr:publish", args=[review.pk])).content.decode()
    assert 'class="govuk-warning-text" id="publication-day-warning-1"' in page
    assert any(
        f"{christmas:%A} 25 December {christmas.year}, falls on a bank holiday (Christmas Day)"
        in warning
        for warning in _warnings(page)
    )


def test_an_embargo_ending_on_a_saturday_is_warned_of_on_the_page_shown_again_and_allowed(
    client, local_review, people, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    officer = people["officer"]
    review = _ready(local_review, officer)
    saturday = _next(5, TODAY() + dt.timedelta(days=14))
    sign_in(client, officer)
    url = reverse("lcspr:publish", args=[review.pk])
    sent = {
        "kind": "full_report",
        "public_title": "Are you listening to me?",
        "public_summary": "",
        "checks": list(AnonymisationCheck.values),
        **date_fields("published_on", TODAY()),
        **date_fields("embargo_until", saturday),
        "version": review.version,
    }
    response = client.post(url, {**sent, "report": pdf_upload()})
    page = response.content.decode()
    expected = (
        f"The embargo ends on Saturday {saturday.day} {saturday:%B} {saturday.year}, which "
        "falls on a weekend: the report appears on the public pages that day. You can still "
        "publish with it."
    )
    assert expected in _warnings(page)
    summary = page.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert "embargo" not in summary.lower()  # a warning, not an error
    assert "embargo_until" not in response.context["form"].errors

    response = client.post(url, {**sent, "public_summary": "A summary.", "report": pdf_upload()})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "published" and review.embargo_until == saturday
