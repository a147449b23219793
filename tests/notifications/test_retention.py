import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Incident
from safeguarding.dates import short_date
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


def _not_notified(make_incident, people, *, days_ago: int):
    incident = make_incident(aware=timezone.localdate() - dt.timedelta(days=days_ago + 10))
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    services.incident_decide_not_to_notify(
        incident=incident,
        actor=people["manager"],
        rationale="r",
        agreed_by="all three",
        decided_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )
    return incident


def test_the_report_says_the_period_in_plain_words(client, people, make_incident, settings):
    old = _not_notified(make_incident, people, days_ago=800)
    sign_in(client, people["manager"])
    url = reverse("notifications:retention")
    settings.RETENTION_YEARS = 1
    html = client.get(url).content.decode()
    assert "Case records are kept for 1 year after the case closes." in html
    assert "1 years" not in html and "RETENTION_YEARS" not in html and "setting" not in html
    delete = client.get(reverse("notifications:case-delete", args=[old.pk])).content.decode()
    assert "its retention period of 1 year has passed" in delete and "1 years" not in delete
    settings.RETENTION_YEARS = 2
    assert "Case records are kept for 2 years after" in client.get(url).content.decode()


def test_the_report_runs_a_fixed_number_of_queries(
    client, people, partnership, make_incident, settings, django_assert_max_num_queries
):
    """However many cases are listed or left out: whether each is closed, and when, is
    worked out in the one query of the page."""
    from tests.rapid_reviews.conftest import notify

    settings.RETENTION_YEARS = 1
    cases = [_not_notified(make_incident, people, days_ago=800 + n) for n in range(6)]
    # Notified long ago, its rapid review still open: live, not listed.
    live = notify(partnership, people["officer"], sent_working_days_ago=600).incident
    sign_in(client, people["manager"])
    url = reverse("notifications:retention")
    client.get(url)
    # Session, user, second factor, roles; due for a decision: count, the page; kept
    # (none here): count (tests/notifications/test_retention_keep.py has kept cases).
    with django_assert_max_num_queries(7):
        html = client.get(url).content.decode()
    for n, incident in enumerate(cases):
        assert incident.reference in html
        closed = timezone.localdate() - dt.timedelta(days=800 + n)
        assert f"{short_date(closed)}</td>" in html
    assert live.reference not in html
