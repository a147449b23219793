"""Writes for the rapid review itself: opening it with its clocks, the panel meeting, the
decision, partner sign-off and the National Panel. One service per status move."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from notifications.models import Incident
from safeguarding.audit import Action, audit_record, diff, snapshot, values_kept_only_for
from safeguarding.dates import full_date
from safeguarding.deadlines import (
    Kind,
    Rule,
    compute_due,
    deadline_close,
    deadline_correct_closing,
    deadline_reopen,
    deadline_start,
    deadlines_no_longer_needed,
    get_deadline,
)
from safeguarding.models import Deadline, Partnership, User

from ..models import (
    WORKING_DAYS_TO_COMPLETE,
    Criterion,
    Decision,
    Milestone,
    PanelResponse,
    Partner,
    RapidReview,
    SignOff,
    Status,
    Timetable,
)
from .common import (
    TransitionError,
    ensure_review_move,
    locked_review,
    locked_review_for_change,
    move_review,
    past_date,
    raise_if,
    require_case_role,
)
from .requests import information_requests_no_longer_needed, return_clock_keys

logger = logging.getLogger(__name__)


def timetable_for(partnership: Partnership) -> Timetable:
    """The partnership's local timetable, or the default one (not saved)."""
    try:
        return partnership.rapid_review_timetable
    except Timetable.DoesNotExist:
        return Timetable(partnership=partnership)


def _start_milestones(review: RapidReview, incident: Incident, owner: User | None) -> None:
    for key, day in timetable_for(incident.partnership).clocked_days().items():
        deadline_start(
            subject=review,
            partnership=incident.partnership,
            kind=Kind.RAPID_REVIEW_MILESTONE,
            key=key,
            title=f"{Milestone(key).label}: {incident.reference}",
            reference=incident.reference,
            url=review.get_absolute_url(),
            trigger_date=incident.notified_on,
            amount=day,
            owner=owner,
        )


@transaction.atomic
def rapid_review_open(*, incident: Incident, actor: User) -> RapidReview:
    """Open the rapid review: due 15 working days after the notification was sent, with
    the partnership's local timetable as milestones."""
    assert incident.notified_on is not None, "a rapid review needs a sent notification"
    due = compute_due(
        trigger_date=incident.notified_on,
        rule=Rule.WORKING_DAYS,
        amount=WORKING_DAYS_TO_COMPLETE,
        partnership=incident.partnership,
    )
    review, created = RapidReview.objects.update_or_create(
        incident=incident, defaults={"due_date": due}
    )
    deadline_start(
        subject=review,
        partnership=incident.partnership,
        kind=Kind.RAPID_REVIEW,
        title=f"Complete the rapid review: {incident.reference}",
        reference=incident.reference,
        url=review.get_absolute_url(),
        trigger_date=incident.notified_on,
        amount=WORKING_DAYS_TO_COMPLETE,
        owner=actor,
    )
    _start_milestones(review, incident, actor)
    if created:
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=review,
            partnership=incident.partnership,
            changes={"status": {"old": None, "new": Status.OPEN}, "due_date": due},
        )
    return review


# --- the panel meeting and its findings ---------------------------------------------------

FINDING_FIELDS = (
    "meeting_date",
    "attendees",
    "key_practice_episodes",
    "learning_local",
    "learning_national",
    "immediate_actions",
    "equality_and_diversity",
)


def _validate_findings(review: RapidReview, values: dict[str, Any]) -> None:
    raise_if(findings_errors(review, values))


