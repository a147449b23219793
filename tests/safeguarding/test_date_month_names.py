"""The GOV.UK date input takes a month's name or its abbreviation as well as its number
("Dec", "december", "Sept", "12"), as the Design System asks: every date input of the
service, since they are all `GDSDateField`."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Incident
from safeguarding.dates import full_date, short_date
from safeguarding.form_fields import GDSDateField
from safeguarding.report_forms import PeriodFilterForm
from tests.lcspr.conftest import local_review  # noqa: F401 - fixture
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    make_review,
    review,
)
from tests.utils import sign_in

#: A December every form takes: last year's (in the past, after the duty to notify began).
LAST_DECEMBER = dt.date(timezone.localdate().year - 1, 12, 1)
DECEMBER = ["Dec", "dec", "December", "december", "DECEMBER", " Dec. ", "12", "012"]


@pytest.mark.parametrize(
    ("month", "number"),
    [
        *((m, 12) for m in DECEMBER),
        ("Jan", 1),
        ("Feb", 2),
        ("march", 3),
        ("Apr", 4),
        ("May", 5),
        ("June", 6),
        ("Jun", 6),
        ("July", 7),
        ("Jul", 7),
        ("Aug", 8),
        ("Sept", 9),
        ("Sep", 9),
        ("sept.", 9),
        ("September", 9),
        ("Oct", 10),
        ("Nov", 11),
    ],
)
def test_a_month_by_its_name_or_number(month, number):
    field = GDSDateField(what="the date", earliest=None)
    assert field.clean(["3", month, "2025"]) == dt.date(2025, number, 3)


@pytest.mark.parametrize("month", ["De", "Ju", "Decembre", "Septembers", "Dec 12", "13", "Mai"])
def test_anything_else_is_not_a_real_date_at_the_month_box(month):
    field = GDSDateField(what="the date", earliest=None)
    with pytest.raises(ValidationError) as error:
        field.clean(["3", month, "2025"])
    assert error.value.messages == ["The date must be a real date"]
    assert [i for i, box in enumerate(field.fields) if box.widget.errors] == [1]


def _date_post(name, month, day=LAST_DECEMBER):
    return {f"{name}_0": str(day.day), f"{name}_1": month, f"{name}_2": str(day.year)}


#: Today's month three ways, for a form whose date must be today or close to it.
TODAYS_MONTH = {
    "name": lambda day: full_date(day).split()[1],  # "December"
    "abbreviation": lambda day: short_date(day).split()[1],  # "Dec", "June", "Sept"
    "number": lambda day: str(day.month),
}


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["Dec", "December", "12"])
def test_logging_an_incident(client, people, month):
    sign_in(client, people["officer"])
    response = client.post(reverse("notifications:new"), _date_post("awareness_date", month))
    assert response.status_code == 302, response.context["form"].errors
    assert Incident.objects.get().awareness_date == LAST_DECEMBER


@pytest.mark.django_db
@pytest.mark.parametrize("month", TODAYS_MONTH)
def test_the_rapid_review_meeting(client, review, people, month):  # noqa: F811
    sign_in(client, people["officer"])
    url = reverse("rapid_reviews:meeting", args=[review.pk])
    today = timezone.localdate()
    posted = _date_post("meeting_date", TODAYS_MONTH[month](today), today)
    errors = client.post(url, posted).context["form"].errors
    assert "meeting_date" not in errors, errors["meeting_date"]
    assert "attendees" in errors  # the form was checked: only the date was answered
    errors = client.post(url, _date_post("meeting_date", "Decx")).context["form"].errors
    assert errors["meeting_date"] == ["The date of the meeting must be a real date"]


@pytest.mark.django_db
@pytest.mark.parametrize("month", TODAYS_MONTH)
def test_a_local_review_hold(client, local_review, people, month):  # noqa: F811
    sign_in(client, people["officer"])
    url = reverse("lcspr:hold", args=[local_review.pk])
    today = timezone.localdate()
    posted = _date_post("held_since", TODAYS_MONTH[month](today), today)
    errors = client.post(url, posted).context["form"].errors
    assert "held_since" not in errors, errors["held_since"]
    assert errors  # the form was checked: only the date was answered


@pytest.mark.parametrize("month", ["Dec", "December", "12"])
def test_a_reports_period_of_ones_choice(month):
    start = _date_post("start", month)
    form = PeriodFilterForm(
        {"period": "custom", **start, "end_0": "31", "end_1": "dec", "end_2": start["start_2"]}
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["start"], form.cleaned_data["end"]) == (
        LAST_DECEMBER,
        LAST_DECEMBER.replace(day=31),
    )
