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


def _message(html: str, field_id: str) -> str:
    """The count's message, as the page shows it without JavaScript."""
    match = re.search(rf'id="{field_id}-info"[^>]*>(.*?)</', html, re.S)
    return " ".join(match.group(1).split())


def test_the_limit_is_written_as_a_person_reads_it_and_kept_a_plain_number_for_the_script():
    """Without JavaScript the page says "You can enter up to 20,000 characters", as the
    error does ("… must be 20,000 characters or fewer"); GOV.UK Frontend's script reads
    data-maxlength as a whole number, so that keeps no comma."""
    html = render_crispy_form(_Notes())
    assert _message(html, "id_notes") == "You can enter up to 20,000 characters"
    assert _message(html, "id_limited") == "You can enter up to 300 characters"
    assert _counted(html, "id_notes") == "20000"
    form = _Notes(data={"notes": "x" * 20_001, "limited": "", "free": "", "title": "A title"})
    assert not form.is_valid()
    html = render_crispy_form(form)
    assert "must be 20,000 characters or fewer" in html
    assert _message(html, "id_notes") == "You can enter up to 20,000 characters"
    assert "govuk-form-group govuk-form-group--error" in html
    assert 'data-module="govuk-character-count" data-maxlength="20000"' in html
