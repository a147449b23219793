"""The audit trail's records as links to their pages, for the one reading them (the
audit trail's Record column, and a case's History: `notifications.views.reading`).

An event names its record by type and number (`object_type`, `object_id`). Where that
record still exists and the reader may see it (the kind's `visible_to`, or for a part of
a case, such as an action or a sign-off, its parent record's: the scoping every case page
uses), the trail links to its page, or to its place on its parent's page; a record since
deleted, or one the
reader may not see (another partnership's, even if an event somehow names it), stays
plain text. The records of a page are looked up together: one query per kind of record
on the page, never one per row (ADR 0005 addendum).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet
from django.urls import reverse


@dataclass(frozen=True)
class Linked:
    """How a kind of record is reached: the records the reader may see (through the
    kind's `visible_to`), the columns its page's address needs, and that address."""

    visible: Callable[[object], QuerySet]
    columns: tuple[str, ...]
    url: Callable[..., str]


def _model(label: str):
    return apps.get_model(label)


def _incidents(user) -> QuerySet:
    return _model("notifications.incident").objects.visible_to(user)


def _rapid_reviews(user) -> QuerySet:
    return _model("rapid_reviews.rapidreview").objects.visible_to(user)


def _children(user) -> QuerySet:
    return _model("notifications.child").objects.filter(incident__in=_incidents(user))


def _requests(user) -> QuerySet:
    return _model("rapid_reviews.informationrequest").objects.filter(
        rapid_review__in=_rapid_reviews(user)
    )


def _local_reviews(user) -> QuerySet:
    return _model("lcspr.review").objects.visible_to(user)


def _recommendations(user) -> QuerySet:
    return _model("lcspr.recommendation").objects.filter(review__in=_local_reviews(user))


def _actions(user) -> QuerySet:
    return _model("lcspr.action").objects.filter(recommendation__review__in=_local_reviews(user))


def _checks(user) -> QuerySet:
    return _model("lcspr.partnercheck").objects.filter(review__in=_local_reviews(user))


def _sign_offs(user) -> QuerySet:
    return _model("rapid_reviews.signoff").objects.filter(rapid_review__in=_rapid_reviews(user))


def _returns(user) -> QuerySet:
    return _model("rapid_reviews.agencyreturn").objects.filter(
        information_request__in=_requests(user)
    )


def _action_plan(pk, review) -> str:
    """A recommendation or an action: read in its review's action plan."""
    return reverse("lcspr:detail", args=[review]) + "#action-plan"


#: The kinds of record whose pages the trail links to, by `object_type`.
LINKED: dict[str, Linked] = {
    "notifications.incident": Linked(
        _incidents, ("pk",), lambda pk: reverse("notifications:detail", args=[pk])
    ),
    "notifications.child": Linked(
        _children,
        ("pk", "incident_id"),
        # A child's details are read on their incident's Children page.
        lambda pk, incident: reverse("notifications:children", args=[incident]),
    ),
    "rapid_reviews.rapidreview": Linked(
        _rapid_reviews, ("pk",), lambda pk: reverse("rapid_reviews:detail", args=[pk])
    ),
    "rapid_reviews.informationrequest": Linked(
        _requests,
        ("pk", "rapid_review_id"),
        lambda pk, review: reverse("rapid_reviews:request", args=[review, pk]),
    ),
    "lcspr.review": Linked(_local_reviews, ("pk",), lambda pk: reverse("lcspr:detail", args=[pk])),
    "lcspr.recommendation": Linked(_recommendations, ("pk", "review_id"), _action_plan),
    "lcspr.action": Linked(_actions, ("pk", "recommendation__review_id"), _action_plan),
    "lcspr.partnercheck": Linked(
        # A partners' check or a written request to the reviewer: in its review's checks.
        _checks,
        ("pk", "review_id"),
        lambda pk, review: reverse("lcspr:detail", args=[review]) + "#checks",
    ),
    "rapid_reviews.signoff": Linked(
        _sign_offs,
        ("pk", "rapid_review_id"),
        lambda pk, review: reverse("rapid_reviews:detail", args=[review]) + "#sign-off",
    ),
    "rapid_reviews.agencyreturn": Linked(
        # An agency's return is read on its information request's page.
        _returns,
        ("pk", "information_request__rapid_review_id", "information_request_id"),
        lambda pk, review, request: reverse("rapid_reviews:request", args=[review, request]),
    ),
}


def _linkable(event) -> bool:
    """A kind of record with a page, and a number that can be one of its keys (a bigint:
    an event's `object_id` is text, and a number past the key's range is no record)."""
    number = str(event.object_id)
    return event.object_type in LINKED and number.isdigit() and len(number) <= 18


def link_records(events: Iterable, user) -> list:
    """Give each event `record_url`: its record's page if the record exists and `user`
    may see it, else None. One query per kind of linked record among the events."""
    events = list(events)
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        event.record_url = None
        if _linkable(event):
            wanted[event.object_type].add(int(event.object_id))
    urls: dict[tuple[str, int], str] = {}
    for object_type, ids in wanted.items():
        linked = LINKED[object_type]
        rows = linked.visible(user).filter(pk__in=sorted(ids)).order_by()
        for row in rows.values_list(*linked.columns):
            urls[object_type, row[0]] = linked.url(*row)
    for event in events:
        if _linkable(event):
            event.record_url = urls.get((event.object_type, int(event.object_id)))
    return events
