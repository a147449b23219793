"""Writes for the review itself: opening it with its clocks, reviewers, terms of
reference, milestones, partners' checks, learning themes, on hold and resume, and the
approval of the final report. One service per status move."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rapid_reviews.models import RapidReview
from safeguarding.audit import Action, audit_record, diff, snapshot, values_kept_only_for
from safeguarding.dates import date_from_iso, iso_date
from safeguarding.deadlines import (
    Kind,
    Rule,
    compute_due,
    deadline_close,
    deadline_move,
    deadline_reopen,
    deadline_start,
    deadlines_no_longer_needed,
    deadlines_reopen,
    get_deadline,
)
from safeguarding.form_fields import working_day_checked
from safeguarding.models import Deadline, Role, User
from safeguarding.tasks import queue_after_commit

from ..models import (
    HOLD_REVIEW_KEY,
    MILESTONE_MONTHS,
    MONTHS_TO_PUBLISH,
    NOTICE_WORKING_DAYS,
    TRANSITIONS,
    HoldReason,
    LearningTheme,
    Milestone,
    PartnerCheck,
    Review,
    ReviewerAssignment,
    Status,
)
from ..selectors import reopen_back_to
from .common import (
    TransitionError,
    check_version,
    ensure_move,
    latest_of,
    locked,
    locked_for_change,
    move,
    past_date,
    planned_too_late,
    raise_if,
    require_case_role,
    require_manager,
    require_not_closed,
    since_hold,
)


def _deadline_title(review: Review, what: str) -> str:
    return f"{what}: {review.reference}"


@transaction.atomic
def review_open(*, rapid_review: RapidReview, decision_date: dt.date, actor: User) -> Review:
    """Open the local review the rapid review decided on: target publication 6 calendar
    months after the decision, on the same day of the month or, where that month is
    shorter, its last day (31 August → 28 February; 28 February → 28 August),
    with default planned dates for the milestones. Opening twice changes nothing."""
    incident = rapid_review.incident
    partnership = incident.partnership
    existing = Review.objects.filter(rapid_review=rapid_review).first()
    if existing is not None:
        return existing
    target = compute_due(
        trigger_date=decision_date,
        rule=Rule.CALENDAR_MONTHS,
        amount=MONTHS_TO_PUBLISH,
        partnership=partnership,
    )
    review = Review.objects.create(
        rapid_review=rapid_review, decision_date=decision_date, target_publication=target
    )
    common = {
        "subject": review,
        "partnership": partnership,
        "reference": incident.reference,
        "url": review.get_absolute_url(),
        "trigger_date": decision_date,
        "rule": Rule.CALENDAR_MONTHS,
        "owner": actor,
    }
    deadline_start(
        kind=Kind.PUBLICATION,
        title=_deadline_title(review, "Publish the local review"),
        amount=MONTHS_TO_PUBLISH,
        **common,
    )
    for key, months in MILESTONE_MONTHS.items():
        deadline_start(
            kind=Kind.LCSPR_MILESTONE,
            key=key,
            title=_deadline_title(review, str(Milestone(key).label)),
            amount=months,
            **common,
        )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=review,
        partnership=partnership,
        changes={
            "status": {"old": None, "new": Status.OPEN},
            "decision_date": decision_date,
            "target_publication": target,
        },
    )
    return review


# --- reviewers, terms of reference, themes --------------------------------------------


def eligible_reviewers(review: Review):
    return User.objects.filter(
        is_active=True,
        memberships__role=Role.INDEPENDENT_REVIEWER,
        memberships__partnership=review.partnership,
    ).distinct()


@transaction.atomic
def review_set_reviewers(*, review: Review, actor: User, reviewers: list[User]) -> Review:
    require_case_role(actor, review.partnership)
    # The review's row lock: two officers saving at once see each other's reviewers, so
    # a reviewer both add is newly assigned (and e-mailed) once.
    review = locked(review)
    require_not_closed(review)
    allowed = set(eligible_reviewers(review).values_list("pk", flat=True))
    if not reviewers:
        raise ValidationError({"reviewers": "Select at least one independent reviewer"})
    if any(r.pk not in allowed for r in reviewers):
        raise ValidationError(
            {"reviewers": "Select reviewers who are independent reviewers for this partnership"}
        )
    before = sorted(review.reviewers.values_list("pk", flat=True))
    review.reviewers.set(reviewers)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes={"reviewers": {"old": before, "new": sorted(r.pk for r in reviewers)}},
    )
    # Each reviewer newly assigned (the first, or one who replaces or joins another) is
    # told by e-mail once this commits; one kept on is not told again, nor one taken off.
    # A broker that is down leaves it to beat's requeue (lcspr/mail.py).
    from .. import tasks

    added = ReviewerAssignment.objects.filter(review=review).exclude(user__in=before)
    for assignment_id in added.order_by("id").values_list("pk", flat=True):
        queue_after_commit(tasks.send_reviewer_assigned, assignment_id)
    return review


def document_errors(upload) -> dict[str, str]:
    """An uploaded document's refusal (`safeguarding.uploads.check_upload`: its size and
    its type, by content), under "document"; none without a document."""
    from safeguarding.uploads import check_upload

    if upload is None:
        return {}
    try:
        check_upload(upload)
    except ValidationError as error:
        return {"document": error.messages[0]}
    return {}


def _checked_document(upload):
    """An uploaded document as checked (its type, hash and name: `document_errors` has
    refused a bad one already), or None."""
    from safeguarding.uploads import check_upload

    return None if upload is None else check_upload(upload)


def _store_document(record, field: str, review: Review, checked, upload) -> None:
    """Keep a checked upload privately as `record.<field>` (unsaved), with its original
    name and type beside it (`<field>_name`, `<field>_type`)."""
    from safeguarding.uploads import private_name, replace_stored

    if checked is None:
        return
    replace_stored(
        getattr(record, field), private_name(f"lcspr/{review.partnership.pk}", checked), upload
    )
    setattr(record, f"{field}_name", checked.original_name)
    setattr(record, f"{field}_type", checked.content_type)


def uploaded_marker(checked) -> str | None:
    """What the audit trail says of an uploaded document: never its name (it may name the
    child, and the trail outlives the case, ADR 0014), the start of its content's hash."""
    return f"uploaded (sha256 {checked.sha256[:12]})" if checked else None


