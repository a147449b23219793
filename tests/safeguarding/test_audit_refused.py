# ruff: noqa: F811 - pytest fixtures imported from other conftest modules
"""A signed-in person refused a case page is in the audit trail as "Refused or not found":
who, when and the page's path (safeguarding.middleware.RefusedCaseRequestsMiddleware, ADR 0005
addendum). The page they are shown is the one they were shown before."""

import re

import pytest
from django.urls import reverse

from safeguarding import people as people_service
from safeguarding.audit import Action
from safeguarding.models import AuditEvent, Membership, Role
from tests.notifications.conftest import make_incident  # noqa: F401 - fixture
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def _refused():
    return AuditEvent.objects.filter(action=Action.REFUSED)


def _page(response) -> str:
    """The page without what differs on every response (the CSP nonce, the CSRF token)."""
    text = response.content.decode()
    text = re.sub(r'nonce="[^"]*"', "", text)
    return re.sub(r"[A-Za-z0-9]{64}", "", text)  # a CSRF token


def test_another_partnerships_officer_refused_a_case_is_recorded_once(
    client,
    settings,
    people,
    other_partnership,
    make_incident,
):
    settings.DEBUG = False  # the service's own 404 page, as deployed
    incident = make_incident()
    other = people["other_officer"]
    sign_in(client, other)
    url = reverse("notifications:detail", args=[incident.pk])
    response = client.get(url + "?q=Amelia")
    assert response.status_code == 404
    (event,) = _refused()
    assert event.actor == other
    assert event.object_repr == url  # the path: never the query
    assert event.object_type == "" and event.changes == {}
    assert event.partnership == other_partnership  # their only partnership
    # Again within minutes: still one event. The page is the 404 of a number that is
    # no record at all: nothing says the record exists.
    again = client.get(url)
    assert _refused().count() == 1
    nowhere = client.get(reverse("notifications:detail", args=[incident.pk + 10_000]))
    assert nowhere.status_code == 404
    assert _page(again) == _page(nowhere)


def test_a_leaver_refused_their_old_case_is_in_their_partnerships_trail(
    client,
    people,
    partnership,
    make_incident,
):
    incident = make_incident()
    officer = people["officer"]
    role = Membership.objects.get(user=officer, partnership=partnership)
    people_service.membership_remove(
        actor=people["manager"], membership=role, successor=people["manager"]
    )
    sign_in(client, officer)
    assert client.get(reverse("notifications:detail", args=[incident.pk])).status_code in {
        403,
        404,
    }
    (event,) = _refused()
    assert event.actor == officer and event.partnership == partnership


def test_a_role_refused_a_case_page_is_recorded(client, people, make_incident):
    incident = make_incident()
    sign_in(client, people["agency"])
    response = client.get(reverse("notifications:detail", args=[incident.pk]))
    assert response.status_code in {403, 404}
    assert _refused().get().actor == people["agency"]


def test_no_refusal_recorded_for_anonymous_a_page_seen_or_no_page_at_all(
    client,
    people,
    make_incident,
):
    incident = make_incident()
    url = reverse("notifications:detail", args=[incident.pk])
    assert client.get(url).status_code == 302  # to sign in
    assert client.get("/incidents/no-such-page/").status_code == 404
    assert client.get("/static/no-such-file.css").status_code == 404
    sign_in(client, people["officer"])
    assert client.get(url).status_code == 200
    # An address no page matches is not a refusal of a record.
    assert client.get("/incidents/no-such-page/").status_code == 404
    assert not _refused().exists()


def test_refused_is_an_action_of_the_trails_filter(client, people, partnership):
    manager = people["manager"]
    sign_in(client, manager)
    page = client.get(reverse("safeguarding:audit"))
    assert '<option value="refused">Refused or not found</option>' in page.content.decode()
    # The trail's reader: the filter is the partnership manager's, in their own trail.
    assert Membership.objects.get(user=manager, partnership=partnership).role == (
        Role.PARTNERSHIP_MANAGER
    )
    refused = AuditEvent.objects.create(
        actor=people["officer"],
        partnership=partnership,
        action=Action.REFUSED,
        object_repr="/incidents/12345/",
    )
    shown = client.get(reverse("safeguarding:audit"), {"action": "refused"}).context["page"]
    assert [event.pk for event in shown.object_list] == [refused.pk]


def test_a_person_walking_case_numbers_writes_at_most_the_cap_in_ten_minutes(
    client, people, make_incident
):
    """One event per path would let a script walking /incidents/1..N write N rows into a
    trail that is never pruned: a person's refusals are capped in the quiet period."""
    from safeguarding.audit import REFUSED_CAP

    incident = make_incident()
    other = people["other_officer"]
    sign_in(client, other)
    for step in range(REFUSED_CAP + 5):
        url = reverse("notifications:detail", args=[incident.pk + step])
        assert client.get(url).status_code == 404
    assert REFUSED_CAP == 20
    assert _refused().filter(actor=other).count() == REFUSED_CAP
    # Another person's refusals are theirs: not held back by this one's.
    sign_in(client, people["agency"])
    assert client.get(reverse("notifications:detail", args=[incident.pk])).status_code in {
        403,
        404,
    }
    assert _refused().filter(actor=people["agency"]).count() == 1
