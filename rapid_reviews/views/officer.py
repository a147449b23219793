"""The business unit's pages: the reviews, the review page with its collation, requests."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding.audit import Action, audit_record, audit_view
from safeguarding.calendar import (
    add_working_days,
    closure_days,
    closure_on,
    is_working_day,
    on_closure_days,
    working_days_left,
)
from safeguarding.deadlines import Kind, get_deadline
from safeguarding.models import Membership, Role

from .. import services
from ..documents import report_sections
from ..forms import RequestChangeForm, RequestsForm, SendBackForm
from ..models import Milestone, Partner, RequestStatus, Status
from ..selectors import (
    agencies_nobody_can_answer,
    chronology_of,
    information_request_get_for,
    known_to_agency_ids,
    merged_chronology,
    milestones_of,
    rapid_review_get_for,
    rapid_reviews_visible_to,
    request_contacts,
    review_for_page,
    review_history,
    with_first_sent,
)
from .common import form_page, officer_view

#: Gone to the National Panel: nothing left on the 15-working-day clock.
SENT = (Status.SENT_TO_PANEL, Status.PANEL_RESPONDED)


@officer_view
def review_list(request):
    """The reviews still to reach the National Panel, soonest due first; then those sent,
    most recently sent first, 25 to a page (years of them at national scale)."""
    reviews = rapid_reviews_visible_to(request.user).select_related("incident__partnership")
    sent = with_first_sent(reviews.filter(status__in=SENT)).annotate(
        request_count=Count("requests")
    )
    return render(
        request,
        "rapid_reviews/list.html",
        {
            "in_progress": reviews.exclude(status__in=SENT)
            .annotate(request_count=Count("requests"))
            .order_by("due_date", "id"),
            "sent": Paginator(sent.order_by("-sent_to_panel_on", "-id"), 25).get_page(
                request.GET.get("page")
            ),
            "today": timezone.localdate(),
        },
    )


@officer_view
def review_detail(request, pk):
    review = review_for_page(request.user, pk)
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=review,
        partnership=review.incident.partnership,
        request=request,
    )
    requests = list(review.requests.all())
    # Still to come in: not sent yet, or awaited (a return no longer needed is not).
    waiting = [r for r in requests if r.status == RequestStatus.NOT_SENT or r.is_awaiting_return]
    contacts = request_contacts(requests)
    signed = {s.partner: s for s in review.sign_offs.all()}
    clock = get_deadline(review, Kind.RAPID_REVIEW)
    # The partnership's closure days, read once for the days left and the marks below.
    closures = closure_days(review.incident.partnership_id)
    # Until it goes to the Panel, the page says how long is left, as the incident's does.
    left = working_days_left(timezone.localdate(), review.due_date, partnership=closures)
    # Once sent, the clock stopped on the first send (a resend the Panel asked for is not
    # late), as the National Panel section below reads it.
    first_sent = (clock.closed_on if clock is not None else None) or review.sent_to_panel_on
    return render(
        request,
        "rapid_reviews/detail.html",
        {
            "review": review,
            "incident": review.incident,
            "Status": Status,
            "milestones": milestones_of(review),
            "requests": requests,
            "requests_and_contacts": [(r, contacts[r.pk]) for r in requests],
            "outstanding": waiting,
            # Closed when the review went to the Panel, never having returned (a return
            # sent back for more and closed is still the agency's return).
            "closed_unanswered": [
                r
                for r in requests
                if r.status == RequestStatus.NOT_NEEDED and r.returned_on is None
            ],
            # Requests no one at the agency can see (no active contributor there).
            "unanswerable": {r.pk for r in waiting if contacts[r.pk].nobody},
            # Due dates typed before a closure day was added on them: marked, not moved.
            "on_closure_days": on_closure_days(waiting, closures),
            "chronology": merged_chronology(review),
            "sign_offs": [(value, label, signed.get(value)) for value, label in Partner.choices],
            "missing_sign_offs": len(signed) < len(Partner.values),
            "history": review_history(review),
            "clock": clock,
            "running": clock is not None and clock.is_open,
            "first_sent": first_sent if review.sent_to_panel_on else None,
            "sent_late": bool(first_sent and first_sent > review.due_date),
            "can_correct_sent": not services.review.sent_correction_refused(review, clock),
            "left": left,
            "overdue": -left if left < 0 else 0,
            "can_request": review.status in services.requests.REQUESTS_OPEN_WHILE,
        },
    )


@officer_view
def requests_new(request, pk):
    review = rapid_review_get_for(request.user, pk)
    asked = review.requests.values_list("agency_id", flat=True)
    agencies = review.incident.partnership.agencies.exclude(pk__in=asked).order_by("name")
    returns = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.RETURNS)
    today = timezone.localdate()
    # The timetable's date, or once that has passed the next working day (a return cannot
    # be due on a weekend or bank holiday).
    partnership = review.incident.partnership_id
    soonest = (
        today
        if is_working_day(today, partnership=partnership)
        else add_working_days(today, 1, partnership=partnership)
    )
    default_due = max(returns.due_date, soonest) if returns else None

    def run(form):
        send = "later" not in request.POST
        created = services.information_requests_create(
            rapid_review=review,
            actor=request.user,
            agencies=list(form.cleaned_data["agencies"]),
            due_date=form.cleaned_data["due_date"],
            send=send,
        )
        names = ", ".join(r.agency.name for r in created)
        messages.success(request, f"Requests {'sent' if send else 'saved'}: {names}.")
        _warn_if_nobody_can_answer(request, created)

    return form_page(
        request,
        review,
        RequestsForm,
        "Ask agencies for information",
        run,
        # The agencies the notification says knew the children, ticked to start with.
        initial={
            "due_date": default_due,
            "agencies": list(
                agencies.filter(pk__in=known_to_agency_ids(review.incident)).values_list(
                    "pk", flat=True
                )
            ),
        },
        form_kwargs={
            "review": review,
            "agencies": agencies,
            "answered_by": Membership.objects.active()
            .filter(partnership=partnership, role=Role.AGENCY_CONTRIBUTOR)
            .values_list("agency_id", flat=True),
        },
        intro="Agencies’ contributors sign in to see who the review is about. The agencies "
        "the notification says knew the children are ticked to start with.",
    )


@officer_view
def request_detail(request, pk, request_pk):
    review = rapid_review_get_for(request.user, pk)
    info = information_request_get_for(request.user, review, request_pk)
    audit_view(
        request,
        info,
        "information request",
        partnership=review.incident.partnership,
        object_repr=f"{review.incident.reference} {info.agency.name}",
    )
    live = getattr(info, "agency_return", None)
    # What the agency last submitted: never a draft they have saved since.
    agency_return = live.as_submitted() if live is not None else None
    contact = request_contacts([info])[info.pk]
    return render(
        request,
        "rapid_reviews/request_detail.html",
        {
            "review": review,
            "info": info,
            "agency_return": agency_return,
            "chronology": chronology_of(agency_return),
            "changes": info.status_changes.select_related("actor"),
            # A typed due date a closure day added since falls on: marked, not moved.
            "on_closure_day": closure_on(review.incident.partnership_id, info.due_date)
            if info.status == RequestStatus.NOT_SENT or info.is_awaiting_return
            else None,
            "RequestStatus": RequestStatus,
            # Returns can be sent back for more only before the decision.
            "requests_open_while": services.requests.REQUESTS_OPEN_WHILE,
            "contact": contact,
            "nobody_can_answer": (
                nobody_can_answer_text([info.agency])
                if (info.status == RequestStatus.NOT_SENT or info.is_awaiting_return)
                and contact.nobody
                else ""
            ),
        },
    )


@officer_view
def request_change(request, pk, request_pk):
    review = rapid_review_get_for(request.user, pk)
    info = information_request_get_for(request.user, review, request_pk)

    def run(form):
        services.information_request_update(
            information_request=info,
            actor=request.user,
            contact=form.cleaned_data["contact"],
            due_date=form.cleaned_data["due_date"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"The request to {info.agency.name} is changed.")

    return form_page(
        request,
        review,
        RequestChangeForm,
        f"Change the request to {info.agency.name}",
        run,
        information_request=info,
        form_kwargs={"information_request": info},
        initial={"contact": info.contact, "due_date": info.due_date},
        back=info.get_absolute_url(),
        done=info.get_absolute_url(),
    )


@officer_view
@require_POST
def request_send(request, pk, request_pk):
    review = rapid_review_get_for(request.user, pk)
    info = information_request_get_for(request.user, review, request_pk)
    try:
        services.information_request_send(information_request=info, actor=request.user)
    except (services.TransitionError, ValidationError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The request to {info.agency.name} is sent.")
        _warn_if_nobody_can_answer(request, [info])
    return redirect(review.get_absolute_url())


def _warn_if_nobody_can_answer(request, requests) -> None:
    nobody = agencies_nobody_can_answer(requests)
    if nobody:
        messages.warning(request, nobody_can_answer_text(nobody))


def nobody_can_answer_text(agencies) -> str:
    """Why no one at these agencies can see the request, and who was e-mailed instead."""
    names = " or ".join(a.name for a in agencies)
    text = (
        f"No one at {names} can see the request yet: the partnership has no active "
        "contributor for the agency. A partnership manager can add one under People, "
        "from their home page."
    )
    told = [a for a in agencies if a.contact_email]
    untold = [a for a in agencies if not a.contact_email]
    if told:
        text += (
            " The email went to "
            + " and ".join(f"{a.name}’s address ({a.contact_email})" for a in told)
            + " instead, asking the agency for someone to answer."
        )
    if untold:
        text += (
            " " + " or ".join(a.name for a in untold) + " has no address to email, so no one "
            "there was emailed: contact the agency another way until then."
        )
    return text


@officer_view
def request_send_back(request, pk, request_pk):
    review = rapid_review_get_for(request.user, pk)
    info = information_request_get_for(request.user, review, request_pk)

    def run(form):
        services.agency_return_send_back(
            information_request=info,
            actor=request.user,
            note=form.cleaned_data["note"],
            due_date=form.cleaned_data["due_date"],
        )
        messages.success(request, f"The return is sent back to {info.agency.name}.")

    return form_page(
        request,
        review,
        SendBackForm,
        f"Ask {info.agency.name} for more",
        run,
        information_request=info,
        form_kwargs={"information_request": info},
        back=info.get_absolute_url(),
        done=info.get_absolute_url(),
    )


@officer_view
def draft_report(request, pk):
    review = review_for_page(request.user, pk)
    audit_view(request, review, "draft report", partnership=review.incident.partnership)
    return render(
        request,
        "rapid_reviews/draft_report.html",
        {
            "review": review,
            "sections": report_sections(review),
        },
    )
