"""Recommendations and the action plan: each action has an owning agency, a lead, a due
date (an ACTION clock; moving it needs a reason), progress notes, evidence of impact and a
manager's sign-off when complete."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from safeguarding import permissions
from safeguarding.audit import Action as AuditAction
from safeguarding.audit import audit_record, diff, snapshot, values_kept_only_for
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

from ..mail import ACTION_OPEN, action_assignment_pending
from ..models import Action, ActionStatus, ProgressNote, Recommendation, Review
from .briefing import identifying_patterns, identifying_terms_in
from .common import (
    check_version,
    locked,
    past_date,
    raise_if,
    require_case_role,
    require_manager,
    require_not_closed,
)


def recommendation_errors(
    review: Review, text: str, partners_response: str, *, other_than: int | None = None
) -> dict[str, str]:
    """What is wrong with a recommendation's wording: empty, the same as another of the
    review's, or naming the child (recommendations are published with the review, so a
    name here would otherwise block publication until someone noticed). For the service
    and its form."""
    errors = {}
    if not (text or "").strip():
        errors["text"] = "Enter the recommendation"
    else:
        same = " ".join(text.split()).casefold()
        others = review.recommendations.exclude(pk=other_than).values_list("number", "text")
        for existing_number, existing in others:
            if " ".join(existing.split()).casefold() == same:
                errors["text"] = (
                    f"Recommendation {existing_number} already says this: change the "
                    "wording, or add actions to it instead"
                )
    patterns = identifying_patterns(review)
    for field, value, what in (
        ("text", text, "Recommendations are published with the review, so they"),
        ("partners_response", partners_response, "The partners’ response goes with them, so it"),
    ):
        found = identifying_terms_in(review, value, patterns=patterns)
        if found and field not in errors:
            errors[field] = f"{what} must be anonymised: remove " + ", ".join(
                f"‘{term}’" for term in found
            )
    return errors


@transaction.atomic
def recommendation_add(
    *, review: Review, actor: User, text: str, partners_response: str = ""
) -> Recommendation:
    require_case_role(actor, review.partnership)
    # The review's row lock: two officers adding at once take the next number in turn.
    review = locked(review)
    require_not_closed(review)
    raise_if(recommendation_errors(review, text, partners_response))
    number = (
        review.recommendations.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    rec = Recommendation.objects.create(
        review=review, number=number, text=text.strip(), partners_response=partners_response.strip()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=rec,
        partnership=review.partnership,
        object_repr=f"{review.reference} recommendation {number}",
    )
    return rec


@transaction.atomic
def recommendation_update(
    *,
    recommendation: Recommendation,
    actor: User,
    text: str,
    partners_response: str,
    expected_version: int | None = None,
) -> Recommendation:
    """Change a recommendation's wording or the partners' response to it (often written
    after publication). The audit trail says which changed; a published review's public
    page takes the new wording when its published details are next saved."""
    review = recommendation.review
    require_case_role(actor, review.partnership)
    review = locked(review)
    require_not_closed(review)
    rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    check_version(rec, expected_version, "recommendation")
    raise_if(recommendation_errors(review, text, partners_response, other_than=rec.pk))
    before = snapshot(rec, ["text", "partners_response"])
    rec.text, rec.partners_response = text.strip(), (partners_response or "").strip()
    changed = diff(before, snapshot(rec, ["text", "partners_response"]))
    if not changed:
        return rec
    rec.version += 1
    rec.save(update_fields=["text", "partners_response", "version"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=rec,
        partnership=review.partnership,
        object_repr=f"{review.reference} recommendation {rec.number}",
        changes=values_kept_only_for(changed, ()),
    )
    return rec


def _partnership_agency(review: Review, agency: Agency | None) -> bool:
    """`agency` is one of the review's partnership's agencies (an action is owned by one)."""
    return agency is not None and review.partnership.agencies.filter(pk=agency.pk).exists()


def _clock_title(review: Review, recommendation: Recommendation, agency: Agency) -> str:
    """The title of an action's clock (on the deadlines pages), which names its agency."""
    number = recommendation.number
    return f"Action plan, recommendation {number} ({agency.name}): {review.reference}"


