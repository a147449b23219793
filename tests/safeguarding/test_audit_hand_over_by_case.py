# ruff: noqa: F811 - pytest fixtures imported from other conftest modules
"""A hand-over of deadlines is one audit event naming several cases: the trail's Record
filter finds it from any of their references (safeguarding.filters.naming_case, ADR 0005
addendum), through an index on PostgreSQL."""

import pytest
from django.db import connection
from django.urls import reverse

from safeguarding import people as people_service
from safeguarding.filters import naming_case
from safeguarding.models import AuditEvent
from tests.notifications.conftest import make_incident  # noqa: F401 - fixture
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

URL = reverse("safeguarding:audit")


def _hand_over(people, partnership):
    people_service.deadlines_hand_over(
        actor=people["manager"],
        partnership=partnership,
        owner=people["officer"],
        successor=people["manager"],
    )
    return AuditEvent.objects.get(object_repr__startswith="Open deadlines of ")


def _found(client, record):
    response = client.get(URL, {"record": record})
    assert response.status_code == 200
    return {event.pk for event in response.context["page"].object_list}


def test_the_record_filter_finds_a_hand_over_from_each_of_its_cases(
    client,
    people,
    partnership,
    make_incident,
):
    first, second = make_incident(), make_incident()
    event = _hand_over(people, partnership)
    assert set(event.changes["references"]) == {first.reference, second.reference}
    later = make_incident()  # made after: not one of the hand-over's cases
    sign_in(client, people["manager"])
    assert event.pk in _found(client, first.reference)
    assert event.pk in _found(client, f"  {second.reference.lower()} ")
    assert event.pk not in _found(client, later.reference)
    assert event.pk not in _found(client, first.reference[:-1])  # a whole reference only


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_hand_overs_of_a_case_are_read_through_their_index(people, partnership, make_incident):
    incident = make_incident()
    _hand_over(people, partnership)
    named = AuditEvent.objects.filter(naming_case(incident.reference)).values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = named.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "audit_case_references" in plan, plan
