"""Checks and the one status-move helper shared by the local review services."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safeguarding import permissions
from safeguarding.audit import Action, audit_record
from safeguarding.models import Partnership, Role, User

from ..models import TRANSITIONS, Review, Status, StatusChange

CASE_ROLES = (Role.PARTNERSHIP_MANAGER, Role.REVIEW_OFFICER)


class TransitionError(Exception):
    """An illegal status move: the message says why, in words a user understands."""


class ConcurrentEditError(Exception):
    """Someone else saved the record since this form was opened."""


def require_case_role(actor: User, partnership: Partnership) -> None:
    if not permissions.has_role(actor, *CASE_ROLES, partnership=partnership):
        raise PermissionDenied("Your role does not allow this.")


def require_manager(actor: User, partnership: Partnership) -> None:
    if not permissions.has_role(actor, Role.PARTNERSHIP_MANAGER, partnership=partnership):
        raise PermissionDenied("Only a partnership manager can do this.")


def check_version(obj, expected_version: int | None, what: str) -> None:
    if expected_version is not None and expected_version != obj.version:
        raise ConcurrentEditError(
            f"Someone else changed this {what} while you were editing it. Your changes have "
            "not been saved: check the latest version and try again."
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


def locked(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("rapid_review__incident__partnership")
        .get(pk=review.pk)
    )


def ensure_move(review: Review, to: str, *, resuming: bool = False) -> None:
    """Check a move against the map. A review on hold leaves it only by resuming."""
    if review.status == Status.ON_HOLD and not resuming:
        raise TransitionError("The review is on hold: resume it first.")
    if to not in TRANSITIONS[review.status]:
        raise TransitionError(
            f"A local review that is ‘{review.get_status_display()}’ cannot become "
            f"‘{Status(to).label}’."
        )


def move(
    review: Review, to: str, actor: User, note: str = "", *, resuming: bool = False
) -> StatusChange:
    """Check the move against the map, change the status and record it (caller saves)."""
    ensure_move(review, to, resuming=resuming)
    old = review.status
    review.status = to
    review.version += 1
    change = StatusChange.objects.create(
        review=review, from_status=old, to_status=to, actor=actor, note=note
    )
    audit_record(
        actor=actor,
        action=Action.STATUS_CHANGE,
        obj=review,
        partnership=review.partnership,
        changes={"status": {"old": old, "new": to}},
    )
    return change
