"""A word too long for the screen (a pasted link, a reference without spaces) wraps inside
its column at 320 CSS pixels rather than pushing the whole page sideways (WCAG 1.4.10). A
demo walk found a 300-character recommendation made the local review page 2,415 pixels
wide on a phone."""

import pytest
from django.urls import reverse

from lcspr import services
from tests.e2e.conftest import show_html
from tests.lcspr.conftest import open_review
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    make_review,
)
from tests.utils import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LONG = "https://example.org/" + "a" * 280


def test_a_long_unbroken_word_wraps_on_a_phone(
    client,
    people,
    make_review,  # noqa: F811
    settings,
    live_server,
    browser,
):
    settings.AXES_ENABLED = False
    review = open_review(make_review, people)
    rec = services.recommendation_add(review=review, actor=people["officer"], text=LONG)
    sign_in(client, people["officer"])
    pages = {
        "review": client.get(review.get_absolute_url()),
        "add an action": client.get(reverse("lcspr:action-add", args=[review.pk, rec.pk])),
    }
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 800})
    page = context.new_page()
    try:
        widths = {}
        for name, response in pages.items():
            assert response.status_code == 200
            html = response.content.decode()
            assert LONG in html
            show_html(page, live_server, html)
            widths[name] = page.evaluate("document.documentElement.scrollWidth")
        assert widths == {name: 320 for name in pages}
    finally:
        context.close()
