"""Core pages: home by role, sign-in and password reset, session keep-alive, audit, health."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from kombu import Connection

from . import permissions, two_factor
from .audit import address_locked_out
from .audit_display import name_visitors, present_events
from .audit_links import link_records
from .filters import AuditEventFilter
from .forms import PasswordResetRequestForm, SetNewPasswordForm, SignInForm
from .keyset import keyset_page
from .models import Role

logger = logging.getLogger(__name__)


@login_required
def home(request):
    """One home page; each role gets the sections it works with."""
    memberships = permissions.memberships_of(request.user)
    by_role: dict[str, list] = {}
    for m in memberships:
        by_role.setdefault(m.role, []).append(m)
    context = {
        "memberships": memberships,
        "manages": by_role.get(Role.PARTNERSHIP_MANAGER, []),
        "officer_of": by_role.get(Role.REVIEW_OFFICER, []),
        "contributes_for": by_role.get(Role.AGENCY_CONTRIBUTOR, []),
        "reviews_for": by_role.get(Role.INDEPENDENT_REVIEWER, []),
        "regions": [m.region for m in by_role.get(Role.REGIONAL_VIEWER, [])],
    }
    if not memberships and not request.user.is_staff:
        # Someone whose roles were taken away is told so, and whom to ask, not that they
        # are "not yet" part of a partnership.
        from .models import PastRole

        context["last_role"] = (
            PastRole.objects.filter(user=request.user)
            .select_related("partnership")
            .order_by("-ended_at", "-id")
            .first()
        )
    if permissions.partnership_ids(request.user):
        # The business unit's home page is its dashboard (issue 7).
        from .report_views import dashboard_context

        context.update(dashboard_context(request))
    if context["manages"]:
        from lcspr.selectors import actions_to_sign_off

        from .people import still_to_set_up

        context["to_set_up"] = still_to_set_up([m.partnership for m in context["manages"]])

        waiting = actions_to_sign_off(request.user)
        context["to_sign_off"] = list(waiting[:HOME_ROWS])
        context["to_sign_off_count"] = (
            len(context["to_sign_off"])
            if len(context["to_sign_off"]) < HOME_ROWS
            else waiting.count()
        )
    if context["regions"]:
        context["region_partnerships"] = _regional_figures(request.user)
    if context["contributes_for"]:
        from rapid_reviews.models import AWAITING_RETURN
        from rapid_reviews.selectors import (
            contributor_said_once,
            information_requests_for_contributor,
        )

        # What the agency has still to answer, soonest due first (those still awaited
        # when the review went to the Panel closed then).
        waiting = information_requests_for_contributor(request.user).filter(
            status__in=AWAITING_RETURN
        )
        context["requests_to_answer"], context["requests_to_answer_count"] = _first_rows(waiting)
        context.update(contributor_said_once(request.user))
        from lcspr.models import ActionStatus
        from lcspr.selectors import actions_for_contributor

        # The action plans' actions the agency owns, not yet signed off.
        context["agency_actions"], context["agency_actions_count"] = _first_rows(
            actions_for_contributor(request.user).exclude(status=ActionStatus.SIGNED_OFF)
        )
    if context["reviews_for"]:
        from lcspr.selectors import reviews_visible_to

        context["assigned_reviews"] = list(
            reviews_visible_to(request.user)
            .filter(reviewers=request.user)
            .open()
            .order_by("target_publication", "id")[:HOME_ROWS]
        )
        from lcspr.selectors import written_requests_to_answer

        context["written_requests"] = list(written_requests_to_answer(request.user)[:HOME_ROWS])
    context["today"] = timezone.localdate()
    return render(request, "safeguarding/home.html", context)


#: The most items a home-page section lists before pointing to the whole list.
HOME_ROWS = 10


def _first_rows(qs) -> tuple[list, int]:
    """The first `HOME_ROWS` of `qs` and how many there are in all (counted only when the
    list is full, so that a section can say it lists only some)."""
    rows = list(qs[:HOME_ROWS])
    return rows, len(rows) if len(rows) < HOME_ROWS else qs.count()


def _regional_figures(user) -> list[dict]:
    """Per partnership in the viewer's regions: this year's counts, small numbers hidden."""
    from notifications.selectors import incident_counts_by_partnership

    from .reports import suppress

    partnerships = list(permissions.partnerships_visible_to(user, roles={Role.REGIONAL_VIEWER}))
    year = timezone.localdate().year
    counts = incident_counts_by_partnership([p.pk for p in partnerships], year=year)
    rows = []
    for p in partnerships:
        c = counts.get(p.pk, {})
        rows.append(
            {
                "partnership": p,
                "year": year,
                "logged": suppress(c.get("logged", 0)),
                "notified": suppress(c.get("notified", 0)),
                "late": suppress(c.get("late", 0)),
            }
        )
    return rows


class SignInView(auth_views.LoginView):
    """E-mail and password; then the two-factor step (see safeguarding/two_factor.py)."""

    template_name = "safeguarding/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        """A wrong password close to the lockout says how many tries are left, so that
        nobody is locked out without warning."""
        from axes.handlers.proxy import AxesProxyHandler

        from .account_views import lockout_minutes

        response = super().form_invalid(form)
        email = form.data.get("username")
        if email and form.has_error("__all__", "invalid_login"):
            failures = AxesProxyHandler.get_failures(self.request, {"username": email})
            left = settings.AXES_FAILURE_LIMIT - failures
            if 0 < left <= 2:
                response.context_data["tries_left"] = left
                response.context_data["lockout_minutes"] = lockout_minutes()
        return response

    def post(self, request, *args, **kwargs):
        if address_locked_out(request):  # audit.py: failed sign-ins from this address
            from .account_views import locked_out

            return locked_out(request, address=True)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from .drafts import has_kept_post

        return super().get_context_data(kept_typing=has_kept_post(self.request), **kwargs)

    def get_success_url(self):
        url = super().get_success_url()
        user = self.request.user
        if two_factor.required_for(user) and not two_factor.is_satisfied(self.request):
            return f"{two_factor.step_url(user)}?{urlencode({'next': url})}"
        return url


def admin_sign_in(request):
    """The administration site's sign-in address (Django's admin sends there anyone it
    refuses). Administrators sign in as everyone does, on the service's sign-in, which has
    the lockouts, the address limit and the second factor. Someone already signed in who
    is not an administrator cannot sign in any further: sending them to the sign-in page
    would send them straight back to the administration site, and round again, so they
    are told they have no access, as on any other page they may not see. An administrator
    who opens this address is taken where it was going."""
    from django.contrib import admin
    from django.utils.http import url_has_allowed_host_and_scheme

    if not request.user.is_authenticated:
        query = request.META.get("QUERY_STRING", "")
        return redirect(f"{reverse('safeguarding:sign-in')}{'?' + query if query else ''}")
    if not admin.site.has_permission(request):
        raise PermissionDenied
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index")
    return redirect(target)


class SignOutView(auth_views.LogoutView):
    """Signing out is a post (the header's button). Someone who opens the address instead
    (typed, bookmarked, or an old link) is asked to confirm with the same button, not
    shown Django's blank "method not allowed"; signed out already, they go to sign in
    (as from every page that needs a signed-in person)."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("safeguarding:sign-in")
        return render(request, "safeguarding/sign_out.html")


def signed_out(request):
    timed_out = request.GET.get("reason") == "timeout"
    return render(request, "safeguarding/signed_out.html", {"timed_out": timed_out})


class PasswordResetView(auth_views.PasswordResetView):
    """The form queues the e-mail (PasswordResetRequestForm.save); the worker makes the
    link, on the service's own address (`security_notices.password_reset_deliver`)."""

    template_name = "safeguarding/password_reset.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("safeguarding:password-reset-sent")

    def form_valid(self, form):
        form.cleaned_data["email"] = form.cleaned_data["email"].lower()
        return super().form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    """Says the same whatever was typed, including that a link asked for again within
    RESET_EMAIL_INTERVAL is not sent again (the earlier one is the one to use)."""

    template_name = "safeguarding/password_reset_sent.html"

    def get_context_data(self, **kwargs):
        from .security_notices import RESET_EMAIL_INTERVAL

        return super().get_context_data(
            interval_minutes=int(RESET_EMAIL_INTERVAL.total_seconds() // 60), **kwargs
        )


#: Session key: what the page after a password chosen by a link says (set by the
#: choosing, read once by the page).
NEW_PASSWORD_SESSION_KEY = "new_password_chosen"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a password by an e-mailed link: a reset, or the first password of someone
    invited (`security_notices.first_password`: not told as a change, and the pages
    say "your password", not "a new password")."""

    template_name = "safeguarding/password_reset_confirm.html"
    form_class = SetNewPasswordForm
    success_url = reverse_lazy("safeguarding:password-reset-complete")

    def get_context_data(self, **kwargs):
        from .security_notices import first_password, password_link_state

        context = super().get_context_data(**kwargs)
        if context.get("validlink"):
            context["first_password"] = first_password(self.user)
        else:
            token = self.kwargs.get("token", "")
            if token == self.reset_url_token:
                token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, "")
            context["link_state"] = password_link_state(self.user, token)
        return context

    def form_valid(self, form):
        from axes.utils import reset as reset_lockout

        from .account_views import axes_username, second_factor_after_password
        from .audit import Action, audit_record
        from .security_notices import first_password

        first = first_password(form.user)
        changes = {"method": "reset link"}
        if first:
            changes["first_password"] = True
        with transaction.atomic():
            response = super().form_valid(form)
            audit_record(
                actor=form.user,
                action=Action.PASSWORD_CHANGED,
                changes=changes,
                request=self.request,
            )
        # The locked-out page sends people here: a new password, chosen through their
        # own mailbox, ends the lockout of their account (or it would greet them again).
        reset_lockout(username=axes_username(None, {"username": form.user.email}))
        self.request.session[NEW_PASSWORD_SESSION_KEY] = {
            "first_password": first,
            "second_factor": second_factor_after_password(form.user),
        }
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    """ "Password changed" (or "Password set", for a first one), with what it means for
    their second factor, once, in the browser that chose it (opened again, or
    elsewhere, the page says only what is true of everyone)."""

    template_name = "safeguarding/password_reset_complete.html"

    def get_context_data(self, **kwargs):
        chosen = self.request.session.pop(NEW_PASSWORD_SESSION_KEY, None) or {}
        return super().get_context_data(
            first_password=chosen.get("first_password", False),
            second_factor=chosen.get("second_factor"),
            **kwargs,
        )


@require_POST
@never_cache
def keep_alive(request):
    """Called by the timeout warning's "Stay signed in": the session is renewed now."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    request.session.modified = True
    return JsonResponse({"signed_in": True, "expires_in": settings.SESSION_COOKIE_AGE})


@login_required
def audit_list(request):
    if not permissions.can_view_audit(request.user):
        raise PermissionDenied("Only partnership managers can see the audit trail.")
    scope = permissions.audit_scope_parts(request.user)
    events = permissions.audit_events_visible_to(request.user, parts=scope)
    event_filter = AuditEventFilter(request.GET or None, queryset=events, user=request.user)
    # Filters with an error list nothing: a trail filtered on only some of what was asked
    # for would look like the answer.
    refused = event_filter.is_bound and not event_filter.is_valid()
    shown = events.none() if refused else event_filter.qs
    # Newer and Older links rather than numbered pages, and each part of a manager's
    # scope read newest first through its own index (ADR 0023): a deep page of a
    # national trail costs what the first does, whatever the partnership's share of it.
    # One partnership chosen: its parts (its records, its people's own and account
    # events), for a superuser too, whose whole trail is otherwise one query.
    parts = None if refused else event_filter.partnership_parts()
    if parts is None and scope and not refused:
        parts = permissions.audit_events_by_part(scope)
        if event_filter.is_bound:  # the filters the form checked, on each part
            parts = [event_filter.filter_queryset(part) for part in parts]
    page = keyset_page(
        shown, before=request.GET.get("before"), after=request.GET.get("after"), parts=parts
    )
    # The values of a case's changes (circumstances, a child's details) are for the
    # partnership's business unit; an administrator with no role there sees which fields
    # changed, not what they said.
    case_partnerships = permissions.partnership_ids(request.user)
    present_events(
        page.object_list,
        values_shown=lambda event: (
            event.partnership_id is None or event.partnership_id in case_partnerships
        ),
    )
    # A record that still exists and that this reader may see links to its page: one
    # query a kind of record on the page, each through the kind's `visible_to`.
    link_records(page.object_list, request.user)
    # Someone of another partnership refused one of this partnership's records is named
    # with their partnership: they are none of its people (one query, only then).
    name_visitors(page.object_list)
    return render(
        request,
        "safeguarding/audit_list.html",
        {
            "filter": event_filter,
            "form": event_filter.form,
            "page": page,
            "refused": refused,
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    for name in ("page", "before", "after"):
        query.pop(name, None)
    return query.urlencode()


def _health() -> dict:
    """Whether the database and the broker answer: {"database": "ok", "broker": "ok"}, or
    "unavailable" for either."""
    status = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - report any failure as unhealthy
        logger.warning("healthz database check failed", extra={"error": str(exc)})
        status["database"] = "unavailable"
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz broker check failed", extra={"error": str(exc)})
        status["broker"] = "unavailable"
    return status


@require_GET
@never_cache
def healthz(request):
    """Database and broker status for load balancers and docker-compose health checks."""
    status = _health()
    healthy = all(v == "ok" for v in status.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **status}, status=200 if healthy else 503
    )


@require_GET
@never_cache
def service_status(request):
    """The footer's "Service status": whether the service is working, in words, for the
    people who use it (the JSON at /healthz is for load balancers)."""
    working = all(v == "ok" for v in _health().values())
    return render(
        request,
        "safeguarding/service_status.html",
        {"working": working},
        status=200 if working else 503,
    )


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    from django.urls import reverse

    from lcspr.views.public import not_found

    if request.path.startswith(reverse("learning:index")):
        response = not_found(request)
    else:
        response = render(request, "404.html", status=404)
    response.service_page = True  # not Django's technical page (DemoErrorPagesMiddleware)
    return response


def bad_request(request, exception=None):
    """An address or form Django cannot read (too many fields, say): the service's own page,
    rendered without the request, whose query may be what could not be read."""
    response = HttpResponse(loader.get_template("400.html").render({}), status=400)
    response.service_page = True
    return response


def server_error(request):
    # No context processors: the database may be what failed.
    response = HttpResponse(loader.get_template("500.html").render({}), status=500)
    response.service_page = True
    return response
