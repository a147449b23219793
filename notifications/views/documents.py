"""Documents, the subject access export and the retention report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from safeguarding import held_uploads, permissions
from safeguarding.audit import Action, audit_record, audit_view
from safeguarding.models import Role

from .. import forms, services
from ..selectors import incident_get_for, incident_get_for_manager
from .common import (
    case_view,
)

# --- attachments ----------------------------------------------------------------------


@case_view
def attachments(request, pk):
    incident = incident_get_for(request.user, pk)
    if request.method != "POST":
        audit_view(request, incident, "attachments")
    posted = request.method == "POST"
    form = forms.AttachmentForm(request.POST if posted else None, request.FILES if posted else None)
    # A file chosen on a page refused for another answer is held for saving again.
    held = held_uploads.hold_for(form, request=request, record=incident) if posted else None
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.attachment_add(
                incident=incident,
                actor=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
            if held is not None:
                held.used_up()
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, f"{attachment.original_name} is uploaded.")
            return redirect("notifications:attachments", pk=incident.pk)
    if held is not None:
        held.keep()
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
    # The file is opened first: one that cannot be read is not audited as downloaded.
    response = download_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )
    audit_record(
        actor=request.user,
        action=Action.DOWNLOAD,
        obj=attachment,
        partnership=incident.partnership,
        object_repr=f"{incident.reference} document {attachment.pk}",
    )
    return response


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

    from ..case_export import case_export_zip

    incident = incident_get_for_manager(request.user, pk, "A partnership manager exports a case.")
    form = forms.ExportReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # Audited in the same transaction as the export is made (its audit.json holds the
        # event): an export that fails is not recorded as made.
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=Action.EXPORT,
                obj=incident,
                request=request,
                changes={"export": "subject access", "reason": form.cleaned_data["reason"]},
            )
            body = case_export_zip(incident, actor=request.user)
        response = HttpResponse(body, content_type="application/zip")
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
            "intro": "For a subject access request or a court order. You get a ZIP file: "
            "start with records.txt in it, which gives every record, clock and audit event in "
            "words. The export is complete: redact other people’s information before you "
            "disclose it. It is recorded in the audit trail with your reason.",
        },
    )


@case_view
def retention_report(request):
    """Managers: cases closed longer ago than the retention period, for a decision to
    keep or delete each; the cases kept, with the date to look at them again, apart."""
    from django.conf import settings

    from ..selectors import incidents_past_retention, retention_due, retention_kept

    if not permissions.has_role(request.user, Role.PARTNERSHIP_MANAGER):
        raise PermissionDenied("The retention report is for partnership managers.")
    today = timezone.localdate()
    past = incidents_past_retention(request.user, today=today, years=settings.RETENTION_YEARS)
    page = Paginator(retention_due(past, today=today), 50).get_page(request.GET.get("page"))
    # The kept cases, soonest to look at again first, with pages of their own: each
    # list's links keep the page the other one is on.
    kept = Paginator(retention_kept(past, today=today), 50).get_page(request.GET.get("kept_page"))
    return render(
        request,
        "notifications/retention.html",
        {
            "page": page,
            "kept": kept,
            "years": settings.RETENTION_YEARS,
            "query": urlencode({"kept_page": kept.number}) if kept.number > 1 else "",
            "kept_query": urlencode({"page": page.number}) if page.number > 1 else "",
        },
    )


@case_view
def case_delete(request, pk):
    """A manager deletes a whole case past its retention period (services/retention.py).
    A case still open, or not yet past the period, gets a page saying why, not the form."""
    from django.conf import settings

    from safeguarding.form_pages import form_page

    from ..selectors import (
        case_closed_on,
        case_deletion_refused,
        case_not_past_retention,
        retention_period,
    )

    incident = incident_get_for_manager(request.user, pk, "A partnership manager deletes a case.")
    title = f"Delete {incident.reference}"
    caption = "Records past their retention period"
    back = reverse("notifications:retention")
    years = settings.RETENTION_YEARS
    refused = case_deletion_refused(request.user, incident, today=timezone.localdate(), years=years)
    if refused:
        return render(
            request,
            "notifications/case_delete_refused.html",
            {
                "incident": incident,
                "title": f"{incident.reference} cannot be deleted",
                "caption": caption,
                "back": back,
                "reasons": refused,
                "kept": not case_not_past_retention(
                    request.user, incident, today=timezone.localdate(), years=years
                ),
                "stop_url": reverse("notifications:case-keep-stop", args=[incident.pk]),
            },
        )

    def run(form):
        services.case_delete(
            incident=incident, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{incident.reference} and everything it held are deleted.")
        return redirect("notifications:retention")

    return form_page(
        request,
        incident,
        forms.CaseDeleteForm,
        title,
        run,
        template="notifications/step.html",
        caption=caption,
        back=back,
        intro=(
            f"It closed on {case_closed_on(incident):%-d %B %Y}, and its retention period "
            f"of {retention_period(years)} has passed. Deleting "
            "it removes the incident, its children and documents, its rapid review and any "
            "local review (with their requests, returns, actions and briefing), their "
            "clocks and every stored file. It cannot be undone. The anonymised public copy "
            "of a published review stays on the public pages, and the audit trail keeps a "
            "record of the deletion with your reason.\n\n"
            "Agree the deletion with your data protection officer first."
        ),
    )


@case_view
def case_keep(request, pk):
    """A manager records the decision to keep a case past its retention period, with why
    and the date to look at it again (services.case_keep). A case not on the report, or
    already kept, gets a page saying why, not the form."""
    from django.conf import settings

    from safeguarding.form_pages import form_page

    from ..selectors import (
        case_closed_on,
        case_not_past_retention,
        kept_in_words,
        retention_hold_in_force,
        retention_period,
    )

    incident = incident_get_for_manager(request.user, pk, "A partnership manager keeps a case.")
    caption = "Records past their retention period"
    back = reverse("notifications:retention")
    years, today = settings.RETENTION_YEARS, timezone.localdate()
    refused = case_not_past_retention(request.user, incident, today=today, years=years)
    hold = None if refused else retention_hold_in_force(incident, today=today)
    if refused or hold is not None:
        return render(
            request,
            "notifications/case_keep_refused.html",
            {
                "incident": incident,
                "title": f"{incident.reference} is not due for a retention decision",
                "caption": caption,
                "back": back,
                "reasons": refused or [kept_in_words(hold)],
                "kept": hold is not None,
                "stop_url": reverse("notifications:case-keep-stop", args=[incident.pk]),
            },
        )

    def run(form):
        hold = services.case_keep(
            incident=incident,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            review_on=form.cleaned_data["review_on"],
        )
        messages.success(
            request,
            f"{incident.reference} is kept. It will be listed for a decision again on "
            f"{hold.review_on:%-d %B %Y}.",
        )
        return redirect("notifications:retention")

    return form_page(
        request,
        incident,
        forms.CaseKeepForm,
        f"Keep {incident.reference}",
        run,
        template="notifications/step.html",
        caption=caption,
        back=back,
        intro=(
            f"It closed on {case_closed_on(incident):%-d %B %Y}, and its retention period "
            f"of {retention_period(years)} has passed. Keep it if there is a reason to: for "
            "example an inquest, a civil claim, a request from the police, or the advice of "
            "your data protection officer. It cannot be deleted until the date to look at "
            "it again; on that date it is listed again for a decision."
        ),
    )


@case_view
def case_keep_stop(request, pk):
    """A manager ends a decision to keep a case before its date to look again
    (services.case_keep_stop): the case is listed again for a decision."""
    from safeguarding.form_pages import form_page

    from ..selectors import kept_in_words, retention_hold_in_force

    incident = incident_get_for_manager(
        request.user, pk, "A partnership manager stops keeping a case."
    )
    hold = retention_hold_in_force(incident, today=timezone.localdate())
    back = reverse("notifications:retention")
    if hold is None:
        return render(
            request,
            "notifications/case_keep_refused.html",
            {
                "incident": incident,
                "title": f"{incident.reference} is not being kept",
                "caption": "Records past their retention period",
                "back": back,
                "reasons": [],
                "not_kept": True,
            },
        )

    def run(form):
        services.case_keep_stop(
            incident=incident, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            f"{incident.reference} is no longer kept. It is listed for a decision to keep "
            "or delete it.",
        )
        return redirect("notifications:retention")

    return form_page(
        request,
        incident,
        forms.CaseKeepStopForm,
        f"Stop keeping {incident.reference}",
        run,
        template="notifications/step.html",
        caption="Records past their retention period",
        back=back,
        intro=(
            f"{kept_in_words(hold)[0].upper()}{kept_in_words(hold)[1:]}.\n\n"
            "If you stop keeping it, it is listed again for a decision to keep or delete it. "
            "The decision stays in the case’s record and the audit trail."
        ),
    )