def _give_to_agency_after_commit(action: Action) -> None:
    """E-mail the action's agency that it owns it, once the change commits (ADR 0028);
    a broker that is down leaves it to beat's requeue (`untold_actions`)."""
    from .. import tasks

    queue_after_commit(tasks.send_action_assigned, action.pk)


def action_errors(review: Review, *, agency, lead, description, due_date) -> dict[str, str]:
    """A new action: anonymised, owned by one of the partnership's agencies, with a lead
    and a due date not before the decision (for the service and its form)."""
    errors = {}
    if not (description or "").strip():
        errors["description"] = "Enter the action"
    else:
        found = identifying_terms_in(review, description)
        if found:
            # The plan goes to the agencies and is often published with the review.
            errors["description"] = (
                "The action plan is shared with the agencies and often published, so it "
                "must be anonymised: remove " + ", ".join(f"‘{term}’" for term in found)
            )
    if not _partnership_agency(review, agency):
        errors["agency"] = "Select the agency that owns the action"
    if not (lead or "").strip():
        errors["lead"] = "Enter the name or role of the lead"
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due"
    elif due_date < review.decision_date:
        errors["due_date"] = (
            "The due date must be the same as or after the decision to hold the review "
            f"({review.decision_date:%-d %B %Y})"
        )
    return errors


@transaction.atomic
def action_add(
    *,
    recommendation: Recommendation,
    actor: User,
    description: str,
    agency: Agency | None,
    lead: str,
    due_date: dt.date | None,
) -> Action:
    review = recommendation.review
    require_case_role(actor, review.partnership)
    require_not_closed(review)
    raise_if(
        action_errors(review, agency=agency, lead=lead, description=description, due_date=due_date)
    )
    action = Action.objects.create(
        recommendation=recommendation,
        description=description.strip(),
        agency=agency,
        lead=lead.strip(),
        due_date=due_date,
    )
    deadline_start(
        subject=action,
        partnership=review.partnership,
        kind=Kind.ACTION,
        title=_clock_title(review, recommendation, agency),
        reference=review.reference,
        url=review.get_absolute_url() + f"actions/{action.pk}/",
        trigger_date=review.decision_date,
        rule=Rule.FIXED,
        due_date=due_date,
        owner=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=action,
        partnership=review.partnership,
        object_repr=action.audit_name[:200],
        changes={"agency": agency.name, "due_date": due_date},
    )
    _give_to_agency_after_commit(action)
    return action


def is_owning_contributor(user: User, action: Action) -> bool:
    """`user` contributes for the agency that owns the action, in its partnership."""
    partnership_id = action.recommendation.review.partnership.pk
    return (action.agency_id, partnership_id) in permissions.contributor_pairs(user)


SIGNED_OFF_MESSAGE = "This action is signed off and can no longer change"


def action_update_errors(
    review: Review, action: Action, *, status, due_date, reason, evidence_of_impact
) -> dict[str, str]:
    """An action's progress: a status it can be given, not once signed off, a due date
    moved not before the decision and with a reason, evidence before it is complete (for
    the service and its forms)."""
    errors = {}
    if status not in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE):
        errors["status"] = "Select the progress of the action"
    if action.status == ActionStatus.SIGNED_OFF:
        errors["__all__"] = SIGNED_OFF_MESSAGE
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due"
    elif due_date != action.due_date and due_date < review.decision_date:
        errors["due_date"] = (
            "The due date must be the same as or after the decision to hold the review "
            f"({review.decision_date:%-d %B %Y})"
        )
    elif due_date != action.due_date and not (reason or "").strip():
        errors["reason"] = "Enter the reason for moving the due date"
    if status == ActionStatus.COMPLETE and not (evidence_of_impact or "").strip():
        errors["evidence_of_impact"] = (
            "Enter the evidence of impact before you mark the action complete"
        )
    return errors


