"""The rapid reviews list: the reference alone in its cell, and the requests counted in
the same words in both tables."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from rapid_reviews import services
from tests.utils import sign_in

from .conftest import decide_and_sign

pytestmark = pytest.mark.django_db


def _cells(html, table_id):
    section = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', section, re.S)


def test_the_reference_is_not_followed_by_its_partnership_code(
    client, review, sent_requests, people
):
    sign_in(client, people["officer"])
    html = client.get(reverse("rapid_reviews:list")).content.decode()
    cells = _cells(html, "in-progress")
    reference = review.incident.reference
    assert reference.startswith(review.incident.partnership.code)
    assert cells[0].count(review.incident.partnership.code) == 1, cells[0]
    assert cells[3].strip() == "3 requests"


def test_both_tables_count_the_requests_in_words(client, review, sent_requests, people):
    officer = people["officer"]
    review = decide_and_sign(review, officer)
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=officer, sent_on=timezone.localdate()
    )
    sign_in(client, officer)
    html = client.get(reverse("rapid_reviews:list")).content.decode()
    cells = _cells(html, "sent")
    assert cells[0].count(review.incident.partnership.code) == 1, cells[0]
    assert cells[3].strip() == "3 requests"
