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
    expect(count).to_have_text("You have 20,000 characters remaining")
    area.fill("Seen at home")
    expect(count).to_have_text("You have 19,988 characters remaining")
    area.fill("x" * 20_003)
    expect(count).to_have_text(re.compile(r"You have 3 characters too many"))