@transaction.atomic
def action_update(
    *,
    action: Action,
    actor: User,
    status: str,
    due_date: dt.date | None,
    reason: str = "",
    note: str = "",
    evidence_of_impact: str = "",
    expected_version: int | None = None,
) -> Action:
    """Progress an action: status, a progress note, evidence of impact; moving the due
    date needs a reason (kept in the clock's history). The partnership's business unit,
    or a contributor for the agency that owns the action (who cannot move its due date:
    that is the partnership's to agree)."""
    review = action.recommendation.review
    owner_only = not permissions.has_role(
        actor, *permissions.CASE_ROLES, partnership=review.partnership
    )
    if owner_only and not is_owning_contributor(actor, action):
        raise PermissionDenied("Only the partnership or the agency that owns it updates it.")
    if owner_only and due_date != action.due_date:
        raise_if(
            {
                "due_date": "Only the partnership’s business unit moves the due date: ask "
                "them if it needs to move"
            }
        )
    review, action = _locked_for_change(action, expected_version)
    raise_if(
        action_update_errors(
            review,
            action,
            status=status,
            due_date=due_date,
            reason=reason,
            evidence_of_impact=evidence_of_impact,
        )
    )
    was_due = action.due_date
    if due_date != action.due_date:
        deadline = get_deadline(action, Kind.ACTION)
        if deadline is not None:
            deadline_move(deadline=deadline, actor=actor, reason=reason, due_date=due_date)
        action.due_date = due_date
    old_status = action.status
    action.status = status
    # The agency works to the date it was given: it is told of the new one, unless the
    # action is complete, or the e-mail giving it the action is still to go (that one
    # says the date as it is then).
    tell_agency = (
        due_date != was_due
        and status in ACTION_OPEN
        and not action_assignment_pending(action)
        and _note_due_date_moved(action, was_due=was_due)
    )
    # The action is measured on the day it was completed (ADR 0008): its clock stops
    # then, met or late, and the manager's sign-off confirms it. Put back in progress
    # before the sign-off, the clock runs again.
    if status == ActionStatus.COMPLETE and old_status != ActionStatus.COMPLETE:
        action.completed_on = timezone.localdate()
        deadline_close(subject=action, kind=Kind.ACTION, on=action.completed_on)
    elif status != ActionStatus.COMPLETE:
        action.completed_on = None
        if old_status == ActionStatus.COMPLETE:
            deadline_reopen(subject=action, kind=Kind.ACTION)
    action.evidence_of_impact = (evidence_of_impact or "").strip()
    action.version += 1
    action.save()
    if (note or "").strip():
        ProgressNote.objects.create(action=action, text=note.strip(), author=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=action,
        partnership=review.partnership,
        object_repr=action.audit_name[:200],
        changes={"status": {"old": old_status, "new": status}, "due_date": due_date},
    )
    if tell_agency:
        from .. import tasks

        # Once committed; a broker that is down leaves it to beat's requeue.
        queue_after_commit(tasks.send_action_due_date_moved, action.pk)
    return action


def _locked_for_change(action: Action, expected_version: int | None) -> tuple[Review, Action]:
    """The start of every change to an action: the review's lock first (as closing it
    takes: a review closed at the same moment is seen closed here), never a closed
    review, then the action's lock and the version its form was opened at (a colleague's
    save in between is refused)."""
    review = locked(action.recommendation.review)
    require_not_closed(review)
    action = Action.objects.select_for_update().get(pk=action.pk)
    check_version(action, expected_version, "action")
    return review, action