def terms_errors(review: Review, *, text: str, agreed_on: dt.date | None, upload) -> dict:
    """The terms of reference: their words, the date they were agreed (the first time: not
    in the future nor before the decision) and the signed document's type and size (for
    the service and its form)."""
    errors = {}
    if not (text or "").strip():
        errors["text"] = "Enter the terms of reference"
    if agreed_on is not None and review.terms_agreed_on is None:
        errors.update(
            past_date(
                agreed_on,
                "agreed_on",
                "the date the terms were agreed",
                not_before=review.decision_date,
                not_before_what="the decision to hold the review",
            )
        )
    errors.update(document_errors(upload))
    return errors


@transaction.atomic
def review_save_terms(
    *,
    review: Review,
    actor: User,
    text: str,
    upload=None,
    agreed_on: dt.date | None = None,
    expected_version: int | None = None,
) -> Review:
    """Save the terms of reference (text and an uploaded document). Giving the date they
    were agreed moves the review from "Setting up" to "Review under way"."""
    review = locked_for_change(review, actor, expected_version)
    text = (text or "").strip()
    errors = terms_errors(review, text=text, agreed_on=agreed_on, upload=upload)
    agreeing = agreed_on is not None and review.terms_agreed_on is None
    if agreeing and not errors.keys() - {"document"}:
        # Whether the review can start at all (not on hold) is said before the document.
        ensure_move(review, Status.IN_PROGRESS)
    raise_if(errors)
    checked = _checked_document(upload)
    review.terms_of_reference = text
    _store_document(review, "terms_document", review, checked, upload)
    if agreeing:
        move(review, Status.IN_PROGRESS, actor, "Terms of reference agreed")
        review.terms_agreed_on = agreed_on
        deadline_close(subject=review, kind=Kind.LCSPR_MILESTONE, key="terms_agreed", on=agreed_on)
    else:
        review.version += 1
    review.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes={
            "terms_of_reference": "changed",
            "terms_document": uploaded_marker(checked),
            "terms_agreed_on": agreed_on,
        },
    )
    return review


@transaction.atomic
def review_set_themes(*, review: Review, actor: User, themes: list[LearningTheme]) -> Review:
    require_case_role(actor, review.partnership)
    require_not_closed(review)
    before = sorted(review.themes.values_list("name", flat=True))
    review.themes.set(themes)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes={"themes": {"old": before, "new": sorted(t.name for t in themes)}},
    )
    return review


# --- milestones ---------------------------------------------------------------------


def milestone_deadline(review: Review, key: str) -> Deadline:
    deadline = get_deadline(review, Kind.LCSPR_MILESTONE, key)
    if deadline is None or key not in Milestone.values:
        raise ValidationError("No such milestone")
    return deadline


def milestone_errors(
    review: Review, deadline: Deadline, *, planned: dt.date | None, reason: str, actual
) -> dict[str, str]:
    """A milestone's planned date (moved: not before the decision, with a reason) and the
    date it happened (for the service and its form)."""
    errors = {}
    moved = planned is not None and planned != deadline.due_date
    if planned is None:
        errors["planned"] = "Enter the planned date"
    elif moved and planned < review.decision_date:
        errors["planned"] = (
            "The planned date must be the same as or after the decision to hold the review "
            f"({review.decision_date:%-d %B %Y})"
        )
    elif moved and (message := planned_too_late(review, planned, "The planned date")):
        errors["planned"] = message
    elif moved and not (reason or "").strip():
        errors["reason"] = "Enter the reason for moving the planned date"
    errors = working_day_checked(
        errors,
        "the planned date",
        planned,
        partnership=review.partnership,
        was=deadline.due_date,
        field="planned",
    )
    if actual is not None:
        errors.update(
            past_date(
                actual,
                "actual",
                "the date it happened",
                not_before=review.decision_date,
                not_before_what="the decision to hold the review",
            )
        )
    return errors


