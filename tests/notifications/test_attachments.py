"""Uploads: type by content, size limit, private storage, authorised and audited download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Attachment
from safeguarding.models import AuditEvent
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, incident, name, data, content_type="application/pdf"):
    return client.post(
        reverse("notifications:attachments", args=[incident.pk]),
        {
            "file": SimpleUploadedFile(name, data, content_type=content_type),
            "description": "Police summary",
        },
    )


def test_upload_and_download(client, people, make_incident, private_media):
    incident = make_incident()
    sign_in(client, people["officer"])
    response = upload(client, incident, "summary.pdf", PDF)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "summary.pdf"
    assert "summary" not in attachment.file.name  # stored under a random name
    assert (private_media / attachment.file.name).read_bytes() == PDF

    response = client.get(reverse("notifications:attachment", args=[incident.pk, attachment.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert (
        AuditEvent.objects.filter(
            action="download", object_type="notifications.attachment", actor=people["officer"]
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "must be a PDF, Word"),
        ("notes.pdf", b"just some text that claims to be a pdf", "must be a PDF, Word"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_type_is_checked_by_content_not_name(client, people, make_incident, name, data, message):
    incident = make_incident()
    sign_in(client, people["officer"])
    response = upload(client, incident, name, data)
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html and message in html
    assert not Attachment.objects.exists()


def test_png_renamed_to_pdf_is_stored_as_png(client, people, make_incident):
    incident = make_incident()
    sign_in(client, people["officer"])
    upload(client, incident, "photo.pdf", PNG)
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png" and attachment.file.name.endswith(".png")


def test_size_limit(client, people, make_incident, settings):
    settings.UPLOAD_MAX_BYTES = 100
    incident = make_incident()
    sign_in(client, people["officer"])
    html = upload(client, incident, "big.pdf", PDF + b"0" * 200).content.decode()
    assert "must be smaller than" in html
    assert not Attachment.objects.exists()


def test_other_partnerships_and_roles_cannot_download(client, people, make_incident):
    incident = make_incident()
    sign_in(client, people["officer"])
    upload(client, incident, "summary.pdf", PDF)
    attachment = Attachment.objects.get()
    url = reverse("notifications:attachment", args=[incident.pk, attachment.pk])
    for who, status in [
        ("other_officer", 404),
        ("other_manager", 404),
        ("agency", 403),
        ("reviewer", 403),
        ("regional", 403),
    ]:
        sign_in(client, people[who])
        assert client.get(url).status_code == status, who
    client.logout()
    assert client.get(url).status_code == 302
    # No public URL reaches the stored file.
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_remove(client, people, make_incident, private_media):
    incident = make_incident()
    sign_in(client, people["officer"])
    upload(client, incident, "summary.pdf", PDF)
    attachment = Attachment.objects.get()
    response = client.post(
        reverse("notifications:attachment-remove", args=[incident.pk, attachment.pk])
    )
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert AuditEvent.objects.filter(
        action="delete", object_type="notifications.attachment"
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_removed_file_is_deleted_from_storage(client, people, make_incident, private_media):
    incident = make_incident()
    sign_in(client, people["officer"])
    upload(client, incident, "summary.pdf", PDF)
    attachment = Attachment.objects.get()
    stored = private_media / attachment.file.name
    assert stored.exists()
    client.post(reverse("notifications:attachment-remove", args=[incident.pk, attachment.pk]))
    assert not stored.exists()


def _zip(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX_PARTS = {
    "[Content_Types].xml": (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "word/document.xml": b"<w:document/>",
}


def test_an_archive_named_as_a_word_file_is_refused(client, people, make_incident):
    """Every ZIP starts with the same bytes as a Word file: an archive of anything else
    (a program, say) is not a Word document."""
    incident = make_incident()
    sign_in(client, people["officer"])
    for name in ("plain.docx", "plain.zip"):
        html = upload(client, incident, name, _zip({"malware.exe": b"MZ" + b"\0" * 64})).content
        assert "must be a PDF, Word" in html.decode()
    assert not Attachment.objects.exists()
    response = upload(client, incident, "summary.docx", _zip(DOCX_PARTS))
    assert response.status_code == 302
    assert Attachment.objects.get().file.name.endswith(".docx")


def test_a_very_long_file_name_keeps_its_extension(client, people, make_incident):
    incident = make_incident()
    sign_in(client, people["officer"])
    upload(client, incident, "a" * 500 + ".pdf", PDF)
    name = Attachment.objects.get().original_name
    assert len(name) == 150 and name.endswith(".pdf")


def test_the_trail_names_a_document_by_number_never_by_its_file_name(client, people, make_incident):
    """A file's name often names the child ("Jayden Cole GP letter.pdf"), and the audit
    trail cannot be erased."""
    incident = make_incident()
    sign_in(client, people["officer"])
    upload(client, incident, "Jayden Cole GP letter.pdf", PDF)
    attachment = Attachment.objects.get()
    client.get(reverse("notifications:attachment", args=[incident.pk, attachment.pk]))
    client.post(reverse("notifications:attachment-remove", args=[incident.pk, attachment.pk]))
    events = AuditEvent.objects.filter(object_type="notifications.attachment")
    assert events.count() == 3
    for event in events:
        assert event.object_repr == f"{incident.reference} document {attachment.pk}"
        assert "Jayden" not in str(event.changes)


def test_a_document_lost_from_storage_is_not_audited_as_downloaded(
    client, people, make_incident, private_media
):
    incident = make_incident()
    sign_in(client, people["officer"])
    upload(client, incident, "summary.pdf", PDF)
    attachment = Attachment.objects.get()
    (private_media / attachment.file.name).unlink()
    client.raise_request_exception = False
    response = client.get(reverse("notifications:attachment", args=[incident.pk, attachment.pk]))
    assert response.status_code == 500
    assert not AuditEvent.objects.filter(
        action="download", object_type="notifications.attachment"
    ).exists()


ODT_TYPE = "application/vnd.oasis.opendocument.text"


def _odt(mimetype: bytes = ODT_TYPE.encode(), *, compressed: bool = False) -> bytes:
    """An OpenDocument text as LibreOffice writes one: its "mimetype" entry first."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "mimetype",
            mimetype,
            compress_type=zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", b'<?xml version="1.0"?><office:document-content/>')
        archive.writestr("META-INF/manifest.xml", b"<manifest:manifest/>")
    return out.getvalue()


