"""Everything held about one case, for a subject access request.

Starts from the incident and follows every record that belongs to it (children, documents,
status changes, the rapid review and all that hangs from it, and later stages) with
Django's own relation collector, then adds the clocks and the audit trail kept about those
records. The result is a ZIP: the records, clocks and audit trail to read (records.txt,
through the audit trail's presenter) and as JSON, and the stored files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Mapping

from django.apps import apps
from django.conf import settings
from django.contrib.admin.utils import NestedObjects
from django.core import serializers
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext_lazy as _

from safeguarding.audit import SECRET_TEXT
from safeguarding.audit_display import LEAVE_OUT, NOT_RECORDED, present_events, present_records
from safeguarding.dates import date_and_time, full_date
from safeguarding.filters import naming_case
from safeguarding.models import AuditEvent, Deadline, DeadlineChange
from safeguarding.models.history import StatusChangeBase
from safeguarding.uploads import download_name, safe_file_name

from .models import Incident

README = """Subject access export: {reference}
Exported {when} by {who}.

README.txt     this file
records.txt    start here: every record held about the case, then its clocks and its
               audit trail, to read. Each field has its name and its value in words
               ("Serious harm", not "serious_harm"), dates written out, people by name
records.json   the same records for a computer, as Django’s JSON: each record’s type
               ("model"), its number ("pk") and its "fields", with values as stored
               (codes such as "serious_harm", people and records by number)
clocks.json    the statutory and local deadlines of the case and every change to them
audit.json     who created, changed, viewed, exported or downloaded any of these records
manifest.json  the numbers of the records in records.json, by type
{files}
Redact third-party information before disclosure: this export is complete, not filtered.
"""

FILES = (
    "files/         the documents and generated PDFs stored with the case ({count}),\n"
    "               each named in records.txt by its path here, with its record.\n"
    "               A document is named as it was uploaded, one the service made\n"
    "               as its download is; a name used twice has (2) added. A file\n"
    "               kept twice (the same content) is here once, named by each record\n"
)
NO_FILES = "There is no files/ folder: no documents or generated PDFs are stored with the case.\n"
MISSING = "Not found in storage, so not in files/ (tell the service’s operators):\n"

#: Fields their models leave unnamed, whose field name reads badly as a label in
#: records.txt (an abbreviation, a code, a bare "id"): ("app_label.model", field) -> label.
#: The rest read well by their field names ("Due date", "Created by"). A record's number
#: is given (records.json's "pk"), so a field holding one says whose number it is.
LABELS = {
    ("notifications.incident", "dfe_reference"): "DfE reference",
    ("notifications.incident", "notification_pdf"): "Notification PDF",
    ("notifications.child", "age_years"): "Age in years",
    ("notifications.attachment", "sha256"): "Checksum (SHA-256)",
    ("lcspr.review_themes", "learningtheme"): "Learning theme",
    ("rapid_reviews.rapidreview", "learning_local"): "Local learning",
    ("rapid_reviews.rapidreview", "learning_national"): "National learning",
    ("safeguarding.deadline", "subject_type"): "Type of record the clock is for",
    ("safeguarding.deadline", "subject_id"): "Number of the record the clock is for",
    ("safeguarding.deadline", "url"): "Page in the service",
    ("lcspr.review", "nspcc_sent_on"): "Sent to the NSPCC on",
    ("lcspr.review", "report_sha256"): "Report checksum (SHA-256)",
    ("lcspr.learningbriefing", "pdf"): "PDF",
    ("lcspr.learningbriefing", "pptx"): "Slides (PowerPoint)",
    ("lcspr.learningbriefing", "pdf_pages"): "Pages in the PDF",
    ("lcspr.publishedreview", "source_review_id"): "Number of the local review it publishes",
    ("lcspr.publishedreview", "nspcc_sent_on"): "Sent to the NSPCC on",
    ("lcspr.publishedreview", "briefing_pdf"): "Briefing PDF",
    ("lcspr.publishedreview", "briefing_pptx"): "Briefing slides (PowerPoint)",
}


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
    return sorted(seen.values(), key=lambda o: (o._meta.label_lower, *_number(o.pk)))


def _number(pk) -> tuple:
    """A record's number to sort by: 7 before 10 (as text "10" came before "7")."""
    return (0, pk, "") if isinstance(pk, int) else (1, 0, str(pk))


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


#: Fields of the service's own workings, which mean nothing to a person reading the
#: record (a code telling clocks apart, a web address's name, text kept for searching, a
#: fingerprint of a file's content): left out of records.txt, kept in the JSON.
LEFT_OUT = {
    ("safeguarding.deadline", "key"),
    ("lcspr.publishedreview", "slug"),
    ("lcspr.publishedreview", "search_text"),
    ("lcspr.publishedreview", "briefing_hash"),
    ("lcspr.learningbriefing", "content_hash"),
}


