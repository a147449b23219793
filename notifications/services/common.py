"""Shared checks of the incident services: roles, dates, versions, domain errors."""

from __future__ import annotations

import datetime as dt

from safeguarding import workflow
from safeguarding.models import Role
from safeguarding.workflow import ConcurrentEditError, TransitionError, move_refused  # noqa: F401
from safeguarding.workflow import require_case_role as require_role  # noqa: F401

from ..models import UNDECIDED, Incident, Status

NOTIFY_WITHIN_WORKING_DAYS = 5
MANAGERS = {Role.PARTNERSHIP_MANAGER}
CASE_ROLES = {Role.PARTNERSHIP_MANAGER, Role.REVIEW_OFFICER}


# --- checks ---------------------------------------------------------------------------


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
