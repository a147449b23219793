"""The children an incident is about."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from safeguarding.audit import Action, audit_record, diff, snapshot, values_kept_only_for
from safeguarding.models import User

from ..models import Child, Incident
from .common import (
    check_version,
    locked,
    require_role,
    require_undecided,
)

# --- children -------------------------------------------------------------------------


def next_pseudonym(incident: Incident) -> str:
    used = {p.lower() for p in incident.children.values_list("pseudonym", flat=True)}
    n = 0
    while True:
        letters, k = "", n
        while True:
            letters = chr(ord("A") + k % 26) + letters
            k = k // 26 - 1
            if k < 0:
                break
        candidate = f"Child {letters}"
        if candidate.lower() not in used:
            return candidate
        n += 1


CHILD_FIELDS = (
    "pseudonym",
    "name",
    "other_names",
    "unborn",
    "date_of_birth",
    "age_years",
    "sex",
    "ethnicity",
    "disability",
    "health",
    "status_at_time",
    "placement_type",
)


def check_child_editable(incident: Incident) -> None:
    require_undecided(incident, "Children cannot be changed once the decision is recorded.")


@transaction.atomic
def child_save(
    *,
    incident: Incident,
    actor: User,
    values: dict[str, Any],
    known_to=(),
    child: Child | None = None,
    expected_version: int | None = None,
) -> Child:
    """Add a child to an incident, or change one. `expected_version` is the incident's
    version the form was opened at: a save from a stale page (another tab, the back
    button, a second click) is refused rather than overwriting or adding twice."""
    require_role(actor, incident.partnership)
    incident = locked(incident)
    check_child_editable(incident)
    check_version(incident, expected_version)
    if child is None:
        child = Child(incident=incident, position=incident.children.count() + 1)
        before = {}
        action = Action.CREATE
    else:
        before = snapshot(child, list(CHILD_FIELDS))
        action = Action.UPDATE
    for name in CHILD_FIELDS:
        if name in values:
            setattr(child, name, values[name])
    child.pseudonym = (child.pseudonym or "").strip() or next_pseudonym(incident)
    clash = incident.children.filter(pseudonym__iexact=child.pseudonym)
    if child.pk:
        clash = clash.exclude(pk=child.pk)
    if clash.exists():
        raise ValidationError(
            {
                "pseudonym": f"‘{child.pseudonym}’ is already used for another child in this "
                f"incident: use another, such as ‘{next_pseudonym(incident)}’"
            }
        )
    child.save()
    child.known_to.set(known_to)
    # The audit trail names the record by pseudonym and says which details changed; it
    # never copies them (name, date of birth, ethnicity, health …): it cannot be erased.
    changed = values_kept_only_for(
        diff(before, snapshot(child, list(CHILD_FIELDS))), {"pseudonym", "unborn"}
    )
    incident.version += 1
    incident.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        obj=child,
        partnership=incident.partnership,
        object_repr=f"{incident.reference} {child.pseudonym}",
        changes=changed,
    )
    return child


@transaction.atomic
def child_remove(*, child: Child, actor: User) -> None:
    incident = child.incident
    require_role(actor, incident.partnership)
    incident = locked(incident)
    check_child_editable(incident)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=child,
        partnership=incident.partnership,
        object_repr=f"{incident.reference} {child.pseudonym}",
    )
    child.delete()
    incident.version += 1
    incident.save(update_fields=["version", "updated_at"])
