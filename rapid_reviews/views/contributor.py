"""Agency contributors' pages: only requests addressed to their agency, the identifying
details of the children, and their own agency's return. Nothing else of the case."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from safeguarding import opened
from safeguarding.audit import audit_view
from safeguarding.drafts import take_kept_post
from safeguarding.form_pages import BOTH, MERGED, SAVE_AGAIN, conflict_names, refusals_shown_on
from safeguarding.templatetags.error_summary import first_box, summary_errors

from .. import services
from ..forms import MAX_ROWS, ReturnForm, chronology_formset
from ..models import AWAITING_RETURN, RequestStatus
from ..selectors import (
    children_to_search_for,
    chronology_as_entered,
    chronology_of,
    contacts_before_birth,
    contributor_said_once,
    information_request_get_for_contributor,
    information_requests_for_contributor,
)
from .common import contributor_view

PREFIX = "chronology"
#: Returned requests listed a page at a time; closed ones, the most recent this many.
LISTED = 25


@contributor_view
def request_list(request):
    requests = information_requests_for_contributor(request.user)
    # What the agency has to do comes first, soonest due first; then what it has sent,
    # most recent first, a page at a time (years of returns for an agency that serves
    # several partnerships).
    waiting = list(requests.filter(status__in=AWAITING_RETURN))
    returned = Paginator(
        requests.filter(status=RequestStatus.RETURNED).order_by("-returned_on", "-id"), LISTED
    ).get_page(request.GET.get("page"))
    not_needed = list(
        requests.filter(status=RequestStatus.NOT_NEEDED).order_by(
            "-rapid_review__sent_to_panel_on", "-due_date", "-id"
        )[:LISTED]
    )
    return render(
        request,
        "rapid_reviews/contributor_list.html",
        {
            "waiting": waiting,
            "returned": returned,
            "not_needed": not_needed,
            **contributor_said_once(request.user),
        },
    )


def _audit_view(request, info, page):
    audit_view(
        request,
        info,
        page,
        partnership=info.rapid_review.incident.partnership,
        object_repr=f"{info.rapid_review.incident.reference} {info.agency.name}",
    )


@contributor_view
def request_detail(request, pk):
    info = information_request_get_for_contributor(request.user, pk)
    _audit_view(request, info, "information request")
    agency_return = getattr(info, "agency_return", None)
    closed = info.status == RequestStatus.NOT_NEEDED
    if closed and agency_return is not None and agency_return.submitted_at:
        # Sent back for more, then closed: the partnership has the return as submitted
        # then; what was changed since was never sent.
        agency_return = agency_return.as_submitted()
    return render(
        request,
        "rapid_reviews/contributor_request.html",
        {
            "info": info,
            # The children's details are for the search only: shown while a return is
            # awaited (again if it is sent back for more), not once it is in or closed.
            "children": children_to_search_for(info) if info.is_awaiting_return else [],
            "agency_return": agency_return,
            "chronology": chronology_of(agency_return),
            "closed_on": (
                info.status_changes.filter(to_status=RequestStatus.NOT_NEEDED)
                .values_list("changed_at", flat=True)
                .first()
                if closed
                else None
            ),
        },
    )


def _initial(agency_return):
    if agency_return is None:
        # Version 0: the form was opened before any return existed, so a colleague's
        # return saved in the meantime is not overwritten (the service checks).
        return {"version": 0}, []
    initial = {name: getattr(agency_return, name) for name in services.requests.RETURN_FIELDS}
    initial["involved"] = {True: "yes", False: "no"}.get(agency_return.involved)
    initial["version"] = agency_return.version
    rows = [
        {
            "date": e.date,
            "contact_type": e.contact_type,
            "what_happened": e.what_happened,
            "practitioner_role": e.practitioner_role,
        }
        for e in chronology_as_entered(agency_return)
    ]
    return initial, rows


def _row_errors(formset) -> list[tuple[int, str, str]]:
    """(row number, id of the box to link to, message) for the error summary: each link
    goes to a box that takes the focus (the date's Day box, not the row's fieldset)."""
    out = []
    for index, row in enumerate(formset.forms, start=1):
        for error in row.non_field_errors():
            out.append((index, first_box(row["date"]), error))
        for name in row.fields:
            out.extend((index, box, error) for box, error in summary_errors(row[name]))
    return out


def _with_another_row(posted):
    """The posted form with one more (empty) chronology row: "Add another row" adds it
    whether or not the rest can be saved, so that a problem elsewhere on the page (a date
    in the future, an answer too long) is shown with the new row, not instead of it.
    Nothing is saved unless everything is valid; an empty row is ignored when it is."""
    data = posted.copy()
    key = f"{PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key, ""))
    except ValueError:
        return posted  # the chronology cannot be read: its error says so
    data[key] = str(min(total + 1, MAX_ROWS))
    return data


def _day_box(index: int) -> str:
    """The id of the Day box of the chronology's row `index` (from 0) on the form."""
    return f"id_{PREFIX}-{index}-date_0"


