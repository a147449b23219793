"""Reads of local reviews, always scoped to what the user may see, and reads of the
published material for the public pages (which never touch the case tables).

The business unit reaches reviews through its partnership; an independent reviewer only
the reviews they are assigned to (`review_get_for` answers 404 for any other).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from safeguarding import permissions
from safeguarding.audit_display import choice_text
from safeguarding.dates import date_from_iso, full_date
from safeguarding.deadline_selectors import met_texts
from safeguarding.deadlines import Kind
from safeguarding.models import Deadline, DeadlineChange, Partnership, Role, User

from .models import (
    FINISHED,
    Action,
    ActionStatus,
    HoldReason,
    LearningTheme,
    Milestone,
    PartnerCheck,
    PublishedReview,
    Recommendation,
    Review,
    Status,
    StatusChange,
)


def reviews_visible_to(user: User) -> QuerySet[Review]:
    return Review.objects.visible_to(user).select_related("rapid_review__incident__partnership")


def review_get_for(user: User, pk) -> Review:
    """The one door to a local review: 404 unless the user's partnership holds it, or the
    user is an independent reviewer assigned to it."""
    return permissions.get_or_404(reviews_visible_to(user), pk=pk)


def is_business_unit(user: User, review: Review) -> bool:
    """The partnership's business unit (its managers and review officers)."""
    return permissions.has_role(user, *permissions.CASE_ROLES, partnership=review.partnership)


def panel_takes_national_review(review: Review) -> bool:
    """The National Panel replied to the rapid review that it takes a national review,
    and this local review is still running (closing it is a manager's decision)."""
    from rapid_reviews.models import PanelResponse

    return (
        review.status not in FINISHED
        and review.rapid_review.panel_response == PanelResponse.NATIONAL_REVIEW
    )


def can_edit(user: User, review: Review) -> bool:
    """The partnership's business unit, while the review is not closed (then it is final)."""
    return review.status != Status.CLOSED and is_business_unit(user, review)


def is_manager(user: User, review: Review) -> bool:
    return permissions.has_role(user, Role.PARTNERSHIP_MANAGER, partnership=review.partnership)


@dataclass
class ReopenedClock:
    title: str
    due_date: dt.date
    overdue: bool
    paused: bool


@dataclass
class ReopenPlan:
    """What reopening a closed review would do (the confirm page): why it cannot, or the
    status it goes back to, a hold's details, and the clocks that run (or are paused)
    again."""

    refused: str = ""
    status: str = ""
    status_label: str = ""
    hold: dict | None = None
    clocks: list[ReopenedClock] = field(default_factory=list)

    @property
    def overdue(self) -> list[ReopenedClock]:
        return [c for c in self.clocks if c.overdue]


NOT_REOPENABLE = (
    "This review was closed before reopening was offered, and its history does not say "
    "which clocks closing stopped, so it cannot be reopened in the service."
)


def status_before_closing(review: Review) -> str | None:
    """The status the review was closed from, as its status history records it (the
    latest move into "closed"), or None if it was never closed."""
    change = (
        StatusChange.objects.filter(review=review, to_status=Status.CLOSED)
        .order_by("-changed_at", "-id")
        .first()
    )
    return change.from_status if change else None


def reopen_back_to(review: Review) -> tuple[str, str]:
    """Whether the review can be reopened (ADR 0019), for `review_reopen` and its page:
    ("", the status it goes back to), or (why it cannot, ""). The one source of the
    refusals; it reads the status history once, and only for a closed review."""
    if review.status == Status.PUBLISHED:
        return (
            "A published review cannot be reopened. To take it off the public pages, withdraw it.",
            "",
        )
    if review.status != Status.CLOSED:
        return (
            f"This review is ‘{review.get_status_display()}’, not closed: there is nothing "
            "to reopen.",
            "",
        )
    back_to = status_before_closing(review) if review.closed_from else None
    if back_to is None:
        return NOT_REOPENABLE, ""
    return "", back_to


