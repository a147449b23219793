"""Request guards: the second factor is required before anything else, the idle timeout
slides with activity, and a Permissions-Policy header switches off browser features the
service never uses."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from . import two_factor

#: Pages a signed-in user may reach before completing the second factor.
OPEN_BEFORE_TWO_FACTOR = frozenset(
    {
        "sign-in",
        "sign-out",
        "signed-out",
        "keep-alive",
        "healthz",
        "service-status",
        "accessibility",
        "cookies",
        "privacy",
        "password-reset",
        "password-reset-sent",
        "password-reset-confirm",
        "password-reset-complete",
        "two-factor-verify",
        "two-factor-recovery",
        "two-factor-email",
        "two-factor-email-resend",
        "two-factor-setup",
        "two-factor-skip",
    }
)


#: Public sites anyone may read, signed in or not (published learning only).
PUBLIC_NAMESPACES = frozenset({"learning"})


class TwoFactorRequiredMiddleware:
    """A signed-in user who must use two-factor authentication and has not yet done so in
    this session reaches only the sign-in, two-factor, sign-out, password-reset, health
    and static URLs; every other request (the administration site included) is sent to
    the two-factor step. Runs after django_otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.two_factor_pending = False
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and two_factor.required_for(user)
            and not two_factor.is_satisfied(request)
        ):
            request.two_factor_pending = True
            if not self._is_open(request.path_info):
                return redirect(self._step_url(request))
        return self.get_response(request)

    @staticmethod
    def _is_open(path: str) -> bool:
        if path.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return False
        if match.namespace in PUBLIC_NAMESPACES:
            return True
        return match.namespace == "safeguarding" and match.url_name in OPEN_BEFORE_TWO_FACTOR

    @staticmethod
    def _step_url(request) -> str:
        url = two_factor.step_url(request.user)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return url


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header from settings.PERMISSIONS_POLICY."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response


class SessionActivityMiddleware:
    """Slides a signed-in session's idle expiry forward, writing it at most once every
    `refresh_interval()` seconds instead of on every request (SESSION_SAVE_EVERY_REQUEST
    is off). Sits just inside SessionMiddleware, which saves the session it marks."""

    KEY = "_activity_at"

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def refresh_interval() -> int:
        # Never more than a tenth of the idle time or half the warning, so the server's
        # expiry stays within the page's countdown (short timeouts refresh every request).
        return min(
            settings.SESSION_REFRESH_SECONDS,
            settings.SESSION_COOKIE_AGE // 10,
            settings.SESSION_TIMEOUT_WARNING_SECONDS // 2,
        )

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or not session.session_key:
            return response
        now = int(time.time())
        if session.modified or now - session.get(self.KEY, 0) >= self.refresh_interval():
            session[self.KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


class PrivateResponsesMiddleware:
    """Nothing shown to a signed-in person is kept by the browser or a proxy: every
    response to them (pages, PDFs, downloads) is `Cache-Control: private, no-store`
    unless the view set its own, so case details are not left in a shared computer's
    cache, nor shown again by the Back button after signing out. Sits after
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


class DemoErrorPagesMiddleware:
    """The embedded demo runs with DEBUG on (its second-factor skip needs it), where Django
    answers a missing page with its technical page (every URL pattern) and an error with
    a traceback. The demo shows the service's own pages instead, as deployed; the
    traceback still goes to the console log. Installed only with DEMO_MODE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import SuspiciousOperation

        from .views import bad_request, page_not_found, server_error

        try:
            response = self.get_response(request)
        except SuspiciousOperation:
            # A request Django cannot read (too many fields): with DEBUG on, Django's
            # technical page reads the request again, fails the same way, and the error
            # escapes every layer (a bare 500 from the server).
            return bad_request(request)
        if getattr(response, "service_page", False):
            return response
        if response.status_code == 400:
            return bad_request(request)
        if response.status_code == 404:
            return page_not_found(request)
        if response.status_code == 500:
            return server_error(request)
        return response


class RefusedCaseRequestsMiddleware:
    """Records in the audit trail a signed-in person's request for a case page that was
    refused: a `PermissionDenied` (403) or an `Http404` raised by the page, which is
    what a record outside their scope answers (ADR 0003). It only records: the
    exception goes on to the usual 403 or 404 page, the same as before, so a refusal
    still says nothing of whether the record exists. The event is filed under the
    person's partnership and, where the record the address names is another
    partnership's, under that one too (`audit.audit_refused`, ADR 0005 addenda): a read
    for the trail only, never for the page. Not for anonymous requests (sent
    to sign in, or a bare 404), addresses no page matches (the resolver's 404), static
    files, or any page outside the case apps."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        import logging

        from django.core.exceptions import PermissionDenied
        from django.db import DatabaseError
        from django.http import Http404

        from .audit import CASE_APPS, audit_refused

        if not isinstance(exception, PermissionDenied | Http404):
            return None
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or match is None:
            return None
        if match.app_name not in CASE_APPS:
            return None
        try:
            audit_refused(request)
        except DatabaseError:
            # The refusal is shown whatever: an unrecorded attempt is logged, not a 500.
            logging.getLogger(__name__).exception("refused request not recorded")
        return None