def _rows_to_add(add: str | None, rows: list) -> int:
    """How many empty rows to lay out after the saved ones: as many as ?add= asks (the
    empty rows on the page when "Add another row" was pressed, and the new one), at least
    one when there are no rows, and never more than a return can have."""
    if add is None:
        return 0 if rows else 1
    try:
        wanted = int(add)
    except ValueError:
        wanted = 1
    return max(0, min(max(wanted, 1), MAX_ROWS - len(rows)))


#: Why a return that is no longer awaited cannot be written to, opened afresh.
SUBMITTED_MESSAGE = (
    "This return is submitted. The review officer can send it back if they need more."
)


def _refusal(info, agency_return) -> str | None:
    """Why the return cannot be written to now (closed, or submitted), or None."""
    if info.status == RequestStatus.NOT_NEEDED:
        return (
            f"{services.requests.NOT_NEEDED_MESSAGE} What you typed has not been saved: it "
            "is shown below for you to copy."
        )
    if info.is_awaiting_return:
        return None
    submitted = agency_return.submitted_at if agency_return is not None else None
    by = agency_return.submitted_by if submitted else None
    return (
        "Your agency’s return was submitted"
        + (f" on {timezone.localtime(submitted):%-d %B %Y}" if submitted else "")
        + (f" by {by.full_name or by.email}" if by else "")
        + ", so what you typed has not been saved. It is shown below for you to copy. If "
        "the review officer needs it, they can send the return back, or you can contact them."
    )


@contributor_view
def return_edit(request, pk):
    info = information_request_get_for_contributor(request.user, pk)
    detail = reverse("rapid_reviews:contributor-request", args=[info.pk])
    agency_return = getattr(info, "agency_return", None)
    # What was typed before a session timeout comes back once, to check and save (it
    # carries the version it was typed against, so a colleague's save since is kept).
    kept = take_kept_post(request) if request.method != "POST" else None
    data = request.POST if request.method == "POST" else kept
    refusal = _refusal(info, agency_return)
    if refusal is not None and data is None:
        closed = info.status == RequestStatus.NOT_NEEDED
        message = services.requests.NOT_NEEDED_MESSAGE if closed else SUBMITTED_MESSAGE
        messages.info(request, message)
        return redirect(detail)
    if request.method != "POST":
        _audit_view(request, info, "return form")
    initial, rows = _initial(agency_return)
    if request.method == "POST" and refusal is None and "add_row" in request.POST:
        data = _with_another_row(request.POST)
    if data is not None:
        form = ReturnForm(data, initial={**initial, "chronology": rows})
        formset = chronology_formset(extra=0)(data, initial=rows, prefix=PREFIX)
    if refusal is not None:
        # Typed while a colleague submitted the return or the request closed: nothing
        # can be saved, but what was typed is shown again, with why, to copy (never lost
        # to a redirect). The page offers no button that would save.
        form.is_valid()
        formset.is_valid()
    elif request.method == "POST":
        if form.is_valid() and formset.is_valid():
            values = {name: form.cleaned_data[name] for name in services.requests.RETURN_FIELDS}
            with refusals_shown_on(form):
                services.agency_return_save_draft(
                    information_request=info,
                    actor=request.user,
                    values=values,
                    rows=formset.rows(),
                    expected_version=form.cleaned_data.get("version"),
                )
                here = reverse("rapid_reviews:contributor-return", args=[info.pk])
                if "add_row" in request.POST:
                    # Saving leaves the empty rows out: they come back, with the new one
                    # (already among them, see _with_another_row), so that pressing the
                    # button twice gives two empty rows.
                    # The fragment names the new (last) row's Day box, not its fieldset:
                    # a page opened at a box that takes the focus gives it the focus
                    # (HTML's focusing steps), so the person carries on in the new row.
                    kept_rows = len(formset.rows())
                    add = max(1, min(formset.blank_rows(), MAX_ROWS - kept_rows))
                    return redirect(f"{here}?add={add}#{_day_box(kept_rows + add - 1)}")
                if "submit" in request.POST:
                    return redirect(reverse("rapid_reviews:contributor-submit", args=[info.pk]))
                messages.success(
                    request,
                    "Your draft is saved. Only your agency can see it until you submit it.",
                )
                return redirect(detail)
            if getattr(form, "conflict_note", None):
                formset = _merge_rows(form, formset, rows)
    elif kept is None:
        form = ReturnForm(initial={**initial, "chronology": rows})
        extra = _rows_to_add(request.GET.get("add"), rows)
        formset = chronology_formset(extra=extra)(initial=rows, prefix=PREFIX)
    row_errors = _row_errors(formset) if formset.is_bound else []
    formset_errors = []
    if formset.is_bound and formset.non_form_errors():
        formset_errors = [
            "The chronology could not be read. Check your rows and save again"
            if "ManagementForm" in str(error)
            else str(error)
            for error in formset.non_form_errors()
        ]
    return render(
        request,
        "rapid_reviews/return_form.html",
        {
            "info": info,
            "form": form,
            "formset": formset,
            "row_errors": row_errors,
            # Where a link about the whole chronology goes: its first row's Day box, or
            # the "Add another row" button when it has no rows.
            "chronology_target": first_box(formset.forms[0]["date"])
            if formset.forms
            else "add-row",
            "formset_errors": formset_errors,
            "has_errors": bool(refusal or form.errors or row_errors or formset_errors),
            "refusal": refusal,
            "typing_kept": kept is not None and refusal is None,
            "back": detail,
        },
    )


