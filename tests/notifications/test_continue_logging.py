"""A draft's "Continue logging" goes to the first step still to do, and a question never
answered is not shown with the answer its blank means once answered."""

import pytest
from django.urls import reverse

from notifications import services
from notifications.models import HarmCategory, Nature
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def _continue_href(client, incident):
    html = client.get(incident.get_absolute_url()).content.decode()
    before = html.split(">Continue logging</a>", 1)[0]
    return before.rsplit('href="', 1)[1].split('"', 1)[0]


def test_continue_logging_goes_to_the_first_step_still_to_do(client, people, make_incident):
    officer = people["officer"]
    incident = make_incident(complete=False)
    sign_in(client, officer)
    step = lambda name: reverse("notifications:step", args=[incident.pk, name])  # noqa: E731
    assert _continue_href(client, incident) == step("nature")
    services.incident_update(
        incident=incident,
        actor=officer,
        changes={"nature": Nature.SERIOUS_HARM, "harm_categories": [HarmCategory.NEGLECT]},
    )
    assert _continue_href(client, incident) == step("circumstances")
    services.incident_update(
        incident=incident, actor=officer, changes={"circumstances": "Admitted to hospital."}
    )
    assert _continue_href(client, incident) == reverse("notifications:children", args=[incident.pk])
    full = make_incident()
    assert _continue_href(client, full) == reverse("notifications:check", args=[full.pk])


def test_where_the_child_lived_is_not_answered_before_its_question_is(
    client, people, make_incident
):
    incident = make_incident(complete=False)
    sign_in(client, people["officer"])
    html = client.get(reverse("notifications:check", args=[incident.pk])).content.decode()
    row = html.split(">Child lived in<", 1)[1].split("</div>", 1)[0]
    assert "This local authority" not in row
    assert "Not recorded" in row
    answered = make_incident()
    html = client.get(reverse("notifications:check", args=[answered.pk])).content.decode()
    row = html.split(">Child lived in<", 1)[1].split("</div>", 1)[0]
    assert "This local authority" in row