def findings_errors(review: RapidReview, values: dict[str, Any]) -> dict[str, str]:
    """The meeting's findings against the review (for the service and its form)."""
    errors = past_date(
        values.get("meeting_date"),
        "meeting_date",
        "the date of the meeting",
        not_before=review.incident.notified_on,
        not_before_what="the date the notification was sent",
    )
    if not (values.get("attendees") or "").strip():
        errors["attendees"] = "Enter who attended the meeting"
    # Once decided, the findings still hold what the decision stands on.
    meeting = values.get("meeting_date")
    if review.decided_on and meeting and meeting > review.decided_on and not errors:
        errors["meeting_date"] = (
            "The date of the meeting must be on or before the date of the decision "
            f"({review.decided_on:%-d %B %Y})"
        )
    if review.decision == Decision.NO_LOCAL_REVIEW and not (
        (values.get("learning_local") or "").strip()
        or (values.get("learning_national") or "").strip()
    ):
        # DOMAIN: no local review "with rationale, learning still captured".
        errors["learning_local"] = (
            "Record the learning for local or national practice: the decision of no "
            "local review needs it"
        )
    return errors


def _save_findings(review: RapidReview, actor: User, values: dict[str, Any]) -> dict:
    unknown = set(values) - set(FINDING_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    before = snapshot(review, list(values))
    for name, value in values.items():
        setattr(review, name, value.strip() if isinstance(value, str) else value)
    return diff(before, snapshot(review, list(values)))


@transaction.atomic
def rapid_review_record_meeting(
    *,
    rapid_review: RapidReview,
    actor: User,
    values: dict[str, Any],
    expected_version: int | None = None,
) -> RapidReview:
    """The panel has met: record the meeting and its findings (open → meeting held)."""
    review = locked_review_for_change(rapid_review, actor, expected_version)
    if review.status != Status.OPEN:
        raise TransitionError("The meeting is already recorded: change its findings instead.")
    _validate_findings(review, values)
    move_review(review, Status.MEETING_HELD, actor)
    changed = _save_findings(review, actor, values)
    review.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.incident.partnership,
        changes={"fields": sorted(changed)},
    )
    deadline_close(
        subject=review,
        kind=Kind.RAPID_REVIEW_MILESTONE,
        key=Milestone.MEETING,
        on=review.meeting_date,
    )
    return review


@transaction.atomic
def rapid_review_update_findings(
    *,
    rapid_review: RapidReview,
    actor: User,
    values: dict[str, Any],
    expected_version: int | None = None,
) -> RapidReview:
    """Change the meeting's findings (until the review goes to the National Panel)."""
    review = locked_review_for_change(rapid_review, actor, expected_version)
    if review.status not in (Status.MEETING_HELD, Status.DECIDED):
        raise TransitionError(
            "The findings can change only after the meeting and before the "
            "review goes to the National Panel."
        )
    _validate_findings(review, {**{f: getattr(review, f) for f in FINDING_FIELDS}, **values})
    changed = _save_findings(review, actor, values)
    if changed:
        review.version += 1
        review.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=review,
            partnership=review.incident.partnership,
            changes={"fields": sorted(changed)},
        )
    if "meeting_date" in changed:
        # The meeting step was met on the corrected day.
        deadline_correct_closing(
            subject=review,
            kind=Kind.RAPID_REVIEW_MILESTONE,
            key=Milestone.MEETING,
            on=review.meeting_date,
            actor=actor,
            reason="The date of the meeting was corrected",
        )
    return review


# --- the decision and sign-off ---------------------------------------------------------------


def decision_errors(
    review: RapidReview, *, decided_on, decision, criteria, rationale
) -> dict[str, str]:
    """The decision against the review's meeting and findings (for the service and its
    form)."""
    errors = past_date(
        decided_on,
        "decided_on",
        "the date of the decision",
        not_before=review.meeting_date,
        not_before_what="the date of the meeting",
    )
    if decision not in Decision.values:
        errors["decision"] = "Select the decision"
    if any(c not in Criterion.values for c in criteria):
        errors["criteria"] = "Select only the criteria listed"
    elif decision == Decision.LOCAL_REVIEW and not criteria:
        errors["criteria"] = "Select the criteria for a local review that the case meets"
    if not (rationale or "").strip():
        errors["rationale"] = "Enter the rationale for the decision"
    if decision == Decision.NO_LOCAL_REVIEW and not (
        review.learning_local.strip() or review.learning_national.strip()
    ):
        # DOMAIN: no local review "with rationale, learning still captured".
        errors["decision"] = (
            "Record the learning for local or national practice in the meeting’s findings "
            "before deciding on no local review"
        )
    return errors


