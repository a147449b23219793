"""What a versioned form was opened with, so that a save refused as stale can be merged
three ways rather than keep the whole page as typed (ADR 0021, addendum "a stale form
merged three ways").

A form with a hidden `version` (optimistic locking) also carries `opened`: a signed map
of each of its questions to a short digest of the value it was shown with. When the save
is refused because the record was saved again since (a colleague, another tab), the page
compares three things for each question: what it was opened with, what the person sent,
and what is saved now. A question the person left as it was takes the value saved now; a
question they changed keeps their typing; a question both changed keeps their typing and
is named. The save is still refused: nothing is merged and saved unseen. The form moves
on to the version saved now, with `opened` describing that version, so the next save is
compared with what the page then shows.

A multi-choice question (ticked boxes) both changed is merged as sets: what is saved
now, with the boxes this page ticked added and those it unticked taken off. For that
`opened` also carries the values ticked when the page was opened (only those: a choice's
value is in the page anyway, and never any typed text), up to `MAX_SET_VALUES` of them;
a bigger set, or a page from before, keeps the typing and names the question. Each
question both changed (merged as sets or not) gets `form.saved_elsewhere[name]`: what is
saved now, as the page shows it beside the question (`saved_answer`).

A digest is of the value normalised as Django's `Field.has_changed` normalises it (the
typed value through `to_python`, a typed choice coerced, None as ''), so a question left
alone digests the same on the way back. A question whose kind is not known here has no
digest and is taken as changed by the person: its typing is kept, as it always was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import NamedTuple

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError

SALT = "safeguarding.opened"
#: The most values of one multi-choice question that `opened` carries, and the longest
#: value: a choice's value is a short code or an id, so this bounds the hidden field's
#: size whatever the form. A question ticked beyond it is not merged as a set.
MAX_SET_VALUES = 60
MAX_SET_VALUE_CHARS = 64


class OpenedValues:
    """For a form with a hidden `version`: a hidden `opened`, whose value (when the form
    is drawn unbound) says what the form was opened with. Computed when the page is
    drawn, from the form's fields as they are then. A form bound to a post shows what was
    posted: a post without `opened` (an older page) keeps it without, and falls back.

    `opened_extras`: names of initial values that are not questions of the form but are
    on its page (the return's chronology rows, a formset): their digests go in `opened`
    too, for the page to merge them itself (`extra_base`)."""

    opened_extras: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" in self.fields and "opened" in self.fields:
            self.initial = {**self.initial, "opened": lambda: opened_token(self)}


def opened_field():
    return forms.CharField(widget=forms.HiddenInput, required=False, strip=False)


# --- digests -------------------------------------------------------------------------------


def _digest(value) -> str:
    if isinstance(value, str):
        value = value.replace("\r\n", "\n")
    return hashlib.blake2b(repr(value).encode(), digest_size=5).hexdigest()


def _mergeable(form, name: str, field) -> bool:
    return name not in ("version", "opened") and not field.disabled and not field.widget.is_hidden


def _date_field(field) -> bool:
    from .form_fields import GDSDateField

    return isinstance(field, GDSDateField)


def initial_digest(field, value) -> str | None:
    """The digest of `value` as the form was given it (its initial value), or None where
    it cannot be told apart from what a browser sends back."""
    try:
        if isinstance(field, forms.ModelMultipleChoiceField):
            return _digest(sorted(str(v) for v in field.prepare_value(value or [])))
        if isinstance(field, forms.MultipleChoiceField):
            return _digest(sorted(str(v) for v in value or []))
        if isinstance(field, forms.ModelChoiceField):
            return _digest(str(field.prepare_value(value if value is not None else "")))
        if isinstance(field, forms.BooleanField | forms.NullBooleanField):
            return _digest(field.to_python(value))
        if _date_field(field):
            return _digest(value)
        if isinstance(field, forms.MultiValueField | forms.FileField):
            return None
        if isinstance(value, str):
            value = field.to_python(value)
        if hasattr(field, "_coerce"):
            value = field._coerce(value)
        return _digest("" if value is None else value)
    except (ValidationError, TypeError, ValueError):
        return None


def sent_digest(field, value) -> str | None:
    """The digest of `value` as the browser sent it (`value_from_datadict`), normalised
    as `initial_digest` normalises the value the form was given; None if unreadable."""
    try:
        if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
            return _digest(sorted(str(v) for v in value or []))
        if isinstance(field, forms.ModelChoiceField):
            return _digest(str(value if value is not None else ""))
        if isinstance(field, forms.BooleanField | forms.NullBooleanField):
            return _digest(field.to_python(value))
        if _date_field(field):
            return _digest(field.compress(list(value or [])[:3] + [""] * (3 - len(value or []))))
        if isinstance(field, forms.MultiValueField | forms.FileField):
            return None
        value = field.to_python(value)
        if hasattr(field, "_coerce"):
            value = field._coerce(value)
        return _digest("" if value is None else value)
    except (ValidationError, TypeError, ValueError):
        return None


def _multiple(field) -> bool:
    return isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)


def _initial_set(field, value) -> list[str]:
    """A multi-choice question's value as the form was given it: its choices' values."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        value = field.prepare_value(value or [])
    return sorted(str(v) for v in value or [])


def _initial_sets(form) -> dict[str, list[str]]:
    """The values ticked in each multi-choice question (within the bounds), by name."""
    out = {}
    for name, field in form.fields.items():
        if not (_multiple(field) and _mergeable(form, name, field)):
            continue
        try:
            values = _initial_set(field, form.get_initial_for_field(field, name))
        except (ValidationError, TypeError, ValueError):
            continue
        if len(values) <= MAX_SET_VALUES and all(len(v) <= MAX_SET_VALUE_CHARS for v in values):
            out[name] = values
    return out


def _initial_digests(form) -> dict[str, str]:
    out = {}
    for name, field in form.fields.items():
        if _mergeable(form, name, field):
            digest = initial_digest(field, form.get_initial_for_field(field, name))
            if digest is not None:
                out[name] = digest
    return out


def _sent(form, data, name, field):
    return field.widget.value_from_datadict(data, form.files, form.add_prefix(name))


def digest(value) -> str:
    """The digest of a value that is not a question's (rows of a formset, as dicts)."""
    return _digest(value)


def _form_name(form) -> str:
    return f"{type(form).__module__}.{type(form).__qualname__}"


def opened_token(form) -> str:
    """The signed value of `opened` for `form` as its initial values are now: its
    version, its form's class (a value from another form's page is not taken for this
    one's), the digests of its questions and of its `opened_extras`, and the values
    ticked in its multi-choice questions (to merge them as sets)."""
    version = form.get_initial_for_field(form.fields["version"], "version")
    extras = {name: _digest(form.initial.get(name)) for name in form.opened_extras}
    return signing.dumps(
        {
            "v": version,
            "c": _form_name(form),
            "f": _initial_digests(form),
            "x": extras,
            "s": _initial_sets(form),
        },
        salt=SALT,
        compress=True,
    )


def _opened(form, version) -> dict | None:
    """What the page was opened with, if `opened` is ours, of this form and for
    `version`: {"f": digests of its questions, "x": digests of its extras, "s": the
    values ticked in its multi-choice questions (none from a page from before them)}."""
    token = form.data.get(form.add_prefix("opened"))
    if not token:
        return None
    try:
        opened = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(opened, dict) or opened.get("v") != version:
        return None
    if opened.get("c") != _form_name(form):
        return None
    digests, extras, sets = opened.get("f"), opened.get("x", {}), opened.get("s", {})
    if not all(isinstance(part, dict) for part in (digests, extras, sets)):
        return None
    return {"f": digests, "x": extras, "s": sets}


def extra_base(form, name: str) -> str | None:
    """The digest `name` (one of the form's `opened_extras`) had when the page was
    opened, as `merge_latest` read it; None where unknown (then: not merged)."""
    return (getattr(form, "opened_base", None) or {}).get("x", {}).get(name)


# --- putting a value back into what was posted --------------------------------------------


def _put(data, key: str, widget, value) -> None:
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        for suffix, sub, part in zip(widget.widgets_names, widget.widgets, parts, strict=False):
            _put(data, key + suffix, sub, part)
    elif isinstance(widget, forms.CheckboxInput):
        if widget.check_test(value):
            data[key] = "on"
        else:
            data.pop(key, None)
    elif getattr(widget, "allow_multiple_selected", False):
        data.setlist(key, widget.format_value(value))
    elif isinstance(widget, forms.widgets.ChoiceWidget):
        shown = widget.format_value(value)
        data[key] = shown[0] if shown else ""
    else:
        shown = widget.format_value(value)
        data[key] = "" if shown is None else str(shown)


def _keys(widget, key: str) -> list[str]:
    if isinstance(widget, forms.MultiWidget):
        return [key + suffix for suffix in widget.widgets_names]
    return [key]


class Merge(NamedTuple):
    """What `merge_latest` did: the questions taken from what is saved now (`merged`),
    those both changed whose typing is kept (`both`), and the multi-choice questions
    both changed whose ticks are now both changes combined (`combined`)."""

    merged: list[str]
    both: list[str]
    combined: list[str]


def merge_latest(form, version) -> Merge | None:
    """Into `form.data` (a copy, the caller's to set): the value saved now of each question
    the person left as the page was opened with (at `version`) and the other change
    changed; for a multi-choice question both changed, the boxes saved now with this
    page's ticks and unticks made to them. Each question both changed gets, in
    `form.saved_elsewhere`, what is saved now (to show beside it). None where the page
    cannot say what it was opened with (no `opened`, or one not ours): then nothing is
    merged."""
    found = _opened(form, version)
    if found is None:
        return None
    form.opened_base = found
    opened = found["f"]
    data = form.data
    merged, both, combined = [], [], []
    for name, field in form.fields.items():
        if not _mergeable(form, name, field):
            continue
        base = opened.get(name)
        latest_value = form.get_initial_for_field(field, name)
        latest = initial_digest(field, latest_value)
        if latest is None:
            if isinstance(field, forms.FileField):
                continue  # a file is never sent again: nothing of it to keep or replace
            # A question whose value cannot be compared: whether the other change
            # changed it is unknown, so the page does not say it merged anything.
            return None
        if latest == base:
            continue  # not changed by the other change
        mine = sent_digest(field, _sent(form, data, name, field))
        if mine == latest:
            continue  # both made the same change
        if base is None or mine != base:
            if base is not None and _multiple(field):
                if _combine(form, name, field, found["s"].get(name), base, latest_value):
                    combined.append(name)
                    _saved_elsewhere(form, name, field, latest_value)
                    continue
            both.append(name)
            _saved_elsewhere(form, name, field, latest_value)
            continue
        key = form.add_prefix(name)
        keys = _keys(field.widget, key)
        before = {k: data.getlist(k) for k in keys if k in data}
        _put(data, key, field.widget, field.prepare_value(latest_value))
        if sent_digest(field, _sent(form, data, name, field)) == latest:
            merged.append(name)
        else:
            # The value saved now does not come back as itself through the page: the
            # typing is kept, and named for the person to check.
            for k in keys:
                data.pop(k, None)
            for k, values in before.items():
                data.setlist(k, values)
            both.append(name)
            _saved_elsewhere(form, name, field, latest_value)
    return Merge(merged, both, combined)


def _combine(form, name: str, field, opened_set, base: str, latest_value) -> bool:
    """A multi-choice question both changed, merged as sets into `form.data`: the values
    saved now, less those this page unticked and with those it ticked, each relative to
    `opened_set` (the values it was opened with, carried in `opened`). False, and nothing
    changed, where that set is not known (too big to carry, a page from before) or does
    not match the question's digest."""
    if not isinstance(opened_set, list) or not all(isinstance(v, str) for v in opened_set):
        return False
    if _digest(sorted(opened_set)) != base:
        return False
    data = form.data
    try:
        theirs = _initial_set(field, latest_value)
    except (ValidationError, TypeError, ValueError):
        return False
    sent = _sent(form, data, name, field)
    mine = [str(v) for v in sent or []]
    added = [v for v in mine if v not in opened_set]
    removed = set(opened_set) - set(mine)
    result = [v for v in theirs if v not in removed]
    result += [v for v in added if v not in result]
    key = form.add_prefix(name)
    before = data.getlist(key)
    data.setlist(key, result)
    if sent_digest(field, _sent(form, data, name, field)) != _digest(sorted(result)):
        data.setlist(key, before)
        return False
    return True


# --- what is saved now, shown beside a question both changed -------------------------------

#: An answer saved now that is empty.
NOT_ANSWERED = "Not answered"
#: A multi-choice answer saved now with no box ticked.
NONE_TICKED = "None ticked"


@dataclasses.dataclass
class SavedAnswer:
    """What is saved now for a question both changed, as the page shows it: `text`, or
    `items` (the labels of a multi-choice question's boxes ticked, in the page's order).
    `long`: a text area's text, shown in a details component (it may be long)."""

    text: str = ""
    items: list[str] = dataclasses.field(default_factory=list)
    long: bool = False


def _choices(field):
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # a group of options
            yield from label
        else:
            yield value, label


def _shown(value) -> str:
    return "" if value is None else str(value)


def saved_answer(field, value) -> SavedAnswer:
    """`value` (as the form is given it, an initial value) in the words the page uses:
    a choice by its label, a date as the service writes it, a tick box ticked or not."""
    from .dates import full_date

    if _multiple(field):
        ticked = set(_initial_set(field, value))
        labels = [str(label) for key, label in _choices(field) if _shown(key) in ticked]
        return SavedAnswer(items=labels) if labels else SavedAnswer(text=NONE_TICKED)
    if isinstance(field, forms.BooleanField) and not isinstance(field, forms.NullBooleanField):
        return SavedAnswer(text="Ticked" if field.to_python(value) else "Not ticked")
    if _date_field(field):
        return SavedAnswer(text=full_date(value) if isinstance(value, dt.date) else NOT_ANSWERED)
    if isinstance(field, forms.NullBooleanField):
        known = field.to_python(value)
        return SavedAnswer(text={True: "Yes", False: "No"}.get(known, NOT_ANSWERED))
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        prepared = field.prepare_value(value)
        if prepared in (None, ""):
            return SavedAnswer(text=NOT_ANSWERED)
        for key, label in _choices(field):
            if _shown(key) == _shown(prepared) and _shown(key) != "":
                return SavedAnswer(text=str(label))
        return SavedAnswer(text=_shown(prepared))
    text = _shown(value).replace("\r\n", "\n")
    if not text.strip():
        return SavedAnswer(text=NOT_ANSWERED)
    return SavedAnswer(text=text, long=isinstance(field.widget, forms.Textarea))


def _saved_elsewhere(form, name: str, field, value) -> None:
    try:
        answer = saved_answer(field, value)
    except (ValidationError, TypeError, ValueError):
        return
    if not hasattr(form, "saved_elsewhere"):
        form.saved_elsewhere = {}
    form.saved_elsewhere[name] = answer
