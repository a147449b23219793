"""Reads of rapid reviews, always scoped to what the user may see.

Officers and managers reach reviews through their partnership (`rapid_review_get_for`).
Agency contributors reach only the requests addressed to their agency in a partnership
they contribute to (`information_request_get_for_contributor`), and through a request only
the identifying details of the children: never the circumstances or other agencies' returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from notifications.models import Child
from safeguarding import permissions
from safeguarding.deadline_selectors import met_texts
from safeguarding.deadlines import Kind
from safeguarding.mail import agency_contributors
from safeguarding.models import Deadline, User
from safeguarding.record_history import corrections_of, merged_history

from .models import (
    AgencyReturn,
    ChronologyEntry,
    InformationRequest,
    Milestone,
    RapidReview,
    RequestStatus,
)


def rapid_reviews_visible_to(user: User) -> QuerySet[RapidReview]:
    return RapidReview.objects.visible_to(user).select_related("incident__partnership")


def rapid_review_get_for(user: User, pk) -> RapidReview:
    """The one door to a rapid review: 404 unless the user's partnership holds it."""
    return permissions.get_or_404(rapid_reviews_visible_to(user), pk=pk)


def requests_of(review: RapidReview) -> QuerySet[InformationRequest]:
    return review.requests.select_related("agency", "agency_return").order_by("agency__name")


def information_request_get_for(user: User, review: RapidReview, pk) -> InformationRequest:
    """A request of a review the user already reached through `rapid_review_get_for`."""
    qs = InformationRequest.objects.filter(rapid_review=review).select_related(
        "agency", "agency_return", "rapid_review__incident__partnership"
    )
    return permissions.get_or_404(qs, pk=pk)


# --- agency contributors -------------------------------------------------------------------


@dataclass(frozen=True)
class RequestContact:
    """Who at the agency hears of a request (the request e-mail, its reminders): its
    contributors in the partnership as (full name, e-mail), or if it has none, the
    agency's own address (`mailbox`); with the contact an officer typed, if any."""

    typed: str
    people: list[tuple[str, str]]
    mailbox: str

    @property
    def nobody(self) -> bool:
        """No one at the agency can see the request (no active contributor there)."""
        return not self.people


def request_contacts(requests) -> dict[int, RequestContact]:
    """`RequestContact` of each request, by its id: the recipients the request e-mails go
    to (`rapid_reviews.mail.recipients_for`), one query however many requests."""
    requests = list(requests)
    people = agency_contributors(
        (r.agency_id, r.rapid_review.incident.partnership_id) for r in requests
    )
    contacts = {}
    for r in requests:
        found = people.get((r.agency_id, r.rapid_review.incident.partnership_id), [])
        contacts[r.pk] = RequestContact(
            typed=r.contact, people=found, mailbox="" if found else r.agency.contact_email
        )
    return contacts


def agencies_nobody_can_answer(requests) -> list:
    """The agencies, of these requests, with no active contributor (one query, however
    many requests)."""
    requests = list(requests)
    contacts = request_contacts(requests)
    return [r.agency for r in requests if contacts[r.pk].nobody]


def with_first_sent(reviews: QuerySet[RapidReview]) -> QuerySet[RapidReview]:
    """Each review with `first_sent_on`: the day it first went to the National Panel (its
    15-working-day clock stopped then). A re-send after the Panel asked for more
    information changes `sent_to_panel_on`, not whether the review was on time."""
    clock = Deadline.objects.filter(
        subject_type=RapidReview._meta.label_lower,
        subject_id=OuterRef("pk"),
        kind=Kind.RAPID_REVIEW,
        key="",
    ).values("closed_on")[:1]
    return reviews.annotate(first_sent_on=Subquery(clock))


def information_requests_for_contributor(user: User) -> QuerySet[InformationRequest]:
    """Sent requests addressed to the agencies the user contributes for, partnership by
    partnership (a contributor for one agency in one partnership sees nothing else)."""
    where = permissions.contributor_filter(user, "rapid_review__incident__partnership_id")
    if where is None:
        return InformationRequest.objects.none()
    return (
        InformationRequest.objects.filter(where)
        .exclude(status=RequestStatus.NOT_SENT)
        .select_related("agency", "agency_return", "rapid_review__incident__partnership")
        .order_by("due_date", "id")
    )


def contributor_said_once(user: User) -> dict:
    """What an agency's lists of requests say once, above the tables, rather than on every
    row: `own_agency` when the user contributes for one agency only (every request listed
    is to it), `own_partnership` when in one partnership only; None when there are more,
    and each row names its own. A column the same on every row tells the reader nothing
    and, on a phone, takes the width the case reference needs. No query of its own."""
    memberships = permissions.contributor_memberships(user)
    agencies = {m.agency_id: m.agency for m in memberships}
    partnerships = {m.partnership_id: m.partnership for m in memberships}
    return {
        "own_agency": next(iter(agencies.values())) if len(agencies) == 1 else None,
        "own_partnership": next(iter(partnerships.values())) if len(partnerships) == 1 else None,
    }


def information_request_get_for_contributor(user: User, pk) -> InformationRequest:
    return permissions.get_or_404(information_requests_for_contributor(user), pk=pk)


def children_to_search_for(request: InformationRequest) -> list[Child]:
    """Only what an agency needs to search its records: names and dates of birth."""
    return list(
        Child.objects.filter(incident=request.rapid_review.incident_id)
        .only(
            "pk",
            "incident_id",
            "pseudonym",
            "name",
            "other_names",
            "unborn",
            "date_of_birth",
            "age_years",
            "position",
        )
        .order_by("position", "id")
    )