def _merge_rows(form, formset, rows: list[dict]):
    """After a draft refused as stale, the chronology merged as a whole, as each question
    of the form is (safeguarding/opened.py): rows this page left as opened and the other
    change changed are shown as saved now; rows both changed keep this page's and are
    named; where the page cannot say what it was opened with, rows that differ from those
    saved now are named, since saving again replaces them. The formset to show."""
    base = opened.extra_base(form, "chronology")
    latest, mine = opened.digest(rows), opened.digest(formset.rows())
    if latest == mine or latest == base:
        return formset  # the other change did not touch the rows, or made the same rows
    if base is None and form.conflict_note == [SAVE_AGAIN]:
        return formset  # the page says already that saving again replaces the other change
    if base is not None and mine == base:
        form.conflict_note[0] = MERGED
        return chronology_formset(extra=0 if rows else 1)(initial=rows, prefix=PREFIX)
    form.conflict_note.append(BOTH.format(names=conflict_names(["Chronology"])))
    return formset


def _checked_version(posted: str | None) -> int | None:
    """The version of the return shown on the check page (none from a page older than
    the version field; anything that is not a number never matches, so is refused)."""
    if posted is None:
        return None
    try:
        return int(posted)
    except ValueError:
        return -1


@contributor_view
def return_submit(request, pk):
    info = information_request_get_for_contributor(request.user, pk)
    if info.status == RequestStatus.NOT_NEEDED:
        messages.info(request, services.requests.NOT_NEEDED_MESSAGE)
        return redirect(reverse("rapid_reviews:contributor-request", args=[info.pk]))
    if request.method != "POST":
        _audit_view(request, info, "check the return")
    agency_return = getattr(info, "agency_return", None)
    # What must be completed first: while anything is, the page offers no button to
    # submit (GOV.UK's check answers pattern), only links to complete it.
    still_to_do = services.missing_for_submit(agency_return) if info.is_awaiting_return else []
    problems = still_to_do
    if request.method == "POST":
        try:
            services.agency_return_submit(
                information_request=info,
                actor=request.user,
                expected_version=_checked_version(request.POST.get("version")),
            )
        except ValidationError as error:
            problems = still_to_do = error.messages
        except (services.TransitionError, services.ConcurrentEditError) as error:
            problems = [str(error)]
        else:
            # POST/redirect/GET: a reload or Back of the confirmation submits nothing.
            return redirect(reverse("rapid_reviews:contributor-sent", args=[info.pk]))
    chronology = chronology_of(agency_return)
    return render(
        request,
        "rapid_reviews/return_check.html",
        {
            "info": info,
            "agency_return": agency_return,
            "chronology": chronology,
            "problems": problems,
            "problem_links": _problem_links(info, problems),
            "still_to_do": _problem_links(info, still_to_do),
            "before_birth": _before_birth(info, agency_return) if info.is_awaiting_return else [],
            "not_involved_but": _not_involved_but(info, agency_return, len(chronology))
            if info.is_awaiting_return
            else None,
            "posted": request.method == "POST",
        },
    )


