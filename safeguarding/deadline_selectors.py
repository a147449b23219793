"""Reads of deadlines for people: through the permission layer, never around it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from . import calendar, permissions
from .models import Deadline, DeadlineChange


def deadlines_visible_to(user) -> QuerySet[Deadline]:
    """Deadlines of the user's partnerships (business unit roles). Owning a clock gives
    no access of its own: someone who has left the partnership no longer sees it (its
    page, the calendar feed), even where they are still its owner."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Deadline.objects.none()
    return Deadline.objects.filter(partnership__in=permissions.partnership_ids(user))


def deadline_get_for(user, pk) -> Deadline:
    """One deadline the user may see, or 404."""
    return permissions.get_or_404(
        deadlines_visible_to(user).select_related("partnership", "owner"), pk=pk
    )


def met_texts(clocks) -> dict[int, str]:
    """Each met clock of one partnership's by id, in `Deadline.met_text`'s words (on time,
    or how many working days late): the partnership's closure days are read once, and
    only if a clock was met late."""
    clocks = [c for c in clocks if c.met_in_time() is not None]
    late = [c for c in clocks if not c.met_in_time()]
    closures = calendar.closure_days(late[0].partnership_id) if late else {}
    return {c.pk: c.met_text(closures) for c in clocks}


def deadline_history(deadline: Deadline) -> QuerySet[DeadlineChange]:
    return deadline.changes.select_related("actor").order_by("changed_at", "id")


@dataclass(frozen=True)
class FeedItem:
    """One all-day event of a calendar feed: a clock, or a date someone owes a reply by."""

    uid: str
    due: dt.date
    title: str
    why: str
    updated: dt.datetime
    path: str


def feed_items(user) -> list[FeedItem]:
    """What a person's calendar feed holds: their clocks (`deadlines_for_feed`) and, for an
    independent reviewer, the dates the partners asked them to reply by (unanswered)."""
    from django.urls import reverse

    from lcspr.selectors import written_requests_to_answer

    from .deadlines import explain_rule

    items = [
        FeedItem(
            uid=f"deadline-{deadline.pk}",
            due=deadline.due_date,
            title=deadline.task,
            why=explain_rule(deadline),
            updated=deadline.updated_at,
            path=path or reverse("safeguarding:deadline-why", args=[deadline.pk]),
        )
        for deadline, path in deadlines_for_feed(user)
    ]
    if getattr(user, "is_authenticated", False) and user.is_active:
        items += [
            FeedItem(
                uid=f"written-request-{check.pk}",
                due=check.respond_by,
                title=f"Reply to the partners’ written request: {check.review.reference}",
                why="the date the partners asked you to reply by",
                updated=check.recorded_at,
                path=reverse("lcspr:written-reply", args=[check.review_id, check.pk]),
            )
            for check in written_requests_to_answer(user).filter(respond_by__isnull=False)
        ]
    return sorted(items, key=lambda item: (item.due, item.uid))


def deadlines_for_feed(user) -> list[tuple[Deadline, str]]:
    """Open deadlines for a person's calendar feed, each with the page it links to:
    - the business unit: every clock of their partnerships (its own page);
    - an agency contributor: the returns and the actions their agency still owes, in the
      partnerships they contribute to (the agency's own pages for them);
    - an independent reviewer: the steps of the open reviews assigned to them, and their
      statutory date (the review's page), not the partnership's own housekeeping (the
      date to look again at a hold, the notice to the Panel and DfE)."""
    from django.db.models import Q
    from django.urls import reverse

    from lcspr.models import HOLD_REVIEW_KEY, ActionStatus
    from lcspr.selectors import actions_for_contributor, reviews_visible_to
    from rapid_reviews.models import AWAITING_RETURN
    from rapid_reviews.selectors import information_requests_for_contributor

    found = {
        deadline.pk: (deadline, deadline.url)
        for deadline in deadlines_visible_to(user).open().order_by("due_date", "id")
    }
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    requests = information_requests_for_contributor(user).filter(status__in=AWAITING_RETURN)
    actions = actions_for_contributor(user).filter(
        status__in=[ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]
    )
    reviews = reviews_visible_to(user).filter(reviewers=user).open()
    theirs = Deadline.objects.open().filter(
        Q(
            subject_type="rapid_reviews.informationrequest",
            subject_id__in=requests.values("pk"),
            kind=Deadline.Kind.AGENCY_RETURN,
        )
        | Q(
            subject_type="lcspr.action",
            subject_id__in=actions.values("pk"),
            kind=Deadline.Kind.ACTION,
        )
        | Q(
            Q(kind=Deadline.Kind.LCSPR_MILESTONE) & ~Q(key=HOLD_REVIEW_KEY)
            | Q(kind=Deadline.Kind.PUBLICATION),
            subject_type="lcspr.review",
            subject_id__in=reviews.values("pk"),
        )
    )
    pages = {
        "rapid_reviews.informationrequest": "rapid_reviews:contributor-request",
        "lcspr.action": "lcspr:agency-action",
    }
    for deadline in theirs:
        if deadline.pk not in found:
            page = pages.get(deadline.subject_type)
            link = reverse(page, args=[deadline.subject_id]) if page else deadline.url
            found[deadline.pk] = (deadline, link)
    return sorted(found.values(), key=lambda pair: (pair[0].due_date, pair[0].pk))


def open_deadlines_visible_to(user):
    """Open clocks of the user's partnerships, soonest first, with their owners."""
    from . import permissions
    from .models import Deadline

    open_clocks = Deadline.objects.open().select_related("owner").order_by("due_date", "id")
    return permissions.scope(open_clocks, user)
