"""Every filter panel's selects in a real browser: each lies inside its panel and the
screen, and shows whichever of its choices is chosen whole (ADR 0008)."""

import datetime as dt

import pytest

from safeguarding.models import Membership, Role
from tests.factories import member

from .conftest import sign_in_through_browser

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Each select of the filter panels: its box, its panel's box, and the width the browser
# gives the same select left to size itself (its widest option shown whole).
FILTER_SELECTS = """() => [...document.querySelectorAll(".app-filter-panel select")].map((s) => {
  const natural = s.cloneNode(true);
  natural.removeAttribute("id");
  natural.style.cssText = "width: auto; min-width: 0; max-width: none; position: absolute";
  s.parentElement.append(natural);
  const needs = natural.getBoundingClientRect().width;
  natural.remove();
  const box = s.getBoundingClientRect();
  const panel = s.closest(".app-filter-panel").getBoundingClientRect();
  return {
    name: s.name, left: box.left, right: box.right, width: box.width, needs,
    panelLeft: panel.left, panelRight: panel.right,
    viewport: document.documentElement.clientWidth,
  };
})"""

#: Who sees each filter panel with all of its filters (None: the public library).
PAGES = [
    ("manager", "/"),
    ("manager", "/incidents/"),
    ("manager", "/audit/"),
    ("manager", "/reports/timeliness/"),
    ("regional", "/reports/regional/"),
    (None, "/learning-from-reviews/"),
]
#: Choices that are records' own names (a partnership's, a person's), of any length: the
#: open list shows them whole; the closed box may show the start of a long one.
NAMES = {"partnership", "actor"}


@pytest.fixture
def viewers(partnership, other_partnership, region):
    manager = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager")
    Membership.objects.create(
        user=manager, partnership=other_partnership, role=Role.PARTNERSHIP_MANAGER
    )
    regional = member(Role.REGIONAL_VIEWER, region=region, full_name="Joanne Regional")
    return {"manager": manager, "regional": regional}


@pytest.mark.parametrize("width", [1200, 900])
def test_every_filter_panel_shows_each_choice_whole(page, live_server, viewers, width):
    """At 1200 pixels the incident list's nature select (a quarter of the page) showed
    "Death of a lo" for "Death of a looked-after child where abuse or neglect is not
    suspected", and at 900 pixels the period filters' quarter read "4 (October to D".
    Every select of every filter panel now lies inside its panel and the screen, and is
    as wide as its longest choice; from 1020 pixels (the page's full width) the panel is
    beside the results, below that above them."""
    page.set_viewport_size({"width": width, "height": 900})
    measured = set()
    who_now = "nobody yet"
    for who, path in PAGES:
        if who != who_now:
            page.context.clear_cookies()
            if who is not None:
                sign_in_through_browser(page, live_server, viewers[who])
            who_now = who
        page.goto(f"{live_server.url}{path}")
        selects = page.evaluate(FILTER_SELECTS)
        assert selects, path
        for s in selects:
            where = (width, path, s["name"], s)
            assert s["panelLeft"] <= s["left"] and s["right"] <= s["panelRight"], where
            assert 0 <= s["left"] and s["right"] <= s["viewport"], where
            if s["name"] not in NAMES:
                assert s["needs"] <= s["width"] + 0.5, where
            measured.add((path, s["name"]))
        panel = page.locator(".app-filter-panel").first.bounding_box()
        beside = panel["width"] < width / 2
        assert beside == (width >= 1020 and path != "/learning-from-reviews/"), (width, path)
    # Every panel's selects were there to measure.
    assert {
        ("/", "partnership"),
        ("/", "stage"),
        ("/incidents/", "status"),
        ("/incidents/", "nature"),
        ("/incidents/", "due"),
        ("/incidents/", "sort"),
        ("/audit/", "partnership"),
        ("/audit/", "action"),
        ("/reports/timeliness/", "quarter"),
        ("/reports/regional/", "quarter"),
    } <= measured


def test_a_case_reference_is_never_broken_at_its_hyphens(page, live_server, viewers):
    """With the results in two thirds of the page, the incident list's references broke
    at their hyphens ("BSCP-" over "2026-009"); each is read on one line."""
    from notifications import services
    from notifications.models import Nature
    from tests.notifications.conftest import child_values

    manager = viewers["manager"]
    incident = services.incident_create(
        partnership=Membership.objects.filter(user=manager).first().partnership,
        actor=manager,
        awareness_date=dt.date(2026, 11, 2),
    )
    # The longest nature and two children: the columns beside the reference are wide.
    services.incident_update(incident=incident, actor=manager, changes={"nature": Nature.OTHER})
    for name in ("Amelia Zephyrine", "Oscar Zephyrine"):
        services.child_save(incident=incident, actor=manager, values=child_values(name=name))
    sign_in_through_browser(page, live_server, manager)
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{live_server.url}/incidents/")
    link = page.get_by_role("link", name=incident.reference, exact=True)
    assert link.evaluate("(a) => a.getClientRects().length") == 1