def reopen_plan(review: Review, today: dt.date | None = None) -> ReopenPlan:
    """What `review_reopen` would restore for a review closed without publication, or
    only why it cannot be reopened (`refused`)."""
    refused, back_to = reopen_back_to(review)
    if refused:
        return ReopenPlan(refused=refused)
    snapshot = review.closed_from
    today = today or timezone.localdate()
    hold = snapshot.get("hold") if back_to == Status.ON_HOLD else None
    ids = {pk: False for pk in snapshot.get("running", [])}
    if hold:
        ids.update({pk: True for pk in snapshot.get("paused", [])})
    clocks = [
        ReopenedClock(
            title=d.task,
            due_date=d.due_date,
            overdue=not ids[d.pk] and d.due_date < today,
            paused=ids[d.pk],
        )
        for d in Deadline.objects.filter(pk__in=ids, outcome=Deadline.Outcome.CANCELLED).order_by(
            "due_date", "id"
        )
    ]
    if hold:
        hold = {
            **hold,
            "reason_label": choice_text(HoldReason.choices, hold["reason"])
            if hold["reason"]
            else "",
            "held_since": date_from_iso(hold["held_since"]),
            "look_again_on": date_from_iso(hold["look_again_on"]),
        }
    return ReopenPlan(status=back_to, status_label=Status(back_to).label, hold=hold, clocks=clocks)


def action_get_for(review: Review, pk) -> Action:
    """An action of a review already reached through `review_get_for`."""
    qs = Action.objects.filter(recommendation__review=review).select_related(
        "agency", "recommendation", "signed_off_by"
    )
    return permissions.get_or_404(qs, pk=pk)


def agencies_to_own(review: Review, *, instead_of: Action):
    """The agencies an action of a review already reached through `review_get_for` may be
    given to instead of the one that owns it: its partnership's others, by name."""
    return review.partnership.agencies.exclude(pk=instead_of.agency_id).order_by("name")


@dataclass(frozen=True)
class AgencyChange:
    """One change of an action's owning agency, from the audit trail."""

    action_id: int
    changed_at: dt.datetime
    old: str
    new: str
    reason: str
    who: str


def _agency_changes(action_ids) -> list[AgencyChange]:
    """The times the business unit gave these actions to another agency, oldest first."""
    from safeguarding.models import AuditEvent

    events = (
        AuditEvent.objects.filter(
            object_type=Action._meta.label_lower,
            object_id__in=[str(pk) for pk in action_ids],
            action=AuditEvent.Action.UPDATE,
            changes__has_key="agency",
        )
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    return [
        AgencyChange(
            action_id=int(event.object_id),
            changed_at=event.occurred_at,
            old=event.changes["agency"].get("old", ""),
            new=event.changes["agency"].get("new", ""),
            reason=event.changes.get("reason", ""),
            who=event.actor.full_name if event.actor else event.actor_email,
        )
        for event in events
        if isinstance(event.changes.get("agency"), dict)
    ]


def agency_changes_of(action: Action) -> list[AgencyChange]:
    """The times the business unit gave the action to another agency, oldest first, with
    the reason (the action's page is the business unit's alone)."""
    return _agency_changes([action.pk])


def recommendation_get_for(review: Review, pk) -> Recommendation:
    return permissions.get_or_404(review.recommendations.all(), pk=pk)


@dataclass
class MilestoneRow:
    key: str
    label: str
    deadline: Deadline
    changes: list[DeadlineChange] = field(default_factory=list)
    #: Met, in words (`Deadline.met_text`): on time, or how many working days late.
    met: str | None = None

    @property
    def planned(self) -> dt.date:
        return self.deadline.due_date

    @property
    def actual(self) -> dt.date | None:
        d = self.deadline
        return d.closed_on if d.outcome == Deadline.Outcome.MET else None

    @property
    def paused(self) -> bool:
        return self.deadline.outcome == Deadline.Outcome.PAUSED

    @property
    def overdue_when_paused(self) -> bool:
        """Paused by a hold after its planned date had already passed: missed before the
        hold, which does not hide it."""
        d = self.deadline
        return self.paused and d.closed_on is not None and d.due_date < d.closed_on

    @property
    def no_longer_needed(self) -> bool:
        return self.deadline.outcome == Deadline.Outcome.CANCELLED

    @property
    def overdue(self) -> bool:
        return self.deadline.is_open and self.deadline.due_date < timezone.localdate()

    @property
    def drift_days(self) -> int:
        if not self.changes:
            return 0
        return (self.deadline.due_date - self.changes[0].old_due).days


def review_deadlines(review: Review) -> list[Deadline]:
    return list(
        Deadline.objects.for_subject(review).prefetch_related(
            Prefetch("changes", queryset=DeadlineChange.objects.select_related("actor"))
        )
    )


def milestones_of(review: Review, deadlines: list[Deadline] | None = None) -> list[MilestoneRow]:
    deadlines = review_deadlines(review) if deadlines is None else deadlines
    by_key = {d.key: d for d in deadlines if d.kind == Kind.LCSPR_MILESTONE}
    met = met_texts(by_key.values())
    return [
        MilestoneRow(
            key,
            str(label),
            by_key[key],
            list(by_key[key].changes.all()),
            met.get(by_key[key].pk),
        )
        for key, label in Milestone.choices
        if key in by_key
    ]


def recommendations_of(review: Review) -> list[Recommendation]:
    return list(
        review.recommendations.prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("agency", "signed_off_by").prefetch_related(
                    "notes"
                ),
            )
        )
    )


