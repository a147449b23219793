"""Writes for serious incidents: create, edit, children, the clock, and every status move.

Each service checks the actor's role, validates as a business unit would, saves, writes its
audit event and moves the clocks it owns, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safeguarding import permissions
from safeguarding.audit import Action, audit_record, diff, snapshot
from safeguarding.deadlines import (
    Kind,
    deadline_close,
    deadline_move,
    deadline_reopen,
    deadline_start,
    get_deadline,
)
from safeguarding.models import Partnership, Role, User

from .models import NO_RAPID_REVIEW, TRANSITIONS, Child, Incident, Status, StatusChange

NOTIFY_WITHIN_WORKING_DAYS = 5
MANAGERS = {Role.PARTNERSHIP_MANAGER}
CASE_ROLES = {Role.PARTNERSHIP_MANAGER, Role.REVIEW_OFFICER}


class TransitionError(Exception):
    """An illegal status move: the message says why, in words a user understands."""


class ConcurrentEditError(Exception):
    """Someone else saved the record since this form was opened."""


# --- checks ---------------------------------------------------------------------------


def _require_role(actor: User, partnership: Partnership, roles=CASE_ROLES) -> None:
    if not permissions.has_role(actor, *roles, partnership=partnership):
        raise PermissionDenied("Your role does not allow this.")


def validate_incident_dates(
    *, incident_date: dt.date | None, awareness_date: dt.date | None, today: dt.date
) -> dict[str, str]:
    """GOV.UK-style messages keyed by field, for forms and services alike."""
    errors = {}
    if incident_date and incident_date > today:
        errors["incident_date"] = "The date of the incident must be today or in the past"
    if awareness_date is None:
        errors["awareness_date"] = "Enter the date the local authority became aware"
    elif awareness_date > today:
        errors["awareness_date"] = (
            "The date the local authority became aware must be today or in the past"
        )
    elif incident_date and awareness_date < incident_date:
        errors["awareness_date"] = (
            "The date the local authority became aware must be the same as or after the "
            "date of the incident"
        )
    return errors


def validate_notification_date(
    *, incident: Incident, notified_on: dt.date | None, today: dt.date
) -> dict[str, str]:
    if notified_on is None:
        return {"notified_on": "Enter the date the notification was sent"}
    if notified_on > today:
        return {"notified_on": "The date the notification was sent must be today or in the past"}
    if notified_on < incident.awareness_date:
        return {
            "notified_on": "The date the notification was sent must be the same as or after "
            f"the date the local authority became aware ({incident.awareness_date:%-d %B %Y})"
        }
    return {}


def _check_version(incident: Incident, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != incident.version:
        raise ConcurrentEditError(
            "Someone else changed this incident while you were editing it. "
            "Your changes have not been saved: check the latest version and try again."
        )


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


# --- create and edit ------------------------------------------------------------------


def _next_reference(partnership: Partnership, year: int) -> tuple[int, str]:
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
    _require_role(actor, partnership)
    errors = validate_incident_dates(
        incident_date=incident_date, awareness_date=awareness_date, today=timezone.localdate()
    )
    if errors:
        raise ValidationError(errors)
    sequence, reference = _next_reference(partnership, awareness_date.year)
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
    _require_role(actor, incident.partnership)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    incident = _locked(incident)
    _check_version(incident, expected_version)
    if incident.status not in (Status.DRAFT, Status.AWAITING_DECISION):
        raise TransitionError("This incident can no longer be changed: its decision is recorded.")
    new_date = changes.get("incident_date")
    if new_date and new_date > timezone.localdate():
        raise ValidationError(
            {"incident_date": "The date of the incident must be today or in the past"}
        )
    if new_date and new_date > incident.awareness_date:
        raise ValidationError(
            {
                "incident_date": "The date of the incident must be the same as or before the date "
                f"the local authority became aware ({incident.awareness_date:%-d %B %Y})"
            }
        )
    before = snapshot(incident, list(changes))
    for name, value in changes.items():
        setattr(incident, name, value)
    changed = diff(before, snapshot(incident, list(changes)))
    if changed:
        incident.version += 1
        incident.save(update_fields=[*changed, "version", "updated_at"])
        audit_record(actor=actor, action=Action.UPDATE, obj=incident, changes=changed)
    return incident


@transaction.atomic
def incident_change_awareness_date(
    *,
    incident: Incident,
    actor: User,
    awareness_date: dt.date,
    reason: str,
    expected_version: int | None = None,
) -> Incident:
    """Correct the awareness date: needs a reason, recomputes the due date, is audited."""
    _require_role(actor, incident.partnership)
    incident = _locked(incident)
    _check_version(incident, expected_version)
    if incident.status in (Status.NOTIFIED, Status.RECORDED, Status.NOT_NOTIFIED):
        raise TransitionError("The awareness date cannot change once the decision is recorded.")
    reason = (reason or "").strip()
    errors = validate_incident_dates(
        incident_date=incident.incident_date,
        awareness_date=awareness_date,
        today=timezone.localdate(),
    )
    if not reason:
        errors["reason"] = "Enter why the date the local authority became aware has changed"
    if errors:
        raise ValidationError(errors)
    if awareness_date == incident.awareness_date:
        return incident
    old = incident.awareness_date
    deadline = get_deadline(incident, Kind.NOTIFICATION)
    deadline = deadline_move(
        deadline=deadline, actor=actor, reason=reason, trigger_date=awareness_date
    )
    old_due = incident.notification_due
    incident.awareness_date = awareness_date
    incident.notification_due = deadline.due_date
    incident.version += 1
    incident.save(update_fields=["awareness_date", "notification_due", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=incident,
        changes={
            "awareness_date": {"old": old, "new": awareness_date},
            "notification_due": {"old": old_due, "new": incident.notification_due},
            "reason": reason,
        },
    )
    return incident


# --- children -------------------------------------------------------------------------


def next_pseudonym(incident: Incident) -> str:
    used = set(incident.children.values_list("pseudonym", flat=True))
    n = 0
    while True:
        letters, k = "", n
        while True:
            letters = chr(ord("A") + k % 26) + letters
            k = k // 26 - 1
            if k < 0:
                break
        candidate = f"Child {letters}"
        if candidate not in used:
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


def _check_child_editable(incident: Incident) -> None:
    if incident.status not in (Status.DRAFT, Status.AWAITING_DECISION):
        raise TransitionError("Children cannot be changed once the decision is recorded.")


@transaction.atomic
def child_save(
    *,
    incident: Incident,
    actor: User,
    values: dict[str, Any],
    known_to=(),
    child: Child | None = None,
) -> Child:
    """Add a child to an incident, or change one."""
    _require_role(actor, incident.partnership)
    incident = _locked(incident)
    _check_child_editable(incident)
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
    if not child.pseudonym:
        child.pseudonym = next_pseudonym(incident)
    child.save()
    child.known_to.set(known_to)
    changed = diff(before, snapshot(child, list(CHILD_FIELDS)))
    # The audit trail names the record by pseudonym; it never copies the child's name.
    changed.pop("name", None)
    changed.pop("other_names", None)
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
    _require_role(actor, incident.partnership)
    incident = _locked(incident)
    _check_child_editable(incident)
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


# --- status moves ---------------------------------------------------------------------


def _move(incident: Incident, to: str, actor: User, note: str = "") -> None:
    if to not in TRANSITIONS[incident.status]:
        raise TransitionError(
            f"An incident that is ‘{incident.get_status_display()}’ cannot become "
            f"‘{Status(to).label}’."
        )
    old = incident.status
    incident.status = to
    incident.version += 1
    StatusChange.objects.create(
        incident=incident, from_status=old, to_status=to, actor=actor, note=note
    )
    audit_record(
        actor=actor,
        action=Action.STATUS_CHANGE,
        obj=incident,
        changes={"status": {"old": old, "new": to}},
    )


def missing_for_decision(incident: Incident) -> list[str]:
    """What must be filled in before an incident can go for decision (GOV.UK wording)."""
    missing = []
    if not incident.nature:
        missing.append("Select the nature of the incident")
    if incident.nature and incident.nature not in NO_RAPID_REVIEW and not incident.harm_categories:
        missing.append("Select at least one category of harm")
    if not incident.circumstances.strip():
        missing.append("Enter a summary of the circumstances")
    if not incident.children.exists():
        missing.append("Add at least one child")
    if not incident.notifier_name.strip():
        missing.append("Enter the name of the person notifying")
    return missing


@transaction.atomic
def incident_submit_for_decision(*, incident: Incident, actor: User) -> Incident:
    _require_role(actor, incident.partnership)
    incident = _locked(incident)
    if incident.status == Status.DRAFT:
        missing = missing_for_decision(incident)
        if missing:
            raise ValidationError(missing)
    _move(incident, Status.AWAITING_DECISION, actor)
    incident.save(update_fields=["status", "version", "updated_at"])
    return incident


@transaction.atomic
def incident_return_to_draft(*, incident: Incident, actor: User, note: str = "") -> Incident:
    _require_role(actor, incident.partnership)
    incident = _locked(incident)
    _move(incident, Status.DRAFT, actor, note)
    incident.save(update_fields=["status", "version", "updated_at"])
    return incident


@transaction.atomic
def incident_record_notification(
    *,
    incident: Incident,
    actor: User,
    notified_at: dt.datetime,
    dfe_reference: str,
    sent_by: User | None = None,
    ofsted_copied: bool = False,
    other_partnerships_told: str = "",
    late_reason: str = "",
) -> Incident:
    """Record that the notification went through the DfE service; stop the clock; open the
    rapid review (or, for the kinds that need none, record it without one)."""
    _require_role(actor, incident.partnership)
    incident = _locked(incident)
    notified_on = timezone.localtime(notified_at).date()
    errors = validate_notification_date(
        incident=incident, notified_on=notified_on, today=timezone.localdate()
    )
    if not dfe_reference.strip():
        errors["dfe_reference"] = "Enter the reference the DfE service gave the notification"
    if notified_on > incident.notification_due and not late_reason.strip():
        errors["late_reason"] = (
            "Enter why the notification was sent after the due date "
            f"({incident.notification_due:%-d %B %Y})"
        )
    if errors:
        raise ValidationError(errors)
    target = Status.RECORDED if incident.nature in NO_RAPID_REVIEW else Status.NOTIFIED
    _move(incident, target, actor)
    incident.notified_at = notified_at
    incident.notified_on = notified_on
    incident.dfe_reference = dfe_reference.strip()
    incident.sent_by = sent_by or actor
    incident.ofsted_copied = ofsted_copied
    incident.other_partnerships_told = other_partnerships_told
    incident.late_reason = late_reason.strip() if notified_on > incident.notification_due else ""
    incident.save()
    deadline_close(subject=incident, kind=Kind.NOTIFICATION, on=notified_on)
    _attach_pdf(incident)
    if target == Status.NOTIFIED:
        from rapid_reviews.services import rapid_review_open

        rapid_review_open(incident=incident, actor=actor)
    return incident


def _attach_pdf(incident: Incident) -> None:
    from .documents import notification_pdf

    pdf = notification_pdf(incident)
    incident.notification_pdf.save(
        f"{incident.reference}-notification.pdf", ContentFile(pdf), save=False
    )
    incident.save(update_fields=["notification_pdf"])


@transaction.atomic
def incident_decide_not_to_notify(
    *, incident: Incident, actor: User, rationale: str, agreed_by: str, decided_on: dt.date
) -> Incident:
    """Record a decision not to notify, with its rationale and the partners who agreed."""
    _require_role(actor, incident.partnership, MANAGERS)
    incident = _locked(incident)
    errors = {}
    if not rationale.strip():
        errors["rationale"] = "Enter the rationale for the decision not to notify"
    if not agreed_by.strip():
        errors["agreed_by"] = "Enter who agreed the decision for each of the three partners"
    if decided_on > timezone.localdate():
        errors["decided_on"] = "The date of the decision must be today or in the past"
    elif decided_on < incident.awareness_date:
        errors["decided_on"] = (
            "The date of the decision must be the same as or after the date the local "
            "authority became aware"
        )
    if errors:
        raise ValidationError(errors)
    _move(incident, Status.NOT_NOTIFIED, actor, rationale)
    incident.decision_rationale = rationale.strip()
    incident.decision_agreed_by = agreed_by.strip()
    incident.decided_on = decided_on
    incident.save()
    deadline_close(subject=incident, kind=Kind.NOTIFICATION, on=decided_on, outcome="cancelled")
    return incident


@transaction.atomic
def incident_reconsider(*, incident: Incident, actor: User, note: str) -> Incident:
    """Reopen a decision not to notify (for example when new information arrives)."""
    _require_role(actor, incident.partnership, MANAGERS)
    incident = _locked(incident)
    if not note.strip():
        raise ValidationError({"note": "Enter why the decision is being reconsidered"})
    _move(incident, Status.AWAITING_DECISION, actor, note)
    incident.save(update_fields=["status", "version", "updated_at"])
    deadline_reopen(subject=incident, kind=Kind.NOTIFICATION)
    return incident


# --- attachments ----------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, incident: Incident, actor: User, upload, description: str = ""):
    """Keep a document with the incident: checked by content, stored under a random name."""
    from safeguarding.uploads import check_upload, private_name

    from .models import Attachment

    _require_role(actor, incident.partnership)
    checked = check_upload(upload)
    attachment = Attachment(
        incident=incident,
        original_name=checked.original_name,
        description=description.strip(),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(
        private_name(f"incidents/{incident.partnership_id}", checked), upload, save=False
    )
    attachment.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=attachment,
        partnership=incident.partnership,
        object_repr=f"{incident.reference} attachment {checked.original_name}",
    )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment, actor: User) -> None:
    incident = attachment.incident
    _require_role(actor, incident.partnership)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=attachment,
        partnership=incident.partnership,
        object_repr=f"{incident.reference} attachment {attachment.original_name}",
    )
    stored = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(stored))
