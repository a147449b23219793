"""The subject access export: complete, manager-only, audited with its reason."""

import io
import json
import re
import zipfile

import pytest
from django.conf import settings
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
    assert "start with records.txt" in client.get(url).content.decode()
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


def _readme_entries(archive) -> set[str]:
    """The names README.txt describes: each line that starts with a file or folder name."""
    readme = archive.read("README.txt").decode()
    return {m.group(1) for m in re.finditer(r"^(\S+\.(?:txt|json)|files/)\s{2,}", readme, re.M)}


def _top_level(archive) -> set[str]:
    return {n.split("/", 1)[0] + "/" if "/" in n else n for n in archive.namelist()}


def test_the_export_reads_in_words_and_its_readme_lists_what_is_in_it(client, people, notified):
    """A data protection officer reads records.txt: fields by their names, coded values
    by their labels, people by name; the JSON stays for a computer, with its codes."""
    sign_in(client, people["manager"])
    response = client.post(
        reverse("notifications:export", args=[notified.pk]), {"reason": "SAR-2026-031"}
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    text = archive.read("records.txt").decode()
    assert f"Incident: {notified.reference}" in text
    assert "Nature: Serious harm" in text
    assert "Harm categories: Neglect" in text
    assert "Status: Notified" in text
    assert "Summary of circumstances: Baby admitted with injuries." in text
    assert f"Created by: {people['officer'].full_name}" in text
    assert "Date the local authority became aware: " in text
    assert "serious_harm" not in text
    assert "Pseudonym: Child A" in text
    # The clocks and the audit trail, in words too.
    assert "Clocks and changes to them" in text
    assert "Exported  Incident " + notified.reference in text
    assert "    Reason: SAR-2026-031" in text
    # The JSON is still Django's, with the stored codes.
    records = json.loads(archive.read("records.json"))
    incident = next(r for r in records if r["model"] == "notifications.incident")
    assert incident["fields"]["nature"] == "serious_harm"
    # README.txt lists exactly what the ZIP holds.
    assert _readme_entries(archive) == _top_level(archive)
    assert "files/" in _top_level(archive)
    assert "(1 file)" in archive.read("README.txt").decode()


def test_a_case_with_no_stored_files_has_no_files_folder_and_says_so(
    client, people, make_incident, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    draft = make_incident()
    sign_in(client, people["manager"])
    response = client.post(reverse("notifications:export", args=[draft.pk]), {"reason": "SAR-1"})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "files/" not in _top_level(archive)
    assert _readme_entries(archive) == _top_level(archive)
    assert "There is no files/ folder" in archive.read("README.txt").decode()
    assert "Nature: Serious harm" in archive.read("records.txt").decode()


def test_records_txt_names_unnamed_fields_in_words_not_by_their_field_names(
    client, people, notified
):
    """A field with no verbose name was labelled by its field name: "Dfe reference",
    "Subject id" (an id of what?). The export names those in words."""
    sign_in(client, people["manager"])
    response = client.post(reverse("notifications:export", args=[notified.pk]), {"reason": "S"})
    text = zipfile.ZipFile(io.BytesIO(response.content)).read("records.txt").decode()
    assert "\nDfE reference: SIN-42\n" in text
    assert f"\nNotification PDF: files/{notified.reference}-notification.pdf\n" in text
    assert "\nNumber of the record the clock is for: " in text
    assert "\nType of record the clock is for: Rapid review\n" in text
    assert "\nAge in years: " in text
    assert "\nLocal learning: " in text
    for raw in ("Dfe reference", "Notification pdf", "Subject id", "Subject type", "Url"):
        assert f"\n{raw}:" not in text and f"    {raw}:" not in text, raw


def test_the_exports_labels_name_real_fields_that_have_no_name_of_their_own():
    from django.apps import apps
    from django.utils.text import capfirst

    from notifications.case_export import LABELS

    for (model, name), label in LABELS.items():
        field = apps.get_model(model)._meta.get_field(name)
        assert str(field.verbose_name) == name.replace("_", " "), (model, name)
        assert label != capfirst(name.replace("_", " ")), (model, name)


def test_records_txt_gives_each_file_by_its_path_in_the_zip_and_a_page_by_its_address(
    client, people, notified
):
    """A stored file was named by its storage name ("notifications/…/x.pdf") while the
    ZIP holds it under files/, and a clock's page by a bare path ("/rapid-reviews/9/"):
    records.txt now gives what the reader can open."""
    sign_in(client, people["manager"])
    response = client.post(reverse("notifications:export", args=[notified.pk]), {"reason": "S"})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    text = archive.read("records.txt").decode()
    paths = re.findall(r"^Notification PDF: (\S+)$", text, flags=re.MULTILINE)
    assert paths and all(path in archive.namelist() for path in paths), paths
    pages = re.findall(r"^Page in the service: (.+)$", text, flags=re.MULTILINE)
    assert pages and all(page.startswith(f"{settings.SITE_URL}/") for page in pages), pages
    assert "each named in records.txt by its path here" in archive.read("README.txt").decode()


WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_files_are_named_as_uploaded_safely_and_once_each(client, people, notified):
    """The ZIP named each file by its storage name ("files/incidents/3/9f2c….pdf"), which
    says nothing of what it is. Each is now named as it was uploaded (a document the
    service made, as its download is named), made safe to unpack on any computer (no
    folders, no characters Windows refuses, no device names), and unique: a second
    "summary.pdf" is "summary (2).pdf". records.txt names each by the same path."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from notifications.models import Attachment
    from notifications.services import attachment_add

    uploaded = [
        "summary.pdf",
        "summary.pdf",
        "SUMMARY.pdf",  # the same name to Windows and macOS
        "summary (2).pdf",  # already taken by the second one's new name
        "..\\..\\Windows\\evil:what?.pdf",
        "../../etc/passwd.pdf",
        "CON.pdf",
        "GP letter",  # no ending: given the one of its type, as its download is
        "tab\there. ",
    ]
    for i, name in enumerate(uploaded):
        attachment_add(
            incident=notified,
            actor=people["officer"],
            upload=SimpleUploadedFile(name, PDF + str(i).encode(), "application/pdf"),
        )
    sign_in(client, people["manager"])
    response = client.post(reverse("notifications:export", args=[notified.pk]), {"reason": "S"})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = [n for n in archive.namelist() if n.startswith("files/")]
    names = [n.removeprefix("files/") for n in files]
    assert len(files) == len(uploaded) + 1  # and the notification PDF
    for name in names:
        assert not WINDOWS_FORBIDDEN & set(name), name  # "/" and "\\" too: no folders
        assert not name.startswith(".") and not name.endswith((".", " ")), name
        assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}, name
    assert len({n.casefold() for n in names}) == len(names)
    by_content = {archive.read(n): n.removeprefix("files/") for n in files}
    given = [by_content[PDF + str(i).encode()] for i in range(len(uploaded))]
    assert given == [
        "summary.pdf",
        "summary (2).pdf",
        "SUMMARY (3).pdf",
        "summary (2) (2).pdf",
        "_.._Windows_evil_what_.pdf",
        "passwd.pdf",
        "_CON.pdf",
        "GP letter.pdf",
        "tab_here. .pdf",
    ]
    assert f"files/{notified.reference}-notification.pdf" in files
    # records.txt gives every file by its path in the ZIP.
    text = archive.read("records.txt").decode()
    shown = re.findall(r"^File: (.+)$", text, flags=re.MULTILINE)
    assert sorted(shown) == sorted(f"files/{n}" for n in given)
    assert f"\nNotification PDF: files/{notified.reference}-notification.pdf\n" in text
    # Nothing of the stored names is left in the reader's text.
    for stored in Attachment.objects.values_list("file", flat=True):
        assert stored not in text


@pytest.mark.parametrize(
    "given, safe",
    [
        ("report.pdf", "report.pdf"),
        ("..", "file"),
        (".", "file"),
        ("", "file"),
        (" . ", "file"),
        ("../x", "_x"),
        (".hidden.pdf", "hidden.pdf"),
        ("a/b\\c.pdf", "a_b_c.pdf"),
        ("nul", "_nul"),
        ("COM1.notes.docx", "_COM1.notes.docx"),
        ("Console.pdf", "Console.pdf"),
        ("e\u0301te\u0301.pdf", "\u00e9t\u00e9.pdf"),  # one way of writing each letter
        ("x" * 200 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_a_name_in_the_zip_is_safe_on_any_computer(given, safe):
    from safeguarding.uploads import safe_file_name

    assert safe_file_name(given) == safe


def test_every_stored_file_of_a_case_has_a_name_chosen_for_it():
    """A new file field gets a name in the export on purpose: the name it was uploaded
    with (`<field>_name`), or a name like its download's (`MADE_FILE_NAMES`)."""
    from django.apps import apps
    from django.db import models

    from notifications.case_export import MADE_FILE_NAMES

    for model in apps.get_models():
        if model._meta.app_label not in {"notifications", "rapid_reviews", "lcspr"}:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            names = {f.name for f in model._meta.concrete_fields}
            uploaded = f"{field.name}_name" in names or (
                field.name == "file" and "original_name" in names
            )
            assert uploaded or (model._meta.label_lower, field.name) in MADE_FILE_NAMES, (
                model,
                field.name,
            )


def test_a_file_missing_from_storage_is_listed_by_both_its_names(client, people, notified):
    stored = notified.notification_pdf.name
    notified.notification_pdf.storage.delete(stored)
    sign_in(client, people["manager"])
    response = client.post(reverse("notifications:export", args=[notified.pk]), {"reason": "S"})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert not [n for n in archive.namelist() if n.startswith("files/")]
    readme = archive.read("README.txt").decode()
    assert f"  {notified.reference}-notification.pdf (stored as {stored})\n" in readme
    text = archive.read("records.txt").decode()
    assert f"Notification PDF: {stored} (not found in storage, so not in this export)" in text


def test_a_search_by_name_is_in_each_case_it_showed_naming_only_that_case(
    client, people, make_incident, settings, tmp_path
):
    """A search by the child's name names its cases only in its `references`: each case's
    export holds the search (who looked the child up), and names no other case in it."""
    settings.MEDIA_ROOT = tmp_path
    first, second = make_incident(), make_incident()
    sign_in(client, people["officer"])
    response = client.post(reverse("notifications:find-by-name"), {"name": "Child Name 0"})
    assert {c.incident.reference for c in response.context["found"]} == {
        first.reference,
        second.reference,
    }
    sign_in(client, people["manager"])
    for case, other in ((first, second), (second, first)):
        response = client.post(reverse("notifications:export", args=[case.pk]), {"reason": "SAR"})
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        searches = [
            event
            for event in json.loads(archive.read("audit.json"))
            if event["fields"]["changes"].get("page") == "find a case by the child’s name"
        ]
        assert len(searches) == 1
        assert searches[0]["fields"]["changes"]["references"] == [case.reference]
        assert searches[0]["fields"]["actor"] == people["officer"].pk
        for name in archive.namelist():
            if not name.startswith("files/"):
                assert other.reference not in archive.read(name).decode(), name
        text = archive.read("records.txt").decode()
        assert "Find a case by the child’s name" in text
        assert case.reference in text
    # The trail itself keeps the search as it was.
    stored = AuditEvent.objects.get(changes__page="find a case by the child’s name")
    assert sorted(stored.changes["references"]) == sorted([first.reference, second.reference])


def test_records_txt_words_a_blank_answer_as_the_case_page_does(
    client, people, make_incident, settings, tmp_path
):
    """A demo walk found "Local authority where the child lived, if another: not recorded"
    where the page says "This local authority", and "not recorded" for the other children
    in the household where it says "None recorded". The export and the page read one
    wording (`Incident.BLANK_MEANS`)."""
    from notifications.models import Incident

    settings.MEDIA_ROOT = tmp_path
    draft = make_incident()
    Incident.objects.filter(pk=draft.pk).update(
        other_local_authority="",
        other_children_in_household="",
        harm_categories=[],
        parallel_processes=[],
        incident_place="",
    )
    sign_in(client, people["manager"])
    page = client.get(draft.get_absolute_url()).content.decode()
    response = client.post(reverse("notifications:export", args=[draft.pk]), {"reason": "SAR-1"})
    text = zipfile.ZipFile(io.BytesIO(response.content)).read("records.txt").decode()
    for label, blank in (
        ("Local authority where the child lived, if another", "This local authority"),
        ("Other children in household", "None recorded"),
        ("Harm categories", "None recorded"),
        ("Parallel processes", "None recorded"),
    ):
        assert f"\n{label}: {blank}\n" in text, label
        assert f">{blank}</dd>" in page, blank
    assert "\nWhere the incident happened: not recorded\n" in text  # any other blank


def test_records_txt_and_the_page_say_not_recorded_for_a_step_not_answered_yet(
    client, people, make_incident, settings, tmp_path
):
    """A draft whose circumstances step is not answered yet: its blanks are not what
    they mean once answered ("This local authority"), on the page and in the export
    alike."""
    from notifications.models import Incident

    settings.MEDIA_ROOT = tmp_path
    draft = make_incident()
    Incident.objects.filter(pk=draft.pk).update(
        other_local_authority="", other_children_in_household="", circumstances=""
    )
    sign_in(client, people["manager"])
    page = client.get(draft.get_absolute_url()).content.decode()
    response = client.post(reverse("notifications:export", args=[draft.pk]), {"reason": "SAR-1"})
    text = zipfile.ZipFile(io.BytesIO(response.content)).read("records.txt").decode()
    for label in (
        "Local authority where the child lived, if another",
        "Other children in household",
    ):
        assert f"\n{label}: Not recorded\n" in text, label
    assert ">This local authority</dd>" not in page
    assert ": This local authority\n" not in text
    assert page.count(">Not recorded</dd>") >= 2
    assert 'A blank field reads "not recorded", or as the case page words it' in text


def test_records_txt_says_not_recorded_for_the_erased_answers_of_a_case_entered_in_error(
    client, people, make_incident, settings, tmp_path
):
    """Its answers were erased on purpose: "This local authority" or "None recorded"
    would state what nobody knows any more."""
    from notifications import services
    from notifications.models import Incident

    settings.MEDIA_ROOT = tmp_path
    incident = make_incident()
    services.incident_enter_in_error(
        incident=Incident.objects.get(pk=incident.pk),
        actor=people["manager"],
        reason="Logged against the wrong partnership.",
    )
    sign_in(client, people["manager"])
    response = client.post(reverse("notifications:export", args=[incident.pk]), {"reason": "S"})
    text = zipfile.ZipFile(io.BytesIO(response.content)).read("records.txt").decode()
    assert "\nLocal authority where the child lived, if another: not recorded\n" in text
    assert "\nOther children in household: not recorded\n" in text
