"""A case's History names its records as the audit trail does: a child the reader may see
links to their page (safeguarding.audit_links, the one look-up serving both pages, ADR 0005
addendum); a child since removed, or a record the reader may not see, stays plain text;
the links cost one query a kind of record, never one a line."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from safeguarding.audit import Action
from safeguarding.models import AuditEvent
from tests.notifications.conftest import child_values
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def _history(client, incident) -> str:
    response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode().split(">History<", 1)[1].split("</ol>", 1)[0]


def _links(history: str) -> list[tuple[str, str]]:
    """Each link in the History: (its address, its text as a screen reader reads it)."""
    return [
        (href, " ".join(re.sub(r"<[^>]+>", "", text).split()))
        for href, text in re.findall(r'<a class="govuk-link" href="([^"]+)">(.*?)</a>', history)
    ]


def test_a_child_the_reader_may_see_links_to_their_page_and_one_removed_does_not(
    client, people, make_incident
):
    officer = people["officer"]
    incident = make_incident()
    services.child_save(incident=incident, actor=officer, values=child_values(name="Second"))
    services.child_remove(child=incident.children.get(pseudonym="Child B"), actor=officer)
    sign_in(client, people["manager"])
    history = _history(client, incident)
    children = reverse("notifications:children", args=[incident.pk])
    # Named as on the audit trail (reference and pseudonym), the reference for screen
    # readers only: the line reads "added a child: Child A" on the page.
    assert _links(history) == [(children, f"{incident.reference} Child A")]
    assert (
        f'added a child: <a class="govuk-link" href="{children}">'
        f'<span class="govuk-visually-hidden">{incident.reference} </span>Child A</a>'
    ) in history
    # Child B is gone: added and removed, both in plain words.
    assert "added a child: Child B" in history and "removed a child: Child B" in history
    # The case's own changes name the page the reader is on: no link to it.
    assert f'href="{incident.get_absolute_url()}"' not in history


def test_a_record_of_another_partnership_named_in_the_history_is_not_a_link(
    client, people, partnership, make_incident, other_partnership
):
    """An event of our partnership that somehow names another partnership's child under
    our case's reference is in our History (found by reference), but the look-up goes
    through the reader's scope: their child is never linked."""
    incident = make_incident()
    theirs = services.incident_create(
        partnership=other_partnership,
        actor=people["other_officer"],
        awareness_date=timezone.localdate(),
    )
    their_child = services.child_save(
        incident=theirs, actor=people["other_officer"], values=child_values()
    )
    AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=people["officer"],
        actor_email=people["officer"].email,
        partnership=partnership,
        action=Action.CREATE,
        object_type="notifications.child",
        object_id=str(their_child.pk),
        object_repr=f"{incident.reference} Stray",
    )
    sign_in(client, people["manager"])
    history = _history(client, incident)
    assert "added a child: Stray" in history
    assert reverse("notifications:children", args=[theirs.pk]) not in history
    assert [text for _, text in _links(history)] == [f"{incident.reference} Child A"]


def test_the_history_costs_the_same_queries_however_many_children_it_names(
    client, people, make_incident, django_assert_max_num_queries
):
    officer = people["officer"]
    incident = make_incident()
    sign_in(client, people["manager"])
    client.get(incident.get_absolute_url())  # the first visit fills what is cached
    # 15: session, user, second factor, roles, the incident, its children and the
    # agencies that knew them, the audit of the view, the clock (its deadline, closure
    # days twice, its changes), the History's events, the documents' count, and one
    # query for the children the History links to (audit_links: one a kind of record on
    # the page, none a line; the case's own events link nowhere and cost nothing).
    with django_assert_max_num_queries(15):
        history = _history(client, incident)
    assert len(_links(history)) == 1
    for i in range(20):
        services.child_save(incident=incident, actor=officer, values=child_values(name=f"E {i}"))
    # 20 more events, each naming another child the History links: no more queries.
    with django_assert_max_num_queries(15):
        history = _history(client, incident)
    assert len(_links(history)) == 21
