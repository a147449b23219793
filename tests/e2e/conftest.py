"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright; axe-core from npm."""

import base64
import os
import weakref
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# tests themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    context.close()


# Best-practice rules run as well as the WCAG ones: "region" (all content inside a
# landmark: the phase banner in the header, the back link in its own navigation landmark).
BEST_PRACTICE_RULES = ("region",)


def axe_violations(page, *, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")):
    """Run axe-core on the current page; return its violations (id, impact, nodes)."""
    # A page may load axe itself on every document (`page.add_init_script(path=AXE)`),
    # rather than have it sent over and injected each time.
    if not page.evaluate("typeof window.axe?.run === 'function'"):
        page.add_script_tag(path=str(AXE))
    # Only the violations come back, as (id, impact, targets): handing axe's whole result
    # (every rule's passes and inapplicable nodes) over to Python took longer than the run.
    return page.evaluate(
        """async ([tags, rules]) => (await axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            rules: Object.fromEntries(rules.map((id) => [id, {enabled: true}])),
        })).violations.map((v) => ({
            id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target),
        }))""",
        [list(tags), list(BEST_PRACTICE_RULES)],
    )


# What `show_html` serves on each page it has opened: the page's HTML, and the static
# files fetched once from the live server.
_shown = weakref.WeakKeyDictionary()


def show_html(page, live_server, html):
    """Open `html` (a page rendered by the test client) as a real page of the live
    server's origin, so its stylesheet and its module scripts load and run as they do for
    a user (`page.set_content` does not run `<script type="module">`).

    A page with a route has no HTTP cache (Playwright turns it off), so without one of its
    own every page shown fetched the stylesheet and the five scripts again: the static
    files are fetched from the live server once per page and then served from memory, as
    a browser's cache would."""
    url = f"{live_server.url}/__rendered__/"
    if page not in _shown:
        shown = _shown[page] = {"static": {}}

        def rendered(route):
            route.fulfill(status=200, content_type="text/html", body=shown["html"])

        def static(route):
            if route.request.url not in shown["static"]:
                response = route.fetch()
                shown["static"][route.request.url] = {
                    "status": response.status,
                    "headers": response.headers,
                    "body": response.body(),
                }
            route.fulfill(**shown["static"][route.request.url])

        page.route(url, rendered)
        page.route(f"{live_server.url}/static/**", static)
    _shown[page]["html"] = html
    # "load": the module scripts (deferred) and the stylesheet have run and applied.
    page.goto(url, wait_until="load")


# --- Pages with the Content Security Policy enforced -------------------------------------

# Recorded before any page script runs; Playwright's init scripts are not subject to CSP.
_RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}`
  );
});
"""


class StrictPage:
    """A page whose context enforces CSP (no bypass_csp, so axe cannot be injected here),
    recording console errors and `securitypolicyviolation` events."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        page.on(
            "console",
            lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.add_init_script(_RECORD_CSP_VIOLATIONS)

    def csp_violations(self) -> list[str]:
        recorded = self.page.evaluate("window.__cspViolations || []")
        reported = [
            text
            for text in self.console_errors
            if "Content Security Policy" in text or "Content-Security-Policy" in text
        ]
        return recorded + reported


@pytest.fixture
def strict_page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield StrictPage(context.new_page())
    context.close()


# --- Signing in through the browser, second factor included -------------------------------


def totp_from_secret(secret_text: str) -> str:
    """The current code for a base32 set-up key as shown on the set-up page."""
    from django_otp.oath import TOTP

    secret = "".join(secret_text.split()).upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def sign_in_through_browser(page, live_server, user, password=None):
    """Sign `user` (a User or an e-mail address) in through the real forms: e-mail and
    password, then the second factor. Someone without an authenticator sets one up from
    the key the page shows, after the code e-mailed to them (and passes the recovery
    codes page); someone with one enters
    its current code. Other e2e tests reuse this."""
    from playwright.sync_api import expect

    from safeguarding.models import User
    from tests.factories import PASSWORD
    from tests.utils import authenticator_for, emailed_code, totp_code

    email = user if isinstance(user, str) else user.email
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password or PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    path = page.url.removeprefix(live_server.url)
    if path.startswith("/two-factor/check-email/"):
        # A first set-up waits for the code e-mailed to the person (the test outbox).
        page.get_by_label("Enter the 6-digit code from the email").fill(emailed_code(email))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        path = page.url.removeprefix(live_server.url)
    if path.startswith("/two-factor/set-up/"):
        page.get_by_text("I cannot scan the QR code").click()
        secret = page.locator("code[data-secret]").inner_text()
        page.get_by_label("Enter the 6-digit code from your authenticator app").fill(
            totp_from_secret(secret)
        )
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
        page.get_by_role("link", name="I have saved my recovery codes").click()
    elif path.startswith("/two-factor/"):
        device = authenticator_for(User.objects.get(email__iexact=email))
        page.get_by_label("Enter the 6-digit code from your authenticator app").fill(
            totp_code(device)
        )
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "/two-factor/" not in page.url, f"still on the two-factor step: {page.url}"