@transaction.atomic
def milestone_update(
    *,
    review: Review,
    actor: User,
    key: str,
    planned: dt.date | None,
    reason: str = "",
    actual: dt.date | None = None,
    expected_version: int | None = None,
) -> Deadline:
    """Move a milestone's planned date (a reason is required and kept as history) and/or
    record the date it actually happened. The review's version moves with it, so a
    colleague's milestone page opened before this save is refused, not saved over it."""
    review = locked_for_change(review, actor, expected_version)
    if review.status == Status.ON_HOLD:
        raise ValidationError("Resume the review before changing its milestones")
    deadline = milestone_deadline(review, key)
    raise_if(milestone_errors(review, deadline, planned=planned, reason=reason, actual=actual))
    moving = planned != deadline.due_date
    if not moving and (actual is None or actual == deadline.closed_on):
        # Saved as it was: nothing changes, so colleagues' open pages are not made stale.
        return deadline
    if moving:
        deadline = deadline_move(deadline=deadline, actor=actor, reason=reason, due_date=planned)
    if actual is not None:
        deadline_reopen(subject=review, kind=Kind.LCSPR_MILESTONE, key=key)
        deadline = deadline_close(subject=review, kind=Kind.LCSPR_MILESTONE, key=key, on=actual)
    review.version += 1
    review.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes={"milestone": key, "planned": planned, "actual": actual},
    )
    return deadline


# --- partners' checks (reg 14) -------------------------------------------------------------


def partner_check_errors(
    review: Review, *, kind, checked_on: dt.date | None, note: str, respond_by: dt.date | None
) -> dict[str, str]:
    """A partners' check against the review's decision, and what its kind needs (for the
    service and its form)."""
    errors = past_date(
        checked_on,
        "checked_on",
        "the date of the check",
        not_before=review.decision_date,
        not_before_what="the decision to hold the review",
    )
    if kind not in PartnerCheck.Kind.values:
        errors["kind"] = "Select the kind of check"
    if not (note or "").strip():
        errors["note"] = (
            "Enter what was asked of the reviewer"
            if kind == PartnerCheck.Kind.WRITTEN_REQUEST
            else "Enter what the partners found"
        )
    if kind == PartnerCheck.Kind.WRITTEN_REQUEST and respond_by is None:
        errors["respond_by"] = "Enter the date the reviewer should reply by"
    elif respond_by and checked_on and respond_by < checked_on:
        errors["respond_by"] = "The reply date must be the same as or after the date of the check"
    return errors


@transaction.atomic
def partner_check_add(
    *,
    review: Review,
    actor: User,
    kind: str,
    checked_on: dt.date | None,
    note: str,
    respond_by: dt.date | None = None,
) -> PartnerCheck:
    require_case_role(actor, review.partnership)
    require_not_closed(review)
    raise_if(
        partner_check_errors(
            review, kind=kind, checked_on=checked_on, note=note, respond_by=respond_by
        )
    )
    check = PartnerCheck.objects.create(
        review=review,
        kind=kind,
        checked_on=checked_on,
        note=note.strip(),
        respond_by=respond_by if kind == PartnerCheck.Kind.WRITTEN_REQUEST else None,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=check,
        partnership=review.partnership,
        object_repr=f"{review.reference} {check.get_kind_display()}",
        changes={"kind": kind, "checked_on": checked_on},
    )
    from ..mail import written_request_still_open

    if kind == PartnerCheck.Kind.WRITTEN_REQUEST and written_request_still_open(check):
        # The reviewers are told by e-mail once it is saved (a thin task); not of one
        # recorded after the fact, whose reply date has passed or whose review is out.
        from .. import tasks

        queue_after_commit(tasks.send_written_request, check.pk)
    return check


def written_reply_errors(*, text: str, upload) -> dict[str, str]:
    """The reviewer's reply to a written request: its words and the attached document's
    type and size (for the service and its form)."""
    errors = {}
    if not (text or "").strip():
        errors["text"] = "Enter your reply"
    errors.update(document_errors(upload))
    return errors


def _answerable(check: PartnerCheck, actor: User) -> PartnerCheck:
    """The written request, locked, that `actor` may answer now: a reviewer assigned to
    its review (still holding the role there), a written request, not answered yet, on
    a review that still needs its reviewer (not published or closed)."""
    from safeguarding import permissions

    from ..mail import REVIEWER_WORK_DONE

    check = PartnerCheck.objects.select_for_update().select_related("review").get(pk=check.pk)
    review = check.review
    if not (
        review.reviewers.filter(pk=actor.pk).exists()
        and permissions.has_role(actor, Role.INDEPENDENT_REVIEWER, partnership=review.partnership)
    ):
        raise PermissionDenied("Only a reviewer of this review answers its written requests.")
    if check.kind != PartnerCheck.Kind.WRITTEN_REQUEST:
        raise TransitionError("Only a written request is answered.")
    if check.replied_at is not None:
        raise TransitionError(ANSWERED_ALREADY)
    if review.status in REVIEWER_WORK_DONE:
        raise TransitionError(
            "The review is published or closed: its written requests can no longer be answered."
        )
    return check


