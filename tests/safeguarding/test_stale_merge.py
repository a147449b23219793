"""A stale save merged three ways (safeguarding/opened.py) for each kind of question:
a date's three boxes, radios, ticked boxes, a single box, a text box."""

import datetime as dt

from django import forms
from django.http import QueryDict

from safeguarding.form_fields import GDSDateField
from safeguarding.form_pages import keep_typing_after_conflict
from safeguarding.forms import StepForm
from safeguarding.workflow import ConcurrentEditError


class Kinds(StepForm):
    on = GDSDateField(what="the date", required=False, earliest=None, label="Date")
    colour = forms.ChoiceField(
        choices=[("red", "Red"), ("blue", "Blue")], widget=forms.RadioSelect, required=False
    )
    flags = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple, required=False
    )
    agreed = forms.BooleanField(required=False)
    note = forms.CharField(required=False, label="Note")


OPENED = {
    "version": 1,
    "on": dt.date(2025, 1, 2),
    "colour": "red",
    "flags": ["a"],
    "agreed": False,
    "note": "First",
}
LATEST = {
    "version": 2,
    "on": dt.date(2025, 3, 4),
    "colour": "blue",
    "flags": ["a", "b"],
    "agreed": True,
    "note": "Theirs",
}


def _as_shown(initial) -> QueryDict:
    """What the browser sends back from the page opened with `initial`, unchanged."""
    form = Kinds(initial=initial)
    data = QueryDict(mutable=True)
    on = initial["on"]
    data.update({"on_0": str(on.day), "on_1": str(on.month), "on_2": str(on.year)})
    data["colour"] = initial["colour"]
    data.setlist("flags", initial["flags"])
    if initial["agreed"]:
        data["agreed"] = "on"
    data["note"] = initial["note"]
    data["version"] = str(initial["version"])
    data["opened"] = form["opened"].value()
    return data


def _refused(data, latest=LATEST):
    form = Kinds(data, initial=latest)
    assert form.is_valid(), form.errors
    error = ConcurrentEditError("Changed.", current_version=latest["version"])
    keep_typing_after_conflict(form, error)
    return form


def test_every_kind_of_question_left_alone_takes_the_latest():
    form = _refused(_as_shown(OPENED))
    assert form.data["on_0"] == "4" and form.data["on_1"] == "3" and form.data["on_2"] == "2025"
    assert form.data["colour"] == "blue"
    assert form.data.getlist("flags") == ["a", "b"]
    assert form.data["agreed"] == "on"
    assert form.data["note"] == "Theirs"
    assert form.data["version"] == "2"
    assert len(form.conflict_note) == 1 and "added the other changes" in form.conflict_note[0]
    # The next save is compared with the version it moved on to: refused again by a save
    # that changed only the note, it takes that note and names nothing.
    again = _refused(form.data.copy(), {**LATEST, "version": 3, "note": "Third"})
    assert again.data["note"] == "Third" and again.data.getlist("flags") == ["a", "b"]
    assert len(again.conflict_note) == 1


def test_questions_both_changed_keep_the_typing_and_are_named():
    data = _as_shown(OPENED)
    data["note"] = "Mine"
    data["on_1"] = "Feb"  # a month by its name, still the person's change
    data["agreed"] = "on"  # the same change as the other: not named
    form = _refused(data)
    assert form.data["note"] == "Mine" and form.data["on_1"] == "Feb"
    assert form.data["colour"] == "blue"
    assert form.conflict_note[1] == (
        "These were also changed by someone else or in another tab: ‘Date’ and ‘Note’. What "
        "you typed is kept in them: saving again replaces their change."
    )
    assert form.error_target == "id_on_0"


class Other(Kinds):
    """Another form with the same questions: its page's `opened` is not this one's."""


def test_what_another_forms_page_was_opened_with_is_not_taken_for_this_one():
    data = _as_shown(OPENED)
    data["opened"] = Other(initial=OPENED)["opened"].value()
    form = _refused(data)
    assert form.data["note"] == "First"  # nothing merged: all the typing kept
    assert "save again to replace the other change" in form.conflict_note[0]


def test_nothing_taken_from_the_other_change_is_not_called_added():
    """Every question the other change changed was changed here too: the page keeps the
    typing and names them, and does not say it added the other changes."""
    data = _as_shown(OPENED)
    data.update({"on_0": "9", "colour": "red", "note": "Mine"})
    data.setlist("flags", ["b"])
    data["agreed"] = ""
    data.pop("agreed")
    form = _refused(data, {**OPENED, "version": 2, "on": dt.date(2025, 3, 4), "note": "Theirs"})
    assert form.conflict_note[0] == "We have kept your changes. Check the answers and save again."
    assert "‘Date’ and ‘Note’" in form.conflict_note[1]


def test_an_error_about_a_question_now_holding_the_other_change_is_dropped():
    """A page shown again with its errors (every error at once) after the merge: the
    question that now holds the saved value has no error about what was sent."""
    data = _as_shown(OPENED)
    form = Kinds(data, initial=LATEST)
    assert form.is_valid(), form.errors
    form.add_error("note", "Something about the old note")
    error = ConcurrentEditError("Changed.", current_version=LATEST["version"])
    keep_typing_after_conflict(form, error)
    assert form.data["note"] == "Theirs"
    assert "note" not in form.errors