#: What a clock's `amount` counts, by its rule (a date set by hand counts nothing).
AMOUNT_LABELS = {
    Deadline.Rule.WORKING_DAYS: _("Working days allowed"),
    Deadline.Rule.CALENDAR_MONTHS: _("Months allowed"),
    Deadline.Rule.WORKING_DAYS_BEFORE: _("Working days before the trigger date"),
}


def _clock_text(clock: Deadline, name: str):
    """A clock's allowance by what its rule counts; a clock met, in `Deadline.met_text`'s
    words (on time, or late by how many working days)."""
    if name == "amount":
        label = AMOUNT_LABELS.get(clock.rule)
        return LEAVE_OUT if label is None else (str(label), str(clock.amount))
    return clock.met_text()


def _model_of(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


#: Fields holding a page of the service by its path, shown in records.txt by its address.
PAGE_FIELDS = {("safeguarding.deadline", "url")}


def stored_files(records):
    """The stored files of these records: their non-empty FileFields."""
    for _obj, _field, stored in stored_files_of(records):
        yield stored


def stored_files_of(records):
    """(record, field, stored file) for each of these records' non-empty FileFields."""
    for obj in records:
        for field in obj._meta.concrete_fields:
            if isinstance(field, models.FileField):
                stored = getattr(obj, field.name)
                if stored:
                    yield obj, field, stored


#: Files the service made, named in files/ as their downloads are: (model, field) ->
#: name, with the case's reference and (a briefing's) its title as in its download.
MADE_FILE_NAMES = {
    ("notifications.incident", "notification_pdf"): "{reference}-notification.pdf",
    ("lcspr.review", "report_file"): "{reference}-final-report.pdf",
    ("lcspr.learningbriefing", "pdf"): "{title}-briefing.pdf",
    ("lcspr.learningbriefing", "pptx"): "{title}-briefing.pptx",
    ("lcspr.publishedreview", "report"): "{reference}-published-report.pdf",
    ("lcspr.publishedreview", "briefing_pdf"): "{reference}-published-learning-briefing.pdf",
    ("lcspr.publishedreview", "briefing_pptx"): "{reference}-published-presentation.pptx",
}


def uploaded_name(obj, field, *, reference: str) -> str:
    """The name a stored file is known by to the people who use it: the name it was
    uploaded with (its `<field>_name`, or an attachment's `original_name`), with the
    ending of its type as its download has; for a file the service made, its download's
    name (`MADE_FILE_NAMES`); else the case's reference and what the field holds. Not yet
    safe as a file's name (`safe_file_name`)."""
    names = [(f"{field.name}_name", f"{field.name}_type")]
    if field.name == "file":
        names.append(("original_name", "content_type"))
    for name_field, type_field in names:
        given = getattr(obj, name_field, "")
        if given:
            return download_name(given, getattr(obj, type_field, ""))
    made = MADE_FILE_NAMES.get((obj._meta.label_lower, field.name))
    if made is not None:
        title = slugify(str(getattr(obj, "title", "")))[:60].strip("-") or "learning"
        return made.format(reference=reference, title=title)
    extension = os.path.splitext(getattr(obj, field.name).name)[1]
    return f"{reference}-{slugify(str(field.verbose_name))}{extension}"


class _ZipNames:
    """The names given to files in files/: safe (`safe_file_name`) and each used once,
    whatever the case of its letters (Windows and macOS take "Report.pdf" and
    "report.pdf" for one file): the second "summary.pdf" is "summary (2).pdf"."""

    def __init__(self):
        self._taken: set[str] = set()

    def give(self, wanted: str) -> str:
        name = safe_file_name(wanted)
        stem, extension = os.path.splitext(name)
        n = 1
        while name.casefold() in self._taken:
            n += 1
            name = f"{stem} ({n}){extension}"
        self._taken.add(name.casefold())
        return name


def _shown_as_in_the_zip(written: Mapping[str, str]):
    """records.txt's text for a stored file (its path in the ZIP, so the reader can find
    it in files/) and a page of the service (its full address)."""

    def shown_as(obj, field, value):
        model = type(obj)
        if (model._meta.label_lower, field.name) in LEFT_OUT:
            return LEAVE_OUT
        if value is None or value == "" or value == [] or value == {}:
            return None
        if isinstance(obj, StatusChangeBase) and field.name in ("from_status", "to_status"):
            return obj.from_label if field.name == "from_status" else obj.to_label
        if isinstance(obj, Deadline) and field.name in ("amount", "outcome"):
            return _clock_text(obj, field.name)
        if (model._meta.label_lower, field.name) == ("safeguarding.deadline", "subject_type"):
            subject = _model_of(value)
            return capfirst(str(subject._meta.verbose_name)) if subject else str(value)
        if isinstance(field, models.FileField):
            path = written.get(getattr(value, "name", value))
            if path is not None:
                return path
            return f"{value} (not found in storage, so not in this export)"
        if (model._meta.label_lower, field.name) in PAGE_FIELDS and str(value).startswith("/"):
            return f"{settings.SITE_URL}{value}"
        return None

    return shown_as


#: Records whose own name is no person's (an auto-made row of a many-to-many reads
#: "Review_themes object (10)"): "app_label.model" -> (record -> (kind, name)).
RECORD_NAMES = {
    # What was sent, or who was told, of a status change: named by the move.
    "rapid_reviews.requestemail": lambda row: (
        capfirst(str(row._meta.verbose_name)),
        str(_("Email for %(move)s")) % {"move": _status_move(row.status_change)},
    ),
    "lcspr.reviewerassignment": lambda row: (
        capfirst(str(row._meta.verbose_name)),
        str(_("%(person)s, reviewer of %(review)s"))
        % {"person": row.user.full_name or row.user.email, "review": row.review},
    ),
    "lcspr.reviewernotice": lambda row: (
        capfirst(str(row._meta.verbose_name)),
        str(_("Reviewers told of %(move)s")) % {"move": _status_move(row.status_change)},
    ),
    "lcspr.review_themes": lambda row: (
        str(_("Learning theme of the review")),
        str(row.learningtheme),
    ),
    "notifications.child_known_to": lambda row: (
        str(_("Agency %(child)s was known to")) % {"child": row.child.pseudonym},
        str(row.agency),
    ),
}


def _status_move(change: StatusChangeBase) -> str:
    """A status change as the service words it: the record it moved and its statuses by
    their labels ("Local review BSCP-2025-001: Setting up → Review under way"), not by
    its codes ("5: open → in_progress")."""
    moved = None
    for field in change._meta.concrete_fields:
        if field.many_to_one and field.name != "actor" and getattr(change, field.attname):
            moved = getattr(change, field.name)  # the last: a request, not its review
    move = " → ".join(label for label in (change.from_label, change.to_label) if label)
    if moved is None:
        return move
    what = capfirst(str(moved._meta.verbose_name))
    name = str(moved)
    if not name.casefold().startswith(what.casefold()):
        name = f"{what} {name}"  # "Incident BSCP-2025-001", not a bare reference
    return f"{name}: {move}"


def record_name(obj) -> tuple[str, str] | None:
    """(kind, name) of a record in records.txt where its own name will not do."""
    if isinstance(obj, StatusChangeBase):
        return capfirst(str(obj._meta.verbose_name)), _status_move(obj)
    namer = RECORD_NAMES.get(obj._meta.label_lower)
    return None if namer is None else namer(obj)


#: A value the audit trail does not keep (a child's details, a case's narrative: the
#: trail is kept for ever and cannot be erased, so it names the field, never what it
#: said; the record holds the value): stored as "changed (not recorded)", which read as
#: if the date of birth had changed. By whether the record was created: {created: text}.
WITHHELD = {
    True: _("entered (the value is not kept in the audit trail)"),
    False: _("changed (the values are not kept in the audit trail)"),
}


def _indented(text: str) -> str:
    return "\n".join("    " + line for line in str(text).splitlines())


def _heading(text: str, underline: str) -> list[str]:
    return [text, underline * len(text), ""]


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _dates_in_words(text: str) -> str:
    """A record's name with its dates as the service writes them ("Progress note:
    19 November 2026: …"), not as stored ("2026-11-19")."""

    def in_words(match):
        try:
            return full_date(dt.date(*(int(part) for part in match.groups())))
        except ValueError:
            return match.group(0)

    return _ISO_DATE.sub(in_words, text)


def _record_lines(shown) -> list[str]:
    name = _dates_in_words(shown.name)
    lines = _heading(f"{shown.kind}: {name} (record {shown.number})", "-")
    for label, text in shown.fields:
        if "\n" in text:
            lines += [f"{label}:", _indented(text)]
        else:
            lines.append(f"{label}: {text}")
    return [*lines, ""]


def readable_text(incident, *, records, clocks, events, written=None) -> str:
    """records.txt: the export to read, through the audit trail's presenter (fields by
    their names, coded values by their labels), for any model: no per-model code.
    `written`: the files put in files/, stored name -> path in the ZIP."""
    shown_as = _shown_as_in_the_zip(written or {})
    lines = _heading(f"Everything held about {incident.reference}", "=")
    lines += [
        "Each record gives every field by its name. A blank field reads "
        f'"{NOT_RECORDED}", or as the case page words it ("This local authority"). The '
        "same records, with values as stored, are in records.json.",
        "",
    ]
    lines += _heading(f"Records ({len(records)})", "=")
    # The incident first, then what hangs from it (records.json's order).
    ordered = sorted(records, key=lambda obj: obj != incident)
    for shown in present_records(ordered, labels=LABELS, shown_as=shown_as, named=record_name):
        lines += _record_lines(shown)
    lines += _heading(f"Clocks and changes to them ({len(clocks)})", "=")
    for shown in present_records(clocks, labels=LABELS, shown_as=shown_as, named=record_name):
        lines += _record_lines(shown)
    lines += _heading(f"Audit trail ({len(events)}), oldest first", "=")
    for event in present_events(events):
        # By name, as the service's audit trail shows them.
        who = (event.actor.full_name if event.actor else "") or event.actor_email or "The service"
        kind = event.object_type
        model = _model_of(kind) if kind else None
        what = capfirst(str(model._meta.verbose_name)) if model is not None else kind
        record = event.record_text or ""
        if record.casefold().startswith(f"{what} ".casefold()):
            what = ""  # "Rapid review BSCP-2025-001", not "Rapid review Rapid review …"
        lines.append(
            f"{date_and_time(event.occurred_at)}  {who}  {event.get_action_display()}  "
            f"{' '.join(part for part in (what, record) if part)}".rstrip()
        )
        for change in event.shown_changes:
            label = LABELS.get((kind, change.field), change.label)
            text = change.text
            if change.value == SECRET_TEXT:
                text = WITHHELD[event.action == AuditEvent.Action.CREATE]
            lines.append(f"    {label}: {text}")
    return "\n".join(lines).rstrip() + "\n"


def _naming_only(event: AuditEvent, reference: str) -> AuditEvent:
    """The event as this case's export holds it: of the cases its `references` lists (a
    search that showed other children's cases too), this case's own alone. In memory
    only: the trail keeps the event as it was."""
    references = (event.changes or {}).get("references")
    if isinstance(references, list):
        own = [ref for ref in references if str(ref).upper() == reference.upper()]
        event.changes = {**event.changes, "references": own}
        if "cases" in event.changes:
            event.changes["cases"] = len(own)
    return event


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
    # Events naming the case among several (a search by the child's name, a hand-over of
    # deadlines): who looked the child up is the subject's data too.
    audit = audit | AuditEvent.objects.filter(naming_case(incident.reference))
    events = [
        _naming_only(event, incident.reference)
        for event in audit.select_related("actor").order_by("occurred_at", "id")
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # Named as their people know them, not by their storage names (random, in folders).
        written: dict[str, str] = {}
        by_content: dict[str, str] = {}  # SHA-256 of a file's content -> its path
        missing: list[str] = []
        names = _ZipNames()
        for obj, field, stored in stored_files_of(records):
            if stored.name in written:
                continue  # one file kept by two records: in files/ once
            wanted = uploaded_name(obj, field, reference=incident.reference)
            if stored.storage.exists(stored.name):
                with stored.open("rb") as handle:
                    content = handle.read()
                digest = hashlib.sha256(content).hexdigest()
                if digest in by_content:
                    # The same file kept twice (the published copy of the briefing's PDF
                    # and slides): in files/ once, each record naming it.
                    written[stored.name] = by_content[digest]
                    continue
                path = f"files/{names.give(wanted)}"
                archive.writestr(path, content)
                written[stored.name] = by_content[digest] = path
            else:
                missing.append(f"{wanted} (stored as {stored.name})")
        archive.writestr(
            "README.txt",
            README.format(
                reference=incident.reference,
                when=date_and_time(timezone.now()),
                who=f"{actor.full_name} <{actor.email}>",
                files=_files_note(written, missing),
            ),
        )
        archive.writestr(
            "records.txt",
            readable_text(
                incident,
                records=records,
                clocks=[*clock_list, *changes],
                events=events,
                written=written,
            ),
        )
        archive.writestr("records.json", serializers.serialize("json", records, indent=2))
        archive.writestr(
            "clocks.json", serializers.serialize("json", [*clock_list, *changes], indent=2)
        )
        archive.writestr("audit.json", serializers.serialize("json", events, indent=2))
        archive.writestr("manifest.json", json.dumps(keys, indent=2))
    return buffer.getvalue()


def _files_note(written: Mapping[str, str], missing: list[str]) -> str:
    """README.txt's line on files/: there only when the case has stored files."""
    if written:
        paths = len(set(written.values()))
        count = f"{paths} file" + ("" if paths == 1 else "s")
        note = FILES.format(count=count)
    elif not missing:
        note = NO_FILES
    else:
        note = ""
    if missing:
        note += MISSING + "".join(f"  {name}\n" for name in missing)
    return note
