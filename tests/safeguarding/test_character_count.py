"""Every text area with a limit counts what is left as the person types (GOV.UK's
character count), rather than saying so only in an error after saving."""

import re

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms

from rapid_reviews.forms import ChronologyRowForm, ReturnForm
from safeguarding.forms import BaseForm, area_field


class _Notes(BaseForm):
    notes = area_field("Notes", rows=3)
    limited = forms.CharField(label="Limited", max_length=300, widget=forms.Textarea)
    free = forms.CharField(label="Free", widget=forms.Textarea)
    title = forms.CharField(label="Title", max_length=200)


def _counted(html: str, field_id: str) -> str | None:
    """The data-maxlength of the character count around the text area `field_id`."""
    for block in html.split('data-module="govuk-character-count"')[1:]:
        match = re.match(r'\s*data-maxlength="(\d+)"', block)
        area = re.search(r"<textarea[^>]*>", block)
        if match and area and f'id="{field_id}"' in area.group(0):
            assert "govuk-js-character-count" in area.group(0)
            assert f"{field_id}-info" in area.group(0)  # aria-describedby the count
            assert f'id="{field_id}-info"' in block
            return match.group(1)
    return None


def test_a_text_area_with_a_limit_counts_the_characters_left():
    html = render_crispy_form(_Notes())
    assert _counted(html, "id_notes") == "20000"
    assert _counted(html, "id_limited") == "300"
    assert _counted(html, "id_free") is None  # no limit, nothing to count
    assert html.count('data-module="govuk-character-count"') == 2  # not the text box
    assert 'rows="3"' in html  # the area's own height is kept
    assert "maxlength=" not in html.replace("data-maxlength=", "")  # nothing cut short


@pytest.mark.parametrize(
    ("form", "field_id"),
    [(ReturnForm, "id_analysis"), (ChronologyRowForm, "id_what_happened")],
)
def test_the_agency_return_counts_the_characters_left(form, field_id):
    assert _counted(render_crispy_form(form()), field_id) == "20000"


def test_a_form_that_builds_its_helper_again_still_counts():
    """A form that changes its fields and builds its helper again (the agency's action
    update) still counts, and its text area describes only what is in the page."""
    form = _Notes()
    del form.fields["limited"]
    form.build_helper()
    html = render_crispy_form(form)
    assert _counted(html, "id_notes") == "20000"
    assert 'aria-describedby=""' not in html
