"""What every stage's services share: the domain errors, role checks, optimistic locking,
the recording of a status move and GOV.UK-style date checks. Each stage keeps its own
transitions map (and the checks of a move against it) and its own status-change rows.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from . import permissions
from .audit import Action, audit_record
from .models import Partnership, Role, User
from .stamps import history_now

CASE_ROLES = (Role.PARTNERSHIP_MANAGER, Role.REVIEW_OFFICER)


class TransitionError(Exception):
    """An illegal status move: the message says why, in words a user understands."""


class ConcurrentEditError(Exception):
    """The record was saved again since this form was opened; `current_version` is the
    version saved now (None where unknown)."""

    def __init__(self, message: str, *, current_version: int | None = None):
        super().__init__(message)
        self.current_version = current_version


def move_refused(what: str, current, to) -> TransitionError:
    """The error for a status move the map does not allow. `what` is the record with its
    article ("an incident"); `current` and `to` are the statuses (TextChoices members).
    Asked to become what it already is (a second click, the back button, another tab), it
    says the step is done rather than name a move from a status to itself."""
    the = "the " + what.split(" ", 1)[1]
    if current == to:
        return TransitionError(
            f"This has already been done: {the} is ‘{current.label}’. Go back to {the} to see it."
        )
    return TransitionError(f"{_upper(what)} that is ‘{current.label}’ cannot become ‘{to.label}’.")


def record_move(
    record: models.Model,
    to: str,
    actor: User,
    note: str = "",
    *,
    rows: type[models.Model],
    row_links: dict[str, models.Model],
    partnership: Partnership | None = None,
    object_repr: str = "",
    changes: dict | None = None,
) -> models.Model:
    """Record a status move the stage has already checked against its map: `record`'s
    status becomes `to` and its version moves on (the caller saves both), one row of the
    stage's status-change model `rows` (with the foreign keys in `row_links`) and the
    audit event say so, in the caller's transaction. `changes` adds to the audit event's
    status change; `partnership` and `object_repr` are as `audit_record` takes them.
    Returns the status-change row."""
    old = record.status
    record.status = to
    record.version += 1
    change = rows.objects.create(
        **row_links,
        from_status=old,
        to_status=to,
        actor=actor,
        note=note,
        changed_at=history_now(),
    )
    audit_record(
        actor=actor,
        action=Action.STATUS_CHANGE,
        obj=record,
        partnership=partnership,
        object_repr=object_repr,
        changes={"status": {"old": old, "new": to}, **(changes or {})},
    )
    return change


def require_case_role(actor: User, partnership: Partnership, roles=CASE_ROLES) -> None:
    if not permissions.has_role(actor, *roles, partnership=partnership):
        raise PermissionDenied("Your role does not allow this.")


def require_manager(actor: User, partnership: Partnership) -> None:
    if not permissions.has_role(actor, Role.PARTNERSHIP_MANAGER, partnership=partnership):
        raise PermissionDenied("Only a partnership manager can do this.")


def check_version(obj, expected_version: int | None, what: str) -> None:
    """Refuse a form opened before `obj` was saved again (its `version` moved on). The
    other save may be a colleague's or the same person's in another tab, so the message
    names neither."""
    if expected_version is not None and expected_version != obj.version:
        raise ConcurrentEditError(
            f"This {what} was changed after you opened this page, by someone else or in "
            "another tab or window. Your changes have not been saved: check the latest "
            "version and try again.",
            current_version=obj.version,
        )


def _upper(what: str) -> str:
    return f"{what[0].upper()}{what[1:]}"


def past_date(
    value: dt.date | None,
    field: str,
    what: str,
    *,
    not_before: dt.date | None = None,
    not_before_what: str = "",
) -> dict[str, str]:
    """GOV.UK-style checks for a date that must already have happened."""
    if value is None:
        return {field: f"Enter {what}"}
    if value > timezone.localdate():
        return {field: f"{_upper(what)} must be today or in the past"}
    if not_before and value < not_before:
        return {
            field: f"{_upper(what)} must be the same as or after "
            f"{not_before_what} ({not_before:%-d %B %Y})"
        }
    return {}


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)