def test_an_opendocument_text_is_taken_as_one(client, people, make_incident):
    """The upload pages offer OpenDocument text, but the sniffer names every ZIP a Word
    file, so an .odt was refused (it has none of Word's parts)."""
    incident = make_incident()
    sign_in(client, people["officer"])
    response = upload(client, incident, "minutes.odt", _odt())
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == ODT_TYPE
    assert attachment.file.name.endswith(".odt")
    # With the parts but not the type's name, it is not an OpenDocument text.
    response = upload(client, incident, "other.odt", _odt(b"application/x-anything"))
    assert "must be a PDF, Word" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_a_small_upload_cannot_make_the_server_unpack_a_huge_file():
    """A "zip bomb": 10 MB of ZIP can unpack to 10 GB. Telling an OpenDocument text from
    other ZIPs reads its "mimetype" entry: an entry that is not the few bytes of a type's
    name is not unpacked, whatever its size is said to be."""
    import tracemalloc

    from django.core.exceptions import ValidationError

    from safeguarding.uploads import check_upload

    huge = b"\0" * (64 * 1024 * 1024)
    honest = _odt(huge, compressed=True)
    # The same, its central directory claiming the entry is 39 bytes long.
    claimed = len(ODT_TYPE).to_bytes(4, "little")
    record = honest.index(b"PK\x01\x02")
    lying = honest[: record + 24] + claimed + honest[record + 28 :]
    del huge
    for data in (honest, lying):
        assert len(data) < 1024 * 1024
        tracemalloc.start()
        try:
            with pytest.raises(ValidationError):
                check_upload(SimpleUploadedFile("minutes.odt", data))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 16 * 1024 * 1024, peak
