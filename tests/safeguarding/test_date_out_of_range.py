"""A date outside the years the service records is a real date: the message says what it
is compared with, not that it is not a real date."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from safeguarding.form_fields import GDSDateField


@pytest.mark.parametrize(
    ("parts", "words"),
    [
        (["1", "1", "1850"], "The date of the contact must be the same as or after 1 January 1900"),
        (
            ["1", "1", "2150"],
            "The date of the contact must be the same as or before 31 December 2100",
        ),
    ],
)
def test_a_date_outside_the_years_recorded_says_what_it_is_compared_with(parts, words):
    field = GDSDateField(what="the date of the contact", earliest=None)
    with pytest.raises(ValidationError) as error:
        field.clean(parts)
    assert error.value.messages[0].startswith(words), error.value.messages
    assert "real date" not in error.value.messages[0]


def test_a_short_year_names_its_date():
    field = GDSDateField(what="the date of the incident", earliest=None)
    with pytest.raises(ValidationError) as error:
        field.clean(["3", "4", "26"])
    assert error.value.messages == ["The year of the date of the incident must include 4 numbers"]
    assert field.clean(["3", "4", "2026"]) == dt.date(2026, 4, 3)
