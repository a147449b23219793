"""The main journey by keyboard alone (issue 8, item 6): sign in and log an incident's
first step with Tab, Shift+Tab, Space, Enter and typing only. No clicks, no `fill`."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Incident
from safeguarding.models import Role
from tests.factories import PASSWORD, member
from tests.utils import authenticator_for, totp_code

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# What has focus: its name, or for a link or button its text.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  return el.name || el.getAttribute("id") || (el.innerText || "").trim();
}"""


def focused(page) -> str:
    return page.evaluate(FOCUSED)


def tab_to(page, target: str, *, limit=60) -> list[str]:
    """Press Tab until `target` (a name, id or text) has focus; return what was passed."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        seen.append(now)
        if now == target:
            return seen
    raise AssertionError(f"Tab never reached {target!r}; focus went {seen}")


def type_date(page, first_box: str, day: dt.date):
    """From anywhere before it, tab into a GOV.UK date input and type the three boxes."""
    tab_to(page, first_box)
    page.keyboard.type(str(day.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.year))


def test_sign_in_and_log_an_incident_by_keyboard(page, live_server, partnership):
    officer = member(Role.REVIEW_OFFICER, partnership, email="keys@example.org")
    device = authenticator_for(officer)

    # Sign in: e-mail, password, Enter; then the 6-digit code and Enter.
    page.goto(f"{live_server.url}/sign-in/")
    assert tab_to(page, "username")[0] == "Skip to main content"
    page.keyboard.type(officer.email)
    page.keyboard.press("Tab")
    assert focused(page) == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/two-factor/**")
    tab_to(page, "code")
    page.keyboard.type(totp_code(device))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/two-factor/" not in url)
    assert "/sign-in/" not in page.url

    # To the first step through the menu.
    tab_to(page, "Incidents")
    page.keyboard.press("Enter")
    page.wait_for_url("**/incidents/")
    tab_to(page, "Log a serious incident")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Log a serious incident")).to_be_visible()

    # Focus follows the page's order: every field, then the button.
    order = tab_to(page, "continue")
    fields = [
        "incident_date_0",
        "incident_date_1",
        "incident_date_2",
        "incident_place",
        "awareness_date_0",
        "awareness_date_1",
        "awareness_date_2",
        "continue",
    ]
    assert [name for name in order if name in fields] == fields
    # Shift+Tab goes back the same way.
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "awareness_date_2"
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "awareness_date_1"

    # A bad submit (the awareness date missing): the error summary takes focus.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page) == "continue"
    page.keyboard.press("Enter")
    expect(page).to_have_title(
        f"Error: Log a serious incident: {partnership.name} – Safeguarding practice reviews"
    )
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the date the local authority became aware")
    # Its link takes focus to the field with the problem.
    page.keyboard.press("Tab")
    assert focused(page) == "Enter the date the local authority became aware"
    page.keyboard.press("Enter")
    expect(page.locator("[name=awareness_date_0]")).to_be_focused()

    # Put it right by typing, then Space on the button.
    aware = timezone.localdate() - dt.timedelta(days=1)
    page.keyboard.type(str(aware.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(aware.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(aware.year))
    tab_to(page, "continue")
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="What happened")).to_be_visible()
    assert Incident.objects.get().awareness_date == aware
