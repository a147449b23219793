"""The subject access export: complete, manager-only, audited with its reason."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from safeguarding.models import AuditEvent
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(make_incident, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    incident = make_incident(children=2)
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    return services.incident_record_notification(
        incident=incident,
        actor=people["officer"],
        notified_at=timezone.now(),
        dfe_reference="SIN-42",
    )


def test_manager_exports_everything_held(client, people, notified):
    sign_in(client, people["manager"])
    url = reverse("notifications:export", args=[notified.pk])
    assert "Enter why you are exporting this case" in client.post(url, {}).content.decode()
    response = client.post(url, {"reason": "SAR-2026-031"})
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"README.txt", "records.json", "clocks.json", "audit.json", "manifest.json"} <= names
    records = json.loads(archive.read("records.json"))
    models = {r["model"] for r in records}
    assert {
        "notifications.incident",
        "notifications.child",
        "notifications.statuschange",
        "rapid_reviews.rapidreview",
    } <= models
    pseudonyms = {r["fields"]["pseudonym"] for r in records if r["model"] == "notifications.child"}
    assert pseudonyms == {"Child A", "Child B"}
    clocks = {
        r["fields"]["kind"]
        for r in json.loads(archive.read("clocks.json"))
        if r["model"] == "safeguarding.deadline"
    }
    assert {"notification", "rapid_review"} <= clocks
    assert any(n.startswith("files/") and n.endswith(".pdf") for n in names)
    event = AuditEvent.objects.get(action="export", object_id=str(notified.pk))
    assert event.changes["reason"] == "SAR-2026-031"


def test_an_export_that_fails_is_not_audited_as_made(client, people, notified, monkeypatch):
    """The export's audit event (with its reason) was written before the ZIP was made: an
    export that failed (a server error, nothing downloaded) stayed in the trail as made."""
    from notifications import case_export

    def fails(incident, *, actor):
        raise OSError("a stored file could not be read")

    monkeypatch.setattr(case_export, "case_export_zip", fails)
    sign_in(client, people["manager"])
    client.raise_request_exception = False
    url = reverse("notifications:export", args=[notified.pk])
    assert client.post(url, {"reason": "SAR-2026-031"}).status_code == 500
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    "who, status", [("officer", 403), ("other_manager", 404), ("agency", 403), ("regional", 403)]
)
def test_only_the_partnerships_manager_can_export(client, people, notified, who, status):
    sign_in(client, people[who])
    response = client.post(reverse("notifications:export", args=[notified.pk]), {"reason": "x"})
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="export").exists()
