"""Existing notifications whose stored PDF is still what was sent (ADR 0008 addendum).

Before 0005 a correction (of when the notification was sent, or of the awareness date)
made the stored PDF again; since, it never is. So a case recorded before the deploy and
never corrected holds what was sent, and is marked so here: without the mark, its first
correction after the deploy would have it said to hold no copy of what was sent. A case
corrected before the deploy keeps the mark off: its PDF was made again.

Set-based: the corrections (the audit trail's updates with a reason, of the sent time or
the awareness date) after each case's recording, read once."""

from django.db import migrations
from django.db.models import Q

RECORDED = ("notified", "recorded")


def mark_copies_as_sent(apps, schema_editor):
    Incident = apps.get_model("notifications", "Incident")
    StatusChange = apps.get_model("notifications", "StatusChange")
    AuditEvent = apps.get_model("safeguarding", "AuditEvent")
    recorded_at = {}
    for incident_id, changed_at in StatusChange.objects.filter(
        to_status__in=RECORDED
    ).values_list("incident_id", "changed_at"):
        if incident_id not in recorded_at or changed_at > recorded_at[incident_id]:
            recorded_at[incident_id] = changed_at
    corrected = set()
    for object_id, occurred_at in (
        AuditEvent.objects.filter(
            object_type="notifications.incident", action="update", changes__has_key="reason"
        )
        .filter(Q(changes__has_key="notified_at") | Q(changes__has_key="awareness_date"))
        .values_list("object_id", "occurred_at")
    ):
        try:
            incident_id = int(object_id)
        except (TypeError, ValueError):
            continue
        at = recorded_at.get(incident_id)
        if at is not None and occurred_at >= at:
            corrected.add(incident_id)
    Incident.objects.filter(notified_at__isnull=False).exclude(notification_pdf="").exclude(
        pk__in=corrected
    ).update(notification_pdf_as_sent=True)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_notification_pdf_as_sent"),
        ("safeguarding", "0037_audit_case_references_index"),
    ]

    operations = [migrations.RunPython(mark_copies_as_sent, migrations.RunPython.noop)]
