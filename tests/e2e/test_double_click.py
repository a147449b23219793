"""A double click on a form's button sends the form once (GOV.UK Frontend's button with
`data-prevent-double-click`), here on the first step of logging an incident.

The server is made slow to answer the post, as on a busy day, so the second click comes
while the first post is still being answered: without the guard the browser sends the
form again."""

import datetime as dt
import time

import lxml.html
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Incident
from notifications.views import journey
from safeguarding.models import Role
from tests.factories import member

from .conftest import sign_in_through_browser
from .test_notification_journey import fill_date

pytestmark = pytest.mark.slow


def unguarded_buttons(html: str) -> list[str]:
    """The buttons of a page's posted forms that would send the form twice on a double
    click: every one must be GOV.UK Frontend's button with its double-click guard.
    (tests/e2e/test_html_validity.py runs this over every page type.)"""
    found = []
    for form in lxml.html.fromstring(html).iter("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        for control in form.iter("button", "input"):
            kind = control.get("type") or ("submit" if control.tag == "button" else "text")
            if kind.lower() != "submit":
                continue
            if (
                control.get("data-module") != "govuk-button"
                or control.get("data-prevent-double-click") != "true"
            ):
                found.append(lxml.html.tostring(control, encoding="unicode").strip()[:120])
    return found


def test_the_check_finds_buttons_without_the_guard():
    page = """<main>
      <form method="post"><button>Save</button><input type="submit" value="Send">
        <button type="button">Show</button><input type="text" name="q">
        <button data-module="govuk-button" data-prevent-double-click="true">Ok</button></form>
      <form method="get"><button>Search</button></form>
      <form method="POST"><button type="submit" data-module="govuk-button">Go</button></form>
    </main>"""
    found = unguarded_buttons(page)
    assert [b.split(">")[0] for b in found] == [
        "<button",
        '<input type="submit" value="Send"',
        '<button type="submit" data-module="govuk-button"',
    ]


CLICK_TWICE = """() => {
  const button = document.querySelector("main form [type=submit][name=continue]");
  button.click();
  setTimeout(() => button.click(), 250);
}"""


@pytest.mark.django_db(transaction=True)
def test_a_double_click_sends_the_form_once(page, live_server, partnership, monkeypatch):
    officer = member(Role.REVIEW_OFFICER, partnership, email="double@example.org")
    sign_in_through_browser(page, live_server, officer)
    page.goto(f"{live_server.url}/incidents/new/")
    fill_date(page, "Date the local authority became aware", timezone.localdate() - dt.timedelta(1))
    page.get_by_label("Where the incident happened").fill("Brookfield")

    posts = []
    answer = journey._partnership_for_new

    def slowly(request):
        if request.method == "POST":
            posts.append(time.monotonic())
            time.sleep(1)
        return answer(request)

    monkeypatch.setattr(journey, "_partnership_for_new", slowly)
    page.evaluate(CLICK_TWICE)
    page.wait_for_timeout(1500)  # a second post, if one was sent, has reached the server
    assert len(posts) == 1
    expect(page.get_by_role("heading", name="What happened")).to_be_visible(timeout=10_000)
    assert Incident.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_session_timeout_still_saves_a_draft_through_the_guarded_button(
    page, live_server, partnership, settings
):
    """The timeout warning saves a draft by submitting the form with its guarded "later"
    button (static/js/timeout.mjs): the guard, which ignores a second click, must not
    stop that submission, nor drop the button's name the server reads."""
    officer = member(Role.REVIEW_OFFICER, partnership, email="timeout@example.org")
    sign_in_through_browser(page, live_server, officer)
    page.goto(f"{live_server.url}/incidents/new/")
    fill_date(page, "Date the local authority became aware", timezone.localdate() - dt.timedelta(1))
    page.get_by_label("Where the incident happened").fill("Brookfield")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="What happened")).to_be_visible()
    later = page.locator("main form [name=later][data-draft]")
    assert later.get_attribute("data-prevent-double-click") == "true"

    settings.SESSION_COOKIE_AGE = 12  # the draft is saved 5 seconds before the end
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 4
    page.reload()
    posts = []
    page.on("request", lambda r: posts.append(r.post_data or "") if r.method == "POST" else None)
    page.get_by_label("Serious harm").check()
    page.get_by_label("Physical abuse").check()
    expect(page.get_by_role("heading", name="You have been signed out")).to_be_visible(
        timeout=20_000
    )
    assert any("later=" in body for body in posts), posts
    incident = Incident.objects.get()
    assert incident.nature == "serious_harm" and incident.harm_categories == ["physical"]
