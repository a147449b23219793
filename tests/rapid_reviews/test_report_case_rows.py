"""The rapid review report's case details: each child in one lower-case line, and the
day it went to the National Panel once it has."""

import pytest
from django.utils import timezone

from rapid_reviews import services
from rapid_reviews.documents import report_sections

from .conftest import decide_and_sign

pytestmark = pytest.mark.django_db


def _case_rows(review):
    return dict(report_sections(review)[0].rows)


def test_a_child_is_described_without_a_capital_mid_line(review, people):
    child = review.incident.children.first()
    line = _case_rows(review)[child.pseudonym]
    assert f", {child.get_sex_display().lower()}; " in line, line
    assert "Female" not in line and "Male" not in line


def test_the_report_gives_the_day_it_was_sent_to_the_panel(review, people):
    assert "Sent to the National Panel" not in _case_rows(review)
    officer = people["officer"]
    review = decide_and_sign(review, officer)
    today = timezone.localdate()
    services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=today)
    review.refresh_from_db()
    assert _case_rows(review)["Sent to the National Panel"] == f"{today:%-d %B %Y}"
