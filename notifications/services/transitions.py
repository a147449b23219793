"""Every status move of an incident, one service per move."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from safeguarding.audit import Action, audit_record
from safeguarding.deadlines import (
    Kind,
    deadline_close,
    deadline_correct_closing,
    deadline_reopen,
    deadlines_rebase,
)
from safeguarding.models import User
from safeguarding.uploads import delete_after_commit
from safeguarding.workflow import record_move

from ..models import NO_RAPID_REVIEW, TRANSITIONS, UNDECIDED, Incident, Status, StatusChange
from .common import (
    CASE_ROLES,
    MANAGERS,
    TransitionError,
    check_version,
    corrected_awareness_errors,
    decision_date_errors,
    late_reason_errors,
    locked,
    move_refused,
    notification_due_from,
    require_role,
    validate_notification_date,
)
from .incidents import move_awareness_date

# --- status moves ---------------------------------------------------------------------


def _move(
    incident: Incident, to: str, actor: User, note: str = "", extra: dict | None = None
) -> None:
    if to not in TRANSITIONS[incident.status]:
        raise move_refused("an incident", Status(incident.status), Status(to))
    record_move(
        incident,
        to,
        actor,
        note,
        rows=StatusChange,
        row_links={"incident": incident},
        changes=extra,
    )


def missing_for_decision(incident: Incident) -> list[str]:
    """What must be filled in before an incident can go for decision (GOV.UK wording)."""
    return [message for message, _ in missing_for_decision_where(incident)]


def missing_for_decision_where(incident: Incident) -> list[tuple[str, str | int]]:
    """`missing_for_decision` with where each is put right: the step of the journey that
    asks it ("nature", "circumstances", "children", "notifier"), or a child's pk."""
    missing: list[tuple[str, str | int]] = []
    if not incident.nature:
        missing.append(("Select the nature of the incident", "nature"))
    if incident.nature and incident.nature not in NO_RAPID_REVIEW and not incident.harm_categories:
        missing.append(("Select at least one category of harm", "nature"))
    if not incident.circumstances.strip():
        missing.append(("Enter a summary of the circumstances", "circumstances"))
    children = list(incident.children.all())
    if not children:
        missing.append(("Add at least one child", "children"))
    for child in children:
        if child.date_of_birth and not child.unborn and child.date_of_birth > incident.age_on:
            # The incident's date moved before the birth after the child was added.
            missing.append(
                (
                    f"{child.pseudonym}’s date of birth ({child.date_of_birth:%-d %B %Y}) is "
                    f"after the date of the incident ({incident.age_on:%-d %B %Y}): correct "
                    "one of them",
                    child.pk,
                )
            )
            continue
        years = child.age_in_years
        if years is not None and years > incident.oldest_age:
            # The nature was changed after the child was added: one of them must change.
            missing.append((incident.too_old_message(years, who=child.pseudonym), child.pk))
    if not incident.notifier_name.strip():
        missing.append(("Enter the name of the person notifying", "notifier"))
    return missing


@transaction.atomic
def incident_submit_for_decision(*, incident: Incident, actor: User) -> Incident:
    require_role(actor, incident.partnership)
    incident = locked(incident)
    if incident.status != Status.DRAFT:
        # A decision not to notify is reopened only by incident_reconsider: a manager,
        # a reason, and the clock running again.
        raise TransitionError(
            f"Only a draft can go for a decision; this incident is "
            f"‘{incident.get_status_display()}’."
        )
    missing = missing_for_decision(incident)
    if missing:
        raise ValidationError(missing)
    _move(incident, Status.AWAITING_DECISION, actor)
    incident.save(update_fields=["status", "version", "updated_at"])
    return incident


@transaction.atomic
def incident_return_to_draft(*, incident: Incident, actor: User, note: str = "") -> Incident:
    require_role(actor, incident.partnership)
    incident = locked(incident)
    _move(incident, Status.DRAFT, actor, note)
    incident.save(update_fields=["status", "version", "updated_at"])
    return incident


