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

A digest is of the value normalised as Django's `Field.has_changed` normalises it (the
typed value through `to_python`, a typed choice coerced, None as ''), so a question left
alone digests the same on the way back. A question whose kind is not known here has no
digest and is taken as changed by the person: its typing is kept, as it always was.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError

SALT = "safeguarding.opened"


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
    one's), the digests of its questions and of its `opened_extras`."""
    version = form.get_initial_for_field(form.fields["version"], "version")
    extras = {name: _digest(form.initial.get(name)) for name in form.opened_extras}
    return signing.dumps(
        {"v": version, "c": _form_name(form), "f": _initial_digests(form), "x": extras},
        salt=SALT,
        compress=True,
    )


def _opened(form, version) -> dict | None:
    """What the page was opened with, if `opened` is ours, of this form and for
    `version`: {"f": digests of its questions, "x": digests of its extras}."""
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
    digests, extras = opened.get("f"), opened.get("x", {})
    if not isinstance(digests, dict) or not isinstance(extras, dict):
        return None
    return {"f": digests, "x": extras}


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


def merge_latest(form, version) -> tuple[list[str], list[str]] | None:
    """Into `form.data` (a copy, the caller's to set): the value saved now of each question
    the person left as the page was opened with (at `version`) and the other change
    changed. Returns (merged, both): the names taken from the latest, and the names both
    changed differently (their typing kept). None where the page cannot say what it was
    opened with (no `opened`, or one not ours): then nothing is merged."""
    found = _opened(form, version)
    if found is None:
        return None
    form.opened_base = found
    opened = found["f"]
    data = form.data
    merged, both = [], []
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
            both.append(name)
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
    return merged, both