def sign_off_errors(review: RapidReview, *, signed_on, partner, name) -> dict[str, str]:
    """A partner's sign-off against the decision (for the service and its form)."""
    errors = past_date(
        signed_on,
        "signed_on",
        "the date of the sign-off",
        not_before=review.decided_on,
        not_before_what="the date of the decision",
    )
    if partner not in Partner.values:
        errors["partner"] = "Select the partner"
    if not (name or "").strip():
        errors["name"] = "Enter the name of the person signing off"
    return errors


def sent_to_panel_errors(
    review: RapidReview, *, sent_on, late_reason, resending: bool | None = None
) -> dict[str, str]:
    """The date the review went to the Panel against its sign-offs (or, sent again, the
    Panel's reply) and its due date (for the service and its form). `resending` is
    worked out from the review's status unless given (a correction of the first send)."""
    if resending is None:
        resending = review.status == Status.PANEL_RESPONDED
    last_signed = max((s.signed_on for s in review.sign_offs.all()), default=review.decided_on)
    errors = past_date(
        sent_on,
        "sent_on",
        "the date it was sent",
        not_before=review.panel_response_on if resending else last_signed,
        not_before_what="the Panel’s reply" if resending else "the last sign-off",
    )
    late = not resending and sent_on is not None and sent_on > review.due_date
    if late and not (late_reason or "").strip():
        errors["late_reason"] = (
            f"Enter why the review was sent after its due date ({review.due_date:%-d %B %Y})"
        )
    return errors


def panel_response_errors(
    review: RapidReview, *, response, responded_on, note, more_information_by
) -> dict[str, str]:
    """The Panel's reply against the date the review was sent, and what each answer
    needs (for the service and its form)."""
    errors = past_date(
        responded_on,
        "responded_on",
        "the date of the Panel’s reply",
        not_before=review.sent_to_panel_on,
        not_before_what="the date it was sent to the Panel",
    )
    acted_on = review.local_review_decided_on
    if "responded_on" not in errors and acted_on and responded_on and responded_on > acted_on:
        # A correction: the partners decided on a local review after this reply.
        errors["responded_on"] = (
            "The date of the Panel’s reply must be the same as or before the decision to "
            f"hold a local review after it ({full_date(acted_on)})"
        )
    if response not in PanelResponse.values:
        errors["response"] = "Select the National Panel’s response"
    note = (note or "").strip()
    if response == PanelResponse.MORE_INFORMATION and not note:
        errors["note"] = "Enter what the National Panel asked for"
    if response == PanelResponse.DISAGREES and not note:
        errors["note"] = "Enter what the National Panel said"
    if response == PanelResponse.MORE_INFORMATION:
        if more_information_by is None:
            errors["more_information_by"] = "Enter the date the Panel wants it by"
        elif responded_on and more_information_by < responded_on:
            errors["more_information_by"] = (
                "The date the Panel wants it by must be the same as or after its reply"
            )
    return errors


def after_panel_errors(review: RapidReview, *, decided_on, rationale) -> dict[str, str]:
    """A local review decided on after the Panel's reply (for the service and its form)."""
    errors = past_date(
        decided_on,
        "decided_on",
        "the date of the decision",
        not_before=review.panel_response_on,
        not_before_what="the Panel’s reply",
    )
    if not (rationale or "").strip():
        errors["rationale"] = "Enter why the partners decided to hold a local review"
    return errors


