"""Reads of incidents, always scoped to what the user may see."""

from django.db.models import Prefetch, Q, QuerySet

from safeguarding import permissions
from safeguarding.models import AuditEvent, User

from .models import Child, Incident


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    return Incident.objects.visible_to(user).select_related("partnership")


def incident_get_for(user: User, pk) -> Incident:
    """The one door to an incident: 404 unless the user's partnership holds it."""
    qs = incidents_visible_to(user).prefetch_related(
        Prefetch("children", queryset=Child.objects.prefetch_related("known_to"))
    )
    return permissions.get_or_404(qs, pk=pk)


def child_get_for(user: User, incident: Incident, child_pk) -> Child:
    return permissions.get_or_404(Child.objects.filter(incident=incident), pk=child_pk)


def incident_timeline(incident: Incident) -> QuerySet[AuditEvent]:
    """Audited changes to the incident and its children (not views), oldest first."""
    return (
        AuditEvent.objects.filter(partnership=incident.partnership_id)
        .filter(
            Q(object_type="notifications.incident", object_id=str(incident.pk))
            | Q(object_type="notifications.child", object_repr__startswith=f"{incident.reference} ")
        )
        .exclude(action=AuditEvent.Action.VIEW)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
