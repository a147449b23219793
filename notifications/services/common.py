"""Shared checks of the incident services: roles, dates, versions, domain errors."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied

from safeguarding import permissions
from safeguarding.models import Partnership, Role, User

from ..models import Incident

NOTIFY_WITHIN_WORKING_DAYS = 5
MANAGERS = {Role.PARTNERSHIP_MANAGER}
CASE_ROLES = {Role.PARTNERSHIP_MANAGER, Role.REVIEW_OFFICER}


class TransitionError(Exception):
    """An illegal status move: the message says why, in words a user understands."""


class ConcurrentEditError(Exception):
    """Someone else saved the record since this form was opened."""


# --- checks ---------------------------------------------------------------------------


def require_role(actor: User, partnership: Partnership, roles=CASE_ROLES) -> None:
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


def check_version(incident: Incident, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != incident.version:
        raise ConcurrentEditError(
            "Someone else changed this incident while you were editing it. "
            "Your changes have not been saved: check the latest version and try again."
        )


def locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)