@transaction.atomic
def rapid_review_decide(
    *,
    rapid_review: RapidReview,
    actor: User,
    decision: str,
    criteria: list[str],
    rationale: str,
    decided_on: dt.date | None,
    expected_version: int | None = None,
) -> RapidReview:
    """Record the decision with its rationale against the reg 11 criteria."""
    review = locked_review_for_change(rapid_review, actor, expected_version)
    ensure_review_move(review, Status.DECIDED)
    raise_if(
        decision_errors(
            review, decided_on=decided_on, decision=decision, criteria=criteria, rationale=rationale
        )
    )
    move_review(review, Status.DECIDED, actor)
    review.decision = decision
    review.criteria = [c for c in Criterion.values if c in criteria]
    review.decision_rationale = rationale.strip()
    review.decided_on = decided_on
    review.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.incident.partnership,
        changes={"decision": decision, "criteria": review.criteria, "decided_on": decided_on},
    )
    return review


@transaction.atomic
def rapid_review_withdraw_decision(
    *, rapid_review: RapidReview, actor: User, note: str
) -> RapidReview:
    """Take a decision back before it goes to the Panel; its sign-offs no longer stand."""
    require_case_role(actor, rapid_review.incident.partnership)
    review = locked_review(rapid_review)
    if review.status != Status.DECIDED:
        raise TransitionError(
            f"A rapid review that is ‘{review.get_status_display()}’ has no decision to withdraw."
        )
    if not (note or "").strip():
        raise ValidationError({"note": "Enter why the decision is being withdrawn"})
    move_review(review, Status.MEETING_HELD, actor, note.strip())
    removed = [s.get_partner_display() for s in review.sign_offs.all()]
    review.sign_offs.all().delete()
    review.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.incident.partnership,
        changes={"sign_offs_removed": removed, "reason": note.strip()},
    )
    deadline_reopen(subject=review, kind=Kind.RAPID_REVIEW_MILESTONE, key=Milestone.SIGN_OFF)
    return review


@transaction.atomic
def rapid_review_sign_off(
    *,
    rapid_review: RapidReview,
    actor: User,
    partner: str,
    name: str,
    signed_on: dt.date | None,
    role: str = "",
) -> SignOff:
    """Record one statutory partner's sign-off of the decision."""
    require_case_role(actor, rapid_review.incident.partnership)
    review = locked_review(rapid_review)
    if review.status != Status.DECIDED:
        raise TransitionError("Partners sign off a decision: record the decision first.")
    raise_if(sign_off_errors(review, signed_on=signed_on, partner=partner, name=name))
    sign_off, created = SignOff.objects.update_or_create(
        rapid_review=review,
        partner=partner,
        defaults={
            "name": name.strip(),
            "role": role.strip(),
            "signed_on": signed_on,
            "recorded_by": actor,
        },
    )
    review.version += 1
    review.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=sign_off,
        partnership=review.incident.partnership,
        object_repr=f"{review.incident.reference} sign-off: {Partner(partner).label}",
        changes={"name": name.strip(), "signed_on": signed_on},
    )
    dates = list(review.sign_offs.values_list("signed_on", flat=True))
    if len(dates) == len(Partner.values):
        deadline_close(
            subject=review, kind=Kind.RAPID_REVIEW_MILESTONE, key=Milestone.SIGN_OFF, on=max(dates)
        )
        if not created:
            # A sign-off's date corrected once all three had signed: the step was done
            # on the last sign-off's real day (closing a closed clock changes nothing).
            deadline_correct_closing(
                subject=review,
                kind=Kind.RAPID_REVIEW_MILESTONE,
                key=Milestone.SIGN_OFF,
                on=max(dates),
                actor=actor,
                reason=f"The date of the {str(Partner(partner).label).lower()} sign-off "
                "was corrected",
            )
    return sign_off


def missing_sign_offs(review: RapidReview) -> list[str]:
    signed = {s.partner for s in review.sign_offs.all()}
    return [str(Partner(p).label) for p in Partner.values if p not in signed]


# --- the National Panel -------------------------------------------------------------------------