@transaction.atomic
def incident_record_notification(
    *,
    incident: Incident,
    actor: User,
    notified_at: dt.datetime,
    dfe_reference: str,
    sent_by: User | None = None,
    ofsted_copied: bool = False,
    other_partnerships_told: str = "",
    late_reason: str = "",
) -> Incident:
    """Record that the notification went through the DfE service; stop the clock; open the
    rapid review (or, for the kinds that need none, record it without one)."""
    require_role(actor, incident.partnership)
    incident = locked(incident)
    target = Status.RECORDED if incident.nature in NO_RAPID_REVIEW else Status.NOTIFIED
    if incident.status != Status.AWAITING_DECISION:
        # Before its answers are checked: a draft is sent for a decision first.
        raise move_refused("an incident", Status(incident.status), target)
    notified_on = timezone.localtime(notified_at).date()
    errors = validate_notification_date(
        incident=incident, notified_on=notified_on, today=timezone.localdate()
    )
    if not dfe_reference.strip():
        errors["dfe_reference"] = "Enter the reference the DfE service gave the notification"
    if not errors.get("notified_on"):
        errors.update(
            late_reason_errors(
                due=incident.notification_due, notified_on=notified_on, late_reason=late_reason
            )
        )
    missing = missing_for_decision(incident)
    if missing:
        # Checked when it went for decision, but it can still change while it waits:
        # what the national form needs must still be there when it is recorded as sent.
        errors[NON_FIELD_ERRORS] = missing
    if incident.other_local_authority.strip() and not other_partnerships_told.strip():
        # DOMAIN: partners in other areas are told within the same 5 working days.
        errors["other_partnerships_told"] = (
            f"Enter who in {incident.other_local_authority.strip()} was told, and when"
        )
    if errors:
        raise ValidationError(errors)
    _move(incident, target, actor)
    incident.notified_at = notified_at
    incident.notified_on = notified_on
    incident.dfe_reference = dfe_reference.strip()
    incident.sent_by = sent_by or actor
    incident.ofsted_copied = ofsted_copied
    incident.other_partnerships_told = other_partnerships_told.strip()
    incident.late_reason = late_reason.strip() if notified_on > incident.notification_due else ""
    incident.save()
    deadline_close(subject=incident, kind=Kind.NOTIFICATION, on=notified_on)
    _attach_pdf(incident)
    if target == Status.NOTIFIED:
        from rapid_reviews.services import rapid_review_open

        rapid_review_open(incident=incident, actor=actor)
    return incident


@transaction.atomic
def incident_correct_notification(
    *,
    incident: Incident,
    actor: User,
    notified_at: dt.datetime,
    reason: str,
    late_reason: str = "",
    expected_version: int | None = None,
) -> Incident:
    """Correct when the notification was sent (it was recorded wrongly): with a reason,
    audited. The notification clock is met on the corrected day, and the rapid review's
    clocks count their working days from it (its steps already done are judged against
    the days they were really due)."""
    require_role(actor, incident.partnership)
    incident = locked(incident)
    check_version(incident, expected_version)
    if incident.status not in (Status.NOTIFIED, Status.RECORDED):
        raise TransitionError("Only a recorded notification’s date can be corrected.")
    review = getattr(incident, "rapid_review", None)
    if review is not None and review.status in ("sent_to_panel", "panel_responded"):
        raise TransitionError(
            "The rapid review has gone to the National Panel: its clock has ended, so the "
            "date the notification was sent can no longer change it."
        )
    notified_on = timezone.localtime(notified_at).date()
    errors = corrected_notification_errors(
        incident=incident,
        notified_on=notified_on,
        reason=reason,
        late_reason=late_reason,
        today=timezone.localdate(),
    )
    if errors:
        raise ValidationError(errors)
    reason = reason.strip()
    late = notified_on > incident.notification_due
    old_at, old_on, old_late = incident.notified_at, incident.notified_on, incident.late_reason
    if old_at == notified_at:
        return incident
    incident.notified_at, incident.notified_on = notified_at, notified_on
    incident.late_reason = ((late_reason or "").strip() or incident.late_reason) if late else ""
    incident.version += 1
    incident.save(
        update_fields=["notified_at", "notified_on", "late_reason", "version", "updated_at"]
    )
    why = f"The date the notification was sent was corrected: {reason}"
    deadline_correct_closing(
        subject=incident, kind=Kind.NOTIFICATION, on=notified_on, actor=actor, reason=why
    )
    if review is not None and old_on != notified_on:
        # The rapid review before its clocks, as its own services and the calendar's
        # recompute lock them (the same order everywhere: no deadlock).
        type(review).objects.select_for_update().filter(pk=review.pk).exists()
        deadlines_rebase(
            subject=review,
            kinds=[Kind.RAPID_REVIEW, Kind.RAPID_REVIEW_MILESTONE],
            old_trigger=old_on,
            new_trigger=notified_on,
            actor=actor,
            reason=why,
        )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=incident,
        changes={
            "notified_at": {"old": old_at, "new": notified_at},
            "reason": reason,
            **_late_reason_change(old_late, incident.late_reason),
        },
    )
    return incident


