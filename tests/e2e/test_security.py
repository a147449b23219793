"""In a real browser: the Content Security Policy is enforced and nothing breaks it, and
the two-factor, account, lockout and accessibility pages pass axe-core."""

import pytest
from playwright.sync_api import expect

from safeguarding.models import Role
from tests.factories import PASSWORD, member
from tests.utils import authenticator_for, emailed_code, totp_code

from .conftest import axe_violations, sign_in_through_browser, totp_from_secret

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(partnership):
    return member(
        Role.REVIEW_OFFICER, partnership, full_name="Olu Officer", email="olu@example.org"
    )


@pytest.fixture
def manager(partnership):
    return member(
        Role.PARTNERSHIP_MANAGER, partnership, full_name="Helen Manager", email="helen@example.org"
    )


def test_no_csp_violations_with_the_policy_enforced(strict_page, live_server, manager):
    page = strict_page.page
    visited = []

    def check(what):
        visited.append(what)
        assert strict_page.csp_violations() == [], what

    page.goto(f"{live_server.url}/sign-in/")
    # GOV.UK Frontend's scripts ran: the external init.js marked the page supported.
    assert "govuk-frontend-supported" in page.evaluate("document.body.className")
    check("sign-in")

    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()  # app.mjs ran under CSP
    check("sign-in with errors")

    # First sign-in: the e-mailed code, the set-up page (QR code as a data: image),
    # recovery codes, home.
    page.get_by_label("Email address").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check("emailed code")
    page.get_by_label("Enter the 6-digit code from the email").fill(emailed_code(manager.email))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    qr = page.get_by_role("img", name="QR code to add this service to your authenticator app")
    assert qr.evaluate("(img) => img.complete && img.naturalWidth > 0")
    check("two-factor set-up")
    page.get_by_text("I cannot scan the QR code").click()
    code = totp_from_secret(page.locator("code[data-secret]").inner_text())
    page.get_by_label("Enter the 6-digit code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    check("recovery codes")
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    check("home")

    for path, heading in [
        ("/audit/", "Audit trail"),
        ("/account/", "Your account"),
        ("/account/password/", "Change your password"),
        ("/accessibility/", "Accessibility statement for Safeguarding practice reviews"),
        ("/no-such-page/", "Page not found"),
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        check(path)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    check("signed out")
    assert len(visited) == 12
    # The only console error allowed is the browser reporting the deliberate 404.
    assert all("404" in text for text in strict_page.console_errors), strict_page.console_errors


def test_two_factor_pages_pass_axe(page, live_server, officer):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_text("I have not received the email").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Error: Check your email – Safeguarding practice reviews")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert axe_violations(page) == []
    page.get_by_label("Enter the 6-digit code from the email").fill(emailed_code(officer.email))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(
        "Error: Set up two-factor authentication – Safeguarding practice reviews"
    )
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the 6-digit code from your authenticator app")
    expect(summary).to_be_focused()
    assert axe_violations(page) == []

    page.get_by_text("I cannot scan the QR code").click()
    code = totp_from_secret(page.locator("code[data-secret]").inner_text())
    page.get_by_label("Enter the 6-digit code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    assert axe_violations(page) == []
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Change your password").click()
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your current password")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Enter the 6-digit code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The code is not correct or has expired"
    )
    assert axe_violations(page) == []

    page.get_by_role("link", name="use a recovery code").click()
    expect(page.get_by_role("heading", name="Use a recovery code")).to_be_visible()
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/accessibility/")
    assert axe_violations(page) == []


def test_lockout_page_passes_axe_and_says_what_to_do(page, live_server, officer):
    for _ in range(5):
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_label("Email address").fill(officer.email)
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign-in is locked")).to_be_visible()
    expect(page.locator("main")).to_contain_text("try again in 30 minutes")
    assert axe_violations(page) == []


def test_the_browser_helper_uses_an_existing_authenticator(page, live_server, officer):
    device = authenticator_for(officer)
    sign_in_through_browser(page, live_server, officer.email)
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    assert totp_code(device)  # the device moved on: the next code is for a later step
