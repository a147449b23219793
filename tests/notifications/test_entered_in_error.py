"""An incident logged by mistake is marked as entered in error: its details are erased,
its reference and history kept, its clock stopped, and it leaves the lists and counts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Child, Incident, Status, StatusChange
from notifications.selectors import incident_counts_by_partnership
from safeguarding import reports
from safeguarding.models import AuditEvent, Deadline
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def with_document(incident, actor):
    return services.attachment_add(
        incident=incident,
        actor=actor,
        upload=SimpleUploadedFile("summary.pdf", PDF, content_type="application/pdf"),
        description="Police summary",
    )


def test_erases_the_details_and_keeps_the_reference_and_history(
    make_incident, people, private_media, django_capture_on_commit_callbacks
):
    officer = people["officer"]
    incident = make_incident(children=2)
    document = with_document(incident, officer)
    stored = private_media / document.file.name
    assert stored.exists()
    reference, aware, due = incident.reference, incident.awareness_date, incident.notification_due

    with django_capture_on_commit_callbacks(execute=True):
        services.incident_enter_in_error(
            incident=incident, actor=officer, reason="Duplicate of an earlier incident"
        )

    incident = Incident.objects.get(pk=incident.pk)
    assert incident.status == Status.ENTERED_IN_ERROR
    assert (incident.reference, incident.awareness_date, incident.notification_due) == (
        reference,
        aware,
        due,
    )
    assert incident.error_reason == "Duplicate of an earlier incident"
    assert incident.circumstances == "" and incident.incident_place == ""
    assert incident.notifier_name == "" and incident.incident_date is None
    assert incident.nature == "" and incident.harm_categories == []
    assert not Child.objects.filter(incident=incident).exists()
    assert not incident.attachments.exists()
    assert not stored.exists()

    clock = Deadline.objects.get(subject_id=incident.pk, kind=Deadline.Kind.NOTIFICATION)
    assert clock.outcome == Deadline.Outcome.CANCELLED and not clock.is_open

    change = StatusChange.objects.filter(incident=incident).latest("pk")
    assert (change.to_status, change.note) == (Status.ENTERED_IN_ERROR, incident.error_reason)
    event = AuditEvent.objects.filter(
        object_type="notifications.incident", object_id=str(incident.pk), action="status_change"
    ).latest("pk")
    assert event.changes["erased"] == {"children": 2, "documents": 1}
    assert event.changes["reason"] == "Duplicate of an earlier incident"
    # The trail counts what was erased; it never copies it.
    assert "Baby admitted" not in str(event.changes) and "Child Name" not in str(event.changes)


def test_a_reason_is_needed_and_nothing_changes_without_one(make_incident, people):
    incident = make_incident()
    with pytest.raises(ValidationError) as error:
        services.incident_enter_in_error(incident=incident, actor=people["officer"], reason=" ")
    assert error.value.message_dict == {"reason": ["Enter why the incident was entered in error"]}
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT and incident.children.count() == 1


def test_a_page_opened_before_a_colleagues_change_is_refused(make_incident, people):
    incident = make_incident()
    opened_at = incident.version
    services.incident_update(
        incident=incident, actor=people["manager"], changes={"circumstances": "More detail."}
    )
    with pytest.raises(services.ConcurrentEditError):
        services.incident_enter_in_error(
            incident=incident, actor=people["officer"], reason="dup", expected_version=opened_at
        )
    assert Incident.objects.get(pk=incident.pk).status == Status.DRAFT


@pytest.mark.parametrize("who", ["agency", "reviewer", "regional", "other_manager"])
def test_only_the_partnerships_business_unit_can(make_incident, people, who):
    incident = make_incident()
    with pytest.raises(PermissionDenied):
        services.incident_enter_in_error(incident=incident, actor=people[who], reason="dup")
    assert Incident.objects.get(pk=incident.pk).status == Status.DRAFT


def test_no_documents_can_be_added_afterwards(make_incident, people):
    incident = services.incident_enter_in_error(
        incident=make_incident(), actor=people["officer"], reason="dup"
    )
    with pytest.raises(ValidationError, match="entered in error"):
        with_document(incident, people["officer"])


def test_it_leaves_the_counts(make_incident, people, partnership):
    kept, mistaken = make_incident(), make_incident()
    services.incident_enter_in_error(incident=mistaken, actor=people["manager"], reason="dup")
    year = timezone.localdate().year
    assert (
        incident_counts_by_partnership([partnership.pk], year=year)[partnership.pk]["logged"] == 1
    )
    period = reports.Period.custom(kept.awareness_date - dt.timedelta(days=5), timezone.localdate())
    nature = next(b for b in reports.counts([partnership.pk], period) if b.key == "nature")
    assert nature.total == 1


# --- through the pages ----------------------------------------------------------------


def test_the_page_says_what_will_be_erased_and_needs_a_reason(client, people, make_incident):
    incident = make_incident(children=2)
    sign_in(client, people["officer"])
    url = reverse("notifications:enter-in-error", args=[incident.pk])
    page = client.get(url).content.decode()
    assert "This erases its details and its 2 children’s details, and stops" in page
    assert "govuk-button--warning" in page

    response = client.post(url, {"reason": "", "version": incident.version})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "Enter why the incident was entered in error" in page
    assert Incident.objects.get(pk=incident.pk).status == Status.DRAFT


def test_marked_from_the_page_it_leaves_the_list(client, people, make_incident):
    kept, mistaken = make_incident(), make_incident()
    sign_in(client, people["officer"])
    detail = client.get(reverse("notifications:detail", args=[mistaken.pk])).content.decode()
    assert reverse("notifications:enter-in-error", args=[mistaken.pk]) in detail

    response = client.post(
        reverse("notifications:enter-in-error", args=[mistaken.pk]),
        {"reason": "Logged twice by mistake", "version": mistaken.version},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("notifications:list")
    assert f"{mistaken.reference} is marked as entered in error" in page
    rows = page.split("<tbody", 1)[1]
    assert kept.reference in rows and mistaken.reference not in rows

    listed = client.get(reverse("notifications:list"), {"status": "entered_in_error"})
    rows = listed.content.decode().split("<tbody", 1)[1]
    assert mistaken.reference in rows and kept.reference not in rows

    detail = client.get(reverse("notifications:detail", args=[mistaken.pk])).content.decode()
    assert "This incident was entered in error." in detail
    assert "Logged twice by mistake" in detail
    assert "Baby admitted" not in detail
    assert reverse("notifications:enter-in-error", args=[mistaken.pk]) not in detail


def test_a_notified_incident_cannot_be(client, people, make_incident):
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    incident = services.incident_record_notification(
        incident=incident, actor=people["officer"], notified_at=timezone.now(), dfe_reference="R"
    )
    sign_in(client, people["officer"])
    url = reverse("notifications:enter-in-error", args=[incident.pk])
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == incident.get_absolute_url()
    assert "only an incident that has not been notified" in response.content.decode()
    response = client.post(url, {"reason": "dup", "version": incident.version})
    assert Incident.objects.get(pk=incident.pk).status == Status.NOTIFIED


@pytest.mark.parametrize("who, status", [("agency", 403), ("other_officer", 404)])
def test_others_cannot_reach_the_page(client, people, make_incident, who, status):
    incident = make_incident()
    sign_in(client, people[who])
    url = reverse("notifications:enter-in-error", args=[incident.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"reason": "dup", "version": incident.version}).status_code == status
    assert Incident.objects.get(pk=incident.pk).status == Status.DRAFT


def test_an_earlier_decisions_rationale_is_erased_too(make_incident, people):
    manager = people["manager"]
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    incident = services.incident_decide_not_to_notify(
        incident=incident,
        actor=manager,
        rationale="The injury was accidental, says the GP.",
        agreed_by="LA, police and ICB",
        decided_on=timezone.localdate(),
    )
    incident = services.incident_reconsider(incident=incident, actor=manager, note="New facts")
    services.incident_enter_in_error(incident=incident, actor=manager, reason="Duplicate")
    incident = Incident.objects.get(pk=incident.pk)
    assert (incident.decision_rationale, incident.decision_agreed_by) == ("", "")
    assert incident.decided_on is None
    notes = list(incident.status_changes.values_list("note", flat=True))
    assert "Duplicate" in notes
    assert not any("accidental" in n or "New facts" in n for n in notes)


def test_the_trail_names_changed_child_details_but_never_keeps_them(make_incident, people):
    from .conftest import child_values

    incident = make_incident(children=0)
    child = services.child_save(
        incident=incident,
        actor=people["officer"],
        values=child_values(health="Type 1 diabetes", disability="Cerebral palsy"),
    )
    services.incident_update(
        incident=incident,
        actor=people["officer"],
        changes={"circumstances": "Found by a neighbour at 4 Secret Lane."},
    )
    events = AuditEvent.objects.filter(partnership=incident.partnership)
    text = str(list(events.values_list("changes", flat=True)))
    for value in ("Type 1 diabetes", "Cerebral palsy", "2019-05-01", "Secret Lane"):
        assert value not in text
    created = events.get(object_type="notifications.child", object_id=str(child.pk))
    assert created.changes["health"] == "changed (not recorded)"
    assert created.changes["pseudonym"] == {"old": None, "new": "Child A"}


def test_a_reference_searched_for_is_found_even_if_entered_in_error(client, people, make_incident):
    incident = services.incident_enter_in_error(
        incident=make_incident(), actor=people["officer"], reason="Duplicate"
    )
    sign_in(client, people["officer"])
    page = client.get(reverse("notifications:list"), {"q": incident.reference})
    rows = page.content.decode().split("<tbody", 1)[1]
    assert incident.reference in rows and "Entered in error" in rows


def test_a_change_made_meanwhile_stops_the_erasure_with_a_clear_message(
    client, people, make_incident
):
    incident = make_incident()
    sign_in(client, people["officer"])
    opened = incident.version
    services.incident_update(
        incident=incident, actor=people["manager"], changes={"circumstances": "More."}
    )
    response = client.post(
        reverse("notifications:enter-in-error", args=[incident.pk]),
        {"reason": "Duplicate", "version": opened},
    )
    page = response.content.decode()
    assert "has been changed since you opened this page" in page
    assert "save again" not in page
    assert Incident.objects.get(pk=incident.pk).status == Status.DRAFT


def test_nothing_about_it_can_change_afterwards(make_incident, people):
    """Its dates set the clock that was closed: they stay as they were, like the rest."""
    officer = people["officer"]
    incident = services.incident_enter_in_error(
        incident=make_incident(), actor=officer, reason="Duplicate"
    )
    aware, due = incident.awareness_date, incident.notification_due
    attempts = [
        lambda: services.incident_change_awareness_date(
            incident=incident,
            actor=officer,
            awareness_date=aware - dt.timedelta(days=10),
            reason="typed wrong",
        ),
        lambda: services.incident_update(
            incident=incident, actor=officer, changes={"circumstances": "new"}
        ),
    ]
    for attempt in attempts:
        with pytest.raises(services.TransitionError, match="entered in error"):
            attempt()
    incident = Incident.objects.get(pk=incident.pk)
    assert (incident.awareness_date, incident.notification_due) == (aware, due)
    clock = Deadline.objects.get(subject_id=incident.pk, kind=Deadline.Kind.NOTIFICATION)
    assert clock.due_date == due and clock.outcome == Deadline.Outcome.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_a_document_added_while_it_is_being_marked_is_refused(make_incident, people):
    """A colleague's upload racing the marking: the upload waits for the incident's lock
    and then sees it entered in error, so no document outlives the erasure."""
    import threading

    from django.db import connection, transaction

    incident = make_incident()
    marked, seen = threading.Event(), {}

    def mark():
        try:
            with transaction.atomic():
                services.incident_enter_in_error(
                    incident=incident, actor=people["manager"], reason="Logged twice"
                )
                marked.set()
                threading.Event().wait(1.5)  # the upload arrives while this is open
        finally:
            connection.close()

    thread = threading.Thread(target=mark)
    thread.start()
    try:
        assert marked.wait(10)
        try:
            with_document(incident, people["officer"])  # the page's copy: still a draft
        except ValidationError as error:
            seen["refused"] = str(error)
    finally:
        thread.join()
    incident.refresh_from_db()
    assert incident.status == Status.ENTERED_IN_ERROR
    assert not incident.attachments.exists()
    assert "entered in error" in seen["refused"]
