"""Writes for agency information requests and the agencies' returns.

Officers create and send requests and send returns back; an agency contributor saves and
submits their agency's return. E-mails to agencies are queued after the commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding.audit import Action, audit_record, diff, snapshot
from safeguarding.deadlines import (
    Kind,
    Rule,
    deadline_close,
    deadline_move,
    deadline_reopen,
    deadline_start,
    get_deadline,
)
from safeguarding.models import Agency, User
from safeguarding.tasks import queue_after_commit

from ..models import (
    AWAITING_RETURN,
    AgencyReturn,
    ChronologyEntry,
    Criterion,
    InformationRequest,
    Milestone,
    RapidReview,
    RequestStatus,
    Status,
    StatusChange,
)
from .common import (
    TransitionError,
    check_version,
    ensure_request_move,
    locked_request,
    locked_review,
    move_request,
    raise_if,
    require_case_role,
    require_contributor,
)

REQUESTS_OPEN_WHILE = (Status.OPEN, Status.MEETING_HELD)


def _queue_email(change: StatusChange) -> None:
    """E-mail the change once it is committed (a thin task): a request sent or sent back
    to the agency's contributors, a return submitted to the officer who asked for it."""
    from .. import tasks

    queue_after_commit(tasks.send_request_email, change.pk)


def request_due_errors(
    review: RapidReview, due_date: dt.date | None, current: dt.date | None = None
) -> dict[str, str]:
    """A return is due today or later, and no later than the rapid review itself (unless
    that date has passed: a late review still needs its returns). A due date kept as it
    was (`current`) is not checked again: it may have passed, or the review's own date
    moved earlier, since. (For the services and their forms.)"""
    if due_date is None:
        return {"due_date": "Enter the date the return is due"}
    if due_date == current:
        return {}  # kept as it was (an overdue request's contact can still change)
    today = timezone.localdate()
    if due_date < today:
        return {"due_date": "The date the return is due must be today or in the future"}
    if today <= review.due_date < due_date:
        return {
            "due_date": "The date the return is due must be on or before "
            f"{review.due_date:%-d %B %Y}, when the rapid review is due"
        }
    return {}


def request_change_errors(
    request: InformationRequest, *, due_date: dt.date | None, reason: str | None
) -> dict[str, str]:
    """A request's new due date, and why it changed once the request is sent (for the
    service and its form)."""
    errors = request_due_errors(request.rapid_review, due_date, current=request.due_date)
    if (
        request.status != RequestStatus.NOT_SENT
        and due_date is not None
        and due_date != request.due_date
        and not (reason or "").strip()
    ):
        errors["reason"] = "Enter why the due date has changed"
    return errors


def send_back_errors(
    request: InformationRequest, *, note: str | None, due_date: dt.date | None
) -> dict[str, str]:
    """What a return sent back for more needs: a note and a new due date (for the service
    and its form)."""
    errors = request_due_errors(request.rapid_review, due_date)
    if not (note or "").strip():
        errors["note"] = "Enter what more the agency needs to tell you"
    return errors


def _repr(request: InformationRequest) -> str:
    return f"{request.rapid_review.incident.reference} {request.agency.name}"


def return_clock_key(request: InformationRequest) -> str:
    """The key of the request's current return clock. The first ask's is ""; each time
    the return is sent back for more, the new ask has a clock of its own ("more-1", …),
    so that the first return keeps its timeliness (on time or late) in the figures."""
    asked_again = request.status_changes.filter(to_status=RequestStatus.MORE_INFORMATION).count()
    return f"more-{asked_again}" if asked_again else ""


def return_clock_keys(request: InformationRequest) -> list[str]:
    """The keys of every return clock the request has had, first ask first."""
    current = return_clock_key(request)
    return [""] + [f"more-{n}" for n in range(1, int(current[5:] or 0) + 1)]


def _start_return_clock(request: InformationRequest, actor: User) -> None:
    review = request.rapid_review
    key = return_clock_key(request)
    what = "Agency return" if not key else "More information"
    deadline_start(
        subject=request,
        partnership=review.incident.partnership,
        kind=Kind.AGENCY_RETURN,
        key=key,
        title=f"{what} from {request.agency.name}: {review.incident.reference}",
        reference=review.incident.reference,
        url=request.get_absolute_url(),
        trigger_date=timezone.localdate() if key else request.sent_on or timezone.localdate(),
        rule=Rule.FIXED,
        due_date=request.due_date,
        owner=actor,
    )