def _open_local_review(review: RapidReview, actor: User) -> bool:
    """The hook for the LCSPR stage: open a local review when that stage provides
    `lcspr.services.review_open`; until then the decision is only recorded."""
    try:
        lcspr_services = importlib.import_module("lcspr.services")
    except ImportError:
        return False
    review_open = getattr(lcspr_services, "review_open", None)
    if review_open is None:
        return False
    review_open(rapid_review=review, decision_date=review.decided_on, actor=actor)
    return True


@transaction.atomic
def rapid_review_send_to_panel(
    *, rapid_review: RapidReview, actor: User, sent_on: dt.date | None, late_reason: str = ""
) -> RapidReview:
    """Record that the signed-off rapid review went to the National Panel; stop the clock."""
    require_case_role(actor, rapid_review.incident.partnership)
    review = locked_review(rapid_review)
    ensure_review_move(review, Status.SENT_TO_PANEL)
    resending = review.status == Status.PANEL_RESPONDED
    if resending and review.panel_response != PanelResponse.MORE_INFORMATION:
        raise TransitionError(
            "The National Panel has replied; send it again only when the "
            "Panel asks for more information."
        )
    if review.status == Status.DECIDED and missing_sign_offs(review):
        raise ValidationError(
            "All three partners must sign off before the review goes to the National Panel. "
            f"Still to sign: {', '.join(missing_sign_offs(review))}"
        )
    raise_if(sent_to_panel_errors(review, sent_on=sent_on, late_reason=late_reason))
    late = not resending and sent_on is not None and sent_on > review.due_date
    if late:
        review.late_reason = late_reason.strip()
    previous = (
        {
            "panel_response": review.panel_response,
            "panel_response_on": review.panel_response_on,
            "panel_more_information_by": review.panel_more_information_by,
        }
        if resending
        else {}
    )
    move_review(review, Status.SENT_TO_PANEL, actor)
    if resending:
        deadline_close(
            subject=review, kind=Kind.RAPID_REVIEW_MILESTONE, key=MORE_INFORMATION_KEY, on=sent_on
        )
    review.sent_to_panel_on = sent_on
    review.panel_response, review.panel_response_on, review.panel_response_note = "", None, ""
    review.panel_more_information_by, review.panel_response_correction = None, ""
    review.save()
    opened = False
    if not resending:
        deadline_close(
            subject=review, kind=Kind.RAPID_REVIEW_MILESTONE, key=Milestone.PANEL, on=sent_on
        )
        deadline_close(subject=review, kind=Kind.RAPID_REVIEW, on=sent_on)
        # The local timetable's earlier steps no longer matter once the review has gone:
        # any still open (never marked done) stop as "no longer needed".
        deadlines_no_longer_needed(
            subjects=[review], kind=Kind.RAPID_REVIEW_MILESTONE, keys=Milestone, on=sent_on
        )
        # So do the returns still awaited: the agencies are told they can stop, and
        # their clocks stop too, rather than stay on the dashboard and in reminders.
        information_requests_no_longer_needed(rapid_review=review, actor=actor)
        for request in review.requests.all():
            deadlines_no_longer_needed(
                subjects=[request],
                kind=Kind.AGENCY_RETURN,
                keys=return_clock_keys(request),
                on=sent_on,
            )
        if review.decision == Decision.LOCAL_REVIEW:
            opened = _open_local_review(review, actor)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.incident.partnership,
        changes={
            "sent_to_panel_on": sent_on,
            "local_review_opened": opened,
            **{f"previous_{k}": v for k, v in previous.items()},
        },
    )
    return review


