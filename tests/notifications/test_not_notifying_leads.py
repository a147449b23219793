"""A decision not to notify asks who agreed for each statutory partner: the box starts
with the partnership's leads (safeguarding/leads.py) and keeps what was posted."""

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from safeguarding.leads import partner_leads_set
from tests.utils import date_fields, sign_in

pytestmark = pytest.mark.django_db


def test_who_agreed_starts_with_the_leads_and_keeps_what_was_posted(
    client, people, partnership, make_incident
):
    incident = make_incident()
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    url = reverse("notifications:not-notifying", args=[incident.pk])
    sign_in(client, people["manager"])
    assert "Local authority:" not in client.get(url).content.decode()  # no leads yet
    partner_leads_set(
        partnership=partnership,
        actor=people["manager"],
        leads={
            "local_authority": ("Karen Whitfield", "Director of Children’s Services"),
            "police": ("Raj Patel", "Detective Superintendent"),
            "health": ("Dr Fiona Osei", "Designated Nurse"),
        },
    )
    html = client.get(url).content.decode().replace("&#x27;", "'")
    assert (
        "Local authority: Karen Whitfield, Director of Children’s Services\n"
        "Police: Raj Patel, Detective Superintendent\n"
        "Health (integrated care board): Dr Fiona Osei, Designated Nurse</textarea>"
    ) in html
    agreed = "Karen Whitfield (LA); DCI Sam Cole, deputy (police); Dr Fiona Osei (ICB)"
    response = client.post(
        url,
        {
            **date_fields("decided_on", timezone.localdate()),
            "rationale": "No abuse or neglect is suspected.",
            "agreed_by": agreed,
        },
    )
    assert response.status_code == 302, response.content.decode()
    incident.refresh_from_db()
    assert incident.decision_agreed_by == agreed
    # A new lead later leaves the decision as recorded.
    partner_leads_set(
        partnership=partnership,
        actor=people["manager"],
        leads={"local_authority": ("Stephen Marsh", "Interim Director")},
    )
    incident.refresh_from_db()
    assert incident.decision_agreed_by == agreed


def test_a_partner_with_no_lead_keeps_its_line_in_who_agreed(
    client, people, partnership, make_incident
):
    """All three partners must agree: a partner with no lead recorded still has its line,
    empty, so the box shows whose agreement is still to be written."""
    incident = make_incident()
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    partner_leads_set(
        partnership=partnership,
        actor=people["manager"],
        leads={"police": ("Raj Patel", "Detective Superintendent")},
    )
    sign_in(client, people["manager"])
    html = client.get(reverse("notifications:not-notifying", args=[incident.pk])).content
    assert (
        "Local authority: \nPolice: Raj Patel, Detective Superintendent\n"
        "Health (integrated care board): </textarea>"
    ) in html.decode()
