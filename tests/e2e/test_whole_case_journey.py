"""The whole life of one case, across roles, in headless Chromium: a review officer logs
and notifies an incident; an agency contributor returns their information; the officer
records the panel, the decision and the partners' sign-offs and sends the rapid review to
the National Panel, which opens the local review; the manager publishes it; a member of
the public finds the learning and downloads it. Each stage's own journey test covers its
pages in depth; this one proves the hand-offs between roles and stages."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Incident
from safeguarding.models import Agency, Role
from tests.factories import AgencyFactory, member

from .conftest import sign_in_through_browser
from .test_notification_journey import add_child, fill_date

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def officer_logs_and_notifies(page, live_server, officer):
    sign_in_through_browser(page, live_server, officer)
    page.get_by_role("link", name="Incidents", exact=True).click()
    page.get_by_role("link", name="Log a serious incident").click()
    fill_date(page, "Date the local authority became aware",
              timezone.localdate() - dt.timedelta(days=1))
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Serious harm").check()
    page.get_by_label("Neglect").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Summary of circumstances").fill("Infant admitted malnourished.")
    page.get_by_role("button", name="Save and continue").click()
    add_child(page, "Rosa Example", dt.date(2025, 2, 3), "Female")
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("Name of the person notifying").fill(officer.full_name)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Send for decision").click()
    page.get_by_role("link", name="Record the notification").click()
    page.get_by_label("DfE notification reference").fill("SIN-WHOLE-1")
    page.get_by_role("button", name="Record the notification").click()
    expect(page.get_by_text("is recorded")).to_be_visible()
    return Incident.objects.get()


def officer_asks_the_police(page, live_server, incident, police):
    page.goto(f"{live_server.url}/rapid-reviews/")
    page.get_by_role("link", name=incident.reference).click()
    page.get_by_role("link", name="Ask agencies for information").click()
    page.get_by_label(police.name).check()
    page.get_by_role("button", name="Send the requests").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Requests sent")


def contributor_returns(browser, live_server, contributor, incident):
    context = browser.new_context()
    page = context.new_page()
    sign_in_through_browser(page, live_server, contributor)
    page.get_by_role("link", name="Information requests").click()
    page.get_by_role("link", name=incident.reference).click()
    expect(page.locator("main")).to_contain_text("Rosa Example")
    expect(page.locator("main")).not_to_contain_text("malnourished")
    page.get_by_role("link", name="Write your return").click()
    page.get_by_role(
        "group", name="Was your agency involved with the child or family?"
    ).get_by_label("Yes").check()
    page.get_by_label("Summary of your agency’s involvement").fill("One welfare check.")
    row = page.locator("#row-1")
    fill_date(row, "Date", timezone.localdate() - dt.timedelta(days=9))
    row.get_by_label("Type of contact").fill("Welfare check")
    row.get_by_label("What happened").fill("Home cold; no food seen.")
    page.get_by_role("button", name="Save and check before submitting").click()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("return is submitted")
    context.close()


def officer_decides_and_sends(page, incident):
    page.reload()
    expect(page.locator("#chronology + table")).to_contain_text("Home cold")
    page.get_by_role("link", name="Record the panel meeting").click()
    fill_date(page, "Date of the meeting", timezone.localdate())
    page.get_by_label("Who attended").fill("LA, police and health leads")
    page.get_by_role("button", name="Save the meeting and findings").click()
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Hold a local child safeguarding practice review").check()
    page.get_by_label("It highlights concerns about two or more agencies working together").check()
    page.get_by_label("Rationale").fill("Neglect signs were seen by several agencies.")
    page.get_by_role("button", name="Record the decision").click()
    for partner, name in (("Local authority", "Ann Lee"), ("Police", "DCI Omar Shah"),
                          ("Health (integrated care board)", "Dr Kate Khan")):
        page.get_by_role("link", name=f"Record sign-off for {partner}").click()
        page.get_by_label("Name of the person signing off").fill(name)
        page.get_by_role("button", name="Record the sign-off").click()
    page.get_by_role("link", name="Send to the National Panel").click()
    page.get_by_role("button", name="Record that it was sent").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent to the National Panel")


def test_a_case_from_incident_to_public_learning(page, browser, live_server, partnership,
                                                  settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    police = AgencyFactory(name="Midshire Police", kind=Agency.Kind.POLICE,
                           partnerships=[partnership])
    officer = member(Role.REVIEW_OFFICER, partnership, full_name="Tom Officer",
                     email="tom@example.org")
    manager = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager",
                     email="helen@example.org")
    contributor = member(Role.AGENCY_CONTRIBUTOR, partnership, agency=police,
                         full_name="Priya Police", email="priya@example.org")

    incident = officer_logs_and_notifies(page, live_server, officer)
    officer_asks_the_police(page, live_server, incident, police)
    contributor_returns(browser, live_server, contributor, incident)
    officer_decides_and_sends(page, incident)
    publish_and_find_it_in_public(page, browser, live_server, manager, incident, tmp_path)
