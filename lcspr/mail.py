"""The e-mails of the local reviews: to an independent reviewer when they are assigned
to a review, to the reviewers when the partners ask them in writing for information or a
draft (reg 14) and when the review they work on goes on hold, resumes or is closed, and
to an agency when an action of the action plan is given to it or its due date moves.
Each names the partnership, the review's reference and a
date, and links to the page; never the child, nor the request's or the action's words
(they sign in to read them)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from safeguarding.mail import (
    REQUEUE_AFTER,
    agency_recipients,
    business_unit_to_tell,
    send_templated,
    untold,
)
from safeguarding.models import Membership, Role

from .models import (
    Action,
    ActionStatus,
    PartnerCheck,
    ReviewerAssignment,
    ReviewerNotice,
    Status,
    StatusChange,
)


def reviewers_to_tell(review, *, among=None) -> list[str]:
    """The review's reviewers who still hold the reviewer role in its partnership (only
    those of `among`, user ids, if given)."""
    reviewers = review.reviewers.all()
    if among is not None:
        reviewers = reviewers.filter(pk__in=among)
    return sorted(
        Membership.objects.active()
        .with_role(Role.INDEPENDENT_REVIEWER)
        .filter(partnership=review.partnership, user__in=reviewers)
        .values_list("user__email", flat=True)
        .distinct()
    )


#: A review in one of these has no more work for its reviewers: no written request to them.
REVIEWER_WORK_DONE = (Status.PUBLISHED, Status.CLOSED)


def written_request_still_open(check: PartnerCheck, today: dt.date | None = None) -> bool:
    """Whether the reviewers are to be asked: its reply date has not passed and the
    review's report is not published (nor the review closed). A request recorded after
    the fact, for the record, e-mails nobody."""
    today = today or timezone.localdate()
    return (check.respond_by is None or check.respond_by >= today) and (
        check.review.status not in REVIEWER_WORK_DONE
    )


@transaction.atomic
def written_request_deliver(*, check_id: int) -> str:
    """E-mail one written request to the reviewers. Safe to run twice: the check's row is
    locked and marked told, so it is sent once."""
    check = (
        PartnerCheck.objects.select_for_update(of=("self",))
        .select_related("review__rapid_review__incident__partnership")
        .filter(pk=check_id, kind=PartnerCheck.Kind.WRITTEN_REQUEST)
        .first()
    )
    if check is None:
        return "not a written request"
    if check.reviewers_told_at is not None:
        return "already sent"
    if not written_request_still_open(check):
        return "no longer open"
    review = check.review
    to = reviewers_to_tell(review)
    if not to:
        return "no reviewer"
    context = {
        "service_name": settings.SERVICE_NAME,
        "partnership": review.partnership.name,
        "reference": review.reference,
        "respond_by": check.respond_by,
        "link": settings.SITE_URL + review.get_absolute_url(),
    }
    send_templated(
        to=to,
        subject=f"{review.partnership.name} asks you in writing about local review "
        f"{review.reference}",
        template="lcspr/email/written_request",
        context=context,
    )
    check.reviewers_told_at = timezone.now()
    check.save(update_fields=["reviewers_told_at"])
    return "sent"


#: A written request not e-mailed this long after it was saved is queued again (the
#: broker may have been down, or the review had no reviewer yet): see safeguarding/mail.py.


@transaction.atomic
def written_reply_deliver(*, check_id: int) -> str:
    """E-mail the business unit that the reviewer has answered its written request: the
    person who recorded the request if they are still in the business unit, else its
    officers, else its managers. Safe to run twice: the row is locked and marked told.
    Never the reply's words (they sign in to read them)."""
    check = (
        PartnerCheck.objects.select_for_update(of=("self",))
        .select_related("review__rapid_review__incident__partnership")
        .filter(pk=check_id, replied_at__isnull=False)
        .first()
    )
    if check is None:
        return "no reply"
    if check.unit_told_at is not None:
        return "already sent"
    review = check.review
    to = business_unit_to_tell(review.partnership.pk, check.recorded_by_id)
    if not to:
        return "no one to tell"
    send_templated(
        to=to,
        subject=f"The reviewer has answered your written request about local review "
        f"{review.reference}",
        template="lcspr/email/written_reply",
        context={
            "service_name": settings.SERVICE_NAME,
            "partnership": review.partnership.name,
            "reference": review.reference,
            "asked_on": check.checked_on,
            "with_document": bool(check.reply_document),
            "link": settings.SITE_URL + review.get_absolute_url() + "#checks",
        },
    )
    check.unit_told_at = timezone.now()
    check.save(update_fields=["unit_told_at"])
    return "sent"


