"""The local review in headless Chromium: a manager takes a review from the decision to
publication (a moved milestone with its reason, the pre-publication rule, an action plan
and the learning briefing); then a member of the public finds it on Learning from reviews
and downloads the one-page PDF and the PowerPoint."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pptx import Presentation
from pypdf import PdfReader

from lcspr import services
from lcspr.models import PublishedReview, Status
from safeguarding.calendar import add_working_days
from tests.lcspr.conftest import BRIEFING, report_pdf_bytes
from tests.rapid_reviews.conftest import CHILD_NAME, notify

from .conftest import axe_violations, sign_in_through_browser

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

from tests.rapid_reviews.conftest import agencies as agencies  # noqa: E402


@pytest.fixture
def local_review(people, partnership, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rapid = notify(partnership, people["officer"])
    decided = timezone.localdate() - dt.timedelta(days=60)
    return services.review_open(rapid_review=rapid, decision_date=decided, actor=people["manager"])


def fill_date(scope, legend, day: dt.date):
    group = scope.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_manager_publishes_and_the_public_downloads(
    page, browser, live_server, local_review, people, agencies, tmp_path
):
    today = timezone.localdate()
    sign_in_through_browser(page, live_server, people["manager"])
    page.get_by_role("link", name="Local reviews", exact=True).click()
    assert axe_violations(page) == []
    page.get_by_role("link", name=local_review.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Setting up")
    assert axe_violations(page) == []

    # The reviewer and the terms of reference.
    page.get_by_role("link", name="Change reviewer").click()
    page.get_by_label(people["reviewer"].full_name).check()
    page.get_by_role("button", name="Save the reviewers").click()
    page.get_by_role("link", name="Change terms of reference").click()
    page.get_by_label("Terms of reference", exact=True).fill("Scope: two years before the harm.")
    fill_date(
        page,
        "Date the partners agreed the terms (leave empty if not yet agreed)",
        today - dt.timedelta(days=50),
    )
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save the terms of reference").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review under way")

    # A milestone moves: the reason is required and shown.
    page.get_by_role("link", name="Update Practitioner learning event").click()
    planned = services.review.milestone_deadline(local_review, "learning_event").due_date
    fill_date(page, "Planned date", planned + dt.timedelta(days=14))
    page.get_by_role("button", name="Save the milestone").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reason for moving the planned date"
    )
    assert axe_violations(page) == []
    page.get_by_label("Reason for moving the planned date").fill("Practitioners on leave in August")
    page.get_by_role("button", name="Save the milestone").click()
    expect(page.locator("#milestones + .app-table-scroll table")).to_contain_text(
        "Practitioners on leave in August"
    )

    # The learning briefing.
    page.get_by_role("link", name="Write the learning briefing").click()
    page.get_by_label("Title", exact=True).fill(BRIEFING["title"])
    page.get_by_label("Background of the case").fill(BRIEFING["background"])
    page.get_by_label("Key learning").fill(BRIEFING["key_learning"])
    page.get_by_label("Areas for practice improvement").fill(BRIEFING["practice_improvement"])
    page.get_by_label("Questions for team discussion").fill(BRIEFING["discussion_questions"])
    page.get_by_role("button", name="Save and make the PDF and presentation").click()
    expect(page.get_by_text("Fits on one page")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back").click()

    # The action plan.
    page.get_by_role("link", name="Add a recommendation").click()
    page.get_by_label("Recommendation", exact=True).fill("Schools record the child’s own words.")
    page.get_by_role("button", name="Add the recommendation").click()
    page.get_by_role("link", name="Add an action for recommendation 1").click()
    page.get_by_label("Action", exact=True).fill("Train designated safeguarding leads")
    page.get_by_label("Owning agency").select_option(label=agencies["social_care"].name)
    page.get_by_label("Lead", exact=True).fill("Head of education safeguarding")
    # A working day: an action's due date is one the agency is asked to meet.
    fill_date(page, "Due date", add_working_days(today, 60))
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#action-plan ~ .app-table-scroll table").first).to_contain_text(
        "Green: on track"
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Action plan (CSV)").click()
    csv_path = tmp_path / "plan.csv"
    download.value.save_as(csv_path)
    assert "Train designated safeguarding leads" in csv_path.read_text()

    # Final report approved, then the 7-working-day notice rule.
    page.get_by_role("link", name="Record final report approved").click()
    fill_date(page, "Date the partners approved it", today - dt.timedelta(days=20))
    page.get_by_role("button", name="Record the approval").click()
    page.get_by_role("link", name="Record notice to the Panel and DfE").click()
    expect(page.locator("#earliest-publication")).to_contain_text(
        "Earliest allowed publication date"
    )
    sent = today - dt.timedelta(days=15)
    earliest = services.earliest_publication(local_review, sent).due
    fill_date(page, "Date the final report was sent to the National Panel and DfE", sent)
    fill_date(page, "Planned publication date", earliest - dt.timedelta(days=1))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"{earliest:%-d %B %Y}")
    expect(page.locator("#earliest-publication")).to_contain_text(f"{earliest:%-d %B %Y}")
    assert axe_violations(page) == []
    fill_date(page, "Planned publication date", earliest)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent to the Panel and DfE")

    # Publication.
    page.get_by_role("link", name="Publish", exact=True).click()
    page.get_by_label("The full report", exact=True).check()
    page.get_by_label("The final report (PDF)").set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": report_pdf_bytes()}]
    )
    page.get_by_label("Public summary").fill("A teenager's hints about home were not joined up.")
    for box in page.locator("input[name=checks]").all():
        box.check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Published")
    local_review.refresh_from_db()
    assert local_review.status == Status.PUBLISHED
    assert PublishedReview.objects.count() == 1

    # A member of the public, not signed in.
    public = browser.new_context(bypass_csp=True, accept_downloads=True)
    visitor = public.new_page()
    visitor.goto(f"{live_server.url}/learning-from-reviews/")
    expect(visitor.locator(".govuk-exit-this-page")).to_be_visible()
    assert axe_violations(visitor) == []
    visitor.get_by_role("link", name=local_review.partnership.name).click()
    visitor.get_by_label("Search the reviews").fill("listening")
    visitor.get_by_role("button", name="Search").click()
    assert axe_violations(visitor) == []
    visitor.get_by_role("link", name="Are you listening to me?").click()
    expect(visitor.locator("main")).not_to_contain_text(local_review.reference)
    expect(visitor.locator("main")).not_to_contain_text(CHILD_NAME)
    assert axe_violations(visitor) == []
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="One-page learning briefing (PDF)").click()
    pdf_path = tmp_path / "briefing.pdf"
    download.value.save_as(pdf_path)
    reader = PdfReader(pdf_path)
    assert len(reader.pages) == 1
    assert "Are you listening to me?" in reader.pages[0].extract_text()
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="Presentation for team meetings (PowerPoint)").click()
    pptx_path = tmp_path / "presentation.pptx"
    download.value.save_as(pptx_path)
    slides = Presentation(pptx_path).slides
    assert slides[0].shapes.title.text == "Are you listening to me?"
    # The contrast toggle works with JavaScript (and keeps its choice).
    visitor.get_by_role("button", name="Use high contrast").click()
    expect(visitor.locator("body")).to_have_class(__import__("re").compile("app-high-contrast"))
    assert axe_violations(visitor) == []
    # The footer's links too (axe left black on black there unjudged): yellow on black.
    footer_link = visitor.locator(".govuk-footer__link").first
    colour, background = footer_link.evaluate(
        "e => [getComputedStyle(e).color,"
        " getComputedStyle(e.closest('.govuk-footer')).backgroundColor]"
    )
    assert colour == "rgb(255, 221, 0)" and background == "rgb(11, 12, 12)"
    public.close()


def test_a_timeout_never_closes_a_review_but_keeps_what_was_typed(
    page, live_server, local_review, people, settings
):
    """Typing in a form that carries something out (here, closing the review) is not
    sent by the timeout: the session ends first, the typing is kept, and after signing in
    again the form shows it, not yet sent."""
    from safeguarding.models import User
    from tests.factories import PASSWORD
    from tests.utils import authenticator_for, totp_code

    manager = people["manager"]
    sign_in_through_browser(page, live_server, manager)
    settings.SESSION_COOKIE_AGE = 12
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 6
    page.goto(f"{live_server.url}/local-reviews/{local_review.pk}/close/")
    page.get_by_label("Why is the review closed without publication?").fill(
        "Draft: possibly close because"
    )
    # Nobody answers the warning: the sign-in page says the typing is kept.
    expect(page.locator("#kept-typing")).to_be_visible(timeout=20_000)
    local_review.refresh_from_db()
    assert local_review.status == Status.OPEN and local_review.closed_reason == ""
    settings.SESSION_COOKIE_AGE = 30 * 60
    page.get_by_label("Email address").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    device = authenticator_for(User.objects.get(pk=manager.pk))
    page.get_by_label("Enter the 6-digit code from your authenticator app").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("we kept what you typed")).to_be_visible()
    field = page.get_by_label("Why is the review closed without publication?")
    expect(field).to_have_value("Draft: possibly close because")
    local_review.refresh_from_db()
    assert local_review.status == Status.OPEN


def test_a_manager_reopens_a_review_closed_in_error(page, live_server, local_review, people):
    """Closed by mistake: the manager reopens it from its page, after reading what comes
    back (its overdue clocks named), and with a reason; the review runs again."""
    from safeguarding.models import Deadline

    manager = people["manager"]
    today = timezone.localdate()
    fell_due = Deadline.objects.for_subject(local_review).overdue(on=today).count()
    assert fell_due >= 1  # the terms of reference, due a month after the decision
    services.review_close(
        review=local_review,
        actor=manager,
        reason="Closed instead of another review.",
        closed_on=timezone.localdate(),
    )
    sign_in_through_browser(page, live_server, manager)
    page.goto(f"{live_server.url}{local_review.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed without publication")
    page.get_by_role("link", name="Reopen this review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reopen this review")
    expect(page.locator("#what-happens")).to_contain_text("It goes back to ‘Setting up’")
    expect(page.locator("#overdue-warning")).to_contain_text(
        re.compile(rf"{fell_due} clocks? (is|are) past (its|their) due dates?")
    )
    expect(page.locator("#clocks")).to_contain_text("Overdue")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Reopen the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the review is being reopened"
    )
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    page.get_by_label("Why is the review being reopened?").fill("It was closed by mistake.")
    page.get_by_role("button", name="Reopen the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Setting up")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The review is reopened"
    )
    expect(page.get_by_role("link", name="Close without publication")).to_be_visible()
    local_review.refresh_from_db()
    assert local_review.status == Status.OPEN
