"""axe-core on every page type (issue 8, item 6): the same pages the Nu HTML Checker reads
(rendered as each page's user, error states included) are loaded into headless Chromium
on the live server's origin, with the service's stylesheet and scripts, and checked."""

import pytest

from tests.notifications.conftest import make_incident  # noqa: F401 - fixture
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    make_review,
    review,
    sent_requests,
)
from tests.test_url_isolation import world  # noqa: F401 - fixture

from .conftest import AXE, axe_violations, show_html
from .test_html_validity import collect

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_every_page_type_has_no_axe_violations(
    client,
    people,
    world,  # noqa: F811 - the fixture imported above
    make_incident,  # noqa: F811
    settings,
    live_server,
    page,
):
    settings.AXES_ENABLED = False
    pages = collect(client, people, world, make_incident())
    assert len(pages) > 60
    failures = {}
    page.add_init_script(path=str(AXE))  # on every page shown, before its own scripts
    for name, html in sorted(pages.items()):
        # Served from the live server's origin, with its module scripts run (the wide
        # tables' scroll boxes are judged too).
        show_html(page, live_server, html)
        # The service's stylesheet is applied (so colour contrast is judged as users see it).
        header = page.evaluate(
            "getComputedStyle(document.querySelector('.govuk-header')).backgroundColor"
        )
        assert header == "rgb(11, 12, 12)", (name, header)
        violations = axe_violations(page)
        if violations:
            failures[name] = violations
    assert failures == {}


def test_the_axe_check_reports_what_it_finds(client, people, settings, live_server, page):
    """The check above passes only on an empty list: `axe_violations` finds violations,
    with axe injected and with axe loaded on every page by an init script."""
    from tests.utils import sign_in

    settings.AXES_ENABLED = False
    sign_in(client, people["officer"])
    html = client.get("/").content.decode()
    planted = html.replace("</main>", '<img src="/none.png"><input type="text"></main>', 1)
    expected = [
        {"id": "image-alt", "impact": "critical", "nodes": [["img"]]},
        {"id": "label", "impact": "critical", "nodes": [['input[type="text"]']]},
    ]
    show_html(page, live_server, planted)
    assert axe_violations(page) == expected
    page.add_init_script(path=str(AXE))
    show_html(page, live_server, planted)
    assert page.evaluate("typeof axe.run") == "function"
    assert axe_violations(page) == expected
