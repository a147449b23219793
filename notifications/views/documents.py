"""Documents, the subject access export and the retention report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding import permissions
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
            "words. The export is complete: redact other people's information before you "
            "disclose it. It is recorded in the audit trail with your reason.",
        },
    )


@case_view
def retention_report(request):
    """Managers: cases closed longer ago than the retention period, for a deletion review."""
    from django.conf import settings

    from ..selectors import incidents_past_retention

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


@case_view
def case_delete(request, pk):
    """A manager deletes a whole case past its retention period (services/retention.py).
    A case still open, or not yet past the period, gets a page saying why, not the form."""
    from django.conf import settings

    from safeguarding.form_pages import form_page

    from ..selectors import case_closed_on, case_deletion_refused, retention_period

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
