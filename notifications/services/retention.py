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

from ..models import Child, Incident, Status
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
