"""Shared checks of the incident services: roles, dates, versions, domain errors."""

from __future__ import annotations

import datetime as dt

from safeguarding import workflow
from safeguarding.form_fields import CASE_DATE, INCIDENT_DATE, years_before_awareness
from safeguarding.models import Role
from safeguarding.workflow import ConcurrentEditError, TransitionError, move_refused  # noqa: F401
from safeguarding.workflow import require_case_role as require_role  # noqa: F401

from ..models import UNDECIDED, Incident, Status

NOTIFY_WITHIN_WORKING_DAYS = 5
MANAGERS = {Role.PARTNERSHIP_MANAGER}
CASE_ROLES = {Role.PARTNERSHIP_MANAGER, Role.REVIEW_OFFICER}


# --- checks ---------------------------------------------------------------------------


def validate_incident_dates(
    *,
    incident_date: dt.date | None,
    awareness_date: dt.date | None,
    today: dt.date,
    stored: Incident | None = None,
) -> dict[str, str]:
    """GOV.UK-style messages keyed by field, for forms and services alike. The earliest
    dates are the form fields' own (`safeguarding.form_fields`), checked here again for
    a way in that is not a form. Of an incident `stored` already, a date kept as it was
    is not refused for being too early, nor the two for being more than 18 years apart
    if both are kept (a record imported with such dates can still be saved)."""
    was = (stored.incident_date, stored.awareness_date) if stored is not None else (None, None)
    errors = {}
    if incident_date and incident_date > today:
        errors["incident_date"] = "The date of the incident must be today or in the past"
    elif too_early := INCIDENT_DATE.error("the date of the incident", incident_date, was=was[0]):
        errors["incident_date"] = too_early
    if awareness_date is None:
        errors["awareness_date"] = "Enter the date the local authority became aware"
    elif awareness_date > today:
        errors["awareness_date"] = (
            "The date the local authority became aware must be today or in the past"
        )
    elif too_early := CASE_DATE.error(
        "the date the local authority became aware", awareness_date, was=was[1]
    ):
        errors["awareness_date"] = too_early
    elif incident_date and awareness_date < incident_date:
        errors["awareness_date"] = (
            "The date the local authority became aware must be the same as or after the "
            f"date of the incident ({incident_date:%-d %B %Y})"
        )
    elif "incident_date" not in errors and (
        too_long := years_before_awareness(incident_date, awareness_date, was=was)
    ):
        errors["incident_date"] = too_long
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


def late_reason_errors(*, due: dt.date, notified_on: dt.date, late_reason: str, counted="") -> dict:
    """A notification sent after `due` needs its reason (`counted` says from what the due
    date is counted, where that needs saying)."""
    if notified_on > due and not (late_reason or "").strip():
        return {
            "late_reason": f"Enter why the notification was sent after the due date "
            f"({due:%-d %B %Y}){counted}"
        }
    return {}


def incident_date_errors(
    *, incident: Incident, incident_date: dt.date | None, today: dt.date, against_awareness=True
):
    """An incident date being saved, against today, the awareness date recorded (unless
    the form saving it checks it against the awareness date it saves with it) and the
    children's dates of birth."""
    if not incident_date:
        return {}
    if incident_date > today:
        return {"incident_date": "The date of the incident must be today or in the past"}
    if too_early := INCIDENT_DATE.error(
        "the date of the incident", incident_date, was=incident.incident_date
    ):
        return {"incident_date": too_early}
    if against_awareness and incident_date > incident.awareness_date:
        return {
            "incident_date": "The date of the incident must be the same as or before the date "
            f"the local authority became aware ({incident.awareness_date:%-d %B %Y})"
        }
    if against_awareness and (
        too_long := years_before_awareness(
            incident_date,
            incident.awareness_date,
            was=(incident.incident_date, incident.awareness_date),
        )
    ):
        return {"incident_date": too_long}
    born = (
        incident.children.filter(unborn=False, date_of_birth__gt=incident_date)
        .order_by("-date_of_birth")
        .first()
    )
    if born is not None:
        return {
            "incident_date": "The date of the incident must be the same as or after "
            f"{born.pseudonym}’s date of birth ({born.date_of_birth:%-d %B %Y})"
        }
    return {}


def decision_date_errors(*, incident: Incident, decided_on: dt.date, today: dt.date) -> dict:
    """The date of a decision not to notify: not later than today, not before awareness."""
    if decided_on > today:
        return {"decided_on": "The date of the decision must be today or in the past"}
    if decided_on < incident.awareness_date:
        return {
            "decided_on": "The date of the decision must be the same as or after the date "
            f"the local authority became aware ({incident.awareness_date:%-d %B %Y})"
        }
    return {}


def corrected_awareness_errors(
    *, incident: Incident, awareness_date: dt.date | None, today: dt.date
) -> dict:
    """An awareness date corrected after the notification: as any awareness date, and
    not after the notification was sent nor (with no incident date, ages being counted on
    it) before a child's birth."""
    errors = validate_incident_dates(
        incident_date=incident.incident_date,
        awareness_date=awareness_date,
        today=today,
        stored=incident,
    )
    if errors.get("awareness_date"):
        return errors
    if incident.notified_on and awareness_date > incident.notified_on:
        errors["awareness_date"] = (
            "The date the local authority became aware must be the same as or before the "
            f"date the notification was sent ({incident.notified_on:%-d %B %Y})"
        )
    elif incident.incident_date is None:
        born = (
            incident.children.filter(unborn=False, date_of_birth__gt=awareness_date)
            .order_by("-date_of_birth")
            .first()
        )
        if born is not None:
            errors["awareness_date"] = (
                "The date the local authority became aware must be the same as or after "
                f"{born.pseudonym}’s date of birth ({born.date_of_birth:%-d %B %Y})"
            )
    return errors


def notification_due_from(incident: Incident, awareness_date: dt.date) -> dt.date:
    """When the notification would be due, counted from another awareness date."""
    from safeguarding.deadlines import Kind, compute_due, get_deadline

    deadline = get_deadline(incident, Kind.NOTIFICATION)
    return compute_due(
        trigger_date=awareness_date,
        rule=deadline.rule,
        amount=deadline.amount,
        partnership=incident.partnership,
    )


def require_undecided(incident: Incident, message: str) -> None:
    """Refuse a change to an incident whose decision is recorded (or entered in error)."""
    if incident.status not in UNDECIDED:
        if incident.status == Status.ENTERED_IN_ERROR:
            message = "This incident was entered in error: it can no longer be changed."
        raise TransitionError(message)


def check_version(incident: Incident, expected_version: int | None) -> None:
    workflow.check_version(incident, expected_version, "incident")


def locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)