def untold_written_replies(*, now: dt.datetime):
    """Reviewers' replies the business unit was not told of, sent long enough ago and
    within the last week: their ids, oldest first."""
    return (
        PartnerCheck.objects.filter(
            replied_at__isnull=False,
            unit_told_at__isnull=True,
            replied_at__lt=now - REQUEUE_AFTER,
            replied_at__gte=now - TELL_REVIEWERS_WITHIN,
        )
        .order_by("replied_at", "id")
        .values_list("pk", flat=True)
    )


def untold_written_requests(*, now: dt.datetime):
    """Written requests not yet e-mailed, saved long enough ago, whose reply date has not
    passed and whose review has a reviewer: their ids, oldest first."""
    return (
        PartnerCheck.objects.filter(
            Q(respond_by__isnull=True) | Q(respond_by__gte=timezone.localdate(now)),
            kind=PartnerCheck.Kind.WRITTEN_REQUEST,
            reviewers_told_at__isnull=True,
            recorded_at__lt=now - REQUEUE_AFTER,
            review__reviewers__isnull=False,
        )
        .exclude(review__status__in=REVIEWER_WORK_DONE)
        .distinct()
        .order_by("recorded_at", "id")
        .values_list("pk", flat=True)
    )


def agency_to_tell(action: Action) -> tuple[list[str], bool]:
    """Who answers for the action's agency in the review's partnership: its active
    contributors there, or the agency's own address when it has none (then True)."""
    partnership = action.recommendation.review.partnership
    if not partnership.is_active:
        return [], False
    return agency_recipients(action.agency, partnership.pk)


def _locked_action(action_id: int) -> Action | None:
    """The action, its row locked until the sending commits, with what its e-mails name
    (its agency, its review's partnership), or None if it is gone."""
    return (
        Action.objects.select_for_update(of=("self",))
        .select_related("agency", "recommendation__review__rapid_review__incident__partnership")
        .filter(pk=action_id)
        .first()
    )


@transaction.atomic
def action_assigned_deliver(*, action_id: int) -> str:
    """E-mail the owning agency that an action is theirs: when it is added, or given to
    it by the business unit instead of another agency (ADR 0028). Safe to run twice: the
    row is locked and marked told, so it is sent once."""
    action = _locked_action(action_id)
    if action is None:
        return "no such action"
    if action.agency_told_at is not None:
        return "already sent"
    review = action.recommendation.review
    if review.status == Status.CLOSED:
        return "review closed"
    to, mailbox = agency_to_tell(action)
    if not to:
        return "no one to tell"
    from django.urls import reverse

    send_templated(
        to=to,
        subject=f"{review.partnership.name}: an action for {action.agency.name} in local "
        f"review {review.reference}",
        template="lcspr/email/action_assigned",
        context={
            "service_name": settings.SERVICE_NAME,
            "partnership": review.partnership.name,
            # Sent to the agency's own address, nobody there can sign in yet: it says so.
            "mailbox": mailbox,
            "partnership_contact": review.partnership.contact_email,
            "agency": action.agency.name,
            "reference": review.reference,
            "due": action.due_date,
            # An action plan recorded late may hold an action whose date has passed.
            "overdue": action.due_date < timezone.localdate(),
            "link": settings.SITE_URL + reverse("lcspr:agency-action", args=[action.pk]),
        },
    )
    action.agency_told_at = timezone.now()
    action.save(update_fields=["agency_told_at"])
    return "sent"


#: An action's e-mail is queued again for this long after the action was added (the
#: broker may have been down, or the agency had nobody to tell yet); then it stops.
TELL_AGENCY_WITHIN = dt.timedelta(days=14)


def untold_actions(*, now: dt.datetime):
    """Actions whose agency was not e-mailed, given to it long enough ago (their own queueing
    may be on its way) and recently enough: their ids, oldest first."""
    return (
        Action.objects.filter(
            agency_told_at__isnull=True,
            assigned_at__lt=now - REQUEUE_AFTER,
            assigned_at__gte=now - TELL_AGENCY_WITHIN,
        )
        .exclude(recommendation__review__status=Status.CLOSED)
        .order_by("assigned_at", "id")
        .values_list("pk", flat=True)
    )


def reviewer_notice_kind(change: StatusChange) -> str | None:
    """What a move tells the reviewers, or None if it is not theirs to hear of: the work
    stops (on hold), starts again (resumed), ends without publication (closed) or, closed
    in error, is reopened (reopened: whatever status it goes back to, on hold included)."""
    if change.from_status == Status.CLOSED:
        return "reopened"
    if change.to_status == Status.CLOSED:
        return "closed"
    if change.to_status == Status.ON_HOLD:
        return "on_hold"
    if change.from_status == Status.ON_HOLD:
        return "resumed"
    return None