ANSWERED_ALREADY = "This request is answered already. The partners can ask again in writing."
#: The check page's confirm, for a reply changed since that page was opened.
REPLY_CHANGED = (
    "Your reply changed after you opened this page (in another tab or window, or by "
    "another reviewer of the review), so it was not sent. Check it as it is now, then "
    "send it."
)


def written_reply_checked(check: PartnerCheck) -> str:
    """What the check page shows of a draft reply, as a short fingerprint: its words and
    its document. The page sends it back with the confirm, so that only the reply the
    reviewer read is sent (`written_reply_send`)."""
    import hashlib

    shown = "\x00".join([check.reply, check.reply_document.name or "", check.reply_document_name])
    return hashlib.sha256(shown.encode()).hexdigest()[:32]


@transaction.atomic
def written_reply_save_draft(
    *, check: PartnerCheck, actor: User, text: str, upload=None
) -> PartnerCheck:
    """The reviewer's reply to the partners' written request (reg 14), kept to check
    before it is sent (`written_reply_send`): in words and, where a draft was asked for,
    with a document. A draft saved again keeps its document unless another is chosen.
    Nothing is sent, and the business unit sees nothing of it, until it is sent."""
    check = _answerable(check, actor)
    text = (text or "").strip()
    raise_if(written_reply_errors(text=text, upload=upload))
    checked = _checked_document(upload)
    check.reply = text
    _store_document(check, "reply_document", check.review, checked, upload)
    check.save(
        update_fields=["reply", "reply_document", "reply_document_name", "reply_document_type"]
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=check,
        partnership=check.review.partnership,
        object_repr=f"{check.review.reference} {check.get_kind_display()}",
        # Never the words (they may name the child; the trail outlives the case).
        changes={"reply": "draft saved", "reply_document": uploaded_marker(checked)},
    )
    return check


