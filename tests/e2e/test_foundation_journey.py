"""Sign in, see a role's home page, use the audit trail, time out: in a real browser."""

import pytest
from playwright.sync_api import expect

from safeguarding.models import Role
from tests.factories import PASSWORD, member

from .conftest import axe_violations, sign_in_through_browser

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(partnership):
    return member(
        Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager", email="helen@example.org"
    )


def sign_in(page, live_server, email, password=PASSWORD):
    """The real sign-in, second factor included (tests/e2e/conftest.py)."""
    sign_in_through_browser(page, live_server, email, password)


def test_sign_in_errors_home_audit_and_sign_out(page, live_server, manager):
    page.goto(f"{live_server.url}/sign-in/")
    assert axe_violations(page) == []

    sign_in(page, live_server, manager.email, "wrong-password")
    expect(page).to_have_title("Error: Sign in – Safeguarding practice reviews")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The email address or password is not correct")
    expect(summary).to_be_focused()  # GOV.UK Frontend's JavaScript moves focus there
    assert axe_violations(page) == []

    sign_in(page, live_server, manager.email)
    expect(page.get_by_role("heading", name="Partnerships you manage")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Audit trail", exact=True).click()
    expect(page.get_by_role("heading", name="Audit trail", level=1)).to_be_visible()
    expect(page.locator("table")).to_contain_text("Signed in")
    expect(page.locator("table")).to_contain_text("Failed sign-in")
    page.get_by_label("Action").select_option("sign_in_failed")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    assert axe_violations(page) == []

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()


def test_skip_link_is_first_and_works(page, live_server):
    page.goto(f"{live_server.url}/sign-in/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


def test_timeout_warning_offers_to_stay_signed_in(page, live_server, manager, settings):
    settings.SESSION_COOKIE_AGE = 20
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 18  # the warning shows ~2 s after a page loads
    sign_in(page, live_server, manager.email)
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible(timeout=10_000)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    # The session was renewed, so the next page is still signed in.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()


def test_idle_session_ends_on_the_signed_out_page(page, live_server, manager, settings):
    settings.SESSION_COOKIE_AGE = 8
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 6
    sign_in(page, live_server, manager.email)
    expect(page.get_by_role("heading", name="You have been signed out")).to_be_visible(
        timeout=15_000
    )
    # The session really ended: the next page asks to sign in again.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sign_out_in_the_timeout_warning_ends_the_session(page, live_server, manager, settings):
    settings.SESSION_COOKIE_AGE = 60
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 58  # the warning shows ~2 s after a page loads
    sign_in(page, live_server, manager.email)
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible(timeout=10_000)
    dialog.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_idle_tab_does_not_sign_out_someone_working_in_another(
    page, live_server, manager, settings
):
    """Tabs of one browser share one session: while one is in use, another left idle
    neither warns nor signs out."""
    settings.SESSION_COOKIE_AGE = 12
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 6
    settings.SESSION_REFRESH_SECONDS = 1
    sign_in(page, live_server, manager.email)
    idle = page.context.new_page()
    idle.goto(f"{live_server.url}/")
    for _ in range(8):  # 16 seconds of work in the first tab, past the idle time
        page.wait_for_timeout(2000)
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    expect(idle.get_by_role("heading", name="Your work")).to_be_visible()
    assert not idle.get_by_role("dialog").is_visible()
    # Left alone, both end signed out.
    expect(idle.get_by_role("heading", name="You have been signed out")).to_be_visible(
        timeout=20_000
    )
