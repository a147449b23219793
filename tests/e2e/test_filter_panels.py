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


# A select, its container and the chosen option: whether the box is inside its container,
# and whether it is tall enough for the lines the chosen option's words need at the most
# room the box could give them (its width less its borders and padding, the arrow left
# out): a box one line high cuts a name that needs two.
CHOSEN_SHOWN = """(s) => {
  const style = getComputedStyle(s);
  const box = s.getBoundingClientRect();
  const container = s.parentElement.getBoundingClientRect();
  const px = (name) => parseFloat(style[name]) || 0;
  const room = s.clientWidth - px("paddingLeft") - px("paddingRight");
  const words = document.createElement("div");
  words.style.cssText = `position: absolute; visibility: hidden; width: ${room}px;
    font: ${style.font}; line-height: ${style.lineHeight}; white-space: normal`;
  words.textContent = s.options[s.selectedIndex].text;
  document.body.append(words);
  const needs = words.getBoundingClientRect().height + px("paddingTop") + px("paddingBottom");
  words.remove();
  return {
    chosen: s.options[s.selectedIndex].text, right: box.right, left: box.left,
    containerLeft: container.left, containerRight: container.right,
    height: s.clientHeight, needs, scrollWidth: s.scrollWidth, clientWidth: s.clientWidth,
  };
}"""

LONG_PARTNERSHIP = "Castlebrook and Fenbridge Safeguarding Children Partnership"
LONG_AGENCY = (
    "Castlebrook and Fenbridge Integrated Care Board Safeguarding and Looked After Children Team"
)


@pytest.mark.parametrize("width", [1200, 360])
def test_a_long_name_chosen_in_a_select_is_shown_whole(page, live_server, viewers, width):
    """A closed select showed the start of a long name ("Castlebrook and Fenbridge Saf")
    in a narrow panel or on a phone, with no way to read the rest short of opening it:
    the chosen name now wraps inside the box, which stays within its container."""
    from safeguarding.models import Partnership, Region
    from tests.factories import AgencyFactory

    manager = viewers["manager"]
    long_one = Partnership.objects.create(
        region=Region.objects.first(),
        name=LONG_PARTNERSHIP,
        code="CFSCP",
        local_authority="Castlebrook Council",
        contact_email="cfscp@example.org",
    )
    Membership.objects.create(user=manager, partnership=long_one, role=Role.PARTNERSHIP_MANAGER)
    AgencyFactory(name=LONG_AGENCY, partnerships=[long_one])
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_through_browser(page, live_server, manager)
    page.goto(f"{live_server.url}/people/{long_one.pk}/add/")
    page.get_by_label("Agency (for an agency contributor)").select_option(label=LONG_AGENCY)
    shown = [page.locator("#id_agency").evaluate(CHOSEN_SHOWN)]
    page.goto(f"{live_server.url}/audit/?partnership={long_one.pk}")
    shown.append(page.locator(".app-filter-panel select[name=partnership]").evaluate(CHOSEN_SHOWN))
    assert [s["chosen"] for s in shown] == [LONG_AGENCY, LONG_PARTNERSHIP]
    for s in shown:
        assert s["containerLeft"] <= s["left"] and s["right"] <= s["containerRight"] + 0.5, s
        assert s["scrollWidth"] <= s["clientWidth"], s
        assert s["height"] + 0.5 >= s["needs"], s
