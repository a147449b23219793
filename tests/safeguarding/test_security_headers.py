"""HTTP hardening: Content Security Policy without inline code, and the other headers."""

import re

import pytest
from django.urls import reverse

from tests.utils import emailed_code, sign_in

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def assert_no_inline_code(html: str, url: str):
    assert not INLINE_SCRIPT.findall(html), f"{url}: inline <script> {INLINE_SCRIPT.findall(html)}"
    assert not STYLE_ATTRIBUTE.findall(html), f"{url}: style= {STYLE_ATTRIBUTE.findall(html)}"
    assert not EVENT_HANDLER.findall(html), f"{url}: on…= {EVENT_HANDLER.findall(html)}"
    assert "<style" not in html.lower(), f"{url}: <style> element"


def assert_strict_policy(response):
    policy = directives(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_public_pages_have_a_strict_policy_and_no_inline_code(client):
    for url in [
        reverse("safeguarding:sign-in"),
        reverse("safeguarding:password-reset"),
        reverse("safeguarding:accessibility"),
        reverse("safeguarding:signed-out"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)
        assert_no_inline_code(response.content.decode(), url)
    # With errors shown, too (crispy-forms-gds's error summary and messages).
    response = client.post(reverse("safeguarding:sign-in"), {"username": "", "password": ""})
    assert_strict_policy(response)
    assert_no_inline_code(response.content.decode(), "sign-in with errors")


def test_signed_in_pages_have_a_strict_policy_and_no_inline_code(client, people):
    sign_in(client, people["manager"])
    for url in [
        reverse("safeguarding:home"),
        reverse("safeguarding:audit"),
        reverse("safeguarding:account"),
        reverse("safeguarding:password-change"),
        reverse("safeguarding:two-factor-setup"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)
        assert_no_inline_code(response.content.decode(), url)


def test_two_factor_pages_have_no_inline_code(client, people):
    officer = people["officer"]
    client.post(
        reverse("safeguarding:sign-in"),
        {"username": officer.email, "password": "correct-horse-battery-staple"},
    )
    email_step = client.get(reverse("safeguarding:two-factor-email"))
    assert_no_inline_code(email_step.content.decode(), "two-factor emailed code")
    client.post(reverse("safeguarding:two-factor-email"), {"code": emailed_code(officer.email)})
    response = client.get(reverse("safeguarding:two-factor-setup"))
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # allowed by img-src data:
    assert_no_inline_code(html, "two-factor set-up")


def test_other_security_headers(client):
    response = client.get(reverse("safeguarding:sign-in"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_session_and_csrf_cookies_are_http_only(client, people):
    response = client.post(
        reverse("safeguarding:sign-in"),
        {"username": people["officer"].email, "password": "correct-horse-battery-staple"},
    )
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"
    page = client.get(reverse("safeguarding:sign-in"))
    assert client.cookies["csrftoken"]["httponly"] or page.cookies.get("csrftoken") is None
