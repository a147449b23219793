"""A local review's milestones are planned on working days of the partnership's calendar
(findings of the 2026-12-08 walk): one worked out by the months lands on the working day
before a weekend, bank holiday or closure day; the statutory target stays as it is."""

import datetime as dt

import pytest

from lcspr import services
from lcspr.models import MILESTONE_MONTHS
from safeguarding import calendar
from safeguarding.deadlines import Kind, explain_rule, get_deadline
from safeguarding.models import ClosureDay

pytestmark = pytest.mark.django_db


def _review(make_review, people, decided):
    rapid = make_review()
    return services.review_open(rapid_review=rapid, decision_date=decided, actor=people["officer"])


def test_milestones_worked_out_by_the_month_are_on_working_days(make_review, people):
    # The walk's case: decided Tuesday 8 December 2026, "Final report approved" (5 months
    # on) was planned for Saturday 8 May 2027.
    review = _review(make_review, people, dt.date(2026, 12, 8))
    final = get_deadline(review, Kind.LCSPR_MILESTONE, "final_approved")
    assert final.due_date == dt.date(2027, 5, 7)  # the Friday before, not the Monday after
    for key in MILESTONE_MONTHS:
        due = get_deadline(review, Kind.LCSPR_MILESTONE, key).due_date
        assert calendar.is_working_day(due, partnership=review.partnership), (key, due)
    assert "the working day before" in explain_rule(final)
    # The statutory target is a date in law: 6 months on, Tuesday 8 June 2027, as it is.
    assert review.target_publication == dt.date(2027, 6, 8)
    assert get_deadline(review, Kind.PUBLICATION).due_date == dt.date(2027, 6, 8)


def test_a_bank_holiday_or_a_closure_day_moves_it_to_the_working_day_before(
    make_review, people, partnership
):
    # Decided 3 March 2027: 2 months on is Monday 3 May 2027, the Early May bank holiday.
    ClosureDay.objects.create(partnership=partnership, date=dt.date(2027, 4, 30), reason="Move")
    calendar.clear_caches()
    review = _review(make_review, people, dt.date(2027, 3, 3))
    due = get_deadline(review, Kind.LCSPR_MILESTONE, "agency_reports").due_date
    # Not Friday 30 April either (the partnership's closure day): Thursday 29 April.
    assert due == dt.date(2027, 4, 29)


def test_a_milestone_on_a_working_day_stays_on_its_date(make_review, people):
    # Decided Tuesday 12 January 2027: 1 month on is Friday 12 February 2027.
    review = _review(make_review, people, dt.date(2027, 1, 12))
    terms = get_deadline(review, Kind.LCSPR_MILESTONE, "terms_agreed")
    assert terms.due_date == dt.date(2027, 2, 12)
    assert explain_rule(terms) == "1 calendar month after 12 January 2027"
