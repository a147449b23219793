"""A document chosen on the incident's Documents page refused for its description is held
(safeguarding/held_uploads.py): the page names it and uploading again saves it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Attachment
from safeguarding.models import HeldUpload
from tests.utils import assert_errors_reported, sign_in

from .test_attachments import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_document_is_held_when_its_description_is_too_long_and_saved_next_time(
    client, people, make_incident, private_media, django_capture_on_commit_callbacks
):
    incident = make_incident()
    sign_in(client, people["officer"])
    url = reverse("notifications:attachments", args=[incident.pk])
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("police-summary.pdf", PDF, content_type="application/pdf"),
            "description": "x" * 201,
        },
    )
    assert_errors_reported(
        response,
        {"description": ("id_description", "The description must be 200 characters or fewer")},
    )
    page = response.content.decode()
    assert (
        "<strong>police-summary.pdf</strong> is uploaded. Choose a different file to replace it."
        in page
    )
    assert not Attachment.objects.exists()
    token = re.search(r'name="held_files" value="([^"]*)"', page)[1]

    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(url, {"description": "Police summary", "held_files": token})
    assert saved.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "police-summary.pdf"
    assert attachment.description == "Police summary"
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    assert not HeldUpload.objects.exists()
    assert not any((private_media / "held").iterdir())
