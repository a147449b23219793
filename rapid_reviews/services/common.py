"""Checks and the one status-move helper shared by the rapid review services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from safeguarding import permissions
from safeguarding.models import User
from safeguarding.workflow import (  # noqa: F401 - the stage's services import them from here
    ConcurrentEditError,
    TransitionError,
    check_version,
    move_refused,
    past_date,
    raise_if,
    record_move,
    require_case_role,
)

from ..models import (
    REQUEST_TRANSITIONS,
    TRANSITIONS,
    InformationRequest,
    RapidReview,
    RequestStatus,
    Status,
    StatusChange,
)


def require_contributor(actor: User, request: InformationRequest) -> None:
    partnership_id = request.rapid_review.incident.partnership_id
    if request.agency_id not in permissions.agency_ids(actor, partnership=partnership_id):
        raise PermissionDenied("Only the agency the request is addressed to can answer it.")


def locked_review(review: RapidReview) -> RapidReview:
    """The review's row locked (only it: not its incident nor its partnership, which other
    writes lock in their own order)."""
    return (
        RapidReview.objects.select_for_update(of=("self",))
        .select_related("incident__partnership")
        .get(pk=review.pk)
    )


def locked_request(request: InformationRequest) -> InformationRequest:
    """The request, locked after its review: every write takes the review's lock first,
    so a contributor's submit and the officer's sending the review to the Panel (which
    closes the requests still awaited) wait for each other rather than deadlock."""
    locked_review(RapidReview(pk=request.rapid_review_id))
    return (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "rapid_review__incident__partnership")
        .get(pk=request.pk)
    )


def ensure_review_move(review: RapidReview, to: str) -> None:
    if to not in TRANSITIONS[review.status]:
        raise move_refused("a rapid review", Status(review.status), Status(to))


def ensure_request_move(request: InformationRequest, to: str) -> None:
    if to not in REQUEST_TRANSITIONS[request.status]:
        raise move_refused(
            "an information request", RequestStatus(request.status), RequestStatus(to)
        )


def move_review(review: RapidReview, to: str, actor: User, note: str = "") -> StatusChange:
    ensure_review_move(review, to)
    return record_move(
        review,
        to,
        actor,
        note,
        rows=StatusChange,
        row_links={"rapid_review": review},
        partnership=review.incident.partnership,
    )


def move_request(request: InformationRequest, to: str, actor: User, note: str = "") -> StatusChange:
    ensure_request_move(request, to)
    # The caller saves the request with its status and version.
    return record_move(
        request,
        to,
        actor,
        note,
        rows=StatusChange,
        row_links={"rapid_review": request.rapid_review, "information_request": request},
        partnership=request.rapid_review.incident.partnership,
        object_repr=f"{request.rapid_review.incident.reference} {request.agency.name}",
    )


def locked_review_for_change(
    rapid_review: RapidReview, actor: User, expected_version: int | None
) -> RapidReview:
    """The start of every change to a rapid review: the actor's role, the row lock, and
    the version the form was opened at (a colleague's save in between is refused)."""
    require_case_role(actor, rapid_review.incident.partnership)
    review = locked_review(rapid_review)
    check_version(review, expected_version, "rapid review")
    return review


def information_request_check_version(
    *, information_request: InformationRequest, expected_version: int | None
) -> None:
    """Lock the request and refuse a form opened before its last change (call inside the
    transaction that then saves)."""
    check_version(locked_request(information_request), expected_version, "request")


def rapid_review_check_version(*, rapid_review: RapidReview, expected_version: int | None) -> None:
    """Refuse a form opened before someone else saved the review (call inside a transaction:
    the row stays locked until the write that follows commits)."""
    check_version(locked_review(rapid_review), expected_version, "rapid review")
