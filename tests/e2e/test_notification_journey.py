"""A review officer logs an incident with two children over two sittings, sees the due
date and why, records the notification and downloads the PDF: in headless Chromium."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from notifications.models import Incident, Status
from safeguarding.models import Role
from tests.factories import AgencyFactory, member

from .conftest import axe_violations, sign_in_through_browser

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def fill_date(page, legend, day: dt.date):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def add_child(page, name, born, sex):
    page.get_by_role("link", name="Add").first.click()
    page.get_by_label("Child’s full name").fill(name)
    fill_date(page, "Date of birth", born)
    page.get_by_role("group", name="Sex").get_by_label(sex, exact=True).check()
    page.get_by_label("Ethnicity").select_option(label="White: Irish")
    page.get_by_role("group", name="The child’s status at the time").get_by_label(
        "Child protection plan"
    ).check()
    page.get_by_label("Midshire Police").check()
    page.get_by_role("button", name="Save child").click()


def test_officer_logs_notifies_and_downloads(page, live_server, partnership, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    AgencyFactory(name="Midshire Police", partnerships=[partnership])
    officer = member(
        Role.REVIEW_OFFICER, partnership, full_name="Tom Officer", email="tom@example.org"
    )
    aware = timezone.localdate() - dt.timedelta(days=1)

    # First sitting: the dates, what happened, then "come back later".
    sign_in_through_browser(page, live_server, officer)
    page.get_by_role("link", name="Incidents", exact=True).click()
    page.get_by_role("link", name="Log a serious incident").click()
    fill_date(page, "Date the local authority became aware", aware)
    page.get_by_label("Where the incident happened").fill("Brookfield")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="What happened")).to_be_visible()
    incident = Incident.objects.get()
    page.get_by_label("Serious harm").check()
    page.get_by_label("Physical abuse").check()
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_text("is waiting in your drafts")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # Second sitting: continue the draft from the list.
    sign_in_through_browser(page, live_server, officer)
    page.goto(f"{live_server.url}/incidents/")
    page.get_by_role("link", name=incident.reference).click()
    due = incident.notification_due
    expect(page.locator("#clock")).to_contain_text(f"{due.day} {due:%B %Y}")
    page.get_by_text("Why this date?").click()
    expect(page.locator("#clock")).to_contain_text("does not count")
    page.get_by_role("link", name="Continue logging").click()
    page.get_by_role("button", name="Save and continue").click()  # dates unchanged
    page.get_by_role("button", name="Save and continue").click()  # nature kept
    page.get_by_label("Summary of circumstances").fill("Two siblings injured at home.")
    page.get_by_role("button", name="Save and continue").click()
    add_child(page, "Ava Example", dt.date(2019, 4, 2), "Female")
    add_child(page, "Ben Example", dt.date(2021, 8, 9), "Male")
    expect(page.locator("dl")).to_contain_text("Child B")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("Name of the person notifying").fill("Tom Officer")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send for decision").click()

    page.get_by_role("link", name="Ready to send: copy into the DfE service").click()
    expect(page.get_by_text("Ava Example")).to_be_visible()
    assert axe_violations(page) == []
    page.go_back()
    page.get_by_role("link", name="Record the notification").click()
    page.get_by_label("DfE notification reference").fill("SIN-2026-777")
    page.get_by_role("button", name="Record the notification").click()
    expect(page.get_by_text("is recorded")).to_be_visible()
    incident.refresh_from_db()
    assert incident.status == Status.NOTIFIED

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF of what was sent").click()
    path = download_info.value.path()
    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert incident.reference in text and "SIN-2026-777" in text
    assert "Child A" in text and "Child B" in text


def test_unsaved_typing_is_saved_when_the_session_times_out(
    page, live_server, partnership, settings
):
    from notifications import services

    officer = member(Role.REVIEW_OFFICER, partnership, email="typist@example.org")
    incident = services.incident_create(
        partnership=partnership, actor=officer, awareness_date=timezone.localdate()
    )
    settings.SESSION_COOKIE_AGE = 12
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 6
    sign_in_through_browser(page, live_server, officer)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/step/circumstances/")
    page.get_by_label("Summary of circumstances").fill("Typed, never saved by hand.")
    # Nobody answers the warning: before the session ends the form saves itself as a
    # draft (its "Save and come back later"), then the session really ends.
    expect(page.get_by_role("heading", name="You have been signed out")).to_be_visible(
        timeout=15_000
    )
    incident.refresh_from_db()
    assert incident.circumstances == "Typed, never saved by hand."
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_manager_finds_a_case_by_the_childs_name_without_it_in_the_address(
    page, live_server, partnership
):
    """From the incident list, a manager finds a case by the child's name: the results
    come in the post's own page, and no address the browser visits holds the name."""
    from notifications import services
    from tests.notifications.conftest import child_values

    officer = member(Role.REVIEW_OFFICER, partnership)
    aware = timezone.localdate() - dt.timedelta(days=3)
    incident = services.incident_create(
        partnership=partnership, actor=officer, awareness_date=aware, incident_date=aware
    )
    services.child_save(
        incident=incident, actor=officer, values=child_values(name="Jamie Lee Smith")
    )
    manager = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager")
    addresses = []
    page.on("framenavigated", lambda frame: addresses.append(frame.url))
    sign_in_through_browser(page, live_server, manager)
    page.goto(f"{live_server.url}/incidents/")
    page.get_by_role("link", name="Find a case by the child’s name").click()
    page.get_by_label("Child’s name").fill("jamie smith")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 child found")).to_be_visible()
    expect(page.get_by_role("cell", name="Jamie Lee Smith")).to_be_visible()
    expect(page.get_by_label("Child’s name")).to_have_value("jamie smith")
    page.get_by_role("link", name=incident.reference).click()
    expect(page.get_by_role("heading", name=incident.reference)).to_be_visible()
    assert any("/incidents/find-by-name/" in a for a in addresses)
    assert not [a for a in addresses if "jamie" in a.lower() or "smith" in a.lower()]
