import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Incident
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def test_retention_report_lists_closed_cases_past_the_period(
    client, people, make_incident, settings
):
    settings.RETENTION_YEARS = 1
    old = make_incident(aware=timezone.localdate() - dt.timedelta(days=800))
    services.incident_submit_for_decision(incident=old, actor=people["officer"])
    services.incident_decide_not_to_notify(
        incident=old,
        actor=people["manager"],
        rationale="r",
        agreed_by="all three",
        decided_on=timezone.localdate() - dt.timedelta(days=790),
    )
    recent_open = make_incident()
    # An open case is never listed, however old it is.
    ancient_draft = make_incident(aware=timezone.localdate() - dt.timedelta(days=900))
    sign_in(client, people["manager"])
    html = client.get(reverse("notifications:retention")).content.decode()
    assert old.reference in html
    assert recent_open.reference not in html and ancient_draft.reference not in html
    sign_in(client, people["other_manager"])
    assert old.reference not in client.get(reverse("notifications:retention")).content.decode()
    sign_in(client, people["officer"])
    assert client.get(reverse("notifications:retention")).status_code == 403
    assert Incident.objects.count() == 3
    # A manager elsewhere who is only an officer here does not get this partnership's
    # cases in the managers' report.
    from safeguarding.models import Membership, Role

    Membership.objects.create(
        user=people["other_manager"], partnership=old.partnership, role=Role.REVIEW_OFFICER
    )
    sign_in(client, people["other_manager"])
    assert old.reference not in client.get(reverse("notifications:retention")).content.decode()
