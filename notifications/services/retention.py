"""Deleting a whole case at the end of its retention period.

The retention report lists the cases that closed (every stage ended, every clock stopped,
every action signed off: `selectors.incidents_closed`) more than `RETENTION_YEARS` ago; a
partnership manager, with the data protection officer's agreement, deletes one here.
Everything the case holds goes: the incident, its children and documents, its rapid review
(requests, returns, chronologies, sign-offs), its local reviews (recommendations, actions,
briefing) and their clocks and reminders, and every stored file. What stays: the anonymised public
copy of a published review (it is the partnership's published learning, with its own
life), the audit trail (append only, ADR 0005), which gains one event recording the
deletion, its reason and what was deleted, by count; and, for the partnership's figures of
past years, the anonymised facts they count (`_keep_figures`).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding.audit import Action, audit_record
from safeguarding.models import User
from safeguarding.uploads import delete_after_commit

from ..models import Child, Incident, RetentionHold, Status
from .common import MANAGERS, TransitionError, locked, require_role


@transaction.atomic
def case_delete(*, incident: Incident, actor: User, reason: str) -> dict[str, int]:
    """Delete the case past its retention period; what was deleted, by kind, counted."""
    from ..case_export import by_type, case_clocks, case_records, stored_files
    from ..selectors import case_deletion_refused

    require_role(actor, incident.partnership, MANAGERS)
    incident = locked(incident)
    refused = case_deletion_refused(
        actor, incident, today=timezone.localdate(), years=settings.RETENTION_YEARS
    )
    if refused:
        raise TransitionError(f"{incident.reference} cannot be deleted: {'; '.join(refused)}.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the case is being deleted"})

    records = case_records(incident)
    keys = by_type(records)
    clocks = case_clocks(keys)
    running = list(clocks.filter(closed_on__isnull=True).values_list("title", flat=True))
    if running:  # a clock of a record `case_deletion_refused` does not know of
        raise TransitionError(
            f"{incident.reference} cannot be deleted: its clocks "
            f"{', '.join(f'‘{title}’' for title in running)} are still running."
        )
    files = [(stored.storage, stored.name) for stored in stored_files(records)]
    counts = {label: len(ids) for label, ids in sorted(keys.items())}
    counts["safeguarding.deadline"] = clocks.count()

    kept = _keep_figures(incident, clocks)
    clocks.delete()  # with their history and reminder claims
    # The later stages first: each protects the record it hangs from.
    apps.get_model("lcspr", "Review").objects.filter(rapid_review__incident=incident).delete()
    apps.get_model("rapid_reviews", "RapidReview").objects.filter(incident=incident).delete()
    reference, partnership = incident.reference, incident.partnership
    incident.delete()
    for storage, name in files:
        delete_after_commit(storage, name)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        partnership=partnership,
        object_repr=f"{reference} (the whole case, past retention)",
        changes={"reason": reason, "deleted": counts, "kept_for_figures": kept},
    )
    return counts


#: The furthest ahead a decision to keep a case may set its date to look again (ADR 0014,
#: addendum of 2026-12-07): the usual limitation period for a civil claim.
KEEP_AT_MOST_YEARS = 6


def keep_date_errors(review_on, *, today) -> dict[str, str]:
    """The date to look at a kept case again: after today, and at most
    `KEEP_AT_MOST_YEARS` ahead (for forms and the service alike)."""
    from dateutil.relativedelta import relativedelta

    if review_on is None:
        return {"review_on": "Enter the date to look at the case again"}
    if review_on <= today:
        return {"review_on": "The date to look at the case again must be in the future"}
    latest = today + relativedelta(years=KEEP_AT_MOST_YEARS)
    if review_on > latest:
        return {
            "review_on": f"The date to look at the case again must be no more than "
            f"{KEEP_AT_MOST_YEARS} years from today, on or before {latest:%-d %B %Y}"
        }
    return {}


@transaction.atomic
def case_keep(*, incident: Incident, actor: User, reason: str, review_on) -> RetentionHold:
    """Record the partnership's decision to keep a case past its retention period until
    `review_on`, when it is due for a decision again. An earlier decision whose date has
    come is ended (replaced) and kept; one still in force is stopped first."""
    from ..selectors import case_not_past_retention, retention_hold_in_force

    require_role(actor, incident.partnership, MANAGERS)
    incident = locked(incident)
    today = timezone.localdate()
    refused = case_not_past_retention(actor, incident, today=today, years=settings.RETENTION_YEARS)
    if refused:
        raise TransitionError(
            f"{incident.reference} is not due for a retention decision: {'; '.join(refused)}."
        )
    in_force = retention_hold_in_force(incident, today=today)
    if in_force is not None:
        raise TransitionError(
            f"{incident.reference} is already kept until {in_force.review_on:%-d %B %Y}: "
            "stop keeping it first to record a new decision."
        )
    errors = keep_date_errors(review_on, today=today)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Enter why the case is being kept"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    earlier = RetentionHold.objects.open().filter(incident=incident).first()
    if earlier is not None:  # its date to look again has come
        earlier.ended_at, earlier.ended_by = now, actor
        earlier.end_reason = "Replaced by a new decision to keep the case"
        earlier.save(update_fields=["ended_at", "ended_by", "end_reason"])
    hold = RetentionHold.objects.create(
        incident=incident, reason=reason, review_on=review_on, decided_by=actor, decided_at=now
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=incident,
        changes={
            "retention": "kept past its retention period",
            "reason": reason,
            "review_on": review_on,
            **({"replaces_decision_until": earlier.review_on} if earlier else {}),
        },
    )
    return hold


@transaction.atomic
def case_keep_stop(*, incident: Incident, actor: User, reason: str) -> RetentionHold:
    """End the decision to keep a case before its date to look again: the case is due for
    a decision (keep or delete) again. The decision stays, marked stopped."""
    from ..selectors import retention_hold_in_force

    require_role(actor, incident.partnership, MANAGERS)
    incident = locked(incident)
    hold = retention_hold_in_force(incident, today=timezone.localdate())
    if hold is None:
        raise TransitionError(f"{incident.reference} is not being kept past its retention period.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the case is no longer being kept"})
    hold.ended_at, hold.ended_by, hold.end_reason = timezone.now(), actor, reason
    hold.save(update_fields=["ended_at", "ended_by", "end_reason"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=incident,
        changes={
            "retention": "no longer kept past its retention period",
            "reason": reason,
            "was_kept_until": hold.review_on,
        },
    )
    return hold


def _keep_figures(incident: Incident, clocks) -> dict[str, int]:
    """Keep what the reports count of the case, and nothing that identifies it (ADR 0014):
    its clocks' kinds, dates and outcomes (with the agency of an agency return), its
    incident's awareness date, nature and harm categories, its children's age band, sex
    and ethnic group, its local review's decision date and themes. How many, by kind."""
    from safeguarding.models import ErasedChild, ErasedClock, ErasedIncident, ErasedReview
    from safeguarding.reports import child_groups

    request = apps.get_model("rapid_reviews", "InformationRequest")
    request_label = request._meta.label_lower
    clock_rows = list(
        clocks.values_list(
            "partnership_id",
            "kind",
            "subject_type",
            "subject_id",
            "due_date",
            "closed_on",
            "outcome",
        )
    )
    agency_of = dict(
        request.objects.filter(
            pk__in=[row[3] for row in clock_rows if row[2] == request_label]
        ).values_list("pk", "agency_id")
    )
    ErasedClock.objects.bulk_create(
        ErasedClock(
            partnership_id=partnership_id,
            kind=kind,
            agency_id=agency_of.get(subject_id) if subject_type == request_label else None,
            due_date=due_date,
            closed_on=closed_on,
            outcome=outcome,
        )
        for partnership_id, kind, subject_type, subject_id, due_date, closed_on, outcome in (
            clock_rows
        )
    )
    partnership, aware = incident.partnership_id, incident.awareness_date
    incidents = 0
    if incident.status != Status.ENTERED_IN_ERROR:  # the counts leave those out
        ErasedIncident.objects.create(
            partnership_id=partnership,
            awareness_date=aware,
            nature=incident.nature,
            harm_categories=list(incident.harm_categories or []),
        )
        incidents = 1
    children = ErasedChild.objects.bulk_create(
        ErasedChild(
            partnership_id=partnership,
            awareness_date=aware,
            band=band,
            sex_group=sex_group,
            ethnic_group=ethnic_group,
        )
        for band, sex_group, ethnic_group in child_groups(
            Child.objects.filter(incident=incident)
        ).values_list("band", "sex_group", "ethnic_group")
    )
    reviews = 0
    review_model = apps.get_model("lcspr", "Review")
    for review in review_model.objects.filter(rapid_review__incident=incident):
        erased = ErasedReview.objects.create(
            partnership_id=partnership, decision_date=review.decision_date
        )
        erased.themes.set(review.themes.all())
        reviews += 1
    return {
        "clocks": len(clock_rows),
        "incidents": incidents,
        "children": len(children),
        "reviews": reviews,
    }
