"""Reads of incidents, always scoped to what the user may see."""

from collections import defaultdict

from django.db.models import F, Prefetch, Q, QuerySet

from safeguarding import permissions
from safeguarding.models import AuditEvent, User

from ..models import Child, Incident
from ..names import folded_words, holds_every_word

# The retention readers (when a case closes, what keeps it open) live in .retention.
from .retention import (  # noqa: F401
    case_closed_on,
    case_deletion_refused,
    case_not_past_retention,
    case_still_open,
    incidents_closed,
    incidents_past_retention,
    kept_in_words,
    retention_due,
    retention_hold_in_force,
    retention_kept,
    retention_period,
)


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    return Incident.objects.visible_to(user).select_related("partnership")


#: What a row of the incident list shows, read as plain values: a page of rows costs no
#: model instances (issue 9).
LIST_COLUMNS = ("id", "reference", "nature", "status", "notification_due", "notified_on")


def incident_rows_for(user: User) -> QuerySet[Incident]:
    """The incidents the user may see, for the list to filter, sort and page (then read
    as `LIST_COLUMNS` values: no join to the partnership)."""
    return Incident.objects.visible_to(user)


def child_pseudonyms_of(incident_ids) -> dict[int, list[str]]:
    """The pseudonyms of the children of these incidents (already scoped to the user),
    in order, by incident: one query of two columns."""
    out: dict[int, list[str]] = defaultdict(list)
    rows = (
        Child.objects.filter(incident__in=list(incident_ids))
        .order_by("incident_id", "position", "id")
        .values_list("incident_id", "pseudonym")
    )
    for incident_id, pseudonym in rows:
        out[incident_id].append(pseudonym)
    return out


def incident_get_for(user: User, pk) -> Incident:
    """The one door to an incident: 404 unless the user's partnership holds it."""
    qs = incidents_visible_to(user).prefetch_related(
        Prefetch("children", queryset=Child.objects.prefetch_related("known_to"))
    )
    return permissions.get_or_404(qs, pk=pk)


def incident_get_for_manager(user: User, pk, refused: str) -> Incident:
    """`incident_get_for`, then 403 (with `refused`) unless the user manages its
    partnership: the pages only a partnership manager may use."""
    from django.core.exceptions import PermissionDenied

    from safeguarding.models import Role

    incident = incident_get_for(user, pk)
    if not permissions.has_role(user, Role.PARTNERSHIP_MANAGER, partnership=incident.partnership):
        raise PermissionDenied(refused)
    return incident


def child_get_for(user: User, incident: Incident, child_pk) -> Child:
    return permissions.get_or_404(Child.objects.filter(incident=incident), pk=child_pk)


def incident_timeline(incident: Incident) -> QuerySet[AuditEvent]:
    """Audited changes to the incident and its children (not views), oldest first."""
    # Each branch matches one index (audit_object, audit_child_repr); a partnership filter
    # around both would make PostgreSQL read every event of the partnership.
    return (
        AuditEvent.objects.filter(
            Q(object_type="notifications.incident", object_id=str(incident.pk))
            | Q(
                partnership=incident.partnership_id,
                object_type="notifications.child",
                object_repr__startswith=f"{incident.reference} ",
            )
        )
        .exclude(action=AuditEvent.Action.VIEW)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )


def incident_counts_by_partnership(partnership_ids, *, year: int) -> dict[int, dict[str, int]]:
    """Aggregates only (for regional viewers): incidents logged and notified in a year."""
    from django.db.models import Count

    rows = (
        Incident.objects.in_use()
        .filter(partnership__in=partnership_ids, year=year)
        .values("partnership")
        .annotate(
            logged=Count("id"),
            notified=Count("id", filter=Q(status__in=["notified", "recorded"])),
            late=Count("id", filter=Q(notified_on__gt=F("notification_due"))),
        )
    )
    return {r["partnership"]: r for r in rows}


#: The most children "Find a case by the child's name" shows (the page says when more
#: matched: more of the name, or the date of birth, narrows the search).
FIND_BY_NAME_LIMIT = 50


def children_named(user: User, typed: str, *, date_of_birth=None, limit=FIND_BY_NAME_LIMIT):
    """The children of the incidents the user may see (`Incident.objects.visible_to`: the
    business unit's own partnerships) whose name or other names hold every word typed,
    in any capitals and any order, with or without accents, and whatever hyphens,
    apostrophes or spaces are inside a name ("jamie smith" finds "Jamie Lee Smith";
    "zoe" finds "Zoë"; "obrien" finds "O'Brien"; `names.folded`); with `date_of_birth`,
    only children born that day. Incidents entered in error are not left out (someone
    looking a child up must not be told there is no case), though marking one erases its
    children (ADR 0013).

    Two queries, newest incident first: the (id, name, other names) of every child in
    scope born that day, as plain values, matched here in Python (the same on PostgreSQL
    and SQLite, with no database extension: ADR 0003, addendum); then the matched
    children to show. At most `limit` children, and whether more matched."""
    words = folded_words(typed)
    if not words:
        return [], False
    children = Child.objects.filter(incident__in=Incident.objects.visible_to(user))
    if date_of_birth is not None:
        children = children.filter(date_of_birth=date_of_birth)
    order = ("-incident__created_at", "-incident_id", "position", "id")
    matched = []
    for pk, name, other_names in children.order_by(*order).values_list("pk", "name", "other_names"):
        if holds_every_word(words, name, other_names):
            matched.append(pk)
            if len(matched) > limit:
                break
    if not matched:
        return [], False
    found = list(
        Child.objects.filter(pk__in=matched[:limit])
        .select_related("incident", "incident__partnership")
        .order_by(*order)
    )
    return found, len(matched) > limit


#: The fields a correction of a recorded notification changes, as the trail names them,
#: with what they are in words.
CORRECTED_FIELDS = {
    "notified_at": "when it was sent",
    "awareness_date": "the date the local authority became aware",
}


def notification_corrections(incident: Incident) -> list[AuditEvent]:
    """The corrections made to a notification once it was recorded (when it was sent, the
    date the local authority became aware), oldest first, each with `corrected` (what it
    corrected, in words): the audit trail's events, in one query. Empty before the
    notification is recorded. Earlier changes of the awareness date were made before
    anything was sent, so are not corrections of it."""
    from django.db.models import Subquery

    from ..models import Status as IncidentStatus
    from ..models import StatusChange

    if incident.notified_at is None:
        return []
    recorded_at = (
        StatusChange.objects.filter(
            incident=incident, to_status__in=[IncidentStatus.NOTIFIED, IncidentStatus.RECORDED]
        )
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    events = list(
        AuditEvent.objects.filter(
            object_type="notifications.incident",
            object_id=str(incident.pk),
            action=AuditEvent.Action.UPDATE,
            changes__has_key="reason",
            occurred_at__gte=Subquery(recorded_at),
        )
        .filter(Q(changes__has_key="notified_at") | Q(changes__has_key="awareness_date"))
        .order_by("occurred_at", "id")
    )
    for event in events:
        event.corrected = [words for key, words in CORRECTED_FIELDS.items() if key in event.changes]
    return events
