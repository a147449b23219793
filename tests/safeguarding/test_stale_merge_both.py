"""A stale save (safeguarding/opened.py) where this page and the other save changed the
same question: the page shows, at the question, what is saved now, so the person does not
overwrite it blind; and a multi-choice question both changed is merged as sets."""

import datetime as dt
import re

from crispy_forms.utils import render_crispy_form
from django import forms
from django.core import signing
from django.http import QueryDict

from safeguarding import opened
from safeguarding.form_fields import GDSDateField
from safeguarding.form_pages import keep_typing_after_conflict
from safeguarding.forms import StepForm
from safeguarding.workflow import ConcurrentEditError
from tests.utils import form_as_shown

SAVED = "Saved by someone else or in another tab:"
SEE = "See what was saved by someone else or in another tab"


class Every(StepForm):
    note = forms.CharField(
        required=False, label="Note", widget=forms.Textarea, help_text="Say what happened."
    )
    title = forms.CharField(required=False, label="Title")
    colour = forms.ChoiceField(
        label="Colour",
        choices=[("red", "Red"), ("blue", "Blue")],
        widget=forms.RadioSelect,
        required=False,
    )
    size = forms.ChoiceField(
        label="Size",
        choices=[("", "Select a size"), ("s", "Small"), ("l", "Large")],
        required=False,
    )
    on = GDSDateField(what="the date", required=False, earliest=None, label="Date")
    flags = forms.MultipleChoiceField(
        label="Flags",
        choices=[("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"), ("d", "Delta")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    agreed = forms.BooleanField(required=False, label="Agreed")


OPENED = {
    "version": 1,
    "note": "First note",
    "title": "First title",
    "colour": "red",
    "size": "s",
    "on": dt.date(2025, 1, 2),
    "flags": ["a", "b"],
    "agreed": False,
}


def _as_shown(initial) -> QueryDict:
    """What a browser posts from the page drawn with `initial`, left as shown."""
    data = QueryDict(mutable=True)
    for name, values in form_as_shown(render_crispy_form(Every(initial=initial))).items():
        data.setlist(name, values)
    return data


def _refused(data, latest):
    form = Every(data, initial=latest)
    assert form.is_valid(), form.errors
    error = ConcurrentEditError("Changed.", current_version=latest["version"])
    keep_typing_after_conflict(form, error)
    return form


def _question(html: str, name: str) -> str:
    """The part of the drawn form that is the question `name`."""
    start = html.index(f'id="div_id_{name}"')
    rest = html[start + 1 :]
    following = re.search(r'id="div_id_\w+"', rest)
    return rest[: following.start()] if following else rest


def test_a_text_area_both_changed_shows_the_saved_text_in_a_details_under_its_hint():
    data = _as_shown(OPENED)
    data["note"] = "My note"
    saved = "Their <b>note</b>\nsecond line & more"
    form = _refused(data, {**OPENED, "version": 2, "note": saved})
    assert form.data["note"] == "My note"  # the typing is kept, as before
    html = render_crispy_form(form)
    part = _question(html, "note")
    assert "govuk-details" in part and SEE in part
    assert "Their &lt;b&gt;note&lt;/b&gt;\nsecond line &amp; more" in part
    assert "<b>note</b>" not in html
    # Under the hint, before the box the person typed in.
    assert part.index("Say what happened.") < part.index(SEE) < part.index("<textarea")
    # Nothing is shown at the questions the other save did not change.
    assert html.count(SEE) == 1 and SAVED not in html


def _saved_at(html: str, name: str) -> str | None:
    """What the question `name` says is saved now (its words, without tags), or None."""
    part = _question(html, name)
    if SAVED not in part:
        return None
    note = part.split(SAVED, 1)[1].split("</div>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", note).split())


def test_each_kind_of_question_both_changed_shows_what_is_saved_now_as_the_service_writes_it():
    data = _as_shown(OPENED)
    data.update({"title": "My title", "colour": "blue", "size": "l", "agreed": "on"})
    data.update({"on_0": "9", "on_1": "9", "on_2": "2025"})
    # The other save changed the title and the date too; not the colour, size or box.
    form = _refused(
        data, {**OPENED, "version": 2, "title": "Their <title>", "on": dt.date(2025, 3, 4)}
    )
    assert form.conflict_note[0] == "We have kept your changes. Check the answers and save again."
    html = render_crispy_form(form)
    assert _saved_at(html, "title") == "Their &lt;title&gt;"
    assert _saved_at(html, "on") == "4 March 2025"  # as the service writes a date
    assert "govuk-inset-text" in _question(html, "title")
    assert "govuk-details" not in html  # short answers: at a glance, not behind a click
    for name in ("colour", "size", "agreed", "note", "flags"):
        assert _saved_at(html, name) is None, name

    # A choice shows its label, as the page offers it.
    data = _as_shown(OPENED)
    data.update({"size": "l"})
    data.pop("colour")
    form = _refused(data, {**OPENED, "version": 2, "colour": "blue", "size": ""})
    html = render_crispy_form(form)
    assert _saved_at(html, "colour") == "Blue"
    # An answer the other save cleared says so.
    assert _saved_at(html, "size") == "Not answered"


def test_a_multi_choice_both_changed_is_merged_as_sets_and_named():
    """Opened with Alpha and Beta: the other save added Gamma; this page took Alpha off
    and added Delta. The page now holds Beta, Gamma and Delta (what is saved now, with
    this page's change made to it), names the question as merged, and shows what is
    saved now beside it."""
    data = _as_shown(OPENED)
    data.setlist("flags", ["b", "d"])
    form = _refused(data, {**OPENED, "version": 2, "flags": ["a", "b", "c"]})
    assert sorted(form.data.getlist("flags")) == ["b", "c", "d"]
    assert form.conflict_note[1] == (
        "These were also changed by someone else or in another tab: ‘Flags’. Their choices "
        "and yours are combined in them: check them before you save again."
    )
    assert form.error_target == "id_flags_1"
    part = _question(render_crispy_form(form), "flags")
    assert SAVED in part and "Alpha" in part and "Gamma" in part
    assert part.index("Alpha") < part.index("Beta") < part.index("Gamma")
    # Saved again, then refused once more by a save that took Beta off: merged against
    # what the page then showed (Beta, Gamma, Delta), not against the first opening.
    again = form.data.copy()
    refused = _refused(again, {**OPENED, "version": 3, "flags": ["c"]})
    assert refused.data.getlist("flags") == ["c", "d"]


def test_a_multi_choice_where_the_other_save_took_off_what_this_page_kept():
    data = _as_shown(OPENED)
    data.setlist("flags", ["a", "b", "c"])  # added Gamma
    form = _refused(data, {**OPENED, "version": 2, "flags": ["a"]})  # took Beta off
    assert sorted(form.data.getlist("flags")) == ["a", "c"]
    assert "combined in them" in form.conflict_note[1]


def test_only_the_multi_choice_values_are_carried_in_the_opened_record():
    """The page's `opened` holds digests of its answers, and the ticked values of its
    multi-choice questions (needed to merge them as sets): never the text typed."""
    token = Every(initial=OPENED)["opened"].value()
    carried = signing.loads(token, salt=opened.SALT)
    assert carried["s"] == {"flags": ["a", "b"]}
    assert "First note" not in repr(carried) and "First title" not in repr(carried)


def test_a_multi_choice_too_big_to_carry_keeps_the_typing_and_is_named(monkeypatch):
    monkeypatch.setattr(opened, "MAX_SET_VALUES", 1)
    data = _as_shown(OPENED)
    assert "flags" not in signing.loads(data["opened"], salt=opened.SALT)["s"]
    data.setlist("flags", ["b", "d"])
    form = _refused(data, {**OPENED, "version": 2, "flags": ["a", "b", "c"]})
    assert form.data.getlist("flags") == ["b", "d"]
    assert "What you typed is kept in them" in form.conflict_note[1]
    assert SAVED in _question(render_crispy_form(form), "flags")


def test_a_record_from_before_the_sets_were_carried_keeps_the_typing_and_names_it():
    data = _as_shown(OPENED)
    carried = signing.loads(data["opened"], salt=opened.SALT)
    del carried["s"]
    data["opened"] = signing.dumps(carried, salt=opened.SALT, compress=True)
    data.setlist("flags", ["b", "d"])
    form = _refused(data, {**OPENED, "version": 2, "flags": ["a", "b", "c"]})
    assert form.data.getlist("flags") == ["b", "d"]
    assert (
        "What you typed is kept in them: saving again replaces their change."
        in (form.conflict_note[1])
    )
