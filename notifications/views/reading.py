"""Lists, the incident page, ready to send and the PDF of what was sent."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from safeguarding import calendar, permissions
from safeguarding.audit import Action, audit_record, audit_view
from safeguarding.audit_display import NONE, fields_changed, present_events
from safeguarding.audit_links import link_records
from safeguarding.dates import date_from_iso, full_date, short_date
from safeguarding.deadlines import Kind, deadline_explain, get_deadline
from safeguarding.exports import FORMATS, export_response
from safeguarding.models import Role

from .. import services
from ..filters import IncidentFilter
from ..forms import FindByNameForm
from ..models import UNDECIDED, Nature, Status
from ..selectors import (
    FIND_BY_NAME_LIMIT,
    LIST_COLUMNS,
    child_pseudonyms_of,
    children_named,
    incident_get_for,
    incident_rows_for,
    incident_timeline,
)
from .common import (
    case_view,
)
from .journey import ORDER, _step_url

# --- reading --------------------------------------------------------------------------


@case_view
def incident_list(request):
    incidents = incident_rows_for(request.user)
    incident_filter = IncidentFilter(request.GET or None, queryset=incidents, user=request.user)
    page = Paginator(incident_filter.qs.values_list(*LIST_COLUMNS), 25).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(
        request,
        "notifications/list.html",
        {
            "filter": incident_filter,
            "form": incident_filter.form,
            "page": page,
            "rows": list_rows(page.object_list, today),
            "query": query.urlencode(),
            "today": today,
            # An empty list with no filter chosen: none is logged yet (the sort order
            # alone chooses nothing; those entered in error are listed only when asked).
            "filtered": any(v for k, v in query.items() if k != "sort"),
        },
    )


#: What the audit trail says the page was (never what was typed: ADR 0003, addendum).
FIND_BY_NAME_PAGE = "find a case by the child’s name"


@login_required  # not case_view: a post after a timeout would keep the name in the session
def find_by_name(request):
    """The business unit finds a case by the child's name (and date of birth), which the
    list's search (references and pseudonyms, in the address) does not. Posted, and
    answered in the post's own response: the name is never in an address, so never in
    the server's logs, the browser's history nor a referrer. Every search is audited
    with the cases it showed, never the name typed."""
    if not permissions.partnership_ids(request.user, permissions.CASE_ROLES):
        raise PermissionDenied("Only a partnership’s business unit works on incidents.")
    searched = request.method == "POST"
    form = FindByNameForm(request.POST if searched else None)
    found, capped = [], False
    if searched and form.is_valid():
        found, capped = children_named(
            request.user,
            form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            limit=FIND_BY_NAME_LIMIT,
        )
        partnerships = list(
            permissions.partnerships_visible_to(request.user, permissions.CASE_ROLES)
        )
        for partnership in partnerships:
            references = sorted(
                {c.incident.reference for c in found if c.incident.partnership_id == partnership.pk}
            )
            audit_record(
                actor=request.user,
                action=Action.VIEW,
                partnership=partnership,
                object_repr="Find a case by the child’s name",
                changes={
                    "page": FIND_BY_NAME_PAGE,
                    "cases": len(references),
                    "references": references,
                    "more_not_shown": capped,
                },
                request=request,
            )
        several = len(partnerships) > 1
    else:
        several = False
    response = render(
        request,
        "notifications/find_by_name.html",
        {
            "form": form,
            "searched": searched and form.is_valid(),
            "found": found,
            "capped": capped,
            "limit": FIND_BY_NAME_LIMIT,
            "several": several,
            "entered_in_error": Status.ENTERED_IN_ERROR,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


NATURE_LABELS = dict(Nature.choices)
STATUS_LABELS = dict(Status.choices)

EXPORT_HEADERS = [
    "Reference",
    "Partnership",
    "Children",
    "Nature",
    "Status",
    "Local authority became aware",
    "Notify by",
    "Notified on",
    "On time",
]
EXPORT_COLUMNS = (*LIST_COLUMNS, "awareness_date", "partnership__code")


@never_cache
@case_view
def incident_list_export(request, fmt):
    """The list as CSV or Excel: every incident the list's filters choose, in its order
    (not only the page on screen), with the dates behind what it shows. Pseudonyms only;
    audited, like every export."""
    if fmt not in FORMATS:
        raise Http404("No such format")
    incident_filter = IncidentFilter(request.GET or None, queryset=incident_rows_for(request.user))
    incidents = list(incident_filter.qs.values_list(*EXPORT_COLUMNS))
    children = child_pseudonyms_of(row[0] for row in incidents)
    today = timezone.localdate()
    rows = []
    for pk, reference, nature, status, due, notified_on, aware, code in incidents:
        error = status == Status.ENTERED_IN_ERROR
        if error or status == Status.NOT_NOTIFIED:
            on_time = ""
        elif status in UNDECIDED:
            on_time = "Overdue" if due < today else "Not yet due"
        else:
            on_time = "Yes" if notified_on is not None and notified_on <= due else "No"
        rows.append(
            [
                reference,
                code,
                ", ".join(children.get(pk, ())),
                str(NATURE_LABELS.get(nature, "")),
                str(STATUS_LABELS.get(status, status)),
                aware,
                "" if error else due,
                notified_on or "",
                on_time,
            ]
        )
    query = request.GET.copy()
    query.pop("page", None)
    return export_response(
        request=request,
        fmt=fmt,
        filename=f"incidents-{today.isoformat()}",
        tables=[("Serious incidents", EXPORT_HEADERS, rows)],
        what="Serious incidents list",
        partnerships=permissions.partnerships_visible_to(request.user, permissions.CASE_ROLES),
        filters=query.dict(),
    )


#: Facts kept beside an update that are not fields of the record (the reason shows on
#: its own line; a status move in words).
_NOT_FIELDS = ("reason", "status")


def _what_happened(event, reference: str) -> tuple[str, str, str]:
    """What a History line says was done, as (words before, the record's name, words
    after): a child added, changed or removed, by its pseudonym (the trail names children
    by the case reference and pseudonym, never by name), the name being what links to
    their page; an update with the fields it changed, by their labels (`fields_changed`);
    anything else as the audit page's action. The name is "" where the line names no
    record but the case itself, whose page the reader is on."""
    action = event.get_action_display().lower()
    if event.action == Action.UPDATE and (event.changes or {}).get("retention"):
        return _retention_words(event.changes), "", ""
    if event.object_type == "notifications.child":
        pseudonym = event.object_repr.removeprefix(f"{reference} ")
        if event.action == Action.CREATE:
            return "added a child: ", pseudonym, ""
        if event.action == Action.DELETE:
            return "removed a child: ", pseudonym, ""
        changed = fields_changed(event)
        return f"{action} ", pseudonym, "’s details" + (f": {changed}" if changed else "")
    if event.action == Action.UPDATE and event.status_move is None:
        changed = fields_changed(event, leave_out=_NOT_FIELDS)
        return (f"{action} {changed}" if changed else action), "", ""
    return action, "", ""


def _retention_words(changes: dict) -> str:
    """A decision to keep the case past its retention period, or to stop keeping it
    (`services.case_keep`, `case_keep_stop`), in words with its date (the reason shows
    on its own line)."""
    until = date_from_iso(changes.get("review_on"))
    if until is not None:
        return f"kept the case past its retention period, to look at it again on {full_date(until)}"
    was = date_from_iso(changes.get("was_kept_until"))
    return "stopped keeping the case past its retention period" + (
        f" (it was kept until {full_date(was)})" if was is not None else ""
    )


def _with_status_labels(events, incident, user) -> list:
    """The timeline's events as the audit presenter reads them, each status move (kept
    in the audit trail as codes) given the words people read: `event.status_move` is
    (from, to), or None; from is None for a record's first status (it is created).
    `event.what_happened` is the line's words (`_what_happened`), and `event.what_parts`
    the same words around the record they name, which links to its page as on the
    audit trail (`audit_links.link_records`: `event.record_url`, or None where the
    record is gone or `user` may not see it; one query a kind of record, never a line).
    The case's own events name no record but the page they are read on: no link."""
    events = present_events(events, sentence=True)
    for event in events:
        move = next((c for c in event.shown_changes if c.field == "status" and c.is_change), None)
        event.status_move = (
            (None if move.old == NONE else move.old, move.new) if move is not None else None
        )
        event.what_parts = _what_happened(event, incident.reference)
        event.what_happened = "".join(event.what_parts)
    link_records([event for event in events if event.what_parts[1]], user)
    for event in events:
        if not event.what_parts[1]:
            event.record_url = None
    return events


