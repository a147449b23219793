"""Checks and the one status-move helper shared by the local review services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dateutil.relativedelta import relativedelta

from safeguarding.models import User
from safeguarding.tasks import queue_after_commit
from safeguarding.workflow import (  # noqa: F401 - the stage's services import them from here
    ConcurrentEditError,
    TransitionError,
    check_version,
    move_refused,
    past_date,
    raise_if,
    record_move,
    require_case_role,
    require_manager,
)

from .. import tasks
from ..mail import reviewer_notice_kind
from ..models import TRANSITIONS, Review, Status, StatusChange


def latest_of(*pairs: tuple[dt.date | None, str]) -> tuple[dt.date | None, str]:
    """The latest of (date, what it is) pairs, for a date that must not come before any
    of them (`past_date`'s not_before); dates not yet set are left out."""
    return max(pairs, key=lambda pair: pair[0] or dt.date.min)


#: A step dated after a hold must come after it: the hold paused its clocks.
def since_hold(review: Review) -> tuple[dt.date | None, str]:
    return review.resumed_on, "the day the review last came off hold"


def locked(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("rapid_review__incident__partnership")
        .get(pk=review.pk)
    )


CLOSED_MESSAGE = "This review was closed without publication: it can no longer change."


def require_not_closed(review: Review) -> None:
    """A review closed without publication is final: nothing about it changes."""
    if review.status == Status.CLOSED:
        raise TransitionError(CLOSED_MESSAGE)


def locked_for_change(
    review: Review,
    actor: User,
    expected_version: int | None,
    *,
    refuse: Callable[[Review], str] | None = None,
) -> Review:
    """The start of every change to a review: the actor's role, the row lock, the version
    the form was opened at (a colleague's save in between is refused), and never a
    closed review. `refuse(review)`, checked before the version, says why the step cannot
    be taken at all now ("" if it can): a colleague's change that made the step moot is
    said as such, not as a change to save over."""
    require_case_role(actor, review.partnership)
    review = locked(review)
    refused = refuse(review) if refuse is not None else ""
    if refused:
        raise TransitionError(refused)
    check_version(review, expected_version, "review")
    require_not_closed(review)
    return review


def ensure_move(
    review: Review, to: str, *, resuming: bool = False, reopening: bool = False
) -> None:
    """Check a move against the map. A review on hold leaves it only by resuming (or
    closing), a closed one only by a manager reopening it."""
    if review.status == Status.CLOSED and not reopening:
        raise TransitionError(CLOSED_MESSAGE)
    if review.status == Status.ON_HOLD and not resuming:
        raise TransitionError("The review is on hold: resume it first.")
    if to not in TRANSITIONS[review.status]:
        raise move_refused("a local review", Status(review.status), Status(to))


def move(
    review: Review,
    to: str,
    actor: User,
    note: str = "",
    *,
    resuming: bool = False,
    reopening: bool = False,
) -> StatusChange:
    """Check the move against the map, change the status and record it (caller saves)."""
    ensure_move(review, to, resuming=resuming, reopening=reopening)
    change = record_move(
        review,
        to,
        actor,
        note,
        rows=StatusChange,
        row_links={"review": review},
        partnership=review.partnership,
    )
    if reviewer_notice_kind(change) is not None and review.reviewers.exists():
        # Once committed; a broker that is down leaves it to beat's requeue.
        queue_after_commit(tasks.send_reviewer_notice, change.pk)
    return change


#: The latest a plan is taken as meant: a date typed later than this many years after the
#: decision (plus the days on hold) is a slip of the year, not a plan (the walk saved
#: 1 January 2030 for a review decided in 2026). Later than the statutory date but within
#: it is saved, with a warning on the page (ADR 0015 addendum, planned dates).
PLAN_YEARS_AT_MOST = 2


def latest_plan(review: Review) -> dt.date:
    """The latest date a milestone or the publication may be planned for."""
    return (
        review.decision_date
        + relativedelta(years=PLAN_YEARS_AT_MOST)
        + dt.timedelta(days=review.days_on_hold or 0)
    )


def planned_too_late(review: Review, planned: dt.date, what: str) -> str | None:
    """The error for a planned date later than `latest_plan`, or None."""
    latest = latest_plan(review)
    if planned <= latest:
        return None
    held = " and the time on hold" if review.days_on_hold else ""
    return (
        f"{what} must be no later than {latest:%-d %B %Y}, {PLAN_YEARS_AT_MOST} years after "
        f"the decision to hold the review{held}: check the year"
    )
