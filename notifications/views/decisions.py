"""Deciding: record the notification, decide not to notify, reconsider."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding.form_pages import form_page
from safeguarding.leads import partner_leads_summary

from .. import forms, services
from ..models import UNDECIDED, Status
from ..selectors import incident_get_for, incident_get_for_manager
from .common import (
    case_view,
)

# --- decisions ------------------------------------------------------------------------


def _decision_form_view(
    request, incident, form_class, title, run, *, intro="", initial=None, checks_case=False
):
    """`checks_case`: the form is given the incident, to report the service's checks
    against it with its other errors at once."""
    return form_page(
        request,
        incident,
        form_class,
        title,
        run,
        template="notifications/step.html",
        caption=incident.reference,
        context={"incident": incident},
        intro=intro,
        initial=initial,
        form_kwargs={"incident": incident} if checks_case else None,
    )


@case_view
def record_notification(request, pk):
    incident = incident_get_for(request.user, pk)
    if request.method != "POST" and incident.status in (Status.NOTIFIED, Status.RECORDED):
        # Opened once recorded (the back button, an old link): not a form pre-filled with
        # now, to be refused, but the case, whose National Panel section shows what was
        # recorded (and offers its correction).
        messages.info(
            request,
            f"The notification of {incident.reference} is recorded already: what was "
            "recorded is shown below.",
        )
        return redirect(incident.get_absolute_url())
    if request.method != "POST" and incident.status == Status.ENTERED_IN_ERROR:
        messages.info(request, "This incident was entered in error: it can no longer change.")
        return redirect(incident.get_absolute_url())
    # Opened before it can be recorded: not a form to fill in for nothing, but the page
    # where what must happen first is done. (A form sent anyway says so, linked there.)
    if request.method != "POST" and incident.status == Status.DRAFT:
        messages.warning(
            request,
            f"{incident.reference} is a draft, so its notification cannot be recorded yet. "
            "Check its answers and send it for a decision first.",
        )
        return redirect("notifications:check", pk=incident.pk)
    if request.method != "POST" and incident.status == Status.NOT_NOTIFIED:
        messages.warning(
            request,
            f"The partnership decided not to notify {incident.reference}. Reconsider the "
            "decision not to notify first: a partnership manager does this from this page.",
        )
        return redirect(incident.get_absolute_url())

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

    due = incident.notification_due
    # "Was" only once the due date has gone: until the end of that day it is still due.
    tense = "was" if due < timezone.localdate() else "is"
    return _decision_form_view(
        request,
        incident,
        forms.RecordNotificationForm,
        "Record the notification",
        run,
        intro=(
            "Record it after the DfE online service has confirmed it. "
            f"It {tense} due by {due:%-d %B %Y}."
        ),
        initial={
            "sent_date": timezone.localdate(),
            "sent_time": forms.time_in_form(timezone.localtime()),
        },
        checks_case=True,
    )


@case_view
def correct_notification(request, pk):
    incident = incident_get_for(request.user, pk)

    def run(form):
        if incident.notified_at == form.sent_at():
            messages.info(request, "Nothing was changed: that is the date and time recorded.")
            return None
        services.incident_correct_notification(
            incident=incident,
            actor=request.user,
            notified_at=form.sent_at(),
            reason=form.cleaned_data["reason"],
            late_reason=form.cleaned_data["late_reason"],
            expected_version=form.cleaned_data.get("version"),
        )
        messages.success(request, "The date the notification was sent is corrected.")

    sent = timezone.localtime(incident.notified_at) if incident.notified_at else None
    return _decision_form_view(
        request,
        incident,
        forms.CorrectNotificationForm,
        "Correct when the notification was sent",
        run,
        intro=(
            f"If the date or time was recorded wrongly. It was due by "
            f"{incident.notification_due:%-d %B %Y}."
            + (
                " The rapid review’s due date and the steps of its timetable will count "
                "their working days from the corrected date."
                if hasattr(incident, "rapid_review")
                else ""
            )
        ),
        initial={
            "sent_date": sent.date() if sent else None,
            "sent_time": forms.time_in_form(sent) if sent else "",
            "version": incident.version,
        },
        checks_case=True,
    )


@case_view
def correct_awareness(request, pk):
    incident = incident_get_for(request.user, pk)

    def run(form):
        if form.cleaned_data["awareness_date"] == incident.awareness_date:
            messages.info(request, "Nothing was changed: that is the date recorded.")
            return None
        corrected = services.incident_correct_awareness_date(
            incident=incident,
            actor=request.user,
            awareness_date=form.cleaned_data["awareness_date"],
            reason=form.cleaned_data["reason"],
            late_reason=form.cleaned_data["late_reason"],
            expected_version=form.cleaned_data.get("version"),
        )
        messages.success(
            request,
            "The date the local authority became aware is corrected. The notification was "
            f"due by {corrected.notification_due:%-d %B %Y}"
            + (", so it was late." if corrected.notified_late else ", so it was on time."),
        )

    return _decision_form_view(
        request,
        incident,
        forms.CorrectAwarenessForm,
        "Correct the date the local authority became aware",
        run,
        intro=(
            f"If it was recorded wrongly. The notification was sent on "
            f"{incident.notified_on:%-d %B %Y}."
            if incident.notified_on
            else ""
        ),
        initial={"awareness_date": incident.awareness_date, "version": incident.version},
        checks_case=True,
    )


@case_view
def not_notifying(request, pk):
    incident = incident_get_for_manager(
        request.user, pk, "A partnership manager records a decision not to notify."
    )

    leads = partner_leads_summary(incident.partnership)

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
        intro="The three statutory partners must agree a decision not to notify."
        + (
            " Who agreed is filled in with the partnership’s statutory leads: change it "
            "if someone else agreed, such as a deputy."
            if leads
            else ""
        ),
        initial={"agreed_by": leads} if leads else None,
        checks_case=True,
    )


@case_view
def reconsider(request, pk):
    incident = incident_get_for_manager(
        request.user, pk, "A partnership manager reopens a decision."
    )

    def run(form):
        services.incident_reconsider(
            incident=incident, actor=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, f"{incident.reference} is awaiting a decision again.")

    return _decision_form_view(request, incident, forms.NoteForm, "Reconsider the decision", run)


@case_view
def enter_in_error(request, pk):
    incident = incident_get_for(request.user, pk)
    if incident.status not in UNDECIDED:
        messages.error(
            request,
            f"{incident.reference} is ‘{incident.get_status_display()}’: only an incident "
            "that has not been notified or decided on can be marked as entered in error.",
        )
        return redirect(incident.get_absolute_url())

    def run(form):
        try:
            services.incident_enter_in_error(
                incident=incident,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except services.ConcurrentEditError as error:
            # Not "save again": what is about to be erased has changed, so look first.
            raise services.TransitionError(
                f"{incident.reference} has been changed since you opened this page. Go back "
                "to the incident and check it before you mark it as entered in error."
            ) from error
        messages.success(
            request,
            f"{incident.reference} is marked as entered in error. Its details, children and "
            "documents are erased; its reference and history are kept.",
        )
        return redirect("notifications:list")

    children = len(incident.children.all())
    documents = incident.attachments.count()
    erased = ["its details"]
    if children:
        erased.append(
            "its child’s details" if children == 1 else f"its {children} children’s details"
        )
    if documents:
        erased.append("its document" if documents == 1 else f"its {documents} documents")
    return _decision_form_view(
        request,
        incident,
        forms.EnterInErrorForm,
        "Mark as entered in error",
        run,
        intro=(
            "Use this only for an incident logged by mistake, such as a duplicate or one "
            "logged for the wrong partnership. If the incident does not meet the criteria "
            "for a notification, a partnership manager records a decision not to notify "
            "instead.\n\n"
            f"This erases {_and_list(erased)}, and stops its clock. It cannot be undone. "
            "The reference and the history stay, with your reason."
        ),
        initial={"version": incident.version},
    )


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@case_view
@require_POST
def return_to_draft(request, pk):
    incident = incident_get_for(request.user, pk)
    try:
        services.incident_return_to_draft(incident=incident, actor=request.user)
    except services.TransitionError as error:
        messages.error(request, str(error))
    return redirect(incident.get_absolute_url())
