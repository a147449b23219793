"""Whole numbers are asked for in GOV.UK text inputs with a numeric keyboard
(`inputmode="numeric"`), styled as every other input: not `type="number"`, which
crispy-forms-gds leaves without the `govuk-input` class (a small unstyled box) and which
the Design System advises against (the scroll wheel changes it, browsers round it)."""

import re

import pytest
from crispy_forms.utils import render_crispy_form
from django.http import QueryDict

from notifications.filters import IncidentFilter
from notifications.forms import ChildForm
from notifications.models import Incident

pytestmark = pytest.mark.django_db


def _input(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


def _is_a_gov_uk_numeric_text_input(tag: str) -> None:
    assert 'type="text"' in tag
    assert 'inputmode="numeric"' in tag
    classes = re.search(r'class="([^"]*)"', tag).group(1).split()
    assert "govuk-input" in classes


def test_the_incident_lists_year_is_a_gov_uk_input():
    form = IncidentFilter(QueryDict(""), queryset=Incident.objects.none()).form
    tag = _input(render_crispy_form(form, helper=form.helper), "year")
    _is_a_gov_uk_numeric_text_input(tag)
    assert "govuk-input--width-4" in tag


def test_a_year_that_is_not_a_number_is_still_refused():
    form = IncidentFilter(QueryDict("year=twenty"), queryset=Incident.objects.none()).form
    assert not form.is_valid()
    assert form.errors["year"] == ["Enter a year, like 2026"]


def test_the_childs_age_is_a_gov_uk_input():
    form = ChildForm()
    tag = _input(render_crispy_form(form, helper=form.helper), "age_years")
    _is_a_gov_uk_numeric_text_input(tag)
    assert "govuk-input--width-2" in tag


def test_an_age_that_is_not_a_whole_number_is_still_refused():
    form = ChildForm(data={"pseudonym": "Child A", "age_years": "seven"})
    assert not form.is_valid()
    assert form.errors["age_years"] == ["Age must be a whole number of years, like 7"]
