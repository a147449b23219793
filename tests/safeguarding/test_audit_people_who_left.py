"""The audit trail's Person filter offers the people who had a role in the manager's
partnership and have left it (their role removed, their account switched off), marked so,
and never another partnership's people."""

import pytest
from django.urls import reverse

from safeguarding import people as people_service
from safeguarding.audit import Action, audit_record
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

URL = reverse("safeguarding:audit")


def _options(response):
    field = response.context["form"].fields["actor"]
    return {
        value.value if hasattr(value, "value") else value: label
        for value, label in field.choices
        if value
    }


def test_a_person_whose_role_was_removed_can_still_be_chosen(client, people, partnership):
    officer, manager = people["officer"], people["manager"]
    audit_record(actor=officer, action=Action.VIEW, obj=partnership, object_repr="Looked at A")
    membership = officer.memberships.get(partnership=partnership)
    people_service.membership_remove(actor=manager, membership=membership)
    # Another partnership's leaver is not this manager's to see.
    other = people["other_officer"]
    people_service.membership_remove(
        actor=people["other_manager"], membership=other.memberships.get()
    )
    sign_in(client, manager)

    response = client.get(URL, {"actor": officer.pk})

    html = response.content.decode()
    assert "Select a person from the list" not in html
    assert "Looked at A" in html
    options = _options(response)
    assert options[officer.pk] == "Officer One (has left)"
    assert options[manager.pk] == "Manager One"
    assert other.pk not in options
    refused = client.get(URL, {"actor": other.pk}).content.decode()
    assert "Select a person from the list" in refused


def test_a_switched_off_account_is_marked_as_having_left(client, people):
    officer = people["officer"]
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    sign_in(client, people["manager"])

    options = _options(client.get(URL))

    assert options[officer.pk] == "Officer One (has left)"


def test_a_role_taken_away_by_an_administrator_is_kept_too(client, people, partnership):
    from safeguarding.models import PastRole
    from tests.factories import UserFactory

    officer = people["officer"]
    membership = officer.memberships.get(partnership=partnership)
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:safeguarding_membership_delete", args=[membership.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not officer.memberships.exists()
    assert PastRole.objects.filter(user=officer, partnership=partnership).exists()
    client.logout()
    sign_in(client, people["manager"])
    assert _options(client.get(URL))[officer.pk] == "Officer One (has left)"


def test_one_action_finds_who_looked_at_a_record(client, people, partnership):
    officer = people["officer"]
    for action, text in [
        (Action.VIEW, "Seen A"),
        (Action.DOWNLOAD, "Downloaded B"),
        (Action.EXPORT, "Exported C"),
        (Action.UPDATE, "Changed D"),
    ]:
        audit_record(actor=officer, action=action, obj=partnership, object_repr=text)
    sign_in(client, people["manager"])

    def shown(**params):
        html = client.get(URL, params).content.decode()
        assert "Select an action from the list" not in html
        return {t for t in ("Seen A", "Downloaded B", "Exported C", "Changed D") if t in html}

    assert shown(action="looked_at") == {"Seen A", "Downloaded B", "Exported C"}
    assert shown(action="download") == {"Downloaded B"}  # one action, as before
    assert shown(action="update") == {"Changed D"}
