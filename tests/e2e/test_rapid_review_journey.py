"""The rapid review in headless Chromium: the officer's journey from requests to the Panel
and the report, and an agency contributor writing and submitting their return."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from rapid_reviews import services
from rapid_reviews.models import RequestStatus, Status
from tests.rapid_reviews.conftest import CHILD_NAME, notify, return_and_submit

from .conftest import axe_violations, sign_in_through_browser

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Fixtures shared with the rapid review unit tests.
from tests.rapid_reviews.conftest import agencies as agencies  # noqa: E402
from tests.rapid_reviews.conftest import contributors as contributors  # noqa: E402


@pytest.fixture
def review(people, partnership, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return notify(partnership, people["officer"])


def fill_date(scope, legend, day: dt.date):
    group = scope.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_officer_runs_the_rapid_review(
    page,
    live_server,
    review,
    agencies,
    contributors,  # noqa: F811
    people,
    tmp_path,
):
    sign_in_through_browser(page, live_server, people["officer"])
    page.get_by_role("link", name="Rapid reviews", exact=True).click()
    page.get_by_role("link", name=review.incident.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rapid review")
    expect(page.locator("#timetable")).to_contain_text("Agency returns due")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Ask agencies for information").click()
    for agency in agencies.values():
        page.get_by_label(agency.name).check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send the requests").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Requests sent")
    assert set(review.requests.values_list("status", flat=True)) == {RequestStatus.SENT}

    today = timezone.localdate()
    for key, request in ((k, review.requests.get(agency=a)) for k, a in agencies.items()):
        return_and_submit(request, contributors[key], days=[today - dt.timedelta(days=5)])
    page.reload()
    chronology = page.locator("#chronology + .app-table-scroll table")
    for agency in agencies.values():
        expect(chronology).to_contain_text(agency.name)
    expect(page.get_by_text("Every agency has returned its information.")).to_be_visible()

    page.get_by_role("link", name="Record the panel meeting").click()
    fill_date(page, "Date of the meeting", today)
    page.get_by_label("Who attended").fill("LA, police and health safeguarding leads")
    page.get_by_label("Key practice episodes").fill("The missed health visit.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save the meeting and findings").click()

    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Hold a local child safeguarding practice review").check()
    page.get_by_label("It highlights concerns about two or more agencies working together").check()
    page.get_by_label("Rationale").fill("Agencies did not share what they knew.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record the decision").click()

    for partner, name in (
        ("Local authority", "Ann Lee"),
        ("Police", "DCI Omar Shah"),
        ("Health (integrated care board)", "Dr Kate Khan"),
    ):
        expect(page.get_by_role("link", name="Send to the National Panel")).to_have_count(0)
        page.get_by_role("link", name=f"Record sign-off for {partner}").click()
        page.get_by_label("Name of the person signing off").fill(name)
        page.get_by_role("button", name="Record the sign-off").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Send to the National Panel").click()
    page.get_by_role("button", name="Record that it was sent").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent to the National Panel")
    review.refresh_from_db()
    assert review.status == Status.SENT_TO_PANEL

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rapid review report (PDF)").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert review.incident.reference in text and "Dr Kate Khan" in text


def test_agency_contributor_writes_and_submits_a_return(
    page,
    live_server,
    review,
    agencies,  # noqa: F811
    contributors,
    people,
):
    services.information_requests_create(
        rapid_review=review,
        actor=people["officer"],
        agencies=list(agencies.values()),
        due_date=timezone.localdate(),
        send=True,
    )
    sign_in_through_browser(page, live_server, contributors["health"])
    page.get_by_role("link", name="Information requests").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    # One agency's contributor: the agency is named once above the table, not per row.
    expect(page.locator("main")).to_contain_text("Brookfield Hospitals")
    assert axe_violations(page) == []
    page.get_by_role("link", name=review.incident.reference).click()
    expect(page.locator("main")).to_contain_text(CHILD_NAME)
    expect(page.locator("main")).not_to_contain_text("Hidden circumstances")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Write your return").click()
    page.get_by_role(
        "group", name="Was your agency involved with the child or family?"
    ).get_by_label("Yes").check()
    page.get_by_label("Summary of your agency’s involvement").fill("Two A&E attendances.")
    today = timezone.localdate()
    first = page.locator("#row-1")
    fill_date(first, "Date", today - dt.timedelta(days=20))
    first.get_by_label("Type of contact").fill("A&E attendance")
    first.get_by_label("What happened").fill("Bruising seen; explanation accepted.")
    page.get_by_role("button", name="Add another row").click()
    second = page.locator("#row-2")
    expect(second).to_be_visible()
    fill_date(second, "Date", today - dt.timedelta(days=6))
    second.get_by_label("Type of contact").fill("A&E attendance")
    second.get_by_label("What happened").fill("Head injury; referred to social care.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save and check before submitting").click()
    expect(
        page.get_by_role("heading", name="Check your return before you submit it")
    ).to_be_visible()
    expect(page.locator("table")).to_contain_text("Head injury")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("heading", name="Return sent")).to_be_visible()
    assert axe_violations(page) == []
    request = review.requests.get(agency=agencies["health"])
    assert request.status == RequestStatus.RETURNED
    assert request.agency_return.chronology.count() == 2
