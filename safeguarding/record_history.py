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
from .audit_display import ShownChange, present_events
from .models import AuditEvent


@dataclass(frozen=True)
class Correction:
    """One History line that is not a status move. `changed_at` sorts it among them."""

    changed_at: dt.datetime
    who: str
    text: str
    note: str = ""
    correction: bool = True


def _part(label: str, change: ShownChange) -> str:
    if change.is_change:
        return f"{label}: {change.old} → {change.new}"
    if change.value == SECRET_TEXT:
        return f"{label}: changed"
    return f"{label}: now {change.value}"


def corrections_of(obj: models.Model, fields: dict[str, str]) -> list[Correction]:
    """The audited updates of `obj` that changed one of `fields` ({field: what people
    call it}) from one value to another. An update that only records values beside a
    status move (which the move's own line shows) has no old → new and is left out. No
    words typed with the change are shown (a reason may name people; everyone who opens
    the record, its reviewers too, reads its History). Values read as the audit page
    shows them (`audit_display`), coded ones in lower case as the line is a sentence."""
    events = (
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            action=AuditEvent.Action.UPDATE,
        )
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    wanted = [
        event
        for event in events
        if any(
            isinstance((event.changes or {}).get(field), dict)
            or (event.changes or {}).get(field) == SECRET_TEXT
            for field in fields
        )
    ]
    lines = []
    for event in present_events(wanted, sentence=True):
        shown = {change.field: change for change in event.shown_changes}
        text = "; ".join(
            _part(label, shown[field]) for field, label in fields.items() if field in shown
        )
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