@transaction.atomic
def written_reply_send(*, check: PartnerCheck, actor: User, checked: str | None) -> PartnerCheck:
    """Send the reply the reviewer checked (`checked`: `written_reply_checked` of the
    draft the check page showed): once, only as it was read. Refused if it is answered
    already (a second confirm sends nothing), if there is no draft, or if the draft
    changed since the check page was opened. The business unit is e-mailed once it is
    saved."""
    from .. import tasks

    check = _answerable(check, actor)
    if not check.reply:
        raise TransitionError("Write your reply first.")
    if checked != written_reply_checked(check):
        raise TransitionError(REPLY_CHANGED)
    check.replied_at = timezone.now()
    check.replied_by = actor
    check.save(update_fields=["replied_at", "replied_by"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=check,
        partnership=check.review.partnership,
        object_repr=f"{check.review.reference} {check.get_kind_display()}",
        changes={"reply": "sent", "reply_document": "attached" if check.reply_document else None},
    )
    queue_after_commit(tasks.send_written_reply, check.pk)
    return check


@transaction.atomic
def written_request_reply(
    *, check: PartnerCheck, actor: User, text: str, upload=None
) -> PartnerCheck:
    """The reviewer answers the partners' written request (reg 14) at once: the draft
    saved and sent in one step, for callers with no check page (the demo). Once: a
    further question is a new request. Only a reviewer assigned to the review, while it
    still needs them (not published or closed). The business unit is e-mailed once it
    is saved."""
    check = written_reply_save_draft(check=check, actor=actor, text=text, upload=upload)
    return written_reply_send(check=check, actor=actor, checked=written_reply_checked(check))


# --- on hold and resume ---------------------------------------------------------------------


def _paused_clocks(review: Review):
    """The review's open clocks that pause while it is on hold."""
    return Deadline.objects.for_subject(review).open().exclude(key=HOLD_REVIEW_KEY)


def _hold_detail_errors(reason: str, note: str, look_again_on: dt.date | None) -> dict:
    """A hold's detail (needed for "another reason") and its date to look again (in the
    future), whether it starts or goes on longer."""
    errors = {}
    if reason == HoldReason.OTHER and not (note or "").strip():
        errors["note"] = "Enter why the review is on hold"
    if look_again_on is None:
        errors["look_again_on"] = "Enter the date to look at the hold again"
    elif look_again_on <= timezone.localdate():
        errors["look_again_on"] = "The date to look again must be in the future"
    return errors


def hold_errors(
    review: Review, *, reason, note: str, held_since: dt.date | None, look_again_on
) -> dict[str, str]:
    """A hold against what it could overlap, and its detail and date to look again (for
    the service and its form)."""
    # A hold starts after everything it could overlap: the decision, the last hold's end
    # (days on hold would count twice) and final approval (the notice clock it pauses).
    not_before, not_before_what = latest_of(
        (review.decision_date, "the decision to hold the review"),
        since_hold(review),
        (review.final_approved_on, "the day the final report was approved"),
        (review.notice_sent_on, "the day the final report went to the Panel and DfE"),
    )
    errors = past_date(
        held_since,
        "held_since",
        "the date it went on hold",
        not_before=not_before,
        not_before_what=not_before_what,
    )
    if reason not in HoldReason.values:
        errors["reason"] = "Select why the review is on hold"
    errors.update(_hold_detail_errors(reason, note, look_again_on))
    return errors


def already_on_hold(review: Review) -> str:
    """Why a hold cannot be recorded on a review on hold already (a colleague's hold, or
    an old tab), saying since when and why, and what to do instead; "" if it is not on
    hold. Not the hold's detail: it may name people in the proceedings."""
    if review.status != Status.ON_HOLD:
        return ""
    about = []
    if review.held_since:
        about.append(f"since {review.held_since:%-d %B %Y}")
    if review.hold_reason:
        about.append(f"reason: {review.get_hold_reason_display()}")
    return (
        "The review is already on hold"
        + (f" ({'; '.join(about)})" if about else "")
        + ", so this hold was not saved. To change the date to look again or the detail, "
        "change the hold; to end the hold, resume the review."
    )


@transaction.atomic
def review_put_on_hold(
    *,
    review: Review,
    actor: User,
    reason: str,
    note: str,
    held_since: dt.date | None,
    look_again_on: dt.date | None,
    expected_version: int | None = None,
) -> Review:
    """Pause the review (e.g. for criminal proceedings or an inquest). Its clocks stop:
    they are closed as "paused" and reopened on resume (see `review_resume` for which
    move). A clock reminds the business unit to look again on the chosen date."""
    review = locked_for_change(review, actor, expected_version, refuse=already_on_hold)
    ensure_move(review, Status.ON_HOLD)
    raise_if(
        hold_errors(
            review, reason=reason, note=note, held_since=held_since, look_again_on=look_again_on
        )
    )
    review.status_before_hold = review.status
    move(review, Status.ON_HOLD, actor, f"{HoldReason(reason).label}. {note}".strip(". "))
    # The hold's dates and reason, beside the status change (the detail stays on the
    # record and its status history: it may name people in the proceedings).
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes={
            "hold_reason": reason,
            "held_since": held_since,
            "hold_review_on": look_again_on,
        },
    )
    review.hold_reason = reason
    review.hold_note = (note or "").strip()
    review.held_since = held_since
    review.hold_review_on = look_again_on
    for deadline in _paused_clocks(review):
        deadline_close(
            subject=review,
            kind=deadline.kind,
            key=deadline.key,
            on=held_since,
            outcome=Deadline.Outcome.PAUSED,
        )
    deadline_start(
        subject=review,
        partnership=review.partnership,
        kind=Kind.LCSPR_MILESTONE,
        key=HOLD_REVIEW_KEY,
        title=_deadline_title(review, "Look again at the hold on the local review"),
        reference=review.reference,
        url=review.get_absolute_url(),
        trigger_date=held_since,
        rule=Rule.FIXED,
        due_date=look_again_on,
        owner=actor,
    )
    review.save()
    return review


def decision_date_errors(
    review: Review, rapid: RapidReview, *, decided_on: dt.date | None, reason: str
) -> dict[str, str]:
    """A corrected date of the decision against the rapid review's steps around it and
    the terms of reference (for the service and its form)."""
    after_panel = rapid.local_review_decided_on is not None
    if after_panel:
        not_before = (rapid.panel_response_on, "the National Panel’s reply")
        not_after = []
    else:
        not_before = (rapid.meeting_date, "the rapid review panel meeting")
        signed = [s.signed_on for s in rapid.sign_offs.all()]
        not_after = [
            (min(signed) if signed else None, "the first partner’s sign-off"),
            (rapid.sent_to_panel_on, "the day it went to the National Panel"),
        ]
    not_after.append((review.terms_agreed_on, "the day the terms of reference were agreed"))
    errors = past_date(
        decided_on,
        "decided_on",
        "the date of the decision",
        not_before=not_before[0],
        not_before_what=not_before[1],
    )
    if decided_on and not errors:
        for limit, what in not_after:
            if limit is not None and decided_on > limit:
                errors["decided_on"] = (
                    f"The date of the decision must be the same as or before {what} "
                    f"({limit:%-d %B %Y})"
                )
                break
    if not (reason or "").strip():
        errors["reason"] = "Enter why the date is being corrected"
    return errors


