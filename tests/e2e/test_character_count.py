"""GOV.UK's character count in a real browser: a text area with a limit says how many
characters are left as the person types (safeguarding/forms.py `count_characters`)."""

import re

import pytest
from playwright.sync_api import expect

from tests.notifications.conftest import make_incident  # noqa: F401 - fixture
from tests.utils import sign_in

from .conftest import show_html

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_typing_in_a_text_area_shows_the_characters_left(
    client,
    people,
    make_incident,  # noqa: F811 - the fixture imported above
    live_server,
    page,
):
    incident = make_incident(complete=False)
    sign_in(client, people["officer"])
    html = client.get(f"/incidents/{incident.pk}/step/circumstances/").content.decode()
    show_html(page, live_server, html)
    area = page.locator("textarea.govuk-js-character-count").first
    area_id = area.get_attribute("id")
    count = page.locator(f"#{area_id} ~ .govuk-character-count__status")
    # The script reads data-maxlength as a whole number (the page writes "20,000" only
    # in the words), and the description a screen reader reads keeps the comma.
    expect(count).to_have_text("You have 20,000 characters remaining")
    expect(page.locator(f"#{area_id}-info")).to_have_text("You can enter up to 20,000 characters")
    area.fill("Seen at home")
    expect(count).to_have_text("You have 19,988 characters remaining")
    area.fill("x" * 20_003)
    expect(count).to_have_text(re.compile(r"You have 3 characters too many"))


def test_without_javascript_the_limit_is_written_with_a_comma(
    client,
    people,
    make_incident,  # noqa: F811 - the fixture imported above
    live_server,
    browser,
):
    """The message shown when the script does not run says the limit as the error does
    ("20,000"), not "20000"."""
    incident = make_incident(complete=False)
    sign_in(client, people["officer"])
    html = client.get(f"/incidents/{incident.pk}/step/circumstances/").content.decode()
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1200, "height": 900}
    )
    try:
        page = context.new_page()
        show_html(page, live_server, html)
        area_id = page.locator("textarea.govuk-js-character-count").first.get_attribute("id")
        message = page.locator(f"#{area_id}-info")
        expect(message).to_be_visible()
        expect(message).to_have_text("You can enter up to 20,000 characters")
        expect(page.locator(".govuk-character-count__status")).to_have_count(0)
    finally:
        context.close()
