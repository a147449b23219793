"""The panel meeting, the decision, the partners' sign-offs, the National Panel, the PDF."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from safeguarding import form_pages
from safeguarding.audit import Action, audit_record
from safeguarding.dates import full_date
from safeguarding.leads import partner_lead_initial

from .. import services
from ..documents import rapid_review_pdf
from ..forms import (
    CorrectSentToPanelForm,
    DecisionForm,
    LocalReviewAfterPanelForm,
    MeetingForm,
    NoteForm,
    PanelResponseForm,
    SendToPanelForm,
    SignOffForm,
)
from ..models import Partner, RequestStatus, Status
from ..selectors import rapid_review_get_for, review_for_page
from .common import form_page, officer_view

#: What each step needs first, said before the form is filled in (the service refuses
#: the step anyway): the step, the statuses it can be taken from, and what to do first.
SENT = (Status.SENT_TO_PANEL, Status.PANEL_RESPONDED)
#: Each step: the statuses it can be taken from, what to do first otherwise, and the
#: statuses at which it is done already.
NEEDS = {
    "decision": (
        (Status.MEETING_HELD,),
        "Record the panel meeting before the decision.",
        (Status.DECIDED, *SENT),
    ),
    "sign_off": (
        (Status.DECIDED,),
        "Record the decision before the partners sign it off.",
        SENT,
    ),
    "send": (
        (Status.DECIDED, Status.PANEL_RESPONDED),
        "Record the decision and the three partners’ sign-offs before sending it.",
        (Status.SENT_TO_PANEL,),
    ),
    "response": (
        # Once recorded, the same page corrects it.
        (Status.SENT_TO_PANEL, Status.PANEL_RESPONDED),
        "The review has not been sent to the National Panel.",
        (),
    ),
}


def _warn_if_not_ready(request, review, step: str) -> None:
    form_pages.warn_if_not_ready(request, review, review.incident.reference, *NEEDS[step])


@officer_view
def meeting(request, pk):
    review = rapid_review_get_for(request.user, pk)
    fields = services.review.FINDING_FIELDS
    recording = review.status == Status.OPEN

    def run(form):
        values = {name: form.cleaned_data[name] for name in fields}
        service = (
            services.rapid_review_record_meeting
            if recording
            else services.rapid_review_update_findings
        )
        service(
            rapid_review=review,
            actor=request.user,
            values=values,
            expected_version=form.cleaned_data.get("version"),
        )
        messages.success(request, "The panel meeting and its findings are saved.")

    initial = {name: getattr(review, name) for name in fields}
    initial["version"] = review.version
    title = "Record the panel meeting" if recording else "Change the meeting’s findings"
    return form_page(request, review, MeetingForm, title, run, initial=initial)


@officer_view
def decision(request, pk):
    review = rapid_review_get_for(request.user, pk)
    _warn_if_not_ready(request, review, "decision")

    def run(form):
        data = form.cleaned_data
        services.rapid_review_decide(
            rapid_review=review,
            actor=request.user,
            decision=data["decision"],
            criteria=data["criteria"],
            rationale=data["rationale"],
            decided_on=data["decided_on"],
            expected_version=data.get("version"),
        )
        messages.success(request, "The decision is recorded. The three partners now sign it off.")

    awaited = [
        r.agency.name
        for r in review.requests.select_related("agency").order_by("agency__name")
        if r.is_awaiting_return
    ]
    return form_page(
        request,
        review,
        DecisionForm,
        "Record the decision",
        run,
        # The decision may still be made (the 15 working days do not wait), but knowingly.
        intro=(
            "Returns still awaited from: " + ", ".join(awaited) + ". "
            "When the review is recorded as sent to the National Panel, their requests "
            "are closed and the agencies told that their information is no longer needed."
            if awaited
            else ""
        ),
        initial={
            "decided_on": review.meeting_date or timezone.localdate(),
            "version": review.version,
            "criteria": review.criteria,
        },
    )


@officer_view
def withdraw_decision(request, pk):
    review = rapid_review_get_for(request.user, pk)

    def run(form):
        services.rapid_review_withdraw_decision(
            rapid_review=review, actor=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, "The decision is withdrawn, with its sign-offs.")

    return form_page(
        request,
        review,
        NoteForm,
        "Withdraw the decision",
        run,
        intro="The partners’ sign-offs of this decision will be removed.",
    )


#: Who a sign-off is for, as a sentence says it.
SIGNED_FOR = {
    Partner.LOCAL_AUTHORITY: "the local authority",
    Partner.POLICE: "the police",
    Partner.HEALTH: "health (the integrated care board)",
}


@officer_view
def sign_off(request, pk, partner):
    review = rapid_review_get_for(request.user, pk)
    if partner not in Partner.values:
        raise Http404("No such partner")
    _warn_if_not_ready(request, review, "sign_off")
    label = Partner(partner).label

    def run(form):
        data = form.cleaned_data
        services.rapid_review_sign_off(
            rapid_review=review,
            actor=request.user,
            partner=partner,
            name=data["name"],
            role=data["role"],
            signed_on=data["signed_on"],
        )
        messages.success(request, f"The sign-off for {SIGNED_FOR[partner]} is recorded.")

    existing = review.sign_offs.filter(partner=partner).first()
    if existing:
        # A sign-off recorded already shows the name as signed, whoever leads now.
        initial = {"name": existing.name, "role": existing.role, "signed_on": existing.signed_on}
        intro = ""
    else:
        lead = partner_lead_initial(review.incident.partnership, partner)
        initial = {"signed_on": timezone.localdate(), **lead}
        intro = (
            f"Filled in with the partnership’s lead for the {label[0].lower()}{label[1:]}. "
            "Change the name and role if someone else signs, such as a deputy."
            if lead
            else ""
        )
    return form_page(
        request, review, SignOffForm, f"Sign-off: {label}", run, initial=initial, intro=intro
    )


@officer_view
def send_to_panel(request, pk):
    review = rapid_review_get_for(request.user, pk)
    _warn_if_not_ready(request, review, "send")

    def run(form):
        from lcspr.models import Review as LocalReview

        # Sent again (after the Panel asked for more): nothing else happens then.
        first_send = review.status == Status.DECIDED
        services.rapid_review_send_to_panel(
            rapid_review=review,
            actor=request.user,
            sent_on=form.cleaned_data["sent_on"],
            late_reason=form.cleaned_data["late_reason"],
        )
        said = [f"{review.incident.reference} is recorded as sent to the National Panel."]
        sent_on = form.cleaned_data["sent_on"]
        if (
            first_send
            and form.cleaned_data["late_reason"].strip()
            and sent_on is not None
            and sent_on <= review.due_date
        ):
            # Not kept (the service keeps a reason only for a late send): said, so that
            # what was typed is not dropped without a word.
            said.append("It was sent on time, so the reason it was late is not kept.")
        if first_send and review.requests.filter(status=RequestStatus.NOT_NEEDED).exists():
            said.append("Requests still awaited are closed, and their agencies told.")
        if first_send and LocalReview.objects.filter(rapid_review=review).exists():
            said.append(
                "Its local review is now open. It is due 6 months after the decision to "
                "hold it. Go to it from ‘The local review’ on this page."
            )
        messages.success(request, " ".join(said))

    intro = "Send the signed-off rapid review to the National Panel, then record it here."
    awaited = [
        r.agency.name
        for r in review.requests.select_related("agency").order_by("agency__name")
        if r.is_awaiting_return
    ]
    if awaited and review.status == Status.DECIDED:
        # Said before, not only after: recording the send closes these requests.
        intro += (
            " Returns are still awaited from: " + ", ".join(awaited) + ". Recording that "
            "the review was sent closes their requests and tells those agencies that "
            "their information is no longer needed."
        )
    return form_page(
        request,
        review,
        SendToPanelForm,
        "Send to the National Panel",
        run,
        initial={"sent_on": timezone.localdate()},
        intro=intro,
    )


@officer_view
def correct_sent_to_panel(request, pk):
    review = rapid_review_get_for(request.user, pk)
    refused = services.review.sent_correction_refused(review)
    if refused:
        messages.warning(request, refused)
        return redirect(review.get_absolute_url())

    def run(form):
        data = form.cleaned_data
        services.rapid_review_correct_sent_to_panel(
            rapid_review=review,
            actor=request.user,
            sent_on=data["sent_on"],
            late_reason=data["late_reason"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        messages.success(request, "The date it was sent to the National Panel is corrected.")

    return form_page(
        request,
        review,
        CorrectSentToPanelForm,
        "Correct the date it was sent to the National Panel",
        run,
        intro=(
            f"Recorded as sent on {full_date(review.sent_to_panel_on)}. Its 15 working days "
            f"ran to {full_date(review.due_date)}: the corrected date says whether it went "
            "late."
        ),
        initial={
            "sent_on": review.sent_to_panel_on,
            "late_reason": review.late_reason,
            "version": review.version,
        },
    )


@officer_view
def panel_response(request, pk):
    review = rapid_review_get_for(request.user, pk)
    _warn_if_not_ready(request, review, "response")

    correcting = review.status == Status.PANEL_RESPONDED

    def run(form):
        data = form.cleaned_data
        services.rapid_review_record_panel_response(
            rapid_review=review,
            actor=request.user,
            response=data["response"],
            responded_on=data["responded_on"],
            note=data["note"],
            more_information_by=data["more_information_by"],
            correction_reason=data.get("correction_reason", ""),
        )
        messages.success(
            request,
            "The National Panel’s response is corrected."
            if correcting
            else "The National Panel’s response is recorded.",
        )

    initial = None
    if correcting:
        initial = {
            "response": review.panel_response,
            "responded_on": review.panel_response_on,
            "note": review.panel_response_note,
            "more_information_by": review.panel_more_information_by,
        }
    return form_page(
        request,
        review,
        PanelResponseForm,
        "Correct the National Panel’s response" if correcting else "The National Panel’s response",
        run,
        initial=initial,
        form_kwargs={"correcting": correcting},
    )


@officer_view
def local_review_after_panel(request, pk):
    review = rapid_review_get_for(request.user, pk)

    def run(form):
        data = form.cleaned_data
        services.rapid_review_hold_local_review_after_panel(
            rapid_review=review,
            actor=request.user,
            decided_on=data["decided_on"],
            rationale=data["rationale"],
            expected_version=data.get("version"),
        )
        messages.success(
            request, "The decision is recorded and the local review is open (6 months from it)."
        )

    return form_page(
        request,
        review,
        LocalReviewAfterPanelForm,
        "Hold a local review after the Panel’s reply",
        run,
        intro="The National Panel disagreed with the decision sent to it. The decision "
        "sent stays on record; this one is recorded beside it. The local review’s 6 months "
        "count from the date of this decision.",
        initial={"version": review.version},
    )


@officer_view
def report_pdf(request, pk):
    review = review_for_page(request.user, pk)
    pdf = rapid_review_pdf(review)
    audit_record(
        actor=request.user,
        action=Action.DOWNLOAD,
        obj=review,
        partnership=review.incident.partnership,
        request=request,
        changes={"file": "rapid review report PDF"},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{review.incident.reference}-rapid-review.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