@transaction.atomic
def review_correct_decision_date(
    *,
    review: Review,
    actor: User,
    decided_on: dt.date | None,
    reason: str,
    expected_version: int | None = None,
) -> Review:
    """The decision to hold the review was recorded with the wrong date: correct it (a
    manager, with a reason), and with it the statutory target (6 calendar months on) and
    every clock still counted from it. The rapid review's record of the decision moves
    too, so the two never disagree. Before the review was first put on hold only: a hold
    moved its milestones by the days on hold, which a new date cannot reconstruct."""
    review = locked_for_change(review, actor, expected_version)
    require_manager(actor, review.partnership)
    if review.status not in (Status.OPEN, Status.IN_PROGRESS) or review.days_on_hold:
        raise TransitionError(
            "The decision date can be corrected only before the final report is approved "
            "and before the review was first put on hold."
        )
    rapid = RapidReview.objects.select_for_update().get(pk=review.rapid_review_id)
    raise_if(decision_date_errors(review, rapid, decided_on=decided_on, reason=reason))
    after_panel = rapid.local_review_decided_on is not None
    if decided_on == review.decision_date:
        return review
    earlier, earlier_target = review.decision_date, review.target_publication
    review.decision_date = decided_on
    review.target_publication = compute_due(
        trigger_date=decided_on,
        rule=Rule.CALENDAR_MONTHS,
        amount=MONTHS_TO_PUBLISH,
        partnership=review.partnership,
    )
    review.version += 1
    review.save()
    if after_panel:
        rapid.local_review_decided_on = decided_on
    else:
        rapid.decided_on = decided_on
    rapid.version += 1
    rapid.save()
    # The clocks counted from the decision (the statutory date and the milestones not
    # yet met or moved by hand) are counted again from the corrected date.
    counted = (
        Deadline.objects.for_subject(review)
        .open()
        .filter(rule=Rule.CALENDAR_MONTHS, trigger_date=earlier)
        .order_by("pk")
    )
    for deadline in counted:
        deadline_move(deadline=deadline, actor=actor, reason=reason, trigger_date=decided_on)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        # The reason is kept with each moved clock's history (erased with the case).
        changes={
            "decision_date": {"old": earlier, "new": decided_on},
            "target_publication": {"old": earlier_target, "new": review.target_publication},
        },
    )
    return review


def hold_update_errors(review: Review, *, look_again_on, note, reason) -> dict[str, str]:
    """A hold going on longer (for the service and its form)."""
    errors = _hold_detail_errors(review.hold_reason, note, look_again_on)
    if not (reason or "").strip():
        errors["reason"] = "Enter what has changed"
    return errors


@transaction.atomic
def review_update_hold(
    *,
    review: Review,
    actor: User,
    look_again_on: dt.date | None,
    note: str,
    reason: str,
    expected_version: int | None = None,
) -> Review:
    """The hold goes on longer than thought (the trial moved, the inquest adjourned): a
    new date to look again, and its detail, without resuming. The reminder's clock moves
    with the reason, kept in its history."""
    review = locked_for_change(review, actor, expected_version)
    if review.status != Status.ON_HOLD:
        raise TransitionError("The review is not on hold.")
    raise_if(hold_update_errors(review, look_again_on=look_again_on, note=note, reason=reason))
    before = snapshot(review, ["hold_review_on", "hold_note"])
    review.hold_review_on = look_again_on
    review.hold_note = (note or "").strip()
    review.version += 1
    review.save()
    clock = get_deadline(review, Kind.LCSPR_MILESTONE, HOLD_REVIEW_KEY)
    if clock is not None and clock.due_date != look_again_on:
        deadline_move(deadline=clock, actor=actor, reason=reason, due_date=look_again_on)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        # The dates, not the words: the detail and the reason may name people in the
        # proceedings, and the trail is never erased (the reason is kept with the
        # clock's history, which goes with the case).
        changes=values_kept_only_for(
            diff(before, snapshot(review, ["hold_review_on", "hold_note"])), {"hold_review_on"}
        ),
    )
    return review


