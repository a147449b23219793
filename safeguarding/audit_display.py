"""How the audit trail reads: the one presenter every page that shows audit events uses.

The trail keeps what happened as the code stored it (field names, choice codes, ids,
ISO dates; ADR 0005: it is never rewritten). Here, and only here, that becomes what a
business manager reads: a field by its model's verbose name, a coded value by its
label, a person or record by name (looked up for a whole page at once: one query per
kind of record, not one per row), a yes/no as Yes or No, a date in the service's
format. A value the models no longer know (a choice since removed, a record since
deleted) still shows, as plainly as it can, never as an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from .audit import SECRET_FIELDS, SECRET_TEXT
from .dates import date_and_time, full_date

#: An empty value (none recorded before, or none now).
NONE = "none"

#: The names of a filter form's buttons. An export's filters were once recorded with the
#: button pressed ("Apply: Apply filters"): not a filter, so never shown (nor now stored).
BUTTON_NAMES = frozenset({"apply", "submit", "continue"})

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A stored code no choices are known for ("in_progress"): shown as its words.
_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class ShownChange:
    """One entry of an event's changes as read. `old`/`new` for a value that changed,
    `value` for a fact about the change (a reason); all three None where the reader may
    see only which field changed."""

    field: str
    label: str
    old: str | None = None
    new: str | None = None
    value: str | None = None
    is_change: bool = False

    @property
    def text(self) -> str | None:
        if self.is_change:
            return f"{self.old} → {self.new}"
        return self.value


def date_text(day: dt.date) -> str:
    return full_date(day)


def datetime_text(moment: dt.datetime) -> str:
    return date_and_time(moment)


def code_text(code) -> str:
    """A code no label is known for (a choice since removed): its words, not its
    underscores."""
    return str(code).replace("_", " ")


def choice_text(choices, value) -> str:
    """A coded value by its label; an unknown code as its words."""
    labels = {str(key): label for key, label in choices}
    if str(value) in labels:
        return str(labels[str(value)])
    return code_text(value)


@cache
def _model(object_type: str):
    if not object_type or "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    """The model field an entry of `changes` is about: by name or by its column
    (`owner_agency_id`), or None for a fact that is no field (a reason)."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A reverse relation (another model's key to this one) is no field of this record.
    return None if field.auto_created and not field.concrete else field


def _label(model, name: str) -> str:
    field = _field(model, name)
    if field is not None and hasattr(field, "verbose_name"):
        return capfirst(str(field.verbose_name))
    named = _model(name)  # a kind of record ("lcspr.review"), as a deletion counts them
    if named is not None:
        return capfirst(str(named._meta.verbose_name_plural))
    words = name.replace("_", " ").strip()
    if words.endswith(" id"):
        words = words[:-3]
    return capfirst(words)


def _related_model(field):
    if field is not None and field.is_relation and field.related_model is not None:
        return field.related_model
    return None


def _is_id(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isdigit()
    )


def _ids(value) -> list:
    items = value if isinstance(value, list | tuple) else [value]
    return [int(item) for item in items if _is_id(item)]


def _choices(model, field, name):
    """The choices of a field's values: the field's own, or those a model names for a
    list kept in a JSON field (`AUDIT_VALUE_CHOICES`)."""
    if field is not None and getattr(field, "choices", None):
        return field.flatchoices
    extra = getattr(model, "AUDIT_VALUE_CHOICES", None) or {}
    return extra.get(name)