NOTICE_SUBJECTS = {
    "on_hold": "{partnership}: local review {reference} is on hold",
    "resumed": "{partnership}: local review {reference} has resumed",
    "closed": "{partnership}: local review {reference} is closed",
    "reopened": "{partnership}: local review {reference} has been reopened",
}


@transaction.atomic
def reviewer_notice_deliver(*, status_change_id: int) -> str:
    """E-mail the review's reviewers that it went on hold, resumed, was closed or was
    reopened. Safe to run twice: the notice row is claimed first, so it is sent once. The
    date is the one recorded for the step; the hold's reason and detail, and the reason
    for closing, are not written in the e-mail (they may name people in the proceedings):
    the reviewers sign in to read them."""
    change = (
        StatusChange.objects.select_related("review__rapid_review__incident__partnership")
        .filter(pk=status_change_id)
        .first()
    )
    if change is None:
        return "no such change"
    kind = reviewer_notice_kind(change)
    if kind is None:
        return "not for reviewers"
    notice, created = ReviewerNotice.objects.select_for_update().get_or_create(status_change=change)
    if not created:
        return "already sent"
    review = change.review
    to = reviewers_to_tell(review)
    if not to:
        return "no reviewer"
    on = {
        "on_hold": review.held_since,
        "resumed": review.resumed_on,
        "closed": review.closed_on,
        "reopened": timezone.localdate(change.changed_at),
    }[kind]
    if kind != "closed" and review.status == Status.CLOSED:
        return "review closed"  # queued late: the closing has its own e-mail
    latest = _latest_of_its_kind(change)
    context = {
        "service_name": settings.SERVICE_NAME,
        "partnership": review.partnership.name,
        "reference": review.reference,
        "kind": kind,
        # The dates of this step only while it is the review's latest of its kind.
        "on": on if latest else None,
        "look_again_on": review.hold_review_on
        if kind in ("on_hold", "reopened") and latest and review.status == Status.ON_HOLD
        else None,
        # Reopened onto a hold: the reviewer still waits to hear that it has resumed.
        "still_on_hold": kind == "reopened" and review.status == Status.ON_HOLD,
        "link": settings.SITE_URL + review.get_absolute_url(),
    }
    send_templated(
        to=to,
        subject=NOTICE_SUBJECTS[kind].format(**context),
        template="lcspr/email/review_status",
        context=context,
    )
    notice.recipients = len(to)
    notice.save(update_fields=["recipients"])
    return "sent"


def _latest_of_its_kind(change: StatusChange) -> bool:
    """No later move of the review to the same status (a second hold's dates are not the
    first's)."""
    later = Q(changed_at__gt=change.changed_at) | Q(changed_at=change.changed_at, pk__gt=change.pk)
    if change.from_status == Status.CLOSED:
        same = Q(from_status=Status.CLOSED)
    elif change.to_status in (Status.ON_HOLD, Status.CLOSED):
        same = Q(to_status=change.to_status) & ~Q(from_status=Status.CLOSED)
    else:
        same = Q(from_status=Status.ON_HOLD)
    return not StatusChange.objects.filter(later, same, review=change.review_id).exists()


#: Moves older than this whose reviewers were not told are left: someone has noticed.
TELL_REVIEWERS_WITHIN = dt.timedelta(days=7)


