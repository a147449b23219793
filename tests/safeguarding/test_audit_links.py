# ruff: noqa: F811 - pytest fixtures imported from other conftest modules
"""The audit trail names a record as a link to its page where the record still exists and
the reader may see it (safeguarding.audit_links, ADR 0005 addendum): looked up through
each kind's `visible_to` (or its parent record's), one query a kind of record for the
whole page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lcspr.models import Action as PlanAction
from lcspr.models import PartnerCheck, Recommendation
from rapid_reviews.models import AgencyReturn, InformationRequest, SignOff
from safeguarding.audit import Action
from safeguarding.models import AuditEvent
from tests.lcspr.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    local_review,
    make_review,
    review,
)
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

URL = reverse("safeguarding:audit")


def _event(at, partnership, actor, obj=None, *, object_type="", object_id="", repr_=""):
    if obj is not None:
        object_type, object_id, repr_ = obj._meta.label_lower, str(obj.pk), repr_ or str(obj)
    return AuditEvent.objects.create(
        occurred_at=at,
        actor=actor,
        actor_email=actor.email,
        partnership=partnership,
        action=Action.VIEW if object_type else Action.SIGN_IN,
        object_type=object_type,
        object_id=object_id,
        object_repr=repr_,
    )


def _parts(local_review, agency, officer):
    """A recommendation, its action, a written request to the reviewer, a rapid review
    sign-off and an agency return of `local_review`'s case, each with the page it
    links to (its own or its parent record's)."""
    rapid = local_review.rapid_review
    today = timezone.localdate()
    rec = Recommendation.objects.create(review=local_review, number=1, text="Share early.")
    action = PlanAction.objects.create(
        recommendation=rec, description="Train staff.", agency=agency, lead="Lead", due_date=today
    )
    check = PartnerCheck.objects.create(
        review=local_review,
        kind=PartnerCheck.Kind.WRITTEN_REQUEST,
        checked_on=today,
        note="Please send the draft.",
        recorded_by=officer,
    )
    sign_off = SignOff.objects.create(
        rapid_review=rapid, partner="police", name="A Chief", signed_on=today, recorded_by=officer
    )
    request = InformationRequest.objects.create(rapid_review=rapid, agency=agency, due_date=today)
    agency_return = AgencyReturn.objects.create(information_request=request, involved=True)
    plan = local_review.get_absolute_url() + "#action-plan"
    return {
        rec: plan,
        action: plan,
        check: local_review.get_absolute_url() + "#checks",
        sign_off: rapid.get_absolute_url() + "#sign-off",
        agency_return: reverse("rapid_reviews:request", args=[rapid.pk, request.pk]),
    }


def _rows(response):
    assert response.status_code == 200
    return {event.pk: event.record_url for event in response.context["page"].object_list}


def test_a_record_the_manager_may_see_links_to_its_page(
    client,
    people,
    partnership,
    other_partnership,
    local_review,
    make_review,
    agency,
):
    manager = people["manager"]
    rapid = local_review.rapid_review
    incident = rapid.incident
    child = incident.children.get()
    theirs = make_review(partnership=other_partnership, actor=people["other_officer"]).incident
    soon = timezone.now() + dt.timedelta(minutes=1)
    officer = people["officer"]
    ours = {
        _event(soon, partnership, officer, incident).pk: incident.get_absolute_url(),
        _event(soon, partnership, officer, child).pk: reverse(
            "notifications:children", args=[incident.pk]
        ),
        _event(soon, partnership, officer, rapid).pk: rapid.get_absolute_url(),
        _event(soon, partnership, officer, local_review).pk: local_review.get_absolute_url(),
    }
    parts = _parts(local_review, agency, officer)
    ours |= {_event(soon, partnership, officer, obj).pk: url for obj, url in parts.items()}
    # An event of the manager's own partnership that somehow names another
    # partnership's case; one naming a record since deleted; one with a number that is
    # no key at all.
    stray = _event(soon, partnership, officer, theirs, repr_="Stray name").pk
    gone = _event(
        soon, partnership, officer, object_type="notifications.incident", object_id="987654"
    ).pk
    huge = _event(
        soon, partnership, officer, object_type="lcspr.review", object_id="9" * 30, repr_="Huge"
    ).pk
    sign_in(client, manager)
    response = client.get(URL)
    rows = _rows(response)
    for pk, url in ours.items():
        assert rows[pk] == url
    assert rows[stray] is None and rows[gone] is None and rows[huge] is None
    html = response.content.decode()
    assert f'href="{incident.get_absolute_url()}"' in html
    assert f'href="{theirs.get_absolute_url()}"' not in html
    assert "Stray name" in html  # as plain text

    # The other partnership's manager: an event of their own partnership's trail that
    # names our case gets no link to it (not theirs to see), while one naming their own
    # case is theirs to follow.
    client.logout()
    other_manager = people["other_manager"]
    naming_ours = _event(
        soon, other_partnership, other_manager, incident, repr_="Ours in theirs"
    ).pk
    naming_theirs = _event(soon, other_partnership, other_manager, theirs).pk
    naming_our_parts = [
        _event(soon, other_partnership, other_manager, obj, repr_=f"Our part {n}").pk
        for n, obj in enumerate(parts)
    ]
    sign_in(client, other_manager)
    response = client.get(URL)
    rows = _rows(response)
    assert naming_ours in rows and naming_theirs in rows  # both in their trail
    assert rows[naming_ours] is None
    assert all(rows[pk] is None for pk in naming_our_parts)
    assert rows[naming_theirs] == theirs.get_absolute_url()
    html = response.content.decode()
    assert f'href="{incident.get_absolute_url()}"' not in html
    assert "Ours in theirs" in html  # as plain text
    for url in parts.values():
        assert f'href="{url}"' not in html


def test_links_cost_one_query_a_kind_of_record_not_one_a_row(
    client,
    people,
    partnership,
    local_review,
    agency,
    django_assert_max_num_queries,
):
    manager, officer = people["manager"], people["officer"]
    rapid = local_review.rapid_review
    incident = rapid.incident
    child = incident.children.get()
    sign_in(client, manager)
    start = timezone.now() + dt.timedelta(minutes=1)
    for n in range(50):  # a page of sign-ins: nothing to link
        _event(start + dt.timedelta(seconds=n), None, officer)
    with CaptureQueriesContext(connection) as plain:
        assert len(_rows(client.get(URL))) == 50
    later = start + dt.timedelta(minutes=5)
    records = [incident, child, rapid, local_review, *_parts(local_review, agency, officer)]
    kinds = len(records) + 1  # the nine kinds of record, and a sign-in
    for n in range(50):  # a page of the nine kinds of record, and sign-ins
        obj = records[n % kinds] if n % kinds < len(records) else None
        _event(later + dt.timedelta(seconds=n), partnership if obj else None, officer, obj)
    # At most one more query for each kind of record on the page than a page of nothing
    # to link (45 rows link).
    with django_assert_max_num_queries(len(plain) + len(records)):
        rows = _rows(client.get(URL))
    assert len(rows) == 50
    assert sum(url is not None for url in rows.values()) == 45
