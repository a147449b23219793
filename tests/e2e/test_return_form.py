"""The agency's return form in headless Chromium: what the keyboard does in it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from rapid_reviews.models import AgencyReturn

from .conftest import axe_violations, sign_in_through_browser

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Fixtures shared with the rapid review unit tests.
from tests.rapid_reviews.conftest import agencies as agencies  # noqa: E402
from tests.rapid_reviews.conftest import contributors as contributors  # noqa: E402
from tests.rapid_reviews.conftest import make_review as make_review  # noqa: E402
from tests.rapid_reviews.conftest import review as review  # noqa: E402
from tests.rapid_reviews.conftest import sent_requests as sent_requests  # noqa: E402


def fill_date(scope, day: dt.date):
    group = scope.get_by_role("group", name="Date")
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_enter_in_a_box_saves_the_draft_and_adds_no_row(
    page,
    live_server,
    sent_requests,  # noqa: F811
    contributors,  # noqa: F811
):
    """Implicit submission (Enter in a text box) presses the form's first submit button:
    that is "Save as draft", not "Add another row"."""
    request = sent_requests["police"]
    sign_in_through_browser(page, live_server, contributors["police"])
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    page.goto(f"{live_server.url}{url}")
    first = page.locator("#row-1")
    fill_date(first, timezone.localdate() - dt.timedelta(days=4))
    first.get_by_label("What happened").fill("Officers attended at night.")
    first.get_by_label("Practitioner’s role").fill("PC")
    first.get_by_label("Practitioner’s role").press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your draft is saved")
    saved = AgencyReturn.objects.get(information_request=request)
    assert [e.what_happened for e in saved.chronology.all()] == ["Officers attended at night."]
    # The form again: the saved row, and no empty row added by the Enter.
    page.goto(f"{live_server.url}{url}")
    expect(page.locator("fieldset[id^=row-]")).to_have_count(1)
    # The default button is out of the tab order and not read out (axe's
    # aria-hidden-focus rule checks both).
    assert axe_violations(page) == []


def test_add_another_row_puts_the_focus_in_the_new_row(
    page,
    live_server,
    sent_requests,  # noqa: F811
    contributors,  # noqa: F811
):
    """Without JavaScript, "Add another row" reloads the form: the focus goes to the new
    row's Day box (the page's fragment names it), so a keyboard or screen reader user
    carries on typing where the row was added, not from the top of the page."""
    request = sent_requests["police"]
    sign_in_through_browser(page, live_server, contributors["police"])
    page.goto(f"{live_server.url}{reverse('rapid_reviews:contributor-return', args=[request.pk])}")
    first = page.locator("#row-1")
    fill_date(first, timezone.localdate() - dt.timedelta(days=4))
    first.get_by_label("What happened").fill("Officers attended at night.")
    first.get_by_label("Practitioner’s role").fill("PC")
    page.get_by_role("button", name="Add another row").click()
    expect(page.locator("fieldset[id^=row-]")).to_have_count(2)
    expect(
        page.locator("#row-2").get_by_role("group", name="Date").get_by_label("Day")
    ).to_be_focused()
    # Pressed again with the new row left empty: the focus goes to the row added now.
    page.get_by_role("button", name="Add another row").click()
    expect(page.locator("fieldset[id^=row-]")).to_have_count(3)
    expect(
        page.locator("#row-3").get_by_role("group", name="Date").get_by_label("Day")
    ).to_be_focused()
