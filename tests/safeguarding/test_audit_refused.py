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
    # Theirs; the record's own partnership has a copy (below).
    (event,) = _refused().filter(partnership=other_partnership)
    assert event.actor == other
    assert event.object_repr == url  # the path: never the query
    assert event.object_type == "" and event.changes == {}
    assert event.partnership == other_partnership  # their only partnership
    # Again within minutes: still one event. The page is the 404 of a number that is
    # no record at all: nothing says the record exists.
    again = client.get(url)
    assert _refused().count() == 2
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
    # The first number is a record of the other partnership: its owner has a copy.
    paths = _refused().filter(actor=other).values_list("object_repr", flat=True)
    assert len(set(paths)) == REFUSED_CAP and len(paths) == REFUSED_CAP + 1
    # Another person's refusals are theirs: not held back by this one's.
    sign_in(client, people["agency"])
    assert client.get(reverse("notifications:detail", args=[incident.pk])).status_code in {
        403,
        404,
    }
    assert _refused().filter(actor=people["agency"]).count() == 1


# The partnership that owns the record asked for is told too (ADR 0005 addendum: its
# managers control the child's data): a copy of the refusal in its own trail.


def test_a_refusal_of_another_partnerships_case_is_in_the_owners_trail_too(
    client, settings, people, partnership, other_partnership, make_incident
):
    settings.DEBUG = False  # the service's own 404 page, as deployed
    incident = make_incident()
    other = people["other_officer"]
    other.full_name = "Olive Other"
    other.save(update_fields=["full_name"])
    sign_in(client, other)
    url = reverse("notifications:detail", args=[incident.pk])
    response = client.get(url + "?q=Amelia")
    assert response.status_code == 404
    nowhere = client.get(reverse("notifications:detail", args=[incident.pk + 10_000]))
    assert _page(response) == _page(nowhere)  # the visitor is shown nothing more
    events = _refused().filter(object_repr=url)
    assert {event.partnership for event in events} == {other_partnership, partnership}
    assert all(event.actor == other and event.changes == {} for event in events)
    # A number that is no record: the visitor's own event only.
    assert _refused().filter(object_repr__endswith=f"/{incident.pk + 10_000}/").count() == 1
    # The owner's manager reads it in their trail: the path and who, named with their
    # partnership (they are none of this partnership's people).
    sign_in(client, people["manager"])
    page = client.get(reverse("safeguarding:audit"), {"action": "refused"})
    (shown,) = page.context["page"].object_list
    assert shown.partnership == partnership and shown.object_repr == url
    text = page.content.decode()
    assert "Olive Other (ASCP)" in text and url in text
    # Their Person filter still offers only their own partnership's people.
    assert other not in page.context["form"].fields["actor"].queryset
    # The visitor's own partnership still has its own event.
    sign_in(client, people["other_manager"])
    page = client.get(reverse("safeguarding:audit"), {"action": "refused"})
    shown = [e for e in page.context["page"].object_list if e.object_repr == url]
    assert [e.partnership for e in shown] == [other_partnership]
    assert "Olive Other (ASCP)" not in page.content.decode()  # their own person


def test_a_refusal_within_the_owning_partnership_is_one_event(client, people, make_incident):
    incident = make_incident()
    sign_in(client, people["agency"])  # of the incident's own partnership
    url = reverse("notifications:detail", args=[incident.pk])
    assert client.get(url).status_code in {403, 404}
    assert _refused().filter(object_repr=url).count() == 1


def test_the_quiet_period_and_the_cap_count_a_refusal_once_with_its_owners_copy(
    client, monkeypatch, people, make_incident
):
    """The owner's copy is the same refusal: it does not halve a person's cap."""
    from safeguarding import audit

    monkeypatch.setattr(audit, "REFUSED_CAP", 3)
    incidents = [make_incident(complete=False) for _ in range(5)]
    other = people["other_officer"]
    sign_in(client, other)
    first = reverse("notifications:detail", args=[incidents[0].pk])
    client.get(first)
    client.get(first)  # again within minutes: one attempt
    assert _refused().filter(actor=other).count() == 2  # theirs and the owner's
    for incident in incidents[1:]:
        client.get(reverse("notifications:detail", args=[incident.pk]))
    mine = _refused().filter(actor=other)
    assert len({event.object_repr for event in mine}) == 3
    assert mine.count() == 6


def test_a_regional_viewer_refused_a_case_is_named_in_the_owners_trail_as_one(
    client, people, partnership, region, make_incident
):
    """Someone with no role in any partnership is still said to be someone: a regional
    viewer by their region, anyone else as having no current role."""
    incident = make_incident()
    regional = people["regional"]
    regional.full_name = "Rita Regional"
    regional.save(update_fields=["full_name"])
    sign_in(client, regional)
    url = reverse("notifications:detail", args=[incident.pk])
    assert client.get(url).status_code in {403, 404}
    sign_in(client, people["manager"])
    text = client.get(reverse("safeguarding:audit"), {"action": "refused"}).content.decode()
    assert f"Rita Regional (regional viewer, {region.name})" in text
