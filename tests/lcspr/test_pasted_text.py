"""Text pasted from a word processor carries invisible control characters (a vertical tab
for Shift+Enter, a form feed for a page break). They are taken out or made line breaks,
so the PowerPoint, the PDF and the exports (XML inside) never fail on them."""

import io

import pytest
from django.urls import reverse
from pptx import Presentation

from safeguarding.forms import plain_text
from tests.utils import sign_in

from .conftest import BRIEFING, local_review  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_plain_text_keeps_what_is_meant_and_drops_what_is_invisible():
    assert plain_text("Line one\x0bLine two\x0cPage two") == "Line one\nLine two\nPage two"
    assert plain_text("Bell\x07 escape\x1b del\x7f odd\ufffe") == "Bell escape del odd"
    assert plain_text("A\x0bB", one_line=True) == "A B"
    assert plain_text("Tabs\tand new lines stay: Zoë, 👶") == "Tabs\tand new lines stay: Zoë, 👶"
    # A browser sends a text area's line break as "\r\n": one new line, as the character
    # count on the page counts it.
    assert plain_text("One\r\ntwo\rthree\nfour") == "One\ntwo\nthree\nfour"


def test_a_text_area_line_break_counts_once_against_its_limit():
    from django import forms

    from safeguarding.forms import GDSFormMixin

    class NoteForm(GDSFormMixin, forms.Form):
        note = forms.CharField(max_length=5, widget=forms.Textarea)

    form = NoteForm(data={"note": "ab\r\ncd"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["note"] == "ab\ncd"
    assert not NoteForm(data={"note": "ab\r\ncde"}).is_valid()


def test_a_briefing_pasted_with_control_characters_is_saved_and_makes_its_files(
    client,
    local_review,  # noqa: F811
    people,
):
    sign_in(client, people["officer"])
    url = reverse("lcspr:briefing", args=[local_review.pk])
    pasted = {
        **BRIEFING,
        "title": "Are you\x0b listening\x07 to me?",
        "key_learning": BRIEFING["key_learning"] + "\x0bOne more point\x1b\ufffe",
    }
    response = client.post(url, pasted)
    assert response.status_code == 302
    local_review.refresh_from_db()
    briefing = local_review.briefing
    assert briefing.title == "Are you  listening to me?"  # a one-line box: a space
    assert briefing.key_learning.endswith("\nOne more point")
    with briefing.pptx.open("rb") as f:
        deck = Presentation(io.BytesIO(f.read()))
    text = " ".join(
        shape.text_frame.text for s in deck.slides for shape in s.shapes if shape.has_text_frame
    )
    assert "One more point" in text and "_x0007_" not in text


def test_a_null_character_is_refused_in_plain_words(
    client,
    local_review,  # noqa: F811
    people,
):
    sign_in(client, people["officer"])
    url = reverse("lcspr:briefing", args=[local_review.pk])
    response = client.post(url, {**BRIEFING, "title": "Are you\x00 listening to me?"})
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "Remove the hidden characters from this answer" in html
    assert "Null characters are not allowed" not in html
    local_review.refresh_from_db()
    assert not hasattr(local_review, "briefing")  # nothing saved
