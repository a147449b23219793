"""Log and edit an incident; the 5-working-day clock and changes to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safeguarding.audit import Action, audit_record, diff, snapshot, values_kept_only_for
from safeguarding.deadlines import (
    Kind,
    deadline_move,
    deadline_start,
    get_deadline,
)
from safeguarding.models import Partnership, User

from ..models import Incident, Status
from .common import (
    NOTIFY_WITHIN_WORKING_DAYS,
    check_version,
    incident_date_errors,
    locked,
    require_role,
    require_undecided,
    validate_incident_dates,
)

# --- create and edit ------------------------------------------------------------------


def next_reference(partnership: Partnership, year: int) -> tuple[int, str]:
    """The next case reference in the partnership's sequence for the year (PART-YYYY-NNN),
    with the partnership's row locked until the caller's transaction ends, so two cases
    logged at once cannot take the same number. Used by logging an incident and by the
    demo's import of cases from an older system."""
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    last = Incident.objects.filter(partnership=partnership, year=year).aggregate(m=Max("sequence"))
    sequence = (last["m"] or 0) + 1
    return sequence, f"{partnership.code}-{year}-{sequence:03d}"


def _start_notification_clock(incident: Incident, owner: User) -> None:
    deadline = deadline_start(
        subject=incident,
        partnership=incident.partnership,
        kind=Kind.NOTIFICATION,
        title=f"Notify the National Panel: {incident.reference}",
        reference=incident.reference,
        url=incident.get_absolute_url(),
        trigger_date=incident.awareness_date,
        amount=NOTIFY_WITHIN_WORKING_DAYS,
        owner=owner,
    )
    incident.notification_due = deadline.due_date


@transaction.atomic
def incident_create(
    *,
    partnership: Partnership,
    actor: User,
    awareness_date: dt.date,
    incident_date: dt.date | None = None,
    incident_place: str = "",
) -> Incident:
    """Log a serious incident as a draft and start the 5-working-day clock."""
    require_role(actor, partnership)
    errors = validate_incident_dates(
        incident_date=incident_date, awareness_date=awareness_date, today=timezone.localdate()
    )
    if errors:
        raise ValidationError(errors)
    sequence, reference = next_reference(partnership, awareness_date.year)
    incident = Incident(
        partnership=partnership,
        reference=reference,
        year=awareness_date.year,
        sequence=sequence,
        awareness_date=awareness_date,
        incident_date=incident_date,
        incident_place=incident_place,
        notification_due=awareness_date,
        created_by=actor,
    )
    incident.save()
    _start_notification_clock(incident, actor)
    incident.save(update_fields=["notification_due"])
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=incident,
        changes={"status": {"old": None, "new": Status.DRAFT}},
    )
    return incident


EDITABLE_FIELDS = frozenset(
    {
        "incident_date",
        "incident_place",
        "nature",
        "harm_categories",
        "circumstances",
        "other_local_authority",
        "parallel_processes",
        "other_children_in_household",
        "notifier_name",
        "notifier_role",
        "notifier_contact",
    }
)


@transaction.atomic
def incident_update(
    *, incident: Incident, actor: User, changes: dict[str, Any], expected_version: int | None = None
) -> Incident:
    """Save one step of the form. Only drafts and incidents awaiting decision are editable."""
    require_role(actor, incident.partnership)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    incident = locked(incident)
    check_version(incident, expected_version)
    require_undecided(incident, "This incident can no longer be changed: its decision is recorded.")
    errors = incident_date_errors(
        incident=incident, incident_date=changes.get("incident_date"), today=timezone.localdate()
    )
    if errors:
        raise ValidationError(errors)
    before = snapshot(incident, list(changes))
    for name, value in changes.items():
        setattr(incident, name, value)
    changed = diff(before, snapshot(incident, list(changes)))
    if changed:
        incident.version += 1
        incident.save(update_fields=[*changed, "version", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=incident,
            changes=values_kept_only_for(changed, AUDITED_VALUES),
        )
    return incident


#: The fields whose old and new values the audit trail keeps (dates and categories); of
#: the narrative (circumstances, place, household, notifier) it keeps only that it changed.
AUDITED_VALUES = frozenset(
    {"incident_date", "awareness_date", "nature", "harm_categories", "parallel_processes"}
)

#: "Not changing": the incident date stays as recorded.
KEEP = object()


@transaction.atomic
def incident_change_awareness_date(
    *,
    incident: Incident,
    actor: User,
    awareness_date: dt.date,
    reason: str,
    expected_version: int | None = None,
    incident_date: dt.date | None | object = KEEP,
) -> Incident:
    """Correct the awareness date: needs a reason, recomputes the due date, is audited.
    `incident_date` is the incident date being saved with it, if both change at once (the
    new awareness date is checked against the new incident date, not the old)."""
    require_role(actor, incident.partnership)
    incident = locked(incident)
    check_version(incident, expected_version)
    require_undecided(incident, "The awareness date cannot change once the decision is recorded.")
    reason = (reason or "").strip()
    errors = validate_incident_dates(
        incident_date=incident.incident_date if incident_date is KEEP else incident_date,
        awareness_date=awareness_date,
        today=timezone.localdate(),
        stored=incident,
    )
    if not reason:
        errors["reason"] = "Enter why the date the local authority became aware has changed"
    if errors:
        raise ValidationError(errors)
    if awareness_date == incident.awareness_date:
        return incident
    return move_awareness_date(
        incident=incident, actor=actor, awareness_date=awareness_date, reason=reason
    )


def move_awareness_date(
    *,
    incident: Incident,
    actor: User,
    awareness_date: dt.date,
    reason: str,
    clock_reason: str = "",
    also: tuple[str, ...] = (),
    changes: dict | None = None,
) -> Incident:
    """Set the (checked) awareness date of the locked `incident`, count the notification
    clock again from it (the move kept in the clock's history with `clock_reason`), save
    it with the fields in `also`, and audit it with `changes` added."""
    old, old_due = incident.awareness_date, incident.notification_due
    deadline = deadline_move(
        deadline=get_deadline(incident, Kind.NOTIFICATION),
        actor=actor,
        reason=clock_reason or reason,
        trigger_date=awareness_date,
    )
    incident.awareness_date = awareness_date
    incident.notification_due = deadline.due_date
    incident.version += 1
    incident.save(
        update_fields=["awareness_date", "notification_due", *also, "version", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=incident,
        changes={
            "awareness_date": {"old": old, "new": awareness_date},
            "notification_due": {"old": old_due, "new": incident.notification_due},
            "reason": reason,
            **(changes or {}),
        },
    )
    return incident
