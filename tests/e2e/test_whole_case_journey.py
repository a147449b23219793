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


# The case starts months ago so that the local review can reach publication today.
AWARE = timezone.localdate() - dt.timedelta(days=120)


def officer_logs_and_notifies(page, live_server, officer):
    sign_in_through_browser(page, live_server, officer)
    page.get_by_role("link", name="Incidents", exact=True).click()
    page.get_by_role("link", name="Log a serious incident").click()
    fill_date(page, "Date the local authority became aware", AWARE)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Serious harm").check()
    page.get_by_label("Neglect", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Summary of circumstances").fill("Infant admitted malnourished.")
    page.get_by_role("button", name="Save and continue").click()
    add_child(page, "Rosa Example", dt.date(2025, 2, 3), "Female")
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("Name of the person notifying").fill(officer.full_name)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Send for decision").click()
    page.get_by_role("link", name="Record the notification").click()
    fill_date(page, "Date the notification was sent", AWARE + dt.timedelta(days=2))
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
    fill_date(row, "Date", AWARE - dt.timedelta(days=9))
    row.get_by_label("Type of contact").fill("Welfare check")
    row.get_by_label("What happened").fill("Home cold; no food seen.")
    page.get_by_role("button", name="Save and check before submitting").click()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("heading", name="Return sent")).to_be_visible()
    context.close()


def officer_decides_and_sends(page, incident):
    page.reload()
    expect(page.locator("#chronology + .app-table-scroll table")).to_contain_text("Home cold")
    page.get_by_role("link", name="Record the panel meeting").click()
    fill_date(page, "Date of the meeting", AWARE + dt.timedelta(days=14))
    page.get_by_label("Who attended").fill("LA, police and health leads")
    page.get_by_role("button", name="Save the meeting and findings").click()
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Hold a local child safeguarding practice review").check()
    page.get_by_label("It highlights concerns about two or more agencies working together").check()
    page.get_by_label("Rationale").fill("Neglect signs were seen by several agencies.")
    fill_date(page, "Date of the decision", AWARE + dt.timedelta(days=16))
    page.get_by_role("button", name="Record the decision").click()
    for partner, name in (
        ("Local authority", "Ann Lee"),
        ("Police", "DCI Omar Shah"),
        ("Health (integrated care board)", "Dr Kate Khan"),
    ):
        page.get_by_role("link", name=f"Record sign-off for {partner}").click()
        page.get_by_label("Name of the person signing off").fill(name)
        page.get_by_role("button", name="Record the sign-off").click()
    page.get_by_role("link", name="Send to the National Panel").click()
    # 120 days after the local authority became aware: late, so the reason is asked for.
    page.get_by_label("Reason it was sent late").fill("The police summary was delayed.")
    page.get_by_role("button", name="Record that it was sent").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent to the National Panel")
    expect(page.get_by_text("The police summary was delayed.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()


def manager_publishes(page, live_server, manager, incident):
    from lcspr import services as lcspr_services
    from tests.lcspr.conftest import BRIEFING, report_pdf_bytes

    today = timezone.localdate()
    sign_in_through_browser(page, live_server, manager)
    page.get_by_role("link", name="Local reviews", exact=True).click()
    page.get_by_role("link", name=incident.reference).click()
    review = incident.rapid_review.local_review
    page.get_by_role("link", name="Change terms of reference").click()
    page.get_by_label("Terms of reference", exact=True).fill("The year before the harm.")
    fill_date(
        page,
        "Date the partners agreed the terms (leave empty if not yet agreed)",
        AWARE + dt.timedelta(days=40),
    )
    page.get_by_role("button", name="Save the terms of reference").click()
    page.get_by_role("link", name="Write the learning briefing").click()
    page.get_by_label("Title", exact=True).fill(BRIEFING["title"])
    page.get_by_label("Background of the case").fill(BRIEFING["background"])
    page.get_by_label("Key learning").fill(BRIEFING["key_learning"])
    page.get_by_label("Areas for practice improvement").fill(BRIEFING["practice_improvement"])
    page.get_by_label("Questions for team discussion").fill(BRIEFING["discussion_questions"])
    page.get_by_role("button", name="Save and make the PDF and presentation").click()
    expect(page.get_by_text("Fits on one page")).to_be_visible()
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Record final report approved").click()
    fill_date(page, "Date the partners approved it", today - dt.timedelta(days=30))
    page.get_by_role("button", name="Record the approval").click()
    page.get_by_role("link", name="Record notice to the Panel and DfE").click()
    sent = today - dt.timedelta(days=20)
    earliest = lcspr_services.earliest_publication(review, sent).due
    fill_date(page, "Date the final report was sent to the National Panel and DfE", sent)
    fill_date(page, "Planned publication date", earliest)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Publish", exact=True).click()
    page.get_by_label("The full report", exact=True).check()
    page.get_by_label("The final report (PDF)").set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": report_pdf_bytes()}]
    )
    page.get_by_label("Public summary").fill("A young child’s neglect was seen in pieces.")
    for box in page.locator("input[name=checks]").all():
        box.check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Published")
    return BRIEFING["title"]


def the_public_finds_and_downloads(browser, live_server, title, incident, tmp_path):
    from pptx import Presentation
    from pypdf import PdfReader

    public = browser.new_context(accept_downloads=True)
    visitor = public.new_page()
    visitor.goto(f"{live_server.url}/learning-from-reviews/")
    visitor.get_by_role("link", name=title).first.click()
    main = visitor.locator("main")
    expect(main).not_to_contain_text(incident.reference)
    expect(main).not_to_contain_text("Rosa")
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="One-page learning briefing (PDF)").click()
    pdf = tmp_path / "briefing.pdf"
    download.value.save_as(pdf)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1 and title in reader.pages[0].extract_text()
    assert "Rosa" not in reader.pages[0].extract_text()
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="Presentation for team meetings (PowerPoint)").click()
    pptx = tmp_path / "briefing.pptx"
    download.value.save_as(pptx)
    assert Presentation(pptx).slides[0].shapes.title.text == title
    public.close()


def test_a_case_from_incident_to_public_learning(
    page, browser, live_server, partnership, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    police = AgencyFactory(
        name="Midshire Police", kind=Agency.Kind.POLICE, partnerships=[partnership]
    )
    officer = member(
        Role.REVIEW_OFFICER, partnership, full_name="Tom Officer", email="tom@example.org"
    )
    manager = member(
        Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager", email="helen@example.org"
    )
    contributor = member(
        Role.AGENCY_CONTRIBUTOR,
        partnership,
        agency=police,
        full_name="Priya Police",
        email="priya@example.org",
    )

    incident = officer_logs_and_notifies(page, live_server, officer)
    officer_asks_the_police(page, live_server, incident, police)
    contributor_returns(browser, live_server, contributor, incident)
    officer_decides_and_sends(page, incident)
    title = manager_publishes(page, live_server, manager, incident)
    the_public_finds_and_downloads(browser, live_server, title, incident, tmp_path)
