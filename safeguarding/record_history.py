"""A record's History as people read it: its status moves and, between them, the
corrections that changed something recorded without moving the status (a date put
right, a hold's date to look again moved, the Panel's reply corrected). Status moves
are rows of the record's own history; corrections are read from the audit trail, which
names what changed and from what to what, never the words of a note (see
`audit.values_kept_only_for`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models

from .audit import SECRET_TEXT
from .models import AuditEvent


@dataclass(frozen=True)
class Correction:
    """One History line that is not a status move. `changed_at` sorts it among them."""

    changed_at: dt.datetime
    who: str
    text: str
    note: str = ""
    correction: bool = True


def _value(value, words: dict[str, str]) -> str:
    if value in (None, "", []):
        return "none"
    if isinstance(value, str):
        if value in words:
            return words[value]
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {day:%B %Y}"
    return str(value)


def _part(label: str, change, words: dict[str, str]) -> str:
    if isinstance(change, dict) and set(change) == {"old", "new"}:
        return f"{label}: {_value(change['old'], words)} → {_value(change['new'], words)}"
    if change == SECRET_TEXT:
        return f"{label}: changed"
    return f"{label}: now {_value(change, words)}"


def corrections_of(
    obj: models.Model, fields: dict[str, str], words: dict[str, str] | None = None
) -> list[Correction]:
    """The audited updates of `obj` that changed one of `fields` ({field: what people
    call it}) from one value to another. An update that only records values beside a
    status move (which the move's own line shows) has no old → new and is left out. No
    words typed with the change are shown (a reason may name people; everyone who opens
    the record, its reviewers too, reads its History). `words` names coded values."""
    words = words or {}
    events = (
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            action=AuditEvent.Action.UPDATE,
        )
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    lines = []
    for event in events:
        changes = event.changes or {}
        changed = [
            field
            for field in fields
            if isinstance(changes.get(field), dict) or changes.get(field) == SECRET_TEXT
        ]
        if not changed:
            continue
        shown = [field for field in fields if field in changes]
        text = "; ".join(_part(fields[field], changes[field], words) for field in shown)
        lines.append(
            Correction(
                changed_at=event.occurred_at,
                who=event.actor.full_name if event.actor else event.actor_email,
                text=text[:1].upper() + text[1:],
            )
        )
    return lines


def merged_history(status_changes, corrections: list[Correction]) -> list:
    """Status moves and corrections, oldest first (a move and a correction at the same
    moment keep that order)."""
    entries = [(change.changed_at, 0, change) for change in status_changes]
    entries += [(line.changed_at, 1, line) for line in corrections]
    return [entry for _, _, entry in sorted(entries, key=lambda item: (item[0], item[1]))]
