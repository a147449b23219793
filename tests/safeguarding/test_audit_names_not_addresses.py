"""Hand-overs and roles given or taken away name people in the audit trail as the rest of
it does, by name, though their events stored the e-mail address (shown as stored only if
no account has it now)."""

import pytest
from django.urls import reverse

from safeguarding import deadlines
from safeguarding import people as people_service
from safeguarding.audit import Action, audit_record
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def test_hand_overs_and_roles_read_by_name(
    client, people, partnership, django_assert_max_num_queries
):
    officer, manager = people["officer"], people["manager"]
    audit_record(
        actor=manager,
        action=Action.UPDATE,
        partnership=partnership,
        object_repr=deadlines.LEFT_OWNER_OF.format(email=officer.email),
        changes={
            "owner": {"old": officer.email, "new": manager.email},
            "deadlines": 2,
            "references": ["BSCP-2026-001"],
        },
    )
    people_service.membership_remove(
        actor=manager, membership=officer.memberships.get(partnership=partnership)
    )
    audit_record(
        actor=manager,
        action=Action.UPDATE,
        partnership=partnership,
        object_repr=deadlines.LEFT_OWNER_OF.format(email="gone@example.org"),
        changes={"owner": {"old": "gone@example.org", "new": manager.email}},
    )
    sign_in(client, manager)

    html = client.get(reverse("safeguarding:audit")).content.decode()

    assert "Open deadlines of Officer One" in html
    assert "<strong>Owner</strong>: Officer One → Manager One" in html
    assert "Officer One: Review officer" in html
    assert officer.email not in html
    # An address no account has now is shown as it was stored.
    assert "Open deadlines of gone@example.org" in html
