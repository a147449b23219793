"""A whole case past its retention period is deleted by a manager: every record and file
of every stage, with its clocks; the public copy of its published review and the audit
trail stay."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lcspr.models import PublishedReview, Review
from notifications import services as incident_services
from notifications.models import Attachment, Child, Incident
from rapid_reviews.models import AgencyReturn, InformationRequest, RapidReview
from safeguarding.models import AuditEvent, Deadline
from tests.utils import sign_in

from .conftest import local_review, publish, report_pdf_bytes, to_notice_sent  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_case(local_review, people, agency, settings):  # noqa: F811
    """A case through all three stages, published ten days ago, every clock closed."""
    review = publish(
        to_notice_sent(local_review, people["officer"], notice_days_ago=30),
        people["officer"],
        published_on=dt.date.today() - dt.timedelta(days=10),
    )
    incident = review.rapid_review.incident
    request = InformationRequest.objects.create(
        rapid_review=review.rapid_review,
        agency=agency,
        due_date=dt.date.today(),
        status="returned",
        returned_on=dt.date.today(),
    )
    AgencyReturn.objects.create(information_request=request, involved=True, analysis="Seen.")
    incident_services.attachment_add(
        incident=incident,
        actor=people["officer"],
        upload=SimpleUploadedFile("police.pdf", report_pdf_bytes(), "application/pdf"),
    )
    Deadline.objects.filter(closed_on__isnull=True).update(
        closed_on=dt.date.today(), outcome=Deadline.Outcome.MET
    )
    return review


def _stored(review) -> list[Path]:
    from django.conf import settings

    media = Path(settings.MEDIA_ROOT)
    attachment = review.rapid_review.incident.attachments.get()
    return [
        media / review.report_file.name,
        media / review.briefing.pdf.name,
        media / attachment.file.name,
    ]


def test_a_manager_deletes_a_case_past_retention_with_all_it_held(
    client, closed_case, people, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_YEARS = 0
    incident = closed_case.rapid_review.incident
    files = _stored(closed_case)
    assert all(f.exists() for f in files)
    item = PublishedReview.objects.get(source_review_id=closed_case.pk)
    kinds = (Incident, Child, Attachment, RapidReview, InformationRequest, AgencyReturn, Review)
    held = {m.__name__: m.objects.count() for m in (*kinds, Deadline)}
    assert all(held.values()), held

    sign_in(client, people["manager"])
    report = client.get(reverse("notifications:retention")).content.decode()
    url = reverse("notifications:case-delete", args=[incident.pk])
    assert url in report
    refused = client.post(url, {"reason": ""})
    assert "Enter why the case is being deleted" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Retention review with the DPO"}, follow=True)
    assert f"{incident.reference} and everything it held are deleted" in (response.content.decode())

    for model in (Incident, Child, Attachment, RapidReview, InformationRequest, AgencyReturn):
        assert not model.objects.exists(), model
    assert not Review.objects.exists()
    assert not Deadline.objects.exists()
    assert not any(f.exists() for f in files)
    # The published learning stays public; the trail records the deletion, by count.
    assert PublishedReview.objects.filter(pk=item.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_repr__startswith=incident.reference)
    assert event.changes["reason"] == "Retention review with the DPO"
    assert event.changes["deleted"]["notifications.incident"] == 1
    assert event.changes["deleted"]["lcspr.review"] == 1


def test_only_a_manager_and_only_past_retention(client, closed_case, people, settings):
    incident = closed_case.rapid_review.incident
    settings.RETENTION_YEARS = 25
    with pytest.raises(incident_services.TransitionError, match="not past its retention"):
        incident_services.case_delete(incident=incident, actor=people["manager"], reason="r")
    settings.RETENTION_YEARS = 0
    for who in ("officer", "agency", "reviewer"):
        with pytest.raises(PermissionDenied):
            incident_services.case_delete(incident=incident, actor=people[who], reason="r")
    sign_in(client, people["other_manager"])
    url = reverse("notifications:case-delete", args=[incident.pk])
    assert client.post(url, {"reason": "r"}).status_code == 404
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_a_case_with_a_running_clock_is_not_deleted(local_review, people, settings):  # noqa: F811
    settings.RETENTION_YEARS = 0
    review = publish(to_notice_sent(local_review, people["officer"]), people["officer"])
    incident = review.rapid_review.incident
    if not Deadline.objects.filter(closed_on__isnull=True).exists():
        clock = Deadline.objects.filter(subject_type="lcspr.review").first()
        Deadline.objects.filter(pk=clock.pk).update(closed_on=None, outcome="")
    with pytest.raises(incident_services.TransitionError, match="still running"):
        incident_services.case_delete(incident=incident, actor=people["manager"], reason="r")
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_a_running_step_is_named_as_something_to_do(local_review, people, settings):  # noqa: F811
    settings.RETENTION_YEARS = 0
    review = publish(to_notice_sent(local_review, people["officer"]), people["officer"])
    clocks = Deadline.objects.filter(closed_on__isnull=True)
    clocks.update(closed_on=dt.date.today(), outcome=Deadline.Outcome.MET)
    step = Deadline.objects.get(subject_type="lcspr.review", key="family")
    Deadline.objects.filter(pk=step.pk).update(closed_on=None, outcome="")
    with pytest.raises(incident_services.TransitionError) as refused:
        incident_services.case_delete(
            incident=review.rapid_review.incident, actor=people["manager"], reason="r"
        )
    assert f"its clock ‘Involve the family: {review.reference}’ is still running" in str(
        refused.value
    )