def untold_reviewer_moves(*, now: dt.datetime):
    """Holds, resumptions, closings and reopenings whose reviewers were not e-mailed,
    made long enough ago (their own queueing may be on its way) and recently enough, on
    reviews with a reviewer: their ids, oldest first."""
    return (
        StatusChange.objects.filter(
            Q(to_status__in=[Status.ON_HOLD, Status.CLOSED])
            | Q(from_status__in=[Status.ON_HOLD, Status.CLOSED]),
            reviewer_notice__isnull=True,
            changed_at__lt=now - REQUEUE_AFTER,
            changed_at__gte=now - TELL_REVIEWERS_WITHIN,
            review__reviewers__isnull=False,
        )
        .distinct()
        .order_by("changed_at", "id")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def reviewer_assigned_deliver(*, assignment_id: int) -> str:
    """E-mail a reviewer that they have been assigned to a review. Safe to run twice: the
    assignment's row is locked and marked told, so it is sent once. Not at all if they
    were taken off the review since (the row is gone), no longer hold the reviewer role
    there, or the review has no more work for them."""
    assignment = (
        ReviewerAssignment.objects.select_for_update(of=("self",))
        .select_related("review__rapid_review__incident__partnership")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        return "no longer assigned"
    if assignment.told_at is not None:
        return "already sent"
    review = assignment.review
    if review.status in REVIEWER_WORK_DONE:
        return "no more work"
    to = reviewers_to_tell(review, among=[assignment.user_id])
    if not to:
        return "no reviewer"
    on_hold = review.status == Status.ON_HOLD
    context = {
        "service_name": settings.SERVICE_NAME,
        "partnership": review.partnership.name,
        "reference": review.reference,
        "on_hold": on_hold,
        # The date the review's plan aims at (the target plus any days on hold); not
        # said while it is on hold, when it is still to move.
        "publish_by": None if on_hold else review.expected_publication,
        "link": settings.SITE_URL + review.get_absolute_url(),
    }
    send_templated(
        to=to,
        subject="{partnership}: you are the independent reviewer of local review "
        "{reference}".format(**context),
        template="lcspr/email/reviewer_assigned",
        context=context,
    )
    assignment.told_at = timezone.now()
    assignment.save(update_fields=["told_at"])
    return "sent"


def untold_reviewer_assignments(*, now: dt.datetime):
    """Reviewers not yet e-mailed that they were assigned, assigned long enough ago (their
    own queueing may be on its way) and recently enough, to reviews with work left: their
    ids, oldest first. Assignments from before the e-mail existed have no time: never."""
    return (
        ReviewerAssignment.objects.filter(
            told_at__isnull=True,
            assigned_at__lt=now - REQUEUE_AFTER,
            assigned_at__gte=now - TELL_REVIEWERS_WITHIN,
        )
        .exclude(review__status__in=REVIEWER_WORK_DONE)
        .order_by("assigned_at", "id")
        .values_list("pk", flat=True)
    )


#: The actions whose agency still works to their due date (one complete, or signed off,
#: has no date left to meet).
ACTION_OPEN = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


def action_assignment_pending(action: Action, now: dt.datetime | None = None) -> bool:
    """The e-mail giving the action to its agency is still to go (and will say its due
    date as it is then): `untold_actions` would queue it again."""
    now = now or timezone.now()
    return (
        action.agency_told_at is None
        and action.assigned_at is not None
        and action.assigned_at >= now - TELL_AGENCY_WITHIN
    )


@transaction.atomic
def action_due_date_moved_deliver(*, action_id: int) -> str:
    """Tell the agency that owns an action that the partnership moved its due date: the
    date it is due now and the one the agency knew (the reason for moving it stays with
    the partnership: it may name the family). The action is locked and its untold move
    cleared with the sending (a failed send rolls back and is tried again), so however
    many tasks are queued for one action (one per move, and beat's re-queue), the agency
    gets one e-mail, with the date as it is when it goes. Not at all if the date went back
    to the one the agency knew (nothing untold), the action is complete since, or its
    review closed."""
    action = _locked_action(action_id)
    if action is None or action.due_date_moved_at is None:
        return "nothing untold"
    due, was_due = action.due_date, action.due_date_was
    action.due_date_was = action.due_date_moved_at = None
    action.save(update_fields=["due_date_was", "due_date_moved_at"])
    review = action.recommendation.review
    if action.status not in ACTION_OPEN:
        return "complete"
    if review.status == Status.CLOSED:
        return "review closed"
    to, mailbox = agency_to_tell(action)
    if not to:
        return "no one to tell"
    from django.urls import reverse

    partnership = review.partnership
    send_templated(
        to=to,
        # The partnership by name: the agency (the police, the ICB) may answer several.
        subject=f"New due date: an action {partnership.name} gave {action.agency.name} in "
        f"local review {review.reference} is now due {due:%A %-d %B}",
        template="lcspr/email/action_due_date_moved",
        context={
            "service_name": settings.SERVICE_NAME,
            "partnership": partnership.name,
            # Sent to the agency's own address, nobody there can sign in yet: it says so.
            "mailbox": mailbox,
            "partnership_contact": partnership.contact_email,
            "agency": action.agency.name,
            "reference": review.reference,
            "due": due,
            "was_due": was_due,
            # Moved to a day that has passed (the plan recorded late): it is overdue.
            "overdue": due < timezone.localdate(),
            "link": settings.SITE_URL + reverse("lcspr:agency-action", args=[action.pk]),
        },
    )
    return "sent"


def untold_action_due_date_moves(*, now: dt.datetime):
    """Actions whose agency was not e-mailed the due date the partnership moved, moved
    long enough ago (the e-mail is queued when the move commits; a broker outage then
    would otherwise lose it) and recently enough: their ids, oldest first."""
    return untold(
        Action.objects.filter(status__in=ACTION_OPEN).exclude(
            recommendation__review__status=Status.CLOSED
        ),
        "due_date_moved_at",
        now=now,
    )