def reviewers_of(review: Review) -> list[User]:
    """The review's reviewers, each with `has_access`: they still hold the independent
    reviewer role in its partnership, with an account switched on. One removed from the
    role stays named on the review (the business unit chooses another), said as such."""
    from django.db.models import Exists, OuterRef

    from safeguarding.models import Membership

    still_there = (
        Membership.objects.active()
        .with_role(Role.INDEPENDENT_REVIEWER)
        .filter(user=OuterRef("pk"), partnership=review.partnership)
    )
    return list(review.reviewers.annotate(has_access=Exists(still_there)))


def review_for_page(review: Review) -> dict:
    """Everything the review page shows, in a fixed number of queries."""
    deadlines = review_deadlines(review)
    publication = next((d for d in deadlines if d.kind == Kind.PUBLICATION), None)
    notice = next((d for d in deadlines if d.kind == Kind.PRE_PUBLICATION_NOTICE), None)
    context = {
        "milestones": milestones_of(review, deadlines),
        "publication_deadline": publication,
        "notice_deadline": notice,
        "reviewers": reviewers_of(review),
        "themes": list(review.themes.all()),
        "checks": list(review.checks.select_related("recorded_by", "replied_by")),
        "recommendations": recommendations_of(review),
    }
    context |= {
        "briefing": getattr(review, "briefing", None) if _has_briefing(review) else None,
        "published_copy": published_copy_of(review),
    }
    context["before_publishing"] = before_publishing(review, context["briefing"])
    return context


@dataclass(frozen=True)
class PublishStep:
    text: str
    done: bool


def before_publishing(review: Review, briefing) -> list[PublishStep]:
    """What must be true before the review can be published, as the publish form checks
    it, shown on the review's page once the final report is approved (rather than met
    one by one as errors on the last form)."""
    from .services.publication import earliest_publication

    if review.status not in (Status.FINAL_APPROVED, Status.NOTICE_SENT):
        return []
    # The one place above the milestones that says when (the tag says only that it is).
    approved = f" on {full_date(review.final_approved_on)}" if review.final_approved_on else ""
    steps = [PublishStep(f"The partners approved the final report{approved}", True)]
    if review.notice_sent_on:
        earliest = earliest_publication(review, review.notice_sent_on).due
        steps.append(
            PublishStep(
                f"Sent to the National Panel and DfE on {review.notice_sent_on:%-d %B %Y}",
                True,
            )
        )
        steps.append(
            PublishStep(
                f"Made public on or after {full_date(earliest)}, 7 working days after the "
                "notice (it can go up before then only under an embargo that ends on or "
                "after that day)",
                timezone.localdate() >= earliest,
            )
        )
    else:
        steps.append(
            PublishStep(
                "Send the final report to the National Panel and DfE at least 7 working days "
                "before publication",
                False,
            )
        )
    if briefing is None:
        steps.append(PublishStep("Write the one-page learning briefing", False))
    else:
        steps.append(
            PublishStep(
                "The learning briefing fits one page"
                if briefing.fits_one_page
                else "Shorten the learning briefing to one page",
                briefing.fits_one_page,
            )
        )
    steps.append(
        PublishStep(
            "When you publish: the public title and summary, the report (or the improvements "
            "to be made) and the anonymisation checks",
            False,
        )
    )
    return steps