def action_agency_errors(review: Review, action: Action, *, agency, reason) -> dict[str, str]:
    """Giving an action to another agency: one of the partnership's, not the one that owns
    it, with a reason; only while the action is open (one complete was done by its agency:
    put back in progress first; one signed off can no longer change). For the service and
    its form."""
    errors = {}
    if action.status == ActionStatus.SIGNED_OFF:
        errors["__all__"] = SIGNED_OFF_MESSAGE
    elif action.status not in ACTION_OPEN:
        errors["__all__"] = (
            "This action is marked complete, so its agency cannot change: if another "
            "agency must still do it, put it back in progress first"
        )
    if not _partnership_agency(review, agency):
        errors["agency"] = "Select the agency that now owns the action"
    elif agency.pk == action.agency_id:
        errors["agency"] = (
            f"{agency.name} already owns the action: select the agency that now owns it"
        )
    if not (reason or "").strip():
        errors["reason"] = "Enter the reason for changing the agency"
    return errors


@transaction.atomic
def action_agency_change(
    *,
    action: Action,
    actor: User,
    agency: Agency | None,
    reason: str,
    expected_version: int | None = None,
) -> Action:
    """Give an action to another of the partnership's agencies (given to the wrong one,
    or the work moved). The business unit only. Its clock keeps its due date and history;
    the audit trail keeps the agencies and the reason. As ADR 0028's addendum says, the
    new agency gets the e-mail that gives an action, as if it were added now (a due date
    move not yet e-mailed goes with it: that e-mail says the date), and the old agency
    none. Its contributors see the action from then; the old agency's no longer do."""
    require_case_role(actor, action.recommendation.review.partnership)
    review, action = _locked_for_change(action, expected_version)
    raise_if(action_agency_errors(review, action, agency=agency, reason=reason))
    old = action.agency
    action.agency = agency
    action.agency_told_at = None
    action.assigned_at = timezone.now()
    action.due_date_was = action.due_date_moved_at = None
    action.version += 1
    action.save(
        update_fields=[
            "agency",
            "agency_told_at",
            "assigned_at",
            "due_date_was",
            "due_date_moved_at",
            "version",
        ]
    )
    deadline = get_deadline(action, Kind.ACTION)
    if deadline is not None:
        deadline.title = _clock_title(review, action.recommendation, agency)
        deadline.save(update_fields=["title"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=action,
        partnership=review.partnership,
        object_repr=action.audit_name[:200],
        changes={"agency": {"old": old.name, "new": agency.name}, "reason": reason.strip()},
    )
    _give_to_agency_after_commit(action)
    return action


def _note_due_date_moved(action: Action, *, was_due: dt.date) -> bool:
    """Keep on the action (unsaved) what its agency is still to be told: the due date it
    knows (the one before the first move not yet e-mailed) and when the date moved. A
    date moved back to the one the agency knows leaves nothing to tell (False)."""
    if action.due_date_was is None:
        action.due_date_was = was_due
    if action.due_date == action.due_date_was:
        action.due_date_was = action.due_date_moved_at = None
        return False
    action.due_date_moved_at = timezone.now()
    return True


@transaction.atomic
def action_sign_off(*, action: Action, actor: User, signed_on: dt.date | None = None) -> Action:
    """A partnership manager confirms a complete action: its clock stops."""
    review = action.recommendation.review
    require_manager(actor, review.partnership)
    require_not_closed(review)
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status != ActionStatus.COMPLETE:
        raise_if({"__all__": "Only an action marked complete can be signed off"})
    signed_on = signed_on or timezone.localdate()
    raise_if(
        past_date(
            signed_on,
            "signed_on",
            "the date of the sign-off",
            not_before=action.completed_on,
            not_before_what="the day the action was marked complete",
        )
    )
    action.status = ActionStatus.SIGNED_OFF
    action.signed_off_by = actor
    action.signed_off_on = signed_on
    action.version += 1
    action.save()
    # Stopped when it was completed (met or not); an action completed before that rule
    # has its clock stopped here, on the day it was completed.
    deadline_close(subject=action, kind=Kind.ACTION, on=action.completed_on or signed_on)
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=action,
        partnership=review.partnership,
        object_repr=action.audit_name[:200],
        changes={"status": {"old": ActionStatus.COMPLETE, "new": ActionStatus.SIGNED_OFF}},
    )
    return action