@transaction.atomic
def information_requests_create(
    *,
    rapid_review: RapidReview,
    actor: User,
    agencies: list[Agency],
    due_date: dt.date | None,
    send: bool = False,
) -> list[InformationRequest]:
    """Ask the chosen agencies for their information (and send the requests, if asked)."""
    require_case_role(actor, rapid_review.incident.partnership)
    review = locked_review(rapid_review)
    if review.status not in REQUESTS_OPEN_WHILE:
        raise TransitionError("Agencies can be asked for information only before the decision.")
    errors = request_due_errors(review, due_date)
    serving = set(review.incident.partnership.agencies.values_list("pk", flat=True))
    asked = set(review.requests.values_list("agency_id", flat=True))
    if not agencies:
        errors["agencies"] = "Select at least one agency"
    elif any(a.pk not in serving for a in agencies):
        errors["agencies"] = "Select only agencies that work with this partnership"
    elif any(a.pk in asked for a in agencies):
        names = ", ".join(a.name for a in agencies if a.pk in asked)
        errors["agencies"] = f"{names} already has a request for this review"
    raise_if(errors)
    created = []
    for agency in agencies:
        request = InformationRequest.objects.create(
            rapid_review=review,
            agency=agency,
            contact=agency.contact_email,
            due_date=due_date,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=request,
            partnership=review.incident.partnership,
            object_repr=_repr(request),
            changes={"agency": agency.name, "due_date": due_date},
        )
        if send:
            request = information_request_send(information_request=request, actor=actor)
        created.append(request)
    return created


@transaction.atomic
def information_request_update(
    *,
    information_request: InformationRequest,
    actor: User,
    contact: str,
    due_date: dt.date | None,
    reason: str = "",
) -> InformationRequest:
    """Change the contact or the due date of a request still waiting for its return."""
    require_case_role(actor, information_request.rapid_review.incident.partnership)
    request = locked_request(information_request)
    if request.status == RequestStatus.RETURNED:
        raise TransitionError(
            "This agency has returned its information: send it back to ask for more."
        )
    if request.status == RequestStatus.NOT_NEEDED:
        raise TransitionError(
            "This request closed when the rapid review went to the National Panel."
        )
    raise_if(request_change_errors(request, due_date=due_date, reason=reason))
    before = snapshot(request, ["contact", "due_date"])
    was_due = request.due_date
    request.contact, request.due_date = contact.strip(), due_date
    changed = diff(before, snapshot(request, ["contact", "due_date"]))
    if changed:
        request.version += 1
        # The agency works to the date it was given: it is told of the new one.
        tell_agency = "due_date" in changed and request.is_awaiting_return
        untold = _note_due_date_moved(request, was_due=was_due) if tell_agency else []
        request.save(update_fields=[*changed, "version", *untold])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=request,
            partnership=request.rapid_review.incident.partnership,
            object_repr=_repr(request),
            changes=changed,
        )
        deadline = get_deadline(request, Kind.AGENCY_RETURN, return_clock_key(request))
        if deadline is not None and "due_date" in changed:
            deadline_move(deadline=deadline, actor=actor, reason=reason, due_date=due_date)
        if tell_agency and request.due_date_moved_at is not None:
            _queue_due_date_moved(request)
    return request


def _note_due_date_moved(request: InformationRequest, *, was_due: dt.date) -> list[str]:
    """Keep on the request what its agency is still to be told: the due date it knows (the
    one before the first move not yet e-mailed) and when the date moved. A date moved back
    to the one the agency knows leaves nothing to tell. The fields changed."""
    if request.due_date_was is None:
        request.due_date_was = was_due
    if request.due_date == request.due_date_was:
        request.due_date_was = request.due_date_moved_at = None
    else:
        request.due_date_moved_at = timezone.now()
    return ["due_date_was", "due_date_moved_at"]


def _queue_due_date_moved(request: InformationRequest) -> None:
    """E-mail the agency its return's new due date once this commits. If the broker is
    down then, beat's re-queue of request e-mails sends it later (rapid_reviews/mail.py)."""
    from .. import tasks

    queue_after_commit(tasks.send_due_date_moved, request.pk)