@transaction.atomic
def incident_correct_awareness_date(
    *,
    incident: Incident,
    actor: User,
    awareness_date: dt.date | None,
    reason: str,
    late_reason: str = "",
    expected_version: int | None = None,
) -> Incident:
    """Correct the date the local authority became aware after the notification was
    recorded (it was recorded wrongly): with a reason, audited. The 5 working days are
    counted again from it, so the notification may turn out late (a reason is then
    needed) or on time. The rapid review counts from the notification, so is unchanged."""
    require_role(actor, incident.partnership)
    incident = locked(incident)
    check_version(incident, expected_version)
    if incident.status not in (Status.NOTIFIED, Status.RECORDED):
        raise TransitionError(
            "Only a recorded notification’s awareness date is corrected here: before the "
            "decision, change it with the incident’s dates."
        )
    today = timezone.localdate()
    errors = corrected_awareness_errors(
        incident=incident, awareness_date=awareness_date, today=today
    )
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Enter why the date the local authority became aware is being corrected"
    late = False
    if not errors.get("awareness_date"):
        due = notification_due_from(incident, awareness_date)
        late = incident.notified_on > due
        errors.update(
            late_reason_errors(
                due=due,
                notified_on=incident.notified_on,
                late_reason=late_reason or incident.late_reason,
                counted=", counted from the corrected date",
            )
        )
    if errors:
        raise ValidationError(errors)
    if awareness_date == incident.awareness_date:
        return incident
    old_late = incident.late_reason
    incident.late_reason = ((late_reason or "").strip() or incident.late_reason) if late else ""
    incident = move_awareness_date(
        incident=incident,
        actor=actor,
        awareness_date=awareness_date,
        reason=reason,
        clock_reason=f"The date the local authority became aware was corrected: {reason}",
        also=("late_reason",),
        changes=_late_reason_change(old_late, incident.late_reason),
    )
    return incident


def _late_reason_change(old: str, new: str) -> dict:
    """The late reason's change for the audit trail, if it changed (a correction can make
    a notification late or on time, and the trail keeps the reason it replaced)."""
    return {"late_reason": {"old": old, "new": new}} if old != new else {}


def corrected_notification_errors(
    *, incident: Incident, notified_on: dt.date | None, reason: str, late_reason: str, today
) -> dict[str, str]:
    """A corrected date the notification was sent: as any such date, and not after the
    rapid review it opened first recorded something; why it is corrected; and why it was
    late, if it now was (for the service and its form)."""
    errors = validate_notification_date(incident=incident, notified_on=notified_on, today=today)
    review = getattr(incident, "rapid_review", None)
    recorded = _first_rapid_review_step(review) if review is not None and not errors else None
    if recorded is not None and notified_on > recorded[0]:
        errors["notified_on"] = (
            f"The rapid review recorded {recorded[1]} on {recorded[0]:%-d %B %Y}: the "
            "notification was sent on or before that day"
        )
    if not (reason or "").strip():
        errors["reason"] = "Enter why the date the notification was sent is being corrected"
    if not errors.get("notified_on"):
        errors.update(
            late_reason_errors(
                due=incident.notification_due,
                notified_on=notified_on,
                late_reason=late_reason or incident.late_reason,
            )
        )
    return errors


def _first_rapid_review_step(review) -> tuple[dt.date, str] | None:
    """The earliest day the rapid review recorded something (a request sent, a return in,
    a step met, the meeting): the notification, which opened it, came no later."""
    from rapid_reviews.models import InformationRequest
    from safeguarding.models import Deadline

    days = []
    if review.meeting_date:
        days.append((review.meeting_date, "its panel meeting"))
    sent = (
        InformationRequest.objects.filter(rapid_review=review, sent_on__isnull=False)
        .order_by("sent_on")
        .values_list("sent_on", flat=True)
        .first()
    )
    if sent:
        days.append((sent, "an information request sent"))
    met = (
        Deadline.objects.for_subject(review)
        .filter(kind=Kind.RAPID_REVIEW_MILESTONE, outcome=Deadline.Outcome.MET)
        .order_by("closed_on")
        .values_list("closed_on", flat=True)
        .first()
    )
    if met:
        days.append((met, "a step of its timetable done"))
    return min(days) if days else None