@transaction.atomic
def review_resume(
    *,
    review: Review,
    actor: User,
    resumed_on: dt.date | None,
    expected_version: int | None = None,
) -> Review:
    """Take the review off hold; it returns to the status it was held from.

    The statutory target does not move: the report is still expected 6 calendar months
    after the decision, and the publication clock runs again against that date (overdue
    if it passed during the hold; the hold is the recorded reason). The review's own
    plan loses no time: its paused steps move later by the calendar days on hold (a
    recorded move with the reason), and the notice to the Panel and DfE is counted back
    from the expected publication date (the target plus all the days on hold)."""
    review = locked_for_change(review, actor, expected_version)
    if review.status != Status.ON_HOLD:
        raise TransitionError(
            f"A local review that is ‘{review.get_status_display()}’ is not on hold."
        )
    raise_if(
        past_date(
            resumed_on,
            "resumed_on",
            "the date the review resumed",
            not_before=review.held_since,
            not_before_what="the date it went on hold",
        )
    )
    paused = (resumed_on - review.held_since).days
    back_to = review.status_before_hold or Status.IN_PROGRESS
    reason = (
        f"On hold ({review.get_hold_reason_display()}) from {review.held_since:%-d %B %Y} "
        f"to {resumed_on:%-d %B %Y}: {paused} day{'' if paused == 1 else 's'} added"
    )
    move(review, back_to, actor, reason, resuming=True)
    # Only the clocks the hold paused: not those a step closed as no longer needed on the
    # day the review went on hold (final approval closes the unfinished milestones).
    held = Deadline.objects.for_subject(review).filter(outcome=Deadline.Outcome.PAUSED)
    review.days_on_hold += paused
    review.resumed_on = resumed_on
    expected = review.expected_publication
    for deadline in held:
        deadline_reopen(subject=review, kind=deadline.kind, key=deadline.key)
        if deadline.kind == Kind.PUBLICATION:
            continue  # the statutory date stands
        if deadline.rule == Rule.WORKING_DAYS_BEFORE:
            # The notice is counted back from the (later) expected publication date, in
            # working days: not moved by calendar days onto a weekend or holiday.
            deadline_move(deadline=deadline, actor=actor, reason=reason, trigger_date=expected)
        elif paused:
            deadline_move(
                deadline=deadline,
                actor=actor,
                reason=reason,
                due_date=deadline.due_date + dt.timedelta(days=paused),
            )
    deadline_close(subject=review, kind=Kind.LCSPR_MILESTONE, key=HOLD_REVIEW_KEY, on=resumed_on)
    review.hold_reason, review.hold_note = "", ""
    review.held_since = review.hold_review_on = None
    review.status_before_hold = ""
    review.save()
    return review


# --- the final report -------------------------------------------------------------------------


@transaction.atomic
def review_approve_final(
    *,
    review: Review,
    actor: User,
    approved_on: dt.date | None,
    expected_version: int | None = None,
) -> Review:
    """The partners approved the final report: the pre-publication notice clock starts,
    due on the latest day that leaves 7 working days before the target publication date
    (overdue at once if the approval came later than that: the target will slip)."""
    review = locked_for_change(review, actor, expected_version)
    ensure_move(review, Status.FINAL_APPROVED)
    not_before, not_before_what = latest_of(
        (
            review.terms_agreed_on or review.decision_date,
            "the date the terms of reference were agreed",
        ),
        since_hold(review),
    )
    raise_if(
        past_date(
            approved_on,
            "approved_on",
            "the date the final report was approved",
            not_before=not_before,
            not_before_what=not_before_what,
        )
    )
    move(review, Status.FINAL_APPROVED, actor)
    review.final_approved_on = approved_on
    review.save()
    deadline_close(subject=review, kind=Kind.LCSPR_MILESTONE, key="final_approved", on=approved_on)
    # The earlier steps no longer matter once the final report is approved: any still open
    # (never marked done) stop as "no longer needed", rather than fall overdue later. Their
    # actual dates can still be recorded.
    deadlines_no_longer_needed(
        subjects=[review], kind=Kind.LCSPR_MILESTONE, keys=Milestone, on=approved_on
    )
    deadline_start(
        subject=review,
        partnership=review.partnership,
        kind=Kind.PRE_PUBLICATION_NOTICE,
        title=_deadline_title(review, "Send the final report to the Panel and DfE"),
        reference=review.reference,
        url=review.get_absolute_url(),
        trigger_date=review.expected_publication,
        rule=Rule.WORKING_DAYS_BEFORE,
        amount=NOTICE_WORKING_DAYS,
        owner=actor,
    )
    return review


def close_errors(review: Review, *, closed_on, reason) -> dict[str, str]:
    """A review closed without publication (for the service and its form): closed on
    or after every step already recorded (the decision, the terms agreed, a hold it is
    closed from or came off, final approval, the notice), as the other steps' dates are."""
    not_before, not_before_what = latest_of(
        (review.decision_date, "the decision to hold the review"),
        (review.terms_agreed_on, "the day the terms of reference were agreed"),
        (review.held_since, "the day the review went on hold"),
        since_hold(review),
        (review.final_approved_on, "the day the final report was approved"),
        (review.notice_sent_on, "the day the final report went to the Panel and DfE"),
    )
    errors = past_date(
        closed_on,
        "closed_on",
        "the date the review was closed",
        not_before=not_before,
        not_before_what=not_before_what,
    )
    if not (reason or "").strip():
        errors["reason"] = "Enter why the review is closed without publication"
    return errors


