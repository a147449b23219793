"""Back after saving, then Continue: the browser does not fill the create form in again,
so one click cannot log the same incident twice (and if the old page is sent, its token
is taken: the person is shown the first incident)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Incident
from safeguarding.models import Role
from tests.factories import member

from .conftest import sign_in_through_browser
from .test_notification_journey import fill_date

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_back_and_continue_does_not_log_the_incident_again(page, live_server, partnership):
    officer = member(Role.REVIEW_OFFICER, partnership, email="back@example.org")
    sign_in_through_browser(page, live_server, officer)
    page.goto(f"{live_server.url}/incidents/new/")
    aware = timezone.localdate() - dt.timedelta(days=1)
    fill_date(page, "Date the local authority became aware", aware)
    page.get_by_label("Where the incident happened").fill("Brookfield")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="What happened")).to_be_visible()
    assert Incident.objects.count() == 1

    page.go_back()
    expect(page.get_by_role("heading", name="Log a serious incident")).to_be_visible()
    assert page.get_by_label("Where the incident happened").input_value() == ""
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the local authority became aware"
    )
    assert Incident.objects.count() == 1
