"""Which of a date's boxes are drawn in red (the GOV.UK date input): all three when the
whole date is missing or wrong, only the wrong part otherwise; the summary links to the
first box marked."""

import re

import pytest
from django.urls import reverse

from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def _marked(html: str, name: str) -> list[str]:
    """The boxes of date `name` drawn with the error border: 'day', 'month', 'year'."""
    boxes = re.findall(rf'<input[^>]*name="{name}_(\d)"[^>]*>', html)
    tags = re.findall(rf'<input[^>]*name="{name}_\d"[^>]*>', html)
    return [
        ("day", "month", "year")[int(i)]
        for i, tag in zip(boxes, tags, strict=True)
        if "govuk-input--error" in tag
    ]


def test_a_date_left_empty_marks_all_three_boxes(client, people):
    sign_in(client, people["officer"])
    html = client.post(reverse("notifications:new"), {"incident_place": "Library"}).content.decode()
    assert "Enter the date the local authority became aware" in html
    assert _marked(html, "awareness_date") == ["day", "month", "year"]
    assert 'href="#id_awareness_date_0"' in html  # the summary's link: the first box


def test_a_date_missing_one_part_marks_only_that_box(client, people):
    sign_in(client, people["officer"])
    html = client.post(
        reverse("notifications:new"),
        {"awareness_date_0": "3", "awareness_date_1": "", "awareness_date_2": "2026"},
    ).content.decode()
    assert "must include a month" in html
    assert _marked(html, "awareness_date") == ["month"]


def test_the_message_of_a_date_left_empty_is_shown_once_at_the_date(client, people):
    sign_in(client, people["officer"])
    html = client.post(reverse("notifications:new"), {"incident_place": "Library"}).content.decode()
    main = html.partition("</h1>")[2]  # after the summary and heading
    assert main.count("Enter the date the local authority became aware") == 1