def sent_correction_errors(review: RapidReview, *, sent_on, late_reason, reason) -> dict[str, str]:
    """A correction of the day the review first went to the Panel: as when it was
    recorded (not before the last sign-off, not in the future, a reason if after its due
    date), not after the Panel's reply, and why it is corrected (for the service and its
    form)."""
    errors = sent_to_panel_errors(review, sent_on=sent_on, late_reason=late_reason, resending=False)
    replied = review.panel_response_on
    if "sent_on" not in errors and sent_on and replied and sent_on > replied:
        errors["sent_on"] = (
            "The date it was sent must be the same as or before the National Panel’s reply "
            f"({full_date(replied)})"
        )
    if not (reason or "").strip():
        errors["reason"] = "Enter why the date is being corrected"
    return errors


def sent_correction_refused(review: RapidReview, clock: Deadline | None = None) -> str:
    """Why the day it was sent cannot be corrected now ("" if it can): only a review
    sent once, and so only the day it was first sent. `clock`: its 15-working-day
    clock, if the caller has read it already."""
    if review.status not in (Status.SENT_TO_PANEL, Status.PANEL_RESPONDED):
        return "The review has not been sent to the National Panel yet."
    first = clock or get_deadline(review, Kind.RAPID_REVIEW)
    if first is None or first.closed_on != review.sent_to_panel_on:
        return (
            "The review was sent to the National Panel again, with more information: the "
            "day it was first sent can no longer be corrected here."
        )
    return ""


@transaction.atomic
def rapid_review_correct_sent_to_panel(
    *,
    rapid_review: RapidReview,
    actor: User,
    sent_on: dt.date | None,
    reason: str,
    late_reason: str = "",
    expected_version: int | None = None,
) -> RapidReview:
    """Correct the day the review was recorded as sent to the Panel (it was typed wrong):
    the clock of the 15 working days and the timetable's last step were met on the
    corrected day, which says whether it went late. Audited with the reason."""
    review = locked_review_for_change(rapid_review, actor, expected_version)
    refused = sent_correction_refused(review)
    if refused:
        raise TransitionError(refused)
    raise_if(
        sent_correction_errors(review, sent_on=sent_on, late_reason=late_reason, reason=reason)
    )
    old = review.sent_to_panel_on
    if sent_on == old:
        return review
    reason = reason.strip()
    review.sent_to_panel_on = sent_on
    review.late_reason = late_reason.strip() if sent_on > review.due_date else ""
    review.version += 1
    review.save()
    said = f"The date it was sent to the National Panel was corrected: {reason}"
    for kind, key in ((Kind.RAPID_REVIEW, ""), (Kind.RAPID_REVIEW_MILESTONE, Milestone.PANEL)):
        deadline_correct_closing(
            subject=review, kind=kind, key=key, on=sent_on, actor=actor, reason=said
        )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.incident.partnership,
        changes={"sent_to_panel_on": {"old": old, "new": sent_on}, "reason": reason},
    )
    return review


#: The clock for the Panel's request for more information (a rapid review step clock,
#: outside the local timetable), stopped when the review goes to the Panel again.
MORE_INFORMATION_KEY = "panel_more_information"


def _more_information_clock(review: RapidReview, actor: User, on: dt.date) -> None:
    """Start the clock for what the Panel asked for, or stop one no longer asked for."""
    if review.panel_response == PanelResponse.MORE_INFORMATION:
        incident = review.incident
        deadline_start(
            subject=review,
            partnership=incident.partnership,
            kind=Kind.RAPID_REVIEW_MILESTONE,
            key=MORE_INFORMATION_KEY,
            title=f"More information for the National Panel: {incident.reference}",
            reference=incident.reference,
            url=review.get_absolute_url(),
            trigger_date=review.panel_response_on,
            rule=Rule.FIXED,
            due_date=review.panel_more_information_by,
            owner=actor,
        )
    else:
        deadline_close(
            subject=review,
            kind=Kind.RAPID_REVIEW_MILESTONE,
            key=MORE_INFORMATION_KEY,
            on=on,
            outcome=Deadline.Outcome.CANCELLED,
        )