class _Names:
    """Names of the people and records a page's events refer to by id, looked up once
    per kind of record."""

    def __init__(self, named: Callable[[object], tuple[str, str] | None] | None = None):
        self.wanted: dict[type, set[int]] = defaultdict(set)
        self.found: dict[type, dict[int, str]] = {}
        self.addresses: set[str] = set()
        self.by_address: dict[str, str] = {}
        self.named = named

    def want(self, related, value) -> None:
        self.wanted[related].update(_ids(value))

    def want_address(self, value) -> None:
        if _is_address(value):
            self.addresses.add(value.strip().lower())

    def person(self, address: str) -> str:
        """A person an event names by their e-mail address (a hand-over, a role), by
        their name now; the address as stored if no account has it."""
        return self.by_address.get(address.strip().lower(), address)

    def look_up(self) -> None:
        from .models import User

        if self.addresses:
            rows = User.objects.filter(email__in=self.addresses).values_list("email", "full_name")
            self.by_address = {email.lower(): name for email, name in rows if name}
        for related, ids in self.wanted.items():
            if not ids:
                continue
            if issubclass(related, User):
                rows = related._default_manager.filter(pk__in=ids).values_list(
                    "pk", "full_name", "email"
                )
                self.found[related] = {pk: name or email for pk, name, email in rows}
                continue
            forward = [
                f.name
                for f in related._meta.concrete_fields
                if f.many_to_one and f.related_model is not None
            ]
            objects = related._default_manager.filter(pk__in=ids).select_related(*forward)
            self.found[related] = {obj.pk: self._name_of(obj) for obj in objects}

    def _name_of(self, obj) -> str:
        given = None if self.named is None else self.named(obj)
        return given[1] if given else str(obj)

    def known(self, related, value) -> str | None:
        """The name of a record looked up, or None if it was not."""
        if not _is_id(value):
            return None
        return self.found.get(related, {}).get(int(value))

    def name(self, related, value) -> str:
        if not _is_id(value):
            return str(value)
        found = self.found.get(related, {}).get(int(value))
        if found is not None:
            return found
        return f"{related._meta.verbose_name} {value} (since removed)"


def _is_address(value) -> bool:
    return isinstance(value, str) and _ADDRESS.match(value.strip()) is not None


#: A person as some events store them: by e-mail address (a hand-over's old and new
#: owner, a role given or taken away: "officer@example.org: Review officer").
_ADDRESS = re.compile(r"^[^@\s:]+@[^@\s:]+$")
#: The fields of a change that hold a person's address (the hand-over's "owner").
PERSON_BY_ADDRESS = frozenset({"owner"})