def chronology_of(agency_return: AgencyReturn | None) -> list[ChronologyEntry]:
    """A return's chronology to read, by date (the edit form keeps the agency's order:
    `chronology_as_entered`)."""
    if agency_return is None:
        return []
    shown = getattr(agency_return, "submitted_chronology", None)
    if shown is not None:
        return list(shown)
    return list(agency_return.chronology.order_by("date", "position", "id"))


def chronology_as_entered(agency_return: AgencyReturn | None) -> list[ChronologyEntry]:
    """A return's chronology to edit, in the order its rows were typed: saving does not
    re-sort them under the agency (its "Contact 2" stays Contact 2)."""
    if agency_return is None:
        return []
    return list(agency_return.chronology.order_by("position", "id"))


def contacts_before_birth(
    information_request: InformationRequest, agency_return: AgencyReturn | None
) -> list[tuple[int, ChronologyEntry, list[Child]]]:
    """The return's contacts dated before every child of the case with a known date of
    birth was born: (its number on the form, the entry, the children), for the agency
    to check (work before a birth is real, so it is never refused). The children are
    those the agency is shown to search its records (`children_to_search_for`)."""
    born = [c for c in children_to_search_for(information_request) if c.date_of_birth]
    if not born:
        return []
    eldest = min(c.date_of_birth for c in born)
    return [
        (number, entry, born)
        for number, entry in enumerate(chronology_as_entered(agency_return), start=1)
        if entry.date < eldest
    ]


# --- collation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneRow:
    key: str
    label: str
    due_date: object
    closed_on: object
    overdue: bool
    #: Stopped as "no longer needed" (a later step made it moot), never met.
    no_longer_needed: bool = False
    #: Met, in words (`Deadline.met_text`): on time, or how many working days late.
    met: str | None = None


#: `milestones_of`'s key for the statutory clock among the steps' clocks.
STATUTORY = "statutory"


def milestones_of(review: RapidReview) -> list[MilestoneRow]:
    """The local timetable, in order, from the review's milestone clocks. Sending the
    review to the National Panel on its statutory day has no clock of its own: its row is
    the statutory clock's."""
    today = timezone.localdate()
    deadlines = {}
    for d in Deadline.objects.for_subject(review).filter(
        kind__in=[Kind.RAPID_REVIEW, Kind.RAPID_REVIEW_MILESTONE]
    ):
        key = d.key if d.kind == Kind.RAPID_REVIEW_MILESTONE else STATUTORY
        deadlines[key] = d
    deadlines.setdefault(Milestone.PANEL, deadlines.get(STATUTORY))
    met = met_texts(deadlines.values())
    rows = []
    for key in Milestone.values:
        d = deadlines.get(key)
        if d is not None:
            rows.append(
                MilestoneRow(
                    key,
                    Milestone(key).label,
                    d.due_date,
                    d.closed_on,
                    d.closed_on is None and d.due_date < today,
                    d.outcome == Deadline.Outcome.CANCELLED,
                    met.get(d.pk),
                )
            )
    return rows


def merged_chronology(review: RapidReview, returns=None) -> list[ChronologyEntry]:
    """Every submitted return's chronology, as submitted, in one list by date, each entry
    tagged by agency (`entry.agency_return.information_request.agency`). `returns` are
    the review's `submitted_returns` when the caller has them already."""
    if returns is None:
        returns = submitted_returns(review)
    entries = [e for shown in returns for e in shown.submitted_chronology]
    return sorted(
        entries,
        key=lambda e: (e.date, e.agency_return.information_request.agency.name, e.position),
    )


def submitted_returns(review: RapidReview) -> list[AgencyReturn]:
    """The review's returns as their agencies last submitted them (never a draft made
    since), by agency: one query."""
    live = (
        AgencyReturn.objects.filter(
            information_request__rapid_review=review, submitted_copy__isnull=False
        )
        .select_related("information_request__agency")
        .order_by("information_request__agency__name")
    )
    return [r.as_submitted() for r in live]


def review_for_page(user: User, pk) -> RapidReview:
    """`rapid_review_get_for` with what the review page shows, in a fixed number of queries."""
    qs = rapid_reviews_visible_to(user).prefetch_related(
        Prefetch(
            "requests",
            queryset=InformationRequest.objects.select_related("agency", "agency_return").order_by(
                "agency__name"
            ),
        ),
        "sign_offs",
        Prefetch("status_changes", queryset=_changes()),
    )
    return permissions.get_or_404(qs, pk=pk)


# What the History names when the Panel's reply is corrected (no status move).
CORRECTED_FIELDS = {
    "panel_response": "the National Panel’s response",
    "panel_response_on": "the date of its reply",
    "panel_more_information_by": "the date it wants more information by",
    "panel_response_note": "what it said",
}


def review_history(review: RapidReview) -> list:
    """The review's status moves (prefetched by `review_for_page`) and its corrections."""
    return merged_history(review.status_changes.all(), corrections_of(review, CORRECTED_FIELDS))


def _changes():
    from .models import StatusChange

    return StatusChange.objects.select_related("actor", "information_request__agency")


def known_to_agency_ids(incident) -> QuerySet:
    """The agencies the notification says knew any of its children."""
    from notifications.models import Child

    return Child.known_to.through.objects.filter(child__incident=incident).values("agency_id")