@transaction.atomic
def rapid_review_record_panel_response(
    *,
    rapid_review: RapidReview,
    actor: User,
    response: str,
    responded_on: dt.date | None,
    note: str = "",
    more_information_by: dt.date | None = None,
    correction_reason: str = "",
) -> RapidReview:
    """Record the National Panel's reply; or, once recorded, correct it (with a reason,
    kept in the audit trail). A request for more information says what and by when, and
    starts a clock until the review is sent again. A correction cannot take away a
    disagreement the partners have already acted on (a local review decided after it)."""
    require_case_role(actor, rapid_review.incident.partnership)
    review = locked_review(rapid_review)
    correcting = review.status == Status.PANEL_RESPONDED
    if not correcting:
        ensure_review_move(review, Status.PANEL_RESPONDED)
    elif review.local_review_decided_on is not None and response != review.panel_response:
        raise TransitionError(
            "The partners have decided to hold a local review after this reply: the "
            "response can no longer be changed."
        )
    note = (note or "").strip()
    errors = panel_response_errors(
        review,
        response=response,
        responded_on=responded_on,
        note=note,
        more_information_by=more_information_by,
    )
    if correcting and not (correction_reason or "").strip():
        errors["correction_reason"] = "Enter why the response is being corrected"
    raise_if(errors)
    fields = ["panel_response", "panel_response_on", "panel_response_note"]
    fields.append("panel_more_information_by")
    before = snapshot(review, fields)
    if correcting:
        review.version += 1
    else:
        move_review(review, Status.PANEL_RESPONDED, actor, note)
    review.panel_response = response
    review.panel_response_on = responded_on
    review.panel_response_note = note
    review.panel_more_information_by = (
        more_information_by if response == PanelResponse.MORE_INFORMATION else None
    )
    if correcting:
        review.panel_response_correction = correction_reason.strip()
    review.save()
    _more_information_clock(review, actor, responded_on)
    changes = {"panel_response": response, "panel_response_on": responded_on}
    if correcting:
        # What the Panel wrote, and why it was corrected, stay on the record (they may
        # name the child): the trail, never erased, says which changed.
        changes = values_kept_only_for(
            diff(before, snapshot(review, fields)),
            {"panel_response", "panel_response_on", "panel_more_information_by"},
        )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.incident.partnership,
        changes=changes,
    )
    return review


@transaction.atomic
def rapid_review_hold_local_review_after_panel(
    *,
    rapid_review: RapidReview,
    actor: User,
    decided_on: dt.date | None,
    rationale: str,
    expected_version: int | None = None,
) -> RapidReview:
    """The National Panel disagreed with a decision not to hold a local review (the
    Panel suggesting one is a regulation 11 criterion), and the partners now decide to
    hold one. The decision sent to the Panel stays as it was; this one is recorded
    beside it, and the local review opens with its 6 months counted from this decision."""
    review = locked_review_for_change(rapid_review, actor, expected_version)
    if (
        review.status != Status.PANEL_RESPONDED
        or review.panel_response != PanelResponse.DISAGREES
        or review.decision == Decision.LOCAL_REVIEW
    ):
        raise TransitionError(
            "A local review can be decided on after the Panel’s reply only when the Panel "
            "disagreed with a decision not to hold one."
        )
    if review.local_review_decided_on is not None or _has_local_review(review):
        raise TransitionError("This rapid review already has a local review.")
    raise_if(after_panel_errors(review, decided_on=decided_on, rationale=rationale))
    review.local_review_decided_on = decided_on
    review.local_review_rationale = rationale.strip()
    review.version += 1
    review.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.incident.partnership,
        changes={
            "local_review_decided_on": decided_on,
            "after": "the National Panel disagreed with the decision",
        },
    )
    from lcspr.services import review_open

    review_open(rapid_review=review, decision_date=decided_on, actor=actor)
    return review


def _has_local_review(review: RapidReview) -> bool:
    from lcspr.models import Review

    return Review.objects.filter(rapid_review=review).exists()