def _detail_prefix() -> str:
    """The incident page's URL without the id (`…/incidents/`): one reversal per page,
    not one per row."""
    sample = reverse("notifications:detail", args=[0])
    if not sample.endswith("/0/"):
        raise ImproperlyConfigured("The incident page’s URL must end with its id")
    return sample[: -len("0/")]


def list_rows(incidents, today) -> list[dict]:
    """What each row of the list shows, worked out once here rather than in the template
    (plain values: the template engine reads a dict far faster than a model). `incidents`
    are `LIST_COLUMNS` tuples."""
    incidents = list(incidents)
    children = child_pseudonyms_of(row[0] for row in incidents)
    detail = _detail_prefix()
    rows = []
    for pk, reference, nature, status, due, notified_on in incidents:
        running = status in UNDECIDED
        rows.append(
            {
                "reference": reference,
                "url": f"{detail}{pk}/",
                "children": ", ".join(children.get(pk, ())) or "—",
                "nature": NATURE_LABELS.get(nature) or "—",
                "status": STATUS_LABELS.get(status, status),
                "due": "—" if status == Status.ENTERED_IN_ERROR else short_date(due),
                "overdue": running and due < today,
                "late": not running and notified_on is not None and notified_on > due,
            }
        )
    return rows


def clock_for(incident, today):
    """What the detail page says about the 5-working-day clock."""
    deadline = get_deadline(incident, Kind.NOTIFICATION)
    explanation = (
        deadline_explain(deadline)
        if deadline
        else calendar.explain(
            incident.awareness_date,
            services.NOTIFY_WITHIN_WORKING_DAYS,
            partnership=incident.partnership_id,
        )
    )
    # Before the decision the clock runs, even where a decision not to notify was
    # recorded and then reconsidered (its date stays on the record).
    running = incident.status in UNDECIDED
    left = calendar.working_days_left(
        today, incident.notification_due, partnership=incident.partnership_id
    )
    return {
        "deadline": deadline,
        "explanation": explanation,
        "running": running,
        "left": left,
        "overdue": -left if left < 0 else 0,
        "changes": list(deadline.changes.select_related("actor")) if deadline else [],
    }


