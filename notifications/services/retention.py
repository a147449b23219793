"""Deleting a whole case at the end of its retention period.

The retention report lists the cases that closed (every stage ended, every clock stopped,
every action signed off: `selectors.incidents_closed`) more than `RETENTION_YEARS` ago; a
partnership manager, with the data protection officer's agreement, deletes one here.
Everything the case holds goes: the incident, its children and documents, its rapid review
(requests, returns, chronologies, sign-offs), its local reviews (recommendations, actions,
briefing) and their clocks and reminders, and every stored file. What stays: the anonymised public
copy of a published review (it is the partnership's published learning, with its own
life), and the audit trail (append only, ADR 0005), which gains one event recording the
deletion, its reason and what was deleted, by count.
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

from ..models import Incident
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
        changes={"reason": reason, "deleted": counts},
    )
    return counts