def _attach_pdf(incident: Incident) -> None:
    """Keep the copy of what was sent, made as the notification is recorded. It is never
    remade: a correction leaves it as it was sent, and the notification as corrected is
    made when it is asked for (ADR 0008, addendum of 2026-12-07)."""
    from safeguarding.uploads import replace_stored

    from ..documents import notification_pdf

    pdf = notification_pdf(incident)
    replace_stored(
        incident.notification_pdf, f"{incident.reference}-notification.pdf", ContentFile(pdf)
    )
    incident.notification_pdf_as_sent = True
    incident.save(update_fields=["notification_pdf", "notification_pdf_as_sent"])


@transaction.atomic
def incident_decide_not_to_notify(
    *, incident: Incident, actor: User, rationale: str, agreed_by: str, decided_on: dt.date
) -> Incident:
    """Record a decision not to notify, with its rationale and the partners who agreed."""
    require_role(actor, incident.partnership, MANAGERS)
    incident = locked(incident)
    errors = {}
    if not rationale.strip():
        errors["rationale"] = "Enter the rationale for the decision not to notify"
    if not agreed_by.strip():
        errors["agreed_by"] = "Enter who agreed the decision for each of the three partners"
    errors.update(
        decision_date_errors(incident=incident, decided_on=decided_on, today=timezone.localdate())
    )
    if errors:
        raise ValidationError(errors)
    _move(incident, Status.NOT_NOTIFIED, actor, rationale)
    incident.decision_rationale = rationale.strip()
    incident.decision_agreed_by = agreed_by.strip()
    incident.decided_on = decided_on
    incident.save()
    deadline_close(subject=incident, kind=Kind.NOTIFICATION, on=decided_on, outcome="cancelled")
    return incident


@transaction.atomic
def incident_reconsider(*, incident: Incident, actor: User, note: str) -> Incident:
    """Reopen a decision not to notify (for example when new information arrives)."""
    require_role(actor, incident.partnership, MANAGERS)
    incident = locked(incident)
    if not note.strip():
        raise ValidationError({"note": "Enter why the decision is being reconsidered"})
    _move(incident, Status.AWAITING_DECISION, actor, note)
    incident.save(update_fields=["status", "version", "updated_at"])
    clock = deadline_reopen(subject=incident, kind=Kind.NOTIFICATION)
    if clock is not None:
        incident.notification_due = clock.due_date
    return incident


#: What is erased from an incident entered in error. The reference, the partnership, the
#: dates that set its clock, who logged it and its history stay, so the sequence of
#: references has no unexplained gap and the audit trail still reads.
ERASED_FIELDS = {
    "incident_date": None,
    "incident_place": "",
    "nature": "",
    "harm_categories": [],
    "circumstances": "",
    "other_local_authority": "",
    "parallel_processes": [],
    "other_children_in_household": "",
    "notifier_name": "",
    "notifier_role": "",
    "notifier_contact": "",
    # An earlier decision not to notify (since reconsidered): its rationale and who agreed.
    "decision_rationale": "",
    "decision_agreed_by": "",
    "decided_on": None,
    "late_reason": "",
}


@transaction.atomic
def incident_enter_in_error(
    *, incident: Incident, actor: User, reason: str, expected_version: int | None = None
) -> Incident:
    """Mark an incident that was logged by mistake, and never sent, as entered in error.

    Its children, documents and details are erased (a child's details have no place in a
    case that was never one); its reference, dates and history stay, with the reason.
    The notification clock closes as no longer needed, so it leaves the dashboard and the
    timeliness figures, and the incident leaves the lists and the counts."""
    require_role(actor, incident.partnership, CASE_ROLES)
    incident = locked(incident)
    check_version(incident, expected_version)
    if incident.status not in UNDECIDED:
        raise TransitionError(
            "Only an incident that has not been notified or decided on can be marked as "
            "entered in error."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the incident was entered in error"})

    attachments = list(incident.attachments.all())
    for attachment in attachments:
        delete_after_commit(attachment.file.storage, attachment.file.name)
    # What was erased is counted, never copied: the trail must not keep what was removed.
    erased = {"children": incident.children.count(), "documents": len(attachments)}
    incident.children.all().delete()
    incident.attachments.all().delete()
    _move(
        incident,
        Status.ENTERED_IN_ERROR,
        actor,
        reason,
        extra={"reason": reason, "erased": erased},
    )
    for name, value in ERASED_FIELDS.items():
        setattr(incident, name, value)
    incident.error_reason = reason
    incident.save()
    # The notes of its earlier moves (a decision's rationale, why it went back to draft).
    incident.status_changes.exclude(to_status=Status.ENTERED_IN_ERROR).update(note="")
    deadline_close(
        subject=incident, kind=Kind.NOTIFICATION, on=timezone.localdate(), outcome="cancelled"
    )
    return incident