def published_copy_of(review: Review) -> PublishedReview | None:
    """The public copy of a published review (one query; none before publication)."""
    if review.status != Status.PUBLISHED:
        return None
    return PublishedReview.objects.filter(source_review_id=review.pk).first()


def nspcc_entry(published: PublishedReview, local_authority: str) -> str:
    """The review as the NSPCC national case review repository lists it ("Year - Area -
    Name", a summary, learning themes and recommendations), to paste into its form."""
    parts = [
        f"{published.year} - {local_authority} - {published.title}",
        published.summary,
    ]
    themes = [t.name for t in published.themes.all()]
    if themes:
        parts.append("Learning themes: " + "; ".join(themes))
    if published.recommendations:
        parts.append("Recommendations:\n" + published.recommendations)
    return "\n\n".join(parts)


def _has_briefing(review: Review) -> bool:
    return hasattr(review, "briefing")  # RelatedObjectDoesNotExist is an AttributeError


def briefing_of(review: Review):
    return review.briefing if _has_briefing(review) else None


def active_themes() -> QuerySet[LearningTheme]:
    return LearningTheme.objects.filter(is_active=True)


# --- the public side: published material only ----------------------------------------------

ARCHIVE_AFTER_YEARS = 3


def archive_cutoff(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - ARCHIVE_AFTER_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ARCHIVE_AFTER_YEARS, day=28)


def public_partnerships() -> QuerySet[Partnership]:
    return Partnership.objects.filter(
        is_active=True, published_reviews__in=PublishedReview.objects.live()
    ).distinct()


def public_partnership_get(code: str) -> Partnership:
    return permissions.get_or_404(Partnership.objects.filter(is_active=True), code__iexact=code)