def _can_correct_notification(incident) -> bool:
    """A recorded notification's time can be corrected until the rapid review, whose clock
    counts from it, has gone to the National Panel."""
    if incident.status not in (Status.NOTIFIED, Status.RECORDED):
        return False
    review = getattr(incident, "rapid_review", None)
    return review is None or review.status not in ("sent_to_panel", "panel_responded")


@case_view
def incident_detail(request, pk):
    from ..documents import sent_copy

    incident = incident_get_for(request.user, pk)
    audit_record(actor=request.user, action=Action.VIEW, obj=incident, request=request)
    is_manager = permissions.has_role(
        request.user, Role.PARTNERSHIP_MANAGER, partnership=incident.partnership
    )
    missing = services.missing_for_decision_where(incident) if incident.is_editable else []
    # "Continue logging" goes to the first step of the journey still to do (a child's
    # answer is put right from the children's page); with none, to the check page.
    to_do = {"children" if isinstance(where, int) else where for _, where in missing}
    continue_url = _step_url(incident, next((s for s in ORDER if s in to_do), "check"))
    return render(
        request,
        "notifications/detail.html",
        {
            "incident": incident,
            "children": incident.children.all(),
            "clock": clock_for(incident, timezone.localdate()),
            "status_changes": incident.status_changes.select_related("actor"),
            "timeline": _with_status_labels(incident_timeline(incident), incident, request.user),
            "is_manager": is_manager,
            "Status": Status,
            "missing": [message for message, _ in missing],
            "continue_url": continue_url,
            "can_correct_notification": _can_correct_notification(incident),
            "can_correct_awareness": incident.status in (Status.NOTIFIED, Status.RECORDED),
            "sent_copy": sent_copy(incident),
        },
    )


@case_view
def ready_to_send(request, pk):
    from ..documents import national_form_sections, sent_copy

    incident = incident_get_for(request.user, pk)
    audit_view(request, incident, "ready to send")
    return render(
        request,
        "notifications/ready_to_send.html",
        {
            "incident": incident,
            "sections": national_form_sections(incident),
            "sent_copy": sent_copy(incident),
        },
    )


@case_view
def notification_pdf(request, pk):
    """The copy of what was sent, kept since the notification was recorded."""
    incident = incident_get_for(request.user, pk)
    if not incident.notification_pdf:
        raise Http404("No PDF yet")
    # Opened first: a file that cannot be read is not audited as downloaded.
    stored = incident.notification_pdf.open("rb")
    audit_record(
        actor=request.user,
        action=Action.DOWNLOAD,
        obj=incident,
        request=request,
        changes={"file": "notification PDF"},
    )
    return FileResponse(
        stored,
        as_attachment=True,
        filename=f"{incident.reference}-notification.pdf",
        content_type="application/pdf",
    )


@case_view
def notification_pdf_corrected(request, pk):
    """The notification as corrected since it was sent, made from the record as it is
    now (only once a correction was made: before, the copy of what was sent is it)."""
    from django.http import HttpResponse

    from ..documents import notification_pdf as make_pdf
    from ..documents import sent_copy

    incident = incident_get_for(request.user, pk)
    copy = sent_copy(incident)
    if copy is None or not copy.corrections:
        raise Http404("The notification has not been corrected")
    body = make_pdf(incident, corrected_on=copy.corrected_on)
    audit_record(
        actor=request.user,
        action=Action.DOWNLOAD,
        obj=incident,
        request=request,
        changes={"file": "notification PDF as corrected"},
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{incident.reference}-notification-as-corrected.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
