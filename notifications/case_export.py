"""Everything held about one case, for a subject access request.

Starts from the incident and follows every record that belongs to it (children, documents,
status changes, the rapid review and all that hangs from it, and later stages) with
Django's own relation collector, then adds the clocks and the audit trail kept about those
records. The result is a ZIP: the records as JSON, the audit trail, and the stored files.
"""

from __future__ import annotations

import io
import json
import zipfile

from django.contrib.admin.utils import NestedObjects
from django.core import serializers
from django.db import models
from django.utils import timezone

from safeguarding.dates import date_and_time
from safeguarding.models import AuditEvent, Deadline, DeadlineChange

from .models import Incident

README = """Subject access export: {reference}
Exported {when} by {who}.

records.json  every record held about the case, as Django JSON (model, primary key, fields)
clocks.json   the statutory and local deadlines of the case and every change to them
audit.json    who created, changed, viewed, exported or downloaded any of these records
files/        the documents and generated PDFs stored with the case

Redact third-party information before disclosure: this export is complete, not filtered.
"""


def case_records(incident: Incident) -> list[models.Model]:
    """The incident and every record that belongs to it, following PROTECTed links too."""
    seen: dict[tuple[str, object], models.Model] = {}
    queue: list[models.Model] = [incident]
    while queue:
        collector = NestedObjects(using=incident._state.db or "default")
        collector.collect(queue)
        queue = []
        found = [obj for objs in collector.data.values() for obj in objs]
        found += list(collector.protected)
        for obj in found:
            key = (obj._meta.label_lower, obj.pk)
            if key not in seen:
                seen[key] = obj
                if obj in collector.protected:
                    queue.append(obj)
    return sorted(seen.values(), key=lambda o: (o._meta.label_lower, str(o.pk)))


def by_type(records):
    keys: dict[str, list[str]] = {}
    for obj in records:
        keys.setdefault(obj._meta.label_lower, []).append(str(obj.pk))
    return keys


def _published_copies(keys: dict[str, list[str]]) -> list[models.Model]:
    """The public copy of the case's local review: it names the review by number (it
    outlives the case record), so the relation collector does not find it."""
    from django.apps import apps

    reviews = keys.get("lcspr.review")
    if not reviews:
        return []
    published = apps.get_model("lcspr", "PublishedReview")
    return list(published.objects.filter(source_review_id__in=reviews))


def case_clocks(keys: dict[str, list[str]]):
    """The clocks of these records (`by_type` keys): the statutory and local deadlines."""
    clocks = Deadline.objects.none()
    for label, ids in keys.items():
        clocks = clocks | Deadline.objects.filter(subject_type=label, subject_id__in=ids)
    return clocks


def stored_files(records):
    """The stored files of these records: their non-empty FileFields."""
    for obj in records:
        for field in obj._meta.concrete_fields:
            if isinstance(field, models.FileField):
                stored = getattr(obj, field.name)
                if stored:
                    yield stored


def case_export_zip(incident: Incident, *, actor) -> bytes:
    records = case_records(incident)
    records += _published_copies(by_type(records))
    keys = by_type(records)
    audit = AuditEvent.objects.none()
    for label, ids in keys.items():
        audit = audit | AuditEvent.objects.filter(object_type=label, object_id__in=ids)
    clock_list = list(case_clocks(keys))
    changes = list(DeadlineChange.objects.filter(deadline__in=clock_list))
    # What was done to the case's clocks (moved, reopened) is about the case too.
    audit = audit | AuditEvent.objects.filter(
        object_type="safeguarding.deadline", object_id__in=[str(c.pk) for c in clock_list]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(
                reference=incident.reference,
                when=date_and_time(timezone.now()),
                who=f"{actor.full_name} <{actor.email}>",
            ),
        )
        archive.writestr("records.json", serializers.serialize("json", records, indent=2))
        archive.writestr(
            "clocks.json", serializers.serialize("json", [*clock_list, *changes], indent=2)
        )
        archive.writestr(
            "audit.json",
            serializers.serialize("json", list(audit.order_by("occurred_at", "id")), indent=2),
        )
        for stored in stored_files(records):
            if stored.storage.exists(stored.name):
                with stored.open("rb") as handle:
                    archive.writestr(f"files/{stored.name}", handle.read())
        archive.writestr("manifest.json", json.dumps(keys, indent=2))
    return buffer.getvalue()