def _one(value, *, model, field, name, names: _Names, sentence: bool) -> str:
    if name in PERSON_BY_ADDRESS and _is_address(value):
        return names.person(value)
    if value is None or value == "" or value == [] or value == {}:
        return NONE
    if isinstance(value, list | tuple) and name == "fields":
        # Which of the record's fields a step filled in ({"fields": ["meeting_date", …]}).
        return ", ".join(_label(model, str(v)) for v in value)
    if isinstance(value, list | tuple):
        return ", ".join(
            _one(v, model=model, field=field, name=name, names=names, sentence=sentence)
            for v in value
        )
    if isinstance(value, dict) and name == "filters":
        return _filters(value, names=names, sentence=sentence)
    if isinstance(value, dict):
        if value.keys() <= {"old", "new"}:
            # A change inside a fact ({"police": {"old": …, "new": …}}).
            return " → ".join(
                _one(
                    value.get(k),
                    model=model,
                    field=field,
                    name=name,
                    names=names,
                    sentence=sentence,
                )
                for k in ("old", "new")
            )
        parts = []
        for k, v in value.items():
            key = str(k)
            # A field of the same record reads as its field does (its label, its choices);
            # ids inside a fact are not looked up (only an entry's own value is), but
            # named where they were (a record's copy of itself, `present_records`).
            sub = _field(model, key)
            related = _related_model(sub)
            if related is not None:
                sub = None
            known = names.known(related, v) if related is not None else None
            if known is not None:
                text = known
            else:
                text = _one(v, model=model, field=sub, name=key, names=names, sentence=sentence)
            parts.append(f"{_label(model, key)}: {text}")
        return "; ".join(parts)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return date_text(value)
    related = _related_model(field)
    if related is not None:
        return names.name(related, value)
    choices = _choices(model, field, name)
    if choices:
        text = choice_text(choices, value)
        return text.lower() if sentence else text
    if isinstance(value, str):
        if _CODE.match(value):
            return code_text(value)
        if _ISO_DATE.match(value):
            try:
                return date_text(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if _ISO_DATETIME.match(value):
            try:
                return datetime_text(dt.datetime.fromisoformat(value))
            except ValueError:
                return value
    return str(value)


def _filters(value: dict, *, names: _Names, sentence: bool) -> str:
    """The filters a download was made with, as the page's own words: a partnership by
    its name, not its id; the button pressed left out."""
    from .models import Partnership

    parts = []
    for key, v in value.items():
        if key in BUTTON_NAMES or v in (None, ""):
            continue
        if key == "partnership":
            text = names.name(Partnership, v)
        else:
            text = _one(v, model=None, field=None, name=key, names=names, sentence=sentence)
        parts.append(f"{_label(None, key)}: {text}")
    return "; ".join(parts) or NONE


def _as_dict(changes) -> dict:
    """An event's changes as {key: change}; anything else kept (never written now) under
    one key, so it still reads."""
    if isinstance(changes, dict):
        return changes
    return {"details": changes} if changes not in (None, "", []) else {}


def _shown(event_changes: dict, model, names: _Names, values_shown: bool, sentence: bool):
    shown = []
    for name, change in _as_dict(event_changes).items():
        label = _label(model, name)
        if name in SECRET_FIELDS or change == SECRET_TEXT:
            shown.append(ShownChange(field=name, label=label, value=SECRET_TEXT))
            continue
        if not values_shown:
            shown.append(ShownChange(field=name, label=label))
            continue
        field = _field(model, name)

        def text(value, field=field, name=name):
            return _one(value, model=model, field=field, name=name, names=names, sentence=sentence)

        if isinstance(change, dict) and ("old" in change or "new" in change):
            shown.append(
                ShownChange(
                    field=name,
                    label=label,
                    old=text(change.get("old")),
                    new=text(change.get("new")),
                    is_change=True,
                )
            )
        else:
            shown.append(ShownChange(field=name, label=label, value=text(change)))
    return shown


def _collect(event_changes: dict, model, names: _Names) -> None:
    for name, change in _as_dict(event_changes).items():
        if name in PERSON_BY_ADDRESS:
            for value in change.values() if isinstance(change, dict) else [change]:
                names.want_address(value)
        if name == "filters" and isinstance(change, dict) and "partnership" in change:
            from .models import Partnership

            names.want(Partnership, change["partnership"])
        related = _related_model(_field(model, name))
        if related is None or name in SECRET_FIELDS or change == SECRET_TEXT:
            continue
        if isinstance(change, dict) and ("old" in change or "new" in change):
            names.want(related, change.get("old"))
            names.want(related, change.get("new"))
        else:
            names.want(related, change)


def present_events(
    events: Iterable,
    *,
    values_shown: Callable[[object], bool] | None = None,
    sentence: bool = False,
) -> list:
    """Give each event `shown_changes` (a list of ShownChange) and `values_shown`, the
    people and records they name looked up together. `values_shown(event)` says whether
    the reader may see what the fields said (only which changed, if not); `sentence`
    writes coded values in lower case, for a line that reads as a sentence."""
    events = list(events)
    names = _Names()
    for event in events:
        event.values_shown = True if values_shown is None else values_shown(event)
        if event.values_shown:
            _collect(event.changes, _model(event.object_type), names)
        names.want_address(_address_in_record(event)[0])
    names.look_up()
    for event in events:
        event.shown_changes = _shown(
            event.changes, _model(event.object_type), names, event.values_shown, sentence
        )
    _name_records(events, names)
    return events


def name_visitors(events: list) -> None:
    """Give each refused request filed in the trail of the partnership owning the record
    asked for (audit.audit_refused) by someone holding no role there `actor_text`: their
    name and where they hold a role now ("Olive Other (ASCP)", "Rita Reg (regional
    viewer, Midshire)"), or "(no current role)". Read in one query for the page, only
    when it holds refusals."""
    from .models import AuditEvent, Membership

    refused = [
        e
        for e in events
        if e.action == AuditEvent.Action.REFUSED and e.actor_id and e.partnership_id
    ]
    if not refused:
        return
    roles: dict[int, dict[int, str]] = defaultdict(dict)
    regions: dict[int, set[str]] = defaultdict(set)
    for user_id, partnership_id, code, region in Membership.objects.filter(
        user_id__in={e.actor_id for e in refused}
    ).values_list("user_id", "partnership_id", "partnership__code", "region__name"):
        if partnership_id is not None:
            roles[user_id][partnership_id] = code
        elif region:
            regions[user_id].add(region)
    for event in refused:
        theirs = roles[event.actor_id]
        if event.partnership_id in theirs:
            continue
        name = event.actor.full_name or event.actor.email
        where = sorted(theirs.values()) + [
            f"regional viewer, {region}" for region in sorted(regions[event.actor_id])
        ]
        event.actor_text = f"{name} ({'; '.join(where) if where else 'no current role'})"


#: How a hand-over's record was stored (deadlines.LEFT_OWNER_OF) and a role's (people.py).
_OPEN_DEADLINES_OF = "Open deadlines of "
_ROLE = "safeguarding.membership"


def _address_in_record(event) -> tuple[str | None, str]:
    """The e-mail address a stored record text names a person by, and the text around it
    as a template ("Open deadlines of {}"), or (None, "")."""
    text = event.object_repr or ""
    if text.startswith(_OPEN_DEADLINES_OF):
        address = text[len(_OPEN_DEADLINES_OF) :]
        if _is_address(address):
            return address, _OPEN_DEADLINES_OF + "{}"
    if event.object_type == _ROLE and ": " in text:
        address, role = text.split(": ", 1)
        if _is_address(address):
            return address, "{}: " + role.replace("{", "{{").replace("}", "}}")
    return None, ""


def _name_records(events: list, names: _Names) -> None:
    """Give each event `record_text`: the record it is about as the service names it.
    What was stored (`object_repr`) stays as it was; a kind of record whose stored text
    was not a person's name for it (an action stored by its database id) says how it is
    named now (`audit_names`), looked up in one query a kind for the page."""
    wanted: dict[type, set[int]] = defaultdict(set)
    for event in events:
        event.record_text = event.object_repr
        address, around = _address_in_record(event)
        if address is not None:
            event.record_text = around.format(names.person(address))
        model = _model(event.object_type)
        if model is not None and hasattr(model, "audit_names") and _is_id(event.object_id):
            wanted[model].add(int(event.object_id))
    named = {model: model.audit_names(pks) for model, pks in wanted.items()}
    for event in events:
        model = _model(event.object_type)
        if model not in named or not _is_id(event.object_id):
            continue
        pk = int(event.object_id)
        if pk in named[model]:
            event.record_text = named[model][pk]
        elif hasattr(model, "audit_name_removed"):
            event.record_text = model.audit_name_removed(event.object_repr, pk)


def in_sentence(label: str) -> str:
    """A field's label inside a sentence: its first letter in lower case, unless the
    first word is an abbreviation ("DfE reference", "GP")."""
    first = label.split(" ", 1)[0]
    if any(c.isupper() for c in first[1:]):
        return label
    return label[:1].lower() + label[1:]


def fields_changed(event, *, leave_out=()) -> str:
    """Which fields a presented event (`present_events`) changed, by their labels in the
    order the record has them, as a phrase ("nature, harm categories and place"); "" if
    none. Only the labels: never the values, so it may be shown to anyone who sees the
    record."""
    model = _model(event.object_type)
    order = (
        {f.name: i for i, f in enumerate(model._meta.concrete_fields)} if model is not None else {}
    )
    changes = sorted(
        (c for c in event.shown_changes if c.field not in leave_out),
        key=lambda c: order.get(c.field, len(order)),
    )
    labels = [in_sentence(change.label) for change in changes]
    if len(labels) < 2:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


#: An empty field of a record (the audit trail's "none" could read as a fact).
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class ShownRecord:
    """One stored record as read: its kind and name, and each field by its label with
    its value in words (`present_records`)."""

    kind: str
    name: str
    number: str
    fields: list[tuple[str, str]]


def _stored_values(obj) -> list[tuple[object, object]]:
    """(field, value) for each of a record's own fields, as stored: a key as its id, a
    file as its name, a many-to-many as its ids."""
    values = []
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        value = field.value_from_object(obj)
        if hasattr(value, "name") and hasattr(value, "storage"):  # a stored file
            value = value.name or ""
        values.append((field, value))
    for field in obj._meta.many_to_many:
        values.append((field, [related.pk for related in field.value_from_object(obj)]))
    return values


#: `present_records`' `shown_as` gives this for a field its reader is better without.
LEAVE_OUT = object()


def present_records(
    records: Iterable,
    *,
    labels: Mapping[tuple[str, str], str] | None = None,
    shown_as: Callable[[object, object, object], object] | None = None,
    named: Callable[[object], tuple[str, str] | None] | None = None,
) -> list[ShownRecord]:
    """Stored records as a person reads them, the way the audit trail reads: each field
    by its verbose name, a coded value (a field's choices, or `AUDIT_VALUE_CHOICES` for a
    list kept in a JSON field) by its label, a person or record by name (looked up once
    per kind of record), a date in the service's format, an empty field as "not
    recorded" (or as its model's `BLANK_MEANS` words it, as its pages do). Any model, no
    per-model code (the subject access export's records.txt).
    `labels` names a field its model leaves unnamed better than its field name does:
    ("app_label.model", field name) -> label. `shown_as(record, field, value)` may give a
    stored value's text where its reader needs more than the value, or (label, text), or
    `LEAVE_OUT` for a field of the service's workings (None: as usual). `named(record)`
    may give (kind, name) where the record's own name is not a person's (None: its
    verbose name and `str`)."""
    labels = labels or {}
    records = list(records)
    names = _Names(named)
    stored = [(obj, _stored_values(obj)) for obj in records]
    for obj, values in stored:
        for field, value in values:
            related = _related_model(field)
            if related is not None and field.name not in SECRET_FIELDS:
                names.want(related, value)
            if isinstance(value, dict):  # a copy of the record's own fields
                for key, inner in value.items():
                    inner_related = _related_model(_field(type(obj), str(key)))
                    if inner_related is not None and str(key) not in SECRET_FIELDS:
                        names.want(inner_related, inner)
    names.look_up()
    shown = []
    for obj, values in stored:
        model = type(obj)
        fields = []
        for field, value in values:
            label = labels.get((model._meta.label_lower, field.name)) or _label(model, field.name)
            given = None if shown_as is None else shown_as(obj, field, value)
            if given is LEAVE_OUT:
                continue
            if isinstance(given, tuple):
                label, given = given
            if field.name in SECRET_FIELDS:
                text = SECRET_TEXT
            elif given is not None:
                text = given
            elif value is None or value == "" or value == [] or value == {}:
                # As the record's pages word it, where a blank means something.
                means = getattr(obj, "blank_means", None)
                if means is None:
                    means = getattr(model, "BLANK_MEANS", {})
                text = means.get(field.name, NOT_RECORDED)
            else:
                text = _one(
                    value, model=model, field=field, name=field.name, names=names, sentence=False
                )
            fields.append((label, text))
        kind_and_name = None if named is None else named(obj)
        kind, name = kind_and_name or (capfirst(str(obj._meta.verbose_name)), str(obj))
        shown.append(ShownRecord(kind=kind, name=name, number=str(obj.pk), fields=fields))
    return shown
