"""A partnership keeps a case past its retention period: why, and a date to look at it
again (ADR 0014, addendum of 2026-12-07)."""

import datetime as dt
import json
import zipfile
from io import BytesIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Incident, RetentionHold
from safeguarding.models import AuditEvent
from tests.utils import sign_in

from .test_retention import _not_notified

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_date(monkeypatch):
    """One date for the whole test, for the test and the pages and services it calls: a
    run across midnight would otherwise compare dates a day apart and flip a result."""
    day, real = timezone.localdate(), timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: real(value, tz) if value else day
    )


def TODAY() -> dt.date:  # noqa: N802 - reads as the constant it is within a test
    return timezone.localdate()


def test_the_date_stays_one_date_when_midnight_passes(monkeypatch):
    day = TODAY()
    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert TODAY() == timezone.localdate() == day


def _date(day: dt.date) -> dict:
    return {"review_on_0": day.day, "review_on_1": day.month, "review_on_2": day.year}


@pytest.fixture
def old(make_incident, people, settings):
    settings.RETENTION_YEARS = 1
    return _not_notified(make_incident, people, days_ago=800)


def _keep(incident, people, *, days=365, reason="Inquest not yet held"):
    return services.case_keep(
        incident=incident,
        actor=people["manager"],
        reason=reason,
        review_on=TODAY() + dt.timedelta(days=days),
    )


# --- the service ------------------------------------------------------------------------


def test_a_manager_keeps_a_case_past_retention_with_an_audit_event(old, people):
    hold = _keep(old, people)
    assert hold.decided_by == people["manager"] and hold.ended_at is None
    event = AuditEvent.objects.get(object_id=str(old.pk), changes__has_key="review_on")
    assert event.action == "update"
    assert event.changes["reason"] == "Inquest not yet held"
    assert event.changes["review_on"] == hold.review_on.isoformat()
    # In force: deletion is refused, in words.
    with pytest.raises(services.TransitionError, match="to keep it until"):
        services.case_delete(incident=old, actor=people["manager"], reason="r")
    assert Incident.objects.filter(pk=old.pk).exists()


def test_only_a_manager_keeps_and_only_a_case_past_retention(old, people, make_incident):
    for who in ("officer", "agency", "reviewer", "other_manager"):
        with pytest.raises(PermissionDenied):
            services.case_keep(
                incident=old, actor=people[who], reason="r", review_on=TODAY() + dt.timedelta(1)
            )
    recent = _not_notified(make_incident, people, days_ago=30)
    with pytest.raises(services.TransitionError, match="not past its retention period"):
        _keep(recent, people)
    with pytest.raises(services.TransitionError, match="not closed|is ‘Draft’"):
        _keep(make_incident(aware=TODAY() - dt.timedelta(days=900)), people)
    assert not RetentionHold.objects.exists()
    assert not AuditEvent.objects.filter(changes__has_key="review_on").exists()


@pytest.mark.parametrize(
    "review_on, message",
    [
        (lambda today: today, "must be in the future"),
        (lambda today: today - dt.timedelta(days=1), "must be in the future"),
        (lambda today: today + relativedelta(years=6, days=1), "no more than 6 years"),
    ],
)
def test_the_date_to_look_again_is_in_the_future_and_at_most_6_years_ahead(
    old, people, review_on, message
):
    with pytest.raises(ValidationError, match=message):
        services.case_keep(
            incident=old, actor=people["manager"], reason="r", review_on=review_on(TODAY())
        )
    with pytest.raises(ValidationError, match="Enter why the case is being kept"):
        services.case_keep(
            incident=old, actor=people["manager"], reason="  ", review_on=TODAY() + dt.timedelta(1)
        )
    assert not RetentionHold.objects.exists()
    # 6 years to the day is allowed.
    _keep(old, people, days=(TODAY() + relativedelta(years=6) - TODAY()).days)


def test_one_open_decision_per_case_is_enforced_by_the_database(old, people):
    hold = _keep(old, people)
    with pytest.raises(services.TransitionError, match="already kept"):
        _keep(old, people)
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionHold.objects.create(
            incident=old, reason="x", review_on=hold.review_on, decided_by=people["manager"]
        )


