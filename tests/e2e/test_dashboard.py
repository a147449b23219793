"""The manager's dashboard, timeliness and regional pages in a real browser (issue 7)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safeguarding import calendar
from safeguarding.models import Deadline, Role
from tests.factories import member
from tests.safeguarding.report_helpers import make_deadline

from .conftest import axe_violations, sign_in_through_browser

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(partnership):
    return member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager")


@pytest.fixture
def clocks(partnership, manager):
    today = timezone.localdate()
    officer = member(Role.REVIEW_OFFICER, partnership, full_name="Tom Officer")
    overdue = make_deadline(
        partnership,
        due=calendar.add_working_days(today, -2, partnership=partnership),
        owner=officer,
        title="Notify the National Panel: BSCP-2026-001",
    )
    soon = make_deadline(
        partnership,
        due=calendar.add_working_days(today, 3, partnership=partnership),
        kind=Deadline.Kind.AGENCY_RETURN,
        owner=manager,
        title="Agency return from Midshire Police: BSCP-2026-002",
    )
    year = today.year - 1
    for i in range(6):
        due = dt.date(year, 3, 2 + i)
        make_deadline(partnership, due=due, closed_on=due + dt.timedelta(days=i % 3))
    return overdue, soon


def test_manager_dashboard_timeliness_and_exports(page, live_server, manager, clocks):
    overdue, soon = clocks
    sign_in_through_browser(page, live_server, manager)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    overdue_table = page.get_by_role("table", name="Overdue")
    expect(overdue_table).to_contain_text(overdue.title)
    expect(overdue_table).to_contain_text("Red: overdue")
    late = -calendar.working_days_between(
        timezone.localdate(), overdue.due_date, partnership=overdue.partnership
    )
    expect(overdue_table).to_contain_text(f"{late} working day{'s' if late > 1 else ''} overdue")
    expect(page.get_by_role("table", name="Due within the next 5 working days")).to_contain_text(
        soon.title
    )
    expect(page.get_by_role("table", name="Workload per person")).to_contain_text("Tom Officer")
    assert axe_violations(page) == []

    # "My items" is a plain link: no JavaScript needed.
    page.get_by_role("link", name="Show my items only").click()
    expect(page.get_by_text("Showing your items only.")).to_be_visible()
    expect(page.get_by_text(overdue.title)).to_have_count(0)
    expect(page.get_by_text(soon.title)).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV of the dashboard deadlines").click()
    assert download.value.suggested_filename.endswith(".csv")

    page.get_by_role("link", name="Reports").click()
    year = timezone.localdate().year - 1
    page.locator("#id_year").select_option(str(year))
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Timeliness: {year}")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.get_by_text("None due in this period").first).to_be_visible()
    assert axe_violations(page) == []


def test_regional_viewer_sees_the_comparison_only(page, live_server, region, clocks):
    viewer = member(Role.REGIONAL_VIEWER, region=region, full_name="Joanne Regional")
    sign_in_through_browser(page, live_server, viewer)
    page.goto(f"{live_server.url}/reports/regional/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Regional comparison")
    expect(page.get_by_text("fewer than 5").first).to_be_visible()
    assert axe_violations(page) == []
    response = page.goto(f"{live_server.url}/reports/timeliness/")
    assert response.status == 403


def test_on_a_phone_wide_tables_scroll_in_their_own_box(browser, live_server, manager, clocks):
    """At 320 pixels the page itself is no wider than the screen: each wide table scrolls
    sideways in a box that is named and takes keyboard focus."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 800})
    page = context.new_page()
    try:
        sign_in_through_browser(page, live_server, manager)
        for path in ("/", "/incidents/", "/reports/timeliness/"):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (path, width)
        page.goto(f"{live_server.url}/")
        boxes = page.locator(".app-table-scroll[role=region][tabindex='0']")
        assert boxes.count() >= 1
        first = boxes.first
        assert "(scrolls sideways)" in first.get_attribute("aria-label")
        # A phone hides the scroll bar until it is touched: a line above the box says it
        # scrolls, once for each box that does and for no other.
        hints = page.locator(".app-table-scroll__hint")
        assert hints.count() == boxes.count()
        hint = first.locator("xpath=preceding-sibling::*[1]")
        expect(hint).to_have_text("Scroll sideways to see the whole table.")
        expect(hint).to_be_visible()
        first.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        # The scroll may be animated: it moves after the key press returns (read at once,
        # it was still 0 once on a loaded machine).
        page.wait_for_function("(el) => el.scrollLeft > 0", arg=first.element_handle())
        assert axe_violations(page) == []
        # Turned to a wide screen, every table fits: the lines go with the scrolling.
        page.set_viewport_size({"width": 1400, "height": 800})
        page.wait_for_function("() => !document.querySelector('.app-table-scroll[role=region]')")
        assert page.locator(".app-table-scroll__hint").count() == 0
    finally:
        context.close()


# The size of the smallest text of each chart drawn on the page, in CSS pixels (the SVG
# is drawn at 13 pixels in its viewBox and scaled to the width it is given), and whether
# the chart is shown at all.
CHART_TEXT_SIZES = """() => [...document.querySelectorAll("svg.app-chart")].map((svg) => {
  const box = svg.getBoundingClientRect();
  const shown = box.width > 0 && getComputedStyle(svg).visibility !== "hidden";
  return shown ? (13 * box.width) / svg.viewBox.baseVal.width : null;
})"""


def test_on_a_phone_no_chart_is_drawn_too_small_to_read(
    browser, live_server, partnership, manager, region, clocks
):
    """A chart 640 pixels wide squeezed into a 320-pixel screen drew its labels at about
    6 pixels. On a phone the chart is left out and its data table, with the same figures,
    is read instead; on a wider screen the chart is there, its text at its size."""
    viewer = member(Role.REGIONAL_VIEWER, region=region, full_name="Joanne Regional")
    year = timezone.localdate().year - 1
    # Enough clocks in the year for the regional figures to be shown, not suppressed.
    for i in range(20):
        due = dt.date(year, 5, 4) + dt.timedelta(days=i)
        late = i % 4 == 0
        make_deadline(partnership, due=due, closed_on=due + dt.timedelta(days=3 if late else 0))
    pages = (
        (manager, f"/reports/timeliness/?year={year}"),
        (viewer, f"/reports/regional/?year={year}"),
    )
    for width in (320, 1200):
        context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 800})
        page = context.new_page()
        try:
            for person, path in pages:
                sign_in_through_browser(page, live_server, person)
                page.goto(f"{live_server.url}{path}")
                sizes = page.evaluate(CHART_TEXT_SIZES)
                assert sizes, path  # the page has charts
                shown = [size for size in sizes if size is not None]
                assert all(size >= 12 for size in shown), (width, path, sizes)
                if width > 320:
                    assert len(shown) == len(sizes), (path, sizes)
                # The figures are there at every width, in the chart's table.
                expect(page.locator("table.govuk-table").first).to_be_visible()
                page.context.clear_cookies()
        finally:
            context.close()
