"""A manager adds an agency contributor in the browser: the People page, the form with
its errors, and the list afterwards all pass axe-core."""

import pytest
from playwright.sync_api import expect

from safeguarding.models import Role
from tests.factories import AgencyFactory, member

from .conftest import axe_violations, sign_in_through_browser

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_manager_adds_a_contributor(page, live_server, partnership, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    agency = AgencyFactory(name="Brookfield Youth Justice", partnerships=[partnership])
    manager = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager")
    sign_in_through_browser(page, live_server, manager)
    page.get_by_role("link", name=f"People of {partnership.name}").click()
    expect(page.get_by_role("heading", level=1, name="People")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Add a person").click()
    page.get_by_role("button", name="Add the person").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter their work email address")
    assert axe_violations(page) == []
    page.get_by_label("Full name").fill("Sam Youth")
    page.get_by_label("Work email address").fill("sam@youth.example")
    page.get_by_role("radio", name="Agency contributor").check()
    page.get_by_label("Agency (for an agency contributor)").select_option(label=agency.name)
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_text("Sam Youth now has the role ‘Agency contributor’")).to_be_visible()
    expect(page.get_by_role("cell", name="sam@youth.example")).to_be_visible()
    assert axe_violations(page) == []


def test_a_manager_records_the_statutory_leads(page, live_server, partnership):
    from safeguarding.leads import partner_leads_of

    manager = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager")
    sign_in_through_browser(page, live_server, manager)
    page.get_by_role("link", name=f"Statutory leads of {partnership.name}").click()
    expect(page.get_by_role("heading", level=1, name="Statutory partners’ leads")).to_be_visible()
    assert axe_violations(page) == []
    police = page.get_by_role("group", name="Police")
    police.get_by_label("Name").fill("Raj Patel")
    page.get_by_role("button", name="Save the leads").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the job title of the police lead")
    assert page.title().startswith("Error:")
    assert axe_violations(page) == []
    police = page.get_by_role("group", name="Police")
    expect(police.get_by_label("Name")).to_have_value("Raj Patel")
    police.get_by_label("Job title").fill("Detective Superintendent")
    local_authority = page.get_by_role("group", name="Local authority")
    local_authority.get_by_label("Name").fill("Karen Whitfield")
    local_authority.get_by_label("Job title").fill("Director of Children’s Services")
    page.get_by_role("button", name="Save the leads").click()
    expect(page.get_by_text("The statutory partners’ leads of")).to_be_visible()
    assert {p: lead.name for p, lead in partner_leads_of(partnership).items()} == {
        "local_authority": "Karen Whitfield",
        "police": "Raj Patel",
    }


def test_the_leads_page_opened_from_people_goes_back_there(page, live_server, partnership):
    manager = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager")
    sign_in_through_browser(page, live_server, manager)
    page.get_by_role("link", name=f"People of {partnership.name}").click()
    page.get_by_role("link", name="statutory partners’ leads page").click()
    expect(page.get_by_role("heading", level=1, name="Statutory partners’ leads")).to_be_visible()
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", level=1, name="People")).to_be_visible()
    page.get_by_role("link", name="statutory partners’ leads page").click()
    police = page.get_by_role("group", name="Police")
    police.get_by_label("Name").fill("Raj Patel")
    police.get_by_label("Job title").fill("Detective Superintendent")
    page.get_by_role("button", name="Save the leads").click()
    expect(page.get_by_role("heading", level=1, name="People")).to_be_visible()
    expect(page.get_by_text("The statutory partners’ leads of")).to_be_visible()


def test_a_manager_hands_over_the_deadlines_of_an_officer_on_leave(page, live_server, partnership):
    """Cover for leave: from the officer's row of the People page, the hand-over page with
    its error, Back, and the People page again with the colleague's count."""
    from django.utils import timezone

    from safeguarding.models import Deadline
    from tests.safeguarding.report_helpers import make_deadline

    manager = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager")
    officer = member(Role.REVIEW_OFFICER, partnership, full_name="Officer One")
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague Two")
    for _ in range(3):
        make_deadline(partnership, due=timezone.localdate(), owner=officer)
    sign_in_through_browser(page, live_server, manager)
    page.get_by_role("link", name=f"People of {partnership.name}").click()
    page.get_by_role("link", name="Hand over their deadlines (Officer One)").click()
    heading = page.get_by_role("heading", level=1, name="Hand over Officer One’s open deadlines")
    expect(heading).to_be_visible()
    expect(page.get_by_text("Officer One keeps their role")).to_be_visible()
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", level=1, name="People")).to_be_visible()
    page.get_by_role("link", name="Hand over their deadlines (Officer One)").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Hand them over").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select who takes over their open deadlines")
    assert page.title().startswith("Error:")
    assert axe_violations(page) == []
    page.get_by_role("radio", name="Colleague Two").check()
    page.get_by_role("button", name="Hand them over").click()
    done = "Officer One’s 3 open deadlines are now Colleague Two’s."
    expect(page.get_by_text(done)).to_be_visible()
    link = "Hand over their deadlines ({})"
    expect(page.get_by_role("link", name=link.format("Colleague Two"))).to_be_visible()
    expect(page.get_by_role("link", name=link.format("Officer One"))).to_have_count(0)
    assert axe_violations(page) == []
    assert Deadline.objects.filter(owner=colleague).count() == 3