def published_search(
    *,
    partnership: Partnership | None = None,
    theme: str = "",
    year: int | None = None,
    query: str = "",
) -> QuerySet[PublishedReview]:
    """Live (past any embargo) published reviews, filtered by theme, year and words.
    PostgreSQL full-text search (English stemming); on SQLite a simple word match."""
    qs = PublishedReview.objects.live().select_related("partnership").prefetch_related("themes")
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    if theme:
        qs = qs.filter(themes__slug=theme)
    if year:
        qs = qs.filter(year=year)
    query = (query or "").strip()[:200]
    if query:
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

            vector = SearchVector("title", weight="A", config="english") + SearchVector(
                "search_text", weight="B", config="english"
            )
            search = SearchQuery(query, config="english", search_type="websearch")
            # The best matches first, the recent ones before the archived (as the lists
            # show them, page after page).
            recent = Case(
                When(published_on__gte=archive_cutoff(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
            qs = (
                qs.annotate(search=vector, rank=SearchRank(vector, search), recent=recent)
                .filter(search=search)
                .order_by("-recent", "-rank", "-published_on", "-id")
            )
        else:
            where = Q()
            for word in query.split():
                where &= Q(title__icontains=word) | Q(search_text__icontains=word)
            qs = qs.filter(where)
    return qs.distinct() if theme else qs


def published_get(code: str, slug: str) -> PublishedReview:
    qs = PublishedReview.objects.live().select_related("partnership").prefetch_related("themes")
    return permissions.get_or_404(qs, partnership__code__iexact=code, slug=slug)


def published_themes(
    partnership: Partnership | None = None, *, chosen: str = ""
) -> QuerySet[LearningTheme]:
    """The themes the library's filter offers: those of a live review (of this partnership,
    on its own page), as choosing any other would find nothing; in one query. Also
    `chosen`, the theme in the web address, if it is still offered but now has no review
    (its last one withdrawn since the link was shared): it stays chosen, and the page says
    that no review has it, rather than leaving it out and listing every review."""
    live = PublishedReview.objects.live().filter(themes=OuterRef("pk"))
    if partnership is not None:
        live = live.filter(partnership=partnership)
    wanted = Q(Exists(live))
    if chosen:
        wanted |= Q(slug=chosen)
    return active_themes().filter(wanted)


def published_years(partnership: Partnership | None = None) -> list[int]:
    """The years with a live review (of this partnership, on its own page)."""
    qs = PublishedReview.objects.live()
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    return sorted(set(qs.values_list("year", flat=True)), reverse=True)


def actions_for_contributor(user: User) -> QuerySet[Action]:
    """The action-plan actions owned by the agencies the user contributes for, partnership
    by partnership (a contributor for one agency in one partnership sees nothing else),
    of reviews not closed: still to be signed off first, soonest due first."""
    where = permissions.contributor_filter(
        user, "recommendation__review__rapid_review__incident__partnership_id"
    )
    if where is None:
        return Action.objects.none()
    return (
        Action.objects.filter(where)
        .exclude(recommendation__review__status=Status.CLOSED)
        .select_related("agency", "recommendation__review__rapid_review__incident__partnership")
        .order_by("signed_off_on", "due_date", "pk")
    )


def actions_to_sign_off(user: User) -> QuerySet[Action]:
    """Actions marked complete and waiting for a manager's sign-off, in the partnerships
    the user manages (reviews not closed): the longest waiting first."""
    managed = permissions.partnership_ids(user, roles={Role.PARTNERSHIP_MANAGER})
    # Scoped through the actions' clocks, which carry the partnership (every action has
    # one from the day it is added): at national scale the same filter through the
    # review, rapid review and incident made PostgreSQL read every rapid review (40 ms
    # on the manager's home page against 5 ms; bench/README.md).
    clocks = Deadline.objects.filter(
        partnership__in=managed, kind=Kind.ACTION, subject_type="lcspr.action"
    ).values("subject_id")
    return (
        Action.objects.filter(status=ActionStatus.COMPLETE, pk__in=clocks)
        .exclude(recommendation__review__status=Status.CLOSED)
        .select_related("agency", "recommendation__review__rapid_review__incident")
        .order_by("completed_on", "pk")
    )


def action_get_for_contributor(user: User, pk) -> Action:
    return permissions.get_or_404(actions_for_contributor(user), pk=pk)


def is_assigned_reviewer(user: User, review: Review) -> bool:
    """`user` is one of the review's reviewers and still holds the reviewer role there."""
    return review.reviewers.filter(pk=user.pk).exists() and permissions.has_role(
        user, Role.INDEPENDENT_REVIEWER, partnership=review.partnership
    )


def written_request_get_for(review: Review, pk) -> PartnerCheck:
    """One written request of a review the user reached through `review_get_for`, or 404."""
    return permissions.get_or_404(
        review.checks.filter(kind=PartnerCheck.Kind.WRITTEN_REQUEST).select_related("review"),
        pk=pk,
    )


def _still_to_answer() -> Q:
    """A written request with a reply date on or after the day it was recorded, or none
    given: one recorded after the fact (asked and answered outside the service) is for
    the record, not to answer."""
    return Q(respond_by__isnull=True) | Q(
        respond_by__gte=TruncDate("recorded_at", tzinfo=timezone.get_current_timezone())
    )


def written_requests_unanswered(review: Review) -> list[PartnerCheck]:
    """The review's written requests to the reviewer still to answer, oldest first (the
    publish page warns of them: once published, they can no longer be answered)."""
    return list(
        review.checks.filter(
            _still_to_answer(), kind=PartnerCheck.Kind.WRITTEN_REQUEST, replied_at__isnull=True
        ).order_by("checked_on", "id")
    )


def written_requests_to_answer(user: User) -> QuerySet[PartnerCheck]:
    """What the partners have asked a reviewer in writing and is not answered yet, on the
    open reviews assigned to them, past its reply date or not (it is still owed), or with
    none given: soonest reply date first, those without one last. A request recorded
    after the fact (asked and answered outside the service, its reply date already gone
    when it was recorded) is for the record, not to answer."""
    from django.db.models import F

    return (
        PartnerCheck.objects.filter(
            review__in=reviews_visible_to(user)
            .filter(
                reviewers=user,
                rapid_review__incident__partnership__in=permissions.partnership_ids(
                    user, {Role.INDEPENDENT_REVIEWER}
                ),
            )
            .open(),
            kind=PartnerCheck.Kind.WRITTEN_REQUEST,
            replied_at__isnull=True,
        )
        .filter(_still_to_answer())
        .select_related("review__rapid_review__incident")
        .order_by(F("respond_by").asc(nulls_last=True), "id")
    )