@contributor_view
def return_sent(request, pk):
    """GOV.UK's confirmation page, where submitting the return leads. It says what the
    service does next (the business unit is e-mailed, see services.agency_return_submit)
    and nothing it does not. Only for a return that is in: before it is sent, or once it
    is sent back for more or the request is closed, the request page says where it is."""
    info = information_request_get_for_contributor(request.user, pk)
    if info.status != RequestStatus.RETURNED:
        return redirect(reverse("rapid_reviews:contributor-request", args=[info.pk]))
    _audit_view(request, info, "return sent")
    return render(
        request,
        "rapid_reviews/return_sent.html",
        {"info": info, "partnership": info.rapid_review.incident.partnership},
    )


def _before_birth(info, agency_return) -> list[tuple[str, str, str]]:
    """(what to check, link to the date on the form, which contact) for each contact
    dated before the child was born: a warning, not an error. The agency sees the
    children's names and dates of birth while the return is awaited (the request page
    shows them for its search), so the message may name them.

    A contact is named by its date and what happened, not by a number: the check page's
    table is in date order and the form in the order typed, so "Contact 3" would be a
    different row in each. The link goes to the row's Day box on the form."""
    form_url = reverse("rapid_reviews:contributor-return", args=[info.pk])
    out = []
    for number, entry, children in contacts_before_birth(info, agency_return):
        if len(children) == 1:
            whose = f"{children[0].name}’s date of birth ({children[0].date_of_birth:%-d %B %Y})"
        else:
            eldest = min(children, key=lambda c: c.date_of_birth)
            whose = (
                f"the children’s dates of birth (the eldest, {eldest.name}, was born on "
                f"{eldest.date_of_birth:%-d %B %Y})"
            )
        on = f"{entry.date:%-d %B %Y}"
        what = Truncator(" ".join(entry.what_happened.split())).words(10)
        message = f"The contact on {on} (“{what}”) is dated before {whose}"
        out.append((message, f"{form_url}#id_chronology-{number - 1}-date_0", on))
    return out


def _not_involved_but(
    info, agency_return, contacts: int
) -> tuple[str, list[tuple[str, str]]] | None:
    """The details given with the answer "No, not involved" (a summary, an analysis,
    contacts), said in words, with a link to change that answer and each detail: for a
    warning, not an error. The return can still be submitted, details and all, as it is
    (the partnership reads what was sent: the details are not dropped for the "No").
    `contacts`: the rows of the chronology the page shows (read once, for both)."""
    if agency_return is None or agency_return.involved is not False:
        return None
    form_url = reverse("rapid_reviews:contributor-return", args=[info.pk])
    given, links = [], []
    if agency_return.involvement_summary.strip():
        given.append("a summary of your agency’s involvement")
        links.append(("Change the summary of involvement", f"{form_url}#id_involvement_summary"))
    if agency_return.analysis.strip():
        given.append("an analysis")
        links.append(("Change the analysis", f"{form_url}#id_analysis"))
    if contacts:
        given.append(f"{contacts} contact{'' if contacts == 1 else 's'} in the chronology")
        links.append(("Change the chronology", f"{form_url}#{_ANCHORS['chronology']}"))
    if not given:
        return None
    listed = given[0] if len(given) == 1 else ", ".join(given[:-1]) + " and " + given[-1]
    links.insert(
        0, ("Change whether your agency was involved", f"{form_url}#{_ANCHORS['involved']}")
    )
    return listed, links


#: Where on the return form each thing still to do is answered.
_ANCHORS = {
    "involved": "id_involved_1",
    "involvement_summary": "id_involvement_summary",
    "chronology": "id_chronology-0-date_0",  # the first row's Day box
}


def _problem_links(info, problems):
    """Each problem with the link its error summary entry takes: to its question on the
    return form (GOV.UK's error summary links to the field), else to the form's top."""
    form_url = reverse("rapid_reviews:contributor-return", args=[info.pk])
    anchor_of = {message: _ANCHORS[field] for field, message in services.SUBMIT_PROBLEMS.items()}
    return [(p, f"{form_url}#{anchor_of[p]}" if p in anchor_of else form_url) for p in problems]