@transaction.atomic
def review_close(
    *,
    review: Review,
    actor: User,
    reason: str,
    closed_on: dt.date | None,
    expected_version: int | None = None,
) -> Review:
    """Close a review that will not be published (for example, the National Panel took a
    national review of the case). A manager's decision, with a reason; a manager can
    reopen a review closed in error (`review_reopen`). Every clock still running, or
    paused by a hold, stops as "no longer needed", so the review leaves the dashboard,
    the reminders and the timeliness figures. What it stops is kept in `closed_from`."""
    review = locked_for_change(review, actor, expected_version)
    require_manager(actor, review.partnership)
    if Status.CLOSED not in TRANSITIONS[review.status]:
        raise TransitionError(
            f"A local review that is ‘{review.get_status_display()}’ cannot be closed."
        )
    raise_if(close_errors(review, closed_on=closed_on, reason=reason))

    from ..models import Action as PlanAction

    actions = PlanAction.objects.filter(recommendation__review=review).order_by("pk")
    clocks = Deadline.objects.for_subject(review)
    # What closing stops, kept so that a review closed in error can be reopened as it was
    # (`review_reopen`): the status, a hold's details, and which clocks stop.
    action_clocks = Deadline.objects.filter(
        subject_type=PlanAction._meta.label_lower,
        subject_id__in=actions.values("pk"),
        kind=Kind.ACTION,
        key="",
    )
    review.closed_from = {
        "status": review.status,
        "hold": {
            "reason": review.hold_reason,
            "note": review.hold_note,
            "held_since": iso_date(review.held_since),
            "look_again_on": iso_date(review.hold_review_on),
            "status_before_hold": review.status_before_hold,
        }
        if review.status == Status.ON_HOLD
        else None,
        "running": sorted(
            [*clocks.open().values_list("pk", flat=True)]
            + [*action_clocks.open().values_list("pk", flat=True)]
        ),
        "paused": sorted(
            clocks.filter(outcome=Deadline.Outcome.PAUSED).values_list("pk", flat=True)
        ),
    }
    move(review, Status.CLOSED, actor, reason.strip(), resuming=True)
    review.closed_on = closed_on
    review.closed_reason = reason.strip()
    review.hold_reason, review.hold_note = "", ""
    review.held_since = review.hold_review_on = None
    review.status_before_hold = ""
    review.save()
    for deadline in clocks.open():
        deadline_close(
            subject=review,
            kind=deadline.kind,
            key=deadline.key,
            on=closed_on,
            outcome=Deadline.Outcome.CANCELLED,
        )
    clocks.filter(outcome=Deadline.Outcome.PAUSED).update(outcome=Deadline.Outcome.CANCELLED)
    # So do its actions' clocks: a closed review's actions can no longer be updated or
    # signed off, and must not stay overdue (nor keep the case from its retention end).
    deadlines_no_longer_needed(
        subjects=actions,
        kind=Kind.ACTION,
        on=closed_on,
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes={"closed_on": closed_on, "reason": reason.strip()},
    )
    return review


@transaction.atomic
def review_reopen(
    *,
    review: Review,
    actor: User,
    reason: str,
    expected_version: int | None = None,
) -> Review:
    """Reopen a review closed without publication in error (a manager, with a reason).

    It goes back to the status it was closed from (its status history's latest move into
    "closed"); a hold comes back with its reason, dates and detail. The clocks closing
    stopped run again as they stood: the statutory publication date does not move (ADR
    0015), nor do the milestones, the notice or the actions' clocks, so those that fell
    due while it was closed are overdue (the reopening page lists them). The clocks a
    hold had paused are paused again. See ADR 0019."""
    require_manager(actor, review.partnership)
    review = locked(review)
    check_version(review, expected_version, "review")
    refused, back_to = reopen_back_to(review)  # back_to: from its status history
    if refused:
        raise TransitionError(refused)
    snapshot = review.closed_from
    reason = (reason or "").strip()
    if not reason:
        raise_if({"reason": "Enter why the review is being reopened"})
    reopened = Deadline.objects.filter(
        pk__in=snapshot.get("running", []), outcome=Deadline.Outcome.CANCELLED
    )
    paused = Deadline.objects.filter(
        pk__in=snapshot.get("paused", []), outcome=Deadline.Outcome.CANCELLED
    )
    today = timezone.localdate()
    overdue = reopened.filter(due_date__lt=today).count()
    closed_on = review.closed_on
    move(review, back_to, actor, reason, reopening=True)
    hold = snapshot.get("hold") if back_to == Status.ON_HOLD else None
    if hold:
        review.hold_reason = hold["reason"]
        review.hold_note = hold["note"]
        review.held_since = date_from_iso(hold["held_since"])
        review.hold_review_on = date_from_iso(hold["look_again_on"])
        review.status_before_hold = hold["status_before_hold"]
        paused.update(outcome=Deadline.Outcome.PAUSED)
    running = deadlines_reopen(reopened.values_list("pk", flat=True))
    review.closed_on = None
    review.closed_reason = ""
    review.closed_from = {}
    review.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        # Not the reason's words (they may name people; the trail outlives the case): they
        # are kept in the status history, which goes with the case.
        changes={
            "reopened": {"closed_on": closed_on, "status": back_to},
            "reason": "given",
            "clocks_reopened": len(running),
            "clocks_overdue": overdue,
        },
    )
    return review