# Each cell of the People tables whose text is cut off (wider than the cell), and whether
# a table's box scrolls sideways.
CUT_CELLS = """() => [...document.querySelectorAll(".app-table-scroll td")]
  .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
  .map((cell) => cell.textContent.trim())"""
BOXES_SCROLLING = """() => [...document.querySelectorAll(".app-table-scroll")]
  .filter((box) => box.scrollWidth > box.clientWidth + 1).length"""


@pytest.mark.parametrize("width", [375, 320])
def test_the_people_table_is_read_whole_on_a_phone(page, live_server, partnership, width):
    """At 375 and 320 pixels the People table was cut off in its sideways-scrolling box
    ("Indeper…", the actions off screen, with no cue): each row now stands as a block,
    every cell's text whole, the actions on screen."""
    from django.utils import timezone

    from tests.safeguarding.report_helpers import make_deadline

    agency = AgencyFactory(
        name="Brookfield Hospitals NHS Foundation Trust", partnerships=[partnership]
    )
    manager = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager")
    officer = member(
        Role.REVIEW_OFFICER,
        partnership,
        full_name="Officer One",
        email="officer.one@brookfield-housing.example",
    )
    member(Role.INDEPENDENT_REVIEWER, partnership, full_name="Dr Ruth Mensah")
    member(Role.AGENCY_CONTRIBUTOR, partnership, agency=agency, full_name="Gareth Lewis")
    make_deadline(partnership, due=timezone.localdate(), owner=officer)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in_through_browser(page, live_server, manager)
    page.get_by_role("link", name=f"People of {partnership.name}").click()
    expect(page.get_by_role("heading", level=1, name="People")).to_be_visible()
    assert page.evaluate(CUT_CELLS) == []
    assert page.evaluate(BOXES_SCROLLING) == 0
    for text in ("Independent reviewer", "Agency contributor", "Review officer"):
        expect(page.locator("td:nth-child(3)", has_text=text)).to_be_visible()
    links = [
        page.get_by_role("link", name="Hand over their deadlines (Officer One)"),
        page.get_by_role("link", name="Remove Dr Ruth Mensah, Independent reviewer"),
        page.get_by_role("link", name="Remove Gareth Lewis, Agency contributor"),
    ]
    for link in links:
        expect(link).to_be_visible()
        box = link.bounding_box()  # on screen sideways, not in a box scrolled out of view
        assert 0 <= box["x"] and box["x"] + box["width"] <= width, link
    assert axe_violations(page) == []
