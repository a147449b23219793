"""Recording the notification of an incident not yet sent for a decision: no form, but
what must happen first, and an error about another page links to that page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from tests.utils import date_fields, sign_in

pytestmark = pytest.mark.django_db


def _post(incident):
    return {
        **date_fields("sent_date", timezone.localdate()),
        "sent_time": "00:01",
        "dfe_reference": "SIN-7",
    }


def test_a_draft_opens_on_what_must_happen_first_not_on_a_form(client, people, make_incident):
    incident = make_incident(complete=False)
    sign_in(client, people["officer"])
    response = client.get(reverse("notifications:record", args=[incident.pk]), follow=True)
    check = reverse("notifications:check", args=[incident.pk])
    assert response.redirect_chain == [(check, 302)]
    html = response.content.decode()
    assert "Check its answers and send it for a decision" in html
    assert 'name="dfe_reference"' not in html


def test_a_draft_posted_to_says_so_linked_to_its_check_page(client, people, make_incident):
    """A tab opened while it awaited a decision, sent after it went back to draft: one
    error, linked to where it is put right, not the missing answers linked to a box here."""
    incident = make_incident(complete=False)
    sign_in(client, people["officer"])
    response = client.post(reverse("notifications:record", args=[incident.pk]), _post(incident))
    html = response.content.decode()
    check = reverse("notifications:check", args=[incident.pk])
    assert f'<a href="{check}">' in html
    assert "Select the nature of the incident" not in html
    assert 'href="#id_sent_date_0">' not in html
    assert 'value="SIN-7"' in html  # what was typed is kept


def test_a_missing_answer_links_to_the_page_that_asks_it(client, people, make_incident):
    officer = people["officer"]
    incident = services.incident_submit_for_decision(incident=make_incident(), actor=officer)
    # Changed while it awaits the decision.
    services.incident_update(
        incident=incident, actor=officer, changes={"notifier_name": "", "circumstances": ""}
    )
    sign_in(client, officer)
    response = client.post(reverse("notifications:record", args=[incident.pk]), _post(incident))
    html = response.content.decode()
    notifier = reverse("notifications:step", args=[incident.pk, "notifier"])
    circumstances = reverse("notifications:step", args=[incident.pk, "circumstances"])
    assert f'<a href="{notifier}?from=detail">Enter the name of the person notifying</a>' in html
    assert f'<a href="{circumstances}?from=detail">Enter a summary of the circumstances</a>' in html
    assert 'href="#id_sent_date_0">' not in html


def test_not_notified_opens_on_the_case_saying_reconsider_first(client, people, make_incident):
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    services.incident_decide_not_to_notify(
        incident=incident,
        actor=people["manager"],
        rationale="Not serious harm.",
        agreed_by="LA, police, ICB",
        decided_on=timezone.localdate() - dt.timedelta(days=0),
    )
    sign_in(client, people["officer"])
    response = client.get(reverse("notifications:record", args=[incident.pk]), follow=True)
    assert response.redirect_chain == [(incident.get_absolute_url(), 302)]
    assert "Reconsider the decision not to notify first" in response.content.decode()
