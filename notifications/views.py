"""Pages for serious incidents. Every incident is fetched through `incident_get_for`."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding import calendar, permissions
from safeguarding.audit import Action, audit_record
from safeguarding.deadlines import Kind, deadline_explain, get_deadline
from safeguarding.drafts import login_required_keeping_post, take_kept_post
from safeguarding.models import Role

from . import forms, services
from .filters import IncidentFilter
from .models import Status
from .selectors import child_get_for, incident_get_for, incident_timeline, incidents_visible_to


def case_view(view):
    """Signed in (keeping typed input across a timeout) and a case role, or 403."""

    @login_required_keeping_post
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.partnership_ids(request.user):
            raise PermissionDenied("Only a partnership's business unit works on incidents.")
        return view(request, *args, **kwargs)

    return wrapped


# --- the journey: one short step per page -------------------------------------------

#: step name -> (form class, page title, model fields it edits)
STEPS = {
    "dates": (forms.IncidentDatesForm, "Dates and place", ["incident_date", "incident_place"]),
    "nature": (forms.NatureForm, "What happened", ["nature", "harm_categories"]),
    "circumstances": (
        forms.CircumstancesForm,
        "Circumstances",
        [
            "circumstances",
            "other_local_authority",
            "parallel_processes",
            "other_children_in_household",
        ],
    ),
    "notifier": (
        forms.NotifierForm,
        "Who is notifying",
        ["notifier_name", "notifier_role", "notifier_contact"],
    ),
}
ORDER = ["dates", "nature", "circumstances", "children", "notifier", "check"]


def _step_url(incident, step):
    if step == "children":
        return reverse("notifications:children", args=[incident.pk])
    if step == "check":
        return reverse("notifications:check", args=[incident.pk])
    return reverse("notifications:step", args=[incident.pk, step])


def _after(incident, step, request):
    if "later" in request.POST:
        messages.success(request, f"Saved. {incident.reference} is waiting in your drafts.")
        return redirect(incident.get_absolute_url())
    return redirect(_step_url(incident, ORDER[ORDER.index(step) + 1]))


def _partnership_for_new(request):
    ids = sorted(permissions.partnership_ids(request.user))
    chosen = request.POST.get("partnership") or request.GET.get("partnership")
    if chosen and chosen.isdigit() and int(chosen) in ids:
        return permissions.partnerships_visible_to(request.user).get(pk=int(chosen))
    if len(ids) == 1:
        return permissions.partnerships_visible_to(request.user).get(pk=ids[0])
    return None


@case_view
def incident_new(request):
    partnership = _partnership_for_new(request)
    if partnership is None:
        choices = permissions.partnerships_visible_to(request.user, roles=permissions.CASE_ROLES)
        return render(request, "notifications/choose_partnership.html", {"choices": choices})
    kept = take_kept_post(request)
    form = forms.IncidentDatesForm(request.POST if request.method == "POST" else kept)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(
                partnership=partnership,
                actor=request.user,
                awareness_date=form.cleaned_data["awareness_date"],
                incident_date=form.cleaned_data["incident_date"],
                incident_place=form.cleaned_data["incident_place"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{incident.reference} is logged. Notify the National Panel by "
                f"{incident.notification_due:%-d %B %Y}.",
            )
            return redirect(_step_url(incident, "nature"))
    return render(
        request,
        "notifications/step.html",
        {
            "form": form,
            "title": "Log a serious incident",
            "caption": partnership.name,
            "kept": kept is not None,
            "back": reverse("notifications:list"),
        },
    )


def _initial(incident, fields):
    initial = {name: getattr(incident, name) for name in fields}
    initial["version"] = incident.version
    return initial


@case_view
def incident_step(request, pk, step):
    incident = incident_get_for(request.user, pk)
    if step not in STEPS:
        raise Http404("No such step")
    form_class, title, fields = STEPS[step]
    if not incident.is_editable and incident.status != Status.AWAITING_DECISION:
        messages.info(request, "This incident’s decision is recorded, so it can no longer change.")
        return redirect(incident.get_absolute_url())
    extra = {"changing": True} if step == "dates" else {}
    initial = _initial(incident, fields + (["awareness_date"] if step == "dates" else []))
    kept = take_kept_post(request)
    data = request.POST if request.method == "POST" else kept
    form = form_class(data, initial=initial, **extra)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in fields}
        version = form.cleaned_data.get("version")
        try:
            with transaction.atomic():
                if step == "dates":
                    new_aware = form.cleaned_data["awareness_date"]
                    if new_aware != incident.awareness_date:
                        incident = services.incident_change_awareness_date(
                            incident=incident,
                            actor=request.user,
                            awareness_date=new_aware,
                            reason=form.cleaned_data.get("reason", ""),
                            expected_version=version,
                        )
                        version = incident.version
                incident = services.incident_update(
                    incident=incident,
                    actor=request.user,
                    changes=values,
                    expected_version=version,
                )
        except ValidationError as error:
            form.add_service_errors(error)
        except (services.ConcurrentEditError, services.TransitionError) as error:
            form.add_error(None, str(error))
        else:
            return _after(incident, step, request)
    return render(
        request,
        "notifications/step.html",
        {
            "form": form,
            "title": title,
            "caption": incident.reference,
            "incident": incident,
            "kept": kept is not None,
            "back": _step_url(incident, ORDER[max(ORDER.index(step) - 1, 0)])
            if step != "dates"
            else incident.get_absolute_url(),
        },
    )


@case_view
def incident_children(request, pk):
    incident = incident_get_for(request.user, pk)
    return render(
        request,
        "notifications/children.html",
        {
            "incident": incident,
            "children": incident.children.all(),
            "next": _step_url(incident, "notifier"),
        },
    )


@case_view
def child_edit(request, pk, child_pk=None):
    incident = incident_get_for(request.user, pk)
    child = child_get_for(request.user, incident, child_pk) if child_pk else None
    if child is None:
        initial = {"pseudonym": services.next_pseudonym(incident), "version": incident.version}
    else:
        initial = {name: getattr(child, name) for name in services.CHILD_FIELDS}
        initial["known_to"] = list(child.known_to.all())
        initial["version"] = incident.version
    kept = take_kept_post(request)
    data = request.POST if request.method == "POST" else kept
    form = forms.ChildForm(data, initial=initial, partnership=incident.partnership)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.CHILD_FIELDS}
        try:
            child = services.child_save(
                incident=incident,
                actor=request.user,
                values=values,
                known_to=form.cleaned_data["known_to"],
                child=child,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except services.TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{child.pseudonym} is saved.")
            return redirect(_step_url(incident, "children"))
    title = f"Change {child.pseudonym}" if child else "Add a child"
    return render(
        request,
        "notifications/step.html",
        {
            "form": form,
            "title": title,
            "caption": incident.reference,
            "incident": incident,
            "kept": kept is not None,
            "back": _step_url(incident, "children"),
        },
    )


@case_view
def child_remove(request, pk, child_pk):
    incident = incident_get_for(request.user, pk)
    child = child_get_for(request.user, incident, child_pk)
    if request.method == "POST":
        try:
            services.child_remove(child=child, actor=request.user)
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{child.pseudonym} is removed from {incident.reference}.")
        return redirect(_step_url(incident, "children"))
    return render(
        request, "notifications/child_remove.html", {"incident": incident, "child": child}
    )


@case_view
def incident_check(request, pk):
    incident = incident_get_for(request.user, pk)
    problems = services.missing_for_decision(incident)
    if request.method == "POST":
        try:
            services.incident_submit_for_decision(incident=incident, actor=request.user)
        except ValidationError as error:
            problems = error.messages
        except services.TransitionError as error:
            problems = [str(error)]
        else:
            messages.success(request, f"{incident.reference} is ready for a decision.")
            return redirect(incident.get_absolute_url())
    return render(
        request,
        "notifications/check.html",
        {
            "incident": incident,
            "problems": problems,
            "children": incident.children.all(),
            "posted": request.method == "POST",
        },
    )


# --- decisions ------------------------------------------------------------------------


def _decision_form_view(request, incident, form_class, title, run, *, intro="", initial=None):
    kept = take_kept_post(request)
    data = request.POST if request.method == "POST" else kept
    form = form_class(data, initial=initial or {})
    if request.method == "POST" and form.is_valid():
        try:
            run(form)
        except ValidationError as error:
            form.add_service_errors(error)
        except services.TransitionError as error:
            form.add_error(None, str(error))
        else:
            return redirect(incident.get_absolute_url())
    return render(
        request,
        "notifications/step.html",
        {
            "form": form,
            "title": title,
            "caption": incident.reference,
            "incident": incident,
            "intro": intro,
            "kept": kept is not None,
            "back": incident.get_absolute_url(),
        },
    )


@case_view
def record_notification(request, pk):
    incident = incident_get_for(request.user, pk)

    def run(form):
        services.incident_record_notification(
            incident=incident,
            actor=request.user,
            notified_at=form.sent_at(),
            dfe_reference=form.cleaned_data["dfe_reference"],
            ofsted_copied=form.cleaned_data["ofsted_copied"],
            other_partnerships_told=form.cleaned_data["other_partnerships_told"],
            late_reason=form.cleaned_data["late_reason"],
        )
        messages.success(request, f"The notification of {incident.reference} is recorded.")

    due = f"{incident.notification_due:%-d %B %Y}"
    return _decision_form_view(
        request,
        incident,
        forms.RecordNotificationForm,
        "Record the notification",
        run,
        intro=f"Record it after the DfE online service has confirmed it. It was due by {due}.",
        initial={
            "sent_date": timezone.localdate(),
            "sent_time": timezone.localtime().strftime("%H:%M"),
        },
    )


@case_view
def not_notifying(request, pk):
    incident = incident_get_for(request.user, pk)
    if not permissions.has_role(
        request.user, Role.PARTNERSHIP_MANAGER, partnership=incident.partnership
    ):
        raise PermissionDenied("A partnership manager records a decision not to notify.")

    def run(form):
        services.incident_decide_not_to_notify(
            incident=incident,
            actor=request.user,
            rationale=form.cleaned_data["rationale"],
            agreed_by=form.cleaned_data["agreed_by"],
            decided_on=form.cleaned_data["decided_on"],
        )
        messages.success(request, f"The decision not to notify {incident.reference} is recorded.")

    return _decision_form_view(
        request,
        incident,
        forms.NotNotifyForm,
        "Record a decision not to notify",
        run,
        intro="The three statutory partners must agree a decision not to notify.",
    )


@case_view
def reconsider(request, pk):
    incident = incident_get_for(request.user, pk)

    def run(form):
        services.incident_reconsider(
            incident=incident, actor=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, f"{incident.reference} is awaiting a decision again.")

    if not permissions.has_role(
        request.user, Role.PARTNERSHIP_MANAGER, partnership=incident.partnership
    ):
        raise PermissionDenied("A partnership manager reopens a decision.")
    return _decision_form_view(request, incident, forms.NoteForm, "Reconsider the decision", run)


@case_view
@require_POST
def return_to_draft(request, pk):
    incident = incident_get_for(request.user, pk)
    try:
        services.incident_return_to_draft(incident=incident, actor=request.user)
    except services.TransitionError as error:
        messages.error(request, str(error))
    return redirect(incident.get_absolute_url())


# --- reading --------------------------------------------------------------------------


@case_view
def incident_list(request):
    incidents = incidents_visible_to(request.user).prefetch_related("children")
    incident_filter = IncidentFilter(request.GET or None, queryset=incidents, user=request.user)
    page = Paginator(incident_filter.qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notifications/list.html",
        {
            "filter": incident_filter,
            "form": incident_filter.form,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


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
    stopped = incident.notified_on or incident.decided_on
    left = calendar.working_days_between(
        today, incident.notification_due, partnership=incident.partnership_id
    )
    return {
        "deadline": deadline,
        "explanation": explanation,
        "running": stopped is None,
        "left": left,
        "overdue": -left if left < 0 else 0,
        "changes": list(deadline.changes.select_related("actor")) if deadline else [],
    }


@case_view
def incident_detail(request, pk):
    incident = incident_get_for(request.user, pk)
    audit_record(actor=request.user, action=Action.VIEW, obj=incident, request=request)
    is_manager = permissions.has_role(
        request.user, Role.PARTNERSHIP_MANAGER, partnership=incident.partnership
    )
    return render(
        request,
        "notifications/detail.html",
        {
            "incident": incident,
            "children": incident.children.all(),
            "clock": clock_for(incident, timezone.localdate()),
            "status_changes": incident.status_changes.select_related("actor"),
            "timeline": incident_timeline(incident),
            "is_manager": is_manager,
            "Status": Status,
            "missing": services.missing_for_decision(incident) if incident.is_editable else [],
        },
    )


@case_view
def ready_to_send(request, pk):
    from .documents import national_form_sections

    incident = incident_get_for(request.user, pk)
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=incident,
        request=request,
        changes={"page": "ready to send"},
    )
    return render(
        request,
        "notifications/ready_to_send.html",
        {
            "incident": incident,
            "sections": national_form_sections(incident),
        },
    )


@case_view
def notification_pdf(request, pk):
    incident = incident_get_for(request.user, pk)
    if not incident.notification_pdf:
        raise Http404("No PDF yet")
    audit_record(
        actor=request.user,
        action=Action.DOWNLOAD,
        obj=incident,
        request=request,
        changes={"file": "notification PDF"},
    )
    return FileResponse(
        incident.notification_pdf.open("rb"),
        as_attachment=True,
        filename=f"{incident.reference}-notification.pdf",
        content_type="application/pdf",
    )


# --- attachments ----------------------------------------------------------------------


@case_view
def attachments(request, pk):
    incident = incident_get_for(request.user, pk)
    posted = request.method == "POST"
    form = forms.AttachmentForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.attachment_add(
                incident=incident,
                actor=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, f"{attachment.original_name} is uploaded.")
            return redirect("notifications:attachments", pk=incident.pk)
    return render(
        request,
        "notifications/attachments.html",
        {
            "incident": incident,
            "form": form,
            "attachments": incident.attachments.select_related("uploaded_by"),
        },
    )


@case_view
def attachment_download(request, pk, attachment_pk):
    from safeguarding.uploads import download_response

    incident = incident_get_for(request.user, pk)
    attachment = permissions.get_or_404(incident.attachments.all(), pk=attachment_pk)
    audit_record(
        actor=request.user,
        action=Action.DOWNLOAD,
        obj=attachment,
        partnership=incident.partnership,
        object_repr=f"{incident.reference} attachment {attachment.original_name}",
    )
    return download_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@case_view
@require_POST
def attachment_remove(request, pk, attachment_pk):
    incident = incident_get_for(request.user, pk)
    attachment = permissions.get_or_404(incident.attachments.all(), pk=attachment_pk)
    services.attachment_remove(attachment=attachment, actor=request.user)
    messages.success(request, f"{attachment.original_name} is removed.")
    return redirect("notifications:attachments", pk=incident.pk)


@case_view
def case_export(request, pk):
    """Manager-only: the subject access export of one case, audited with its reason."""
    from django.http import HttpResponse

    from .case_export import case_export_zip

    incident = incident_get_for(request.user, pk)
    if not permissions.has_role(
        request.user, Role.PARTNERSHIP_MANAGER, partnership=incident.partnership
    ):
        raise PermissionDenied("A partnership manager exports a case.")
    form = forms.ExportReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        audit_record(
            actor=request.user,
            action=Action.EXPORT,
            obj=incident,
            request=request,
            changes={"export": "subject access", "reason": form.cleaned_data["reason"]},
        )
        response = HttpResponse(
            case_export_zip(incident, actor=request.user), content_type="application/zip"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{incident.reference}-subject-access-export.zip"'
        )
        response["Cache-Control"] = "private, no-store"
        return response
    return render(
        request,
        "notifications/step.html",
        {
            "form": form,
            "title": "Export everything held about this case",
            "caption": incident.reference,
            "incident": incident,
            "back": incident.get_absolute_url(),
            "intro": "For a subject access request or a court order. The export is complete: "
            "redact other people's information before you disclose it. It is recorded in the "
            "audit trail with your reason.",
        },
    )


@case_view
def retention_report(request):
    """Managers: closed cases past the retention period, for a deletion review."""
    from django.conf import settings

    from .selectors import incidents_past_retention

    if not permissions.has_role(request.user, Role.PARTNERSHIP_MANAGER):
        raise PermissionDenied("The retention report is for partnership managers.")
    incidents = incidents_past_retention(
        request.user, today=timezone.localdate(), years=settings.RETENTION_YEARS
    )
    page = Paginator(incidents, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/retention.html",
        {
            "page": page,
            "years": settings.RETENTION_YEARS,
            "query": "",
        },
    )