def test_a_failed_audit_leaves_nothing_half_saved(old, people, monkeypatch):
    import notifications.services.retention as retention

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(retention, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _keep(old, people)
    assert not RetentionHold.objects.exists()


def test_on_the_date_to_look_again_the_case_is_due_again_and_a_new_decision_replaces_it(
    old, people, client
):
    hold = _keep(old, people, days=10)
    RetentionHold.objects.filter(pk=hold.pk).update(review_on=TODAY())  # the date came
    sign_in(client, people["manager"])
    html = client.get(reverse("notifications:retention")).content.decode()
    due, kept = html.split(">Kept</h2>")
    assert reverse("notifications:case-delete", args=[old.pk]) in due
    assert "Inquest not yet held" in due and "Kept until" in due  # the earlier decision
    assert old.reference not in kept
    new = _keep(old, people, reason="Civil claim")
    hold.refresh_from_db()
    assert hold.ended_at is not None and hold.ended_by == people["manager"]
    assert list(RetentionHold.objects.open()) == [new]


def test_stop_keeping_is_audited_and_the_case_is_due_again(old, people):
    hold = _keep(old, people)
    with pytest.raises(PermissionDenied):
        services.case_keep_stop(incident=old, actor=people["officer"], reason="r")
    with pytest.raises(ValidationError):
        services.case_keep_stop(incident=old, actor=people["manager"], reason="")
    services.case_keep_stop(incident=old, actor=people["manager"], reason="Inquest ended")
    hold.refresh_from_db()
    assert hold.ended_at and hold.end_reason == "Inquest ended"
    assert AuditEvent.objects.filter(changes__reason="Inquest ended").exists()
    with pytest.raises(services.TransitionError, match="not being kept"):
        services.case_keep_stop(incident=old, actor=people["manager"], reason="again")
    services.case_delete(incident=old, actor=people["manager"], reason="DPO agreed")
    assert not RetentionHold.objects.exists()  # went with the case


# --- the pages ----------------------------------------------------------------------------


def test_the_keep_page_shows_errors_in_the_summary_and_saves_nothing(old, people, client):
    sign_in(client, people["manager"])
    url = reverse("notifications:case-keep", args=[old.pk])
    report = client.get(reverse("notifications:retention")).content.decode()
    assert url in report
    html = client.post(url, {"reason": "", **_date(TODAY())}).content.decode()
    assert "govuk-error-summary" in html
    assert "Enter why the case is being kept" in html
    assert "The date to look at the case again must be in the future" in html
    html = client.post(
        url, {"reason": "x", "review_on_0": "", "review_on_1": "", "review_on_2": ""}
    )
    assert "Enter the date to look at the case again" in html.content.decode()
    far = TODAY() + relativedelta(years=7)
    assert (
        "no more than 6 years" in client.post(url, {"reason": "x", **_date(far)}).content.decode()
    )
    assert not RetentionHold.objects.exists()
    assert not AuditEvent.objects.filter(changes__has_key="review_on").exists()

    day = TODAY() + dt.timedelta(days=400)
    response = client.post(url, {"reason": "Police asked", **_date(day)}, follow=True)
    html = response.content.decode()
    assert f"{old.reference} is kept" in html
    due, kept = html.split(">Kept</h2>")
    assert old.reference not in due.split("Due for a decision")[1]
    assert "Police asked" in kept and people["manager"].full_name in kept
    assert reverse("notifications:case-keep-stop", args=[old.pk]) in kept
    assert reverse("notifications:case-delete", args=[old.pk]) not in html
    # The delete page says why, not 500 and not the form.
    page = client.get(reverse("notifications:case-delete", args=[old.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "decided to keep this case" in text and "Police asked" in text
    assert 'name="reason"' not in text
    assert (
        client.post(
            reverse("notifications:case-delete", args=[old.pk]), {"reason": "r"}
        ).status_code
        == 200
    )
    assert Incident.objects.filter(pk=old.pk).exists()
    # The keep page of a kept case says so.
    assert "already being kept" in client.get(url).content.decode()

    stop = reverse("notifications:case-keep-stop", args=[old.pk])
    assert (
        "Enter why the case is no longer being kept"
        in client.post(stop, {"reason": ""}).content.decode()
    )
    assert RetentionHold.objects.open().count() == 1
    response = client.post(stop, {"reason": "Police no longer need it"}, follow=True)
    assert f"{old.reference} is no longer kept" in response.content.decode()
    assert not RetentionHold.objects.open().exists()


def test_other_roles_and_partnerships_get_no_link_and_no_page(old, people, client):
    _keep(old, people)
    keep = reverse("notifications:case-keep", args=[old.pk])
    stop = reverse("notifications:case-keep-stop", args=[old.pk])
    sign_in(client, people["other_manager"])
    assert old.reference not in client.get(reverse("notifications:retention")).content.decode()
    assert client.get(keep).status_code == 404
    assert client.post(stop, {"reason": "x"}).status_code == 404
    sign_in(client, people["officer"])
    assert client.get(reverse("notifications:retention")).status_code == 403
    assert client.get(keep).status_code == 403
    assert client.post(stop, {"reason": "x"}).status_code == 403
    assert RetentionHold.objects.open().count() == 1


def test_the_report_runs_a_fixed_number_of_queries_with_kept_cases(
    old, people, make_incident, client, django_assert_max_num_queries
):
    cases = [_not_notified(make_incident, people, days_ago=810 + n) for n in range(6)]
    for incident in cases[:3]:
        _keep(incident, people)
    for incident in cases[3:5]:  # kept until a date that has come: due again
        hold = _keep(incident, people, reason=f"Earlier {incident.reference}")
        RetentionHold.objects.filter(pk=hold.pk).update(review_on=TODAY())
    sign_in(client, people["manager"])
    url = reverse("notifications:retention")
    client.get(url)
    # Session, user, second factor, roles; due: count and page; kept: count and page.
    with django_assert_max_num_queries(8):
        html = client.get(url).content.decode()
    due, kept = html.split(">Kept</h2>")
    for incident in cases[:3]:
        assert incident.reference in kept and incident.reference not in due
    for incident in cases[3:]:
        assert incident.reference in due
    assert f"Earlier {cases[3].reference}" in due


def test_the_export_holds_the_decisions(old, people, client):
    _keep(old, people)
    services.case_keep_stop(incident=old, actor=people["manager"], reason="Claim settled")
    _keep(old, people, reason="Police asked")
    sign_in(client, people["manager"])
    response = client.post(reverse("notifications:export", args=[old.pk]), {"reason": "SAR-1"})
    archive = zipfile.ZipFile(BytesIO(response.content))
    records = json.loads(archive.read("records.json"))
    holds = [r for r in records if r["model"] == "notifications.retentionhold"]
    assert sorted(h["fields"]["reason"] for h in holds) == ["Inquest not yet held", "Police asked"]
    text = archive.read("records.txt").decode()
    assert "Decision to keep the case" in text
    assert "Date to look at it again" in text and "Why it was stopped" in text
    assert "Claim settled" in text


def test_every_kept_case_can_be_reached_past_the_first_50(old, people, make_incident, client):
    """The kept list has pages of its own (`kept_page`): the 51st kept case, and its
    "Stop keeping" link, are on its page 2, and the list due for a decision keeps its page."""
    cases = [old] + [_not_notified(make_incident, people, days_ago=801 + n) for n in range(50)]
    RetentionHold.objects.bulk_create(
        RetentionHold(
            incident=incident,
            reason=f"Reason {n}",
            review_on=TODAY() + dt.timedelta(days=100 + n),  # the 51st is looked at last
            decided_by=people["manager"],
        )
        for n, incident in enumerate(cases)
    )
    last = reverse("notifications:case-keep-stop", args=[cases[-1].pk])
    first = reverse("notifications:case-keep-stop", args=[cases[0].pk])
    sign_in(client, people["manager"])
    url = reverse("notifications:retention")
    html = client.get(url).content.decode()
    kept = html.split(">Kept</h2>")[1]
    assert first in kept and last not in kept
    assert "Records 1 to 50 of 51 kept records" in kept
    assert 'href="?kept_page=2"' in kept and "?page=2" not in html
    kept = client.get(url, {"kept_page": 2}).content.decode().split(">Kept</h2>")[1]
    assert last in kept and first not in kept
    assert "Records 51 to 51 of 51 kept records" in kept
    assert 'href="?kept_page=1"' in kept