@transaction.atomic
def information_request_send(
    *, information_request: InformationRequest, actor: User
) -> InformationRequest:
    """Send a request: e-mail the agency's contributors and start the return's clock."""
    review = information_request.rapid_review
    require_case_role(actor, review.incident.partnership)
    request = locked_request(information_request)
    ensure_request_move(request, RequestStatus.SENT)
    if request.rapid_review.status not in REQUESTS_OPEN_WHILE:
        raise TransitionError("Requests can be sent only before the decision.")
    change = move_request(request, RequestStatus.SENT, actor)
    request.sent_on = timezone.localdate()
    request.save(update_fields=["status", "sent_on", "version"])
    _start_return_clock(request, actor)
    review = request.rapid_review
    # A return is awaited again: the returns step runs again if every return was in (as
    # when one is sent back for more).
    deadline_reopen(subject=review, kind=Kind.RAPID_REVIEW_MILESTONE, key=Milestone.RETURNS)
    if not review.requests.filter(status=RequestStatus.NOT_SENT).exists():
        deadline_close(
            subject=review,
            kind=Kind.RAPID_REVIEW_MILESTONE,
            key=Milestone.REQUESTS,
            on=request.sent_on,
        )
    _queue_email(change)
    return request


# --- the agency's return ------------------------------------------------------------------

RETURN_FIELDS = AgencyReturn.ANSWER_FIELDS
ROW_FIELDS = ("date", "contact_type", "what_happened", "practitioner_role")


def _validate_rows(rows: list[dict[str, Any]]) -> dict[str, str]:
    today = timezone.localdate()
    for number, row in enumerate(rows, start=1):
        if row.get("date") is None:
            return {"chronology": f"Enter the date of contact {number} in the chronology"}
        if row["date"] > today:
            return {"chronology": f"The date of contact {number} must be today or in the past"}
        if not (row.get("what_happened") or "").strip():
            return {"chronology": f"Enter what happened at contact {number}"}
    return {}


#: What must be filled in before a return can be submitted (GOV.UK wording), by the
#: question of the return form it is about (the check page links each to its question).
SUBMIT_PROBLEMS = {
    "involved": "Select whether your agency was involved with the child or family",
    "involvement_summary": "Enter a summary of your agency’s involvement",
    "chronology": "Add at least one contact to the chronology",
}


def missing_for_submit(agency_return: AgencyReturn | None) -> list[str]:
    """What must be filled in before a return can be submitted (GOV.UK wording)."""
    if agency_return is None or agency_return.involved is None:
        return [SUBMIT_PROBLEMS["involved"]]
    missing = []
    if agency_return.involved:
        if not agency_return.involvement_summary.strip():
            missing.append(SUBMIT_PROBLEMS["involvement_summary"])
        if not agency_return.chronology.exists():
            missing.append(SUBMIT_PROBLEMS["chronology"])
    return missing


#: What an agency is told when it tries to write to a request closed this way.
NOT_NEEDED_MESSAGE = (
    "This request is closed: the rapid review went to the National Panel before your "
    "agency’s return was submitted, so it is no longer needed. If your agency holds "
    "information the partnership should know, contact the partnership’s business unit."
)


def information_requests_no_longer_needed(
    *, rapid_review: RapidReview, actor: User
) -> list[InformationRequest]:
    """Close the requests still awaited when the rapid review goes to the National Panel:
    each becomes "no longer needed" (a status change, audited), and its agency is told by
    e-mail that it can stop. The caller holds the review's lock and stops their clocks.
    Returns already submitted stay as they are."""
    closed = list(
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "rapid_review__incident__partnership")
        .filter(rapid_review=rapid_review, status__in=AWAITING_RETURN)
        .order_by("pk")
    )
    for request in closed:
        change = move_request(
            request,
            RequestStatus.NOT_NEEDED,
            actor,
            "The rapid review was sent to the National Panel before the return was submitted.",
        )
        request.save(update_fields=["status", "version"])
        _queue_email(change)
    return closed


@transaction.atomic
def agency_return_save_draft(
    *,
    information_request: InformationRequest,
    actor: User,
    values: dict[str, Any],
    rows: list[dict[str, Any]],
    expected_version: int | None = None,
) -> AgencyReturn:
    """Save the agency's return as a draft: its answers and the whole chronology."""
    require_contributor(actor, information_request)
    request = locked_request(information_request)
    if request.status == RequestStatus.NOT_NEEDED:
        raise TransitionError(NOT_NEEDED_MESSAGE)
    if request.status not in AWAITING_RETURN:
        raise TransitionError(
            "This return is submitted: it can change only if the review officer sends it back."
        )
    unknown = set(values) - set(RETURN_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    errors = _validate_rows(rows)
    if any(c not in Criterion.values for c in values.get("criteria_view", [])):
        errors["criteria_view"] = "Select only the criteria listed"
    raise_if(errors)
    agency_return, created = AgencyReturn.objects.select_for_update().get_or_create(
        information_request=request
    )
    if not created:
        check_version(agency_return, expected_version, "return")
    before = snapshot(agency_return, list(values))
    for name, value in values.items():
        setattr(agency_return, name, value.strip() if isinstance(value, str) else value)
    changed = diff(before, snapshot(agency_return, list(values)))
    agency_return.chronology.all().delete()
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            agency_return=agency_return,
            position=i,
            **{f: (row.get(f) or "") if f != "date" else row["date"] for f in ROW_FIELDS},
        )
        for i, row in enumerate(rows)
    )
    agency_return.version += 1
    agency_return.save()
    # The trail names what changed, never the content (it may name the child).
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=agency_return,
        partnership=request.rapid_review.incident.partnership,
        object_repr=f"{_repr(request)} return",
        changes={"fields": sorted(changed), "chronology_rows": len(rows)},
    )
    return agency_return


@transaction.atomic
def agency_return_submit(
    *,
    information_request: InformationRequest,
    actor: User,
    expected_version: int | None = None,
) -> InformationRequest:
    """Submit the return to the review officer; late returns are kept as late. With
    `expected_version` (the version of the return the contributor checked), a return
    saved again since (by a colleague, or in another tab) is not submitted unseen."""
    require_contributor(actor, information_request)
    request = locked_request(information_request)
    if request.status == RequestStatus.NOT_NEEDED:
        raise TransitionError(NOT_NEEDED_MESSAGE)
    ensure_request_move(request, RequestStatus.RETURNED)
    agency_return = AgencyReturn.objects.filter(information_request=request).first()
    if agency_return is not None:
        check_version(agency_return, expected_version, "return")
    missing = missing_for_submit(agency_return)
    if missing:
        raise ValidationError(missing)
    change = move_request(request, RequestStatus.RETURNED, actor)
    request.returned_on = timezone.localdate()
    request.save(update_fields=["status", "returned_on", "version"])
    agency_return.submitted_at = timezone.now()
    agency_return.submitted_by = actor
    agency_return.take_submitted_copy()  # what the partnership sees until the next submit
    # Submitting changes the return too: a form or check page opened before it is stale,
    # so that one left open cannot submit the same return again once it is sent back for
    # more (unseen by whoever read what the officer asked for).
    agency_return.version += 1
    agency_return.save(
        update_fields=["submitted_at", "submitted_by", "submitted_copy", "version", "updated_at"]
    )
    deadline_close(
        subject=request,
        kind=Kind.AGENCY_RETURN,
        key=return_clock_key(request),
        on=request.returned_on,
    )
    review = request.rapid_review
    if not review.requests.exclude(status=RequestStatus.RETURNED).exists():
        deadline_close(
            subject=review,
            kind=Kind.RAPID_REVIEW_MILESTONE,
            key=Milestone.RETURNS,
            on=request.returned_on,
        )
    _queue_email(change)  # the officer who asked is told the return is in
    return request


@transaction.atomic
def agency_return_send_back(
    *,
    information_request: InformationRequest,
    actor: User,
    note: str,
    due_date: dt.date | None,
) -> InformationRequest:
    """Ask the agency for more: the return reopens with a note and a new due date."""
    review = information_request.rapid_review
    require_case_role(actor, review.incident.partnership)
    request = locked_request(information_request)
    ensure_request_move(request, RequestStatus.MORE_INFORMATION)
    if request.rapid_review.status not in REQUESTS_OPEN_WHILE:
        raise TransitionError("Returns can be sent back only before the decision.")
    raise_if(send_back_errors(request, note=note, due_date=due_date))
    change = move_request(request, RequestStatus.MORE_INFORMATION, actor, note.strip())
    request.more_information_note = note.strip()
    request.due_date = due_date
    # The e-mail asking for more gives the new date: a move of the date asked for before
    # that the agency was not told of is no longer news.
    request.due_date_was = request.due_date_moved_at = None
    request.save(
        update_fields=[
            "status",
            "more_information_note",
            "due_date",
            "version",
            "due_date_was",
            "due_date_moved_at",
        ]
    )
    _start_return_clock(request, actor)
    deadline_reopen(
        subject=request.rapid_review, kind=Kind.RAPID_REVIEW_MILESTONE, key=Milestone.RETURNS
    )
    _queue_email(change)
    return request
