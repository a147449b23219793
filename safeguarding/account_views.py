"""Account pages: the two-factor step after sign-in, setting up an authenticator app and
recovery codes, "Your account", changing a password, the lockout page and the
accessibility statement."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import FormView

from . import two_factor
from .audit import Action, audit_record
from .forms import ChangePasswordForm, EmailCodeForm, RecoveryCodeForm, TwoFactorCodeForm
from .models import User
from .notices import statement_context
from .security_notices import the_administrators

#: Recovery codes waiting to be shown once (set at set-up or renewal, removed when shown).
NEW_CODES_SESSION_KEY = "two_factor_new_codes"

WRONG_CODE = gettext_lazy("The code is not correct or has expired")

#: What the pages confirming a new password say of the second factor, which a new
#: password never changes (`two_factor.after_new_password`), so the code asked for at the
#: next sign-in, or the set-up, is no surprise.
SECOND_FACTOR_AFTER_PASSWORD = {
    two_factor.STILL_ASKED: gettext_lazy(
        "Your two-factor authentication has not changed. When you sign in, you still need a "
        "code from your authenticator app (or one of your recovery codes)."
    ),
    two_factor.APP_KEPT: gettext_lazy("Your two-factor authentication has not changed."),
    two_factor.SET_UP_NEXT: gettext_lazy(
        "When you sign in, you will set up two-factor authentication. We will email you a "
        "code first, then you will set up an authenticator app on your phone."
    ),
}


def second_factor_after_password(user) -> str:
    """The sentence about their second factor for someone who has a new password ("":
    they have none and need none)."""
    state = two_factor.after_new_password(user)
    return str(SECOND_FACTOR_AFTER_PASSWORD[state]) if state else ""


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _throttled_message(result) -> str:
    seconds = result.wait_seconds
    return ngettext(
        "You have entered too many incorrect codes. Wait %(seconds)s second and try again.",
        "You have entered too many incorrect codes. Wait %(seconds)s seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


@method_decorator(never_cache, name="dispatch")
class _TwoFactorStep(FormView):
    """Base of the two-factor pages: signed-in users only; done once per session."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            next=_next_url(self.request), demo_mode=settings.DEMO_MODE, **kwargs
        )

    def _after(self, result, form):
        if result.ok:
            return HttpResponseRedirect(_next_url(self.request))
        if result.outcome is two_factor.Outcome.THROTTLED:
            form.add_error("code", _throttled_message(result))
        else:
            form.add_error("code", WRONG_CODE)
        return self.form_invalid(form)


class TwoFactorVerifyView(_TwoFactorStep):
    """The "Enter the 6-digit code from your authenticator app" page."""

    template_name = "safeguarding/two_factor_verify.html"
    form_class = TwoFactorCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if two_factor.is_satisfied(request):
                return HttpResponseRedirect(_next_url(request))
            if two_factor.authenticator_of(request.user) is None:
                return redirect("safeguarding:two-factor-setup")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        result = two_factor.code_verify(request=self.request, code=form.cleaned_data["code"])
        return self._after(result, form)


class RecoveryCodeVerifyView(TwoFactorVerifyView):
    template_name = "safeguarding/two_factor_recovery.html"
    form_class = RecoveryCodeForm

    def form_valid(self, form):
        result = two_factor.recovery_code_verify(
            request=self.request, code=form.cleaned_data["code"]
        )
        if result.ok:
            left = two_factor.recovery_codes_left(self.request.user)
            messages.warning(
                self.request,
                format_html(
                    _(
                        "You used a recovery code. You have {left} left: get new codes from "
                        '<a class="govuk-link" href="{account}">Your account</a> if you are '
                        'running out. If you have lost your phone, <a class="govuk-link" '
                        'href="{setup}">set up your authenticator app again</a> on your new one.'
                    ),
                    left=left,
                    account=reverse("safeguarding:account"),
                    setup=reverse("safeguarding:two-factor-setup"),
                ),
            )
        return self._after(result, form)


def _with_next(request, name: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': _next_url(request)})}")


def _email_code_outcome(request, result) -> None:
    """Tell the person whether the set-up code went (a banner on the next page)."""
    if result.ok:
        messages.success(
            request, _("We have sent a code to %(email)s") % {"email": request.user.email}
        )
    elif result.outcome is two_factor.Outcome.THROTTLED:
        messages.warning(
            request,
            ngettext(
                "We sent a code less than a minute ago. Wait %(seconds)s second before asking "
                "for another.",
                "We sent a code less than a minute ago. Wait %(seconds)s seconds before asking "
                "for another.",
                result.wait_seconds,
            )
            % {"seconds": result.wait_seconds},
        )
    else:
        messages.error(
            request,
            _(
                "We could not send the email. Try again in a few minutes. If it keeps "
                "happening, tell %(administrators)s."
            )
            % {"administrators": the_administrators()},
        )


class EmailCodeView(_TwoFactorStep):
    """ "Check your e-mail": before someone with only a password sets up their first
    authenticator app, they enter a code sent to their e-mail address. The first visit
    in a session sends it; "Send a new code" sends another."""

    template_name = "safeguarding/two_factor_email_code.html"
    form_class = EmailCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if two_factor.authenticator_of(request.user) is not None:
                if not request.user.is_verified():
                    return redirect("safeguarding:two-factor-verify")
                return _with_next(request, "safeguarding:two-factor-setup")
            if two_factor.mailbox_checked(request):
                return _with_next(request, "safeguarding:two-factor-setup")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not two_factor.email_code_sent(request):
            result = two_factor.email_code_send(request=request)
            if not result.ok:
                _email_code_outcome(request, result)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            minutes=settings.OTP_EMAIL_TOKEN_VALIDITY // 60,
            code_sent=two_factor.email_code_sent(self.request),
            **kwargs,
        )

    def form_valid(self, form):
        result = two_factor.email_code_verify(request=self.request, code=form.cleaned_data["code"])
        if result.ok:
            return _with_next(self.request, "safeguarding:two-factor-setup")
        return self._after(result, form)


@require_POST
@login_required
def email_code_resend(request):
    """ "Send a new code" on the "Check your e-mail" page."""
    if two_factor.authenticator_of(request.user) is None and not two_factor.mailbox_checked(
        request
    ):
        _email_code_outcome(request, two_factor.email_code_send(request=request))
    return _with_next(request, "safeguarding:two-factor-email")


class TwoFactorSetupView(_TwoFactorStep):
    """Set up an authenticator app: QR code and secret, then the first code confirms it.

    Before the second factor, only someone with no authenticator yet may come here, and
    only after entering a code e-mailed to them; replacing an authenticator needs a
    verified session.
    """

    template_name = "safeguarding/two_factor_setup.html"
    form_class = TwoFactorCodeForm

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and two_factor.authenticator_of(request.user) is not None
            and not request.user.is_verified()
        ):
            return redirect("safeguarding:two-factor-verify")
        if request.user.is_authenticated and not two_factor.mailbox_checked(request):
            return _with_next(request, "safeguarding:two-factor-email")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = two_factor.authenticator_start(user=self.request.user)
        return super().get_context_data(
            qr_code=two_factor.qr_code_data_uri(device),
            secret=two_factor.secret_text(device),
            replacing=two_factor.authenticator_of(self.request.user) is not None,
            **kwargs,
        )

    def form_valid(self, form):
        device = two_factor.authenticator_start(user=self.request.user)
        result, codes = two_factor.authenticator_confirm(
            request=self.request, device=device, code=form.cleaned_data["code"]
        )
        if not result.ok:
            return self._after(result, form)
        self.request.session[NEW_CODES_SESSION_KEY] = codes
        return _with_next(self.request, "safeguarding:two-factor-recovery-codes")


@never_cache
@login_required
def recovery_codes(request):
    """Shows newly made recovery codes, once."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("safeguarding:account")
    return render(
        request,
        "safeguarding/two_factor_recovery_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


def second_factor_first(request, back: str) -> HttpResponseRedirect | None:
    """The second-factor step (then `back`) unless this session has passed it. Everyone
    with a role has (the middleware asks before anything else), but someone with no role
    (a leaver, say) is signed in by the password alone: whoever holds only that must not
    make what outlives the session and works once the account has a role again (recovery
    codes, a calendar feed address)."""
    if two_factor.is_satisfied(request):
        return None
    return HttpResponseRedirect(f"{two_factor.step_url(request.user)}?{urlencode({'next': back})}")


@require_POST
@login_required
def recovery_codes_renew(request):
    refused = second_factor_first(request, reverse("safeguarding:account"))
    if refused is not None:
        return refused
    request.session[NEW_CODES_SESSION_KEY] = two_factor.recovery_codes_renew(request=request)
    return redirect("safeguarding:two-factor-recovery-codes")


@require_POST
@login_required
def two_factor_skip(request):
    """The "Skip for the demo" button: only while DEMO_MODE is on."""
    if not settings.DEMO_MODE:
        raise Http404
    two_factor.demo_skip(request=request)
    return HttpResponseRedirect(_next_url(request))


@never_cache
@login_required
def account(request):
    user = request.user
    return render(
        request,
        "safeguarding/account.html",
        {
            "authenticator": two_factor.authenticator_of(user),
            "recovery_codes_left": two_factor.recovery_codes_left(user),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django keeps this session signed in and ends every other session of the user
    (the session auth hash changes with the password)."""

    template_name = "safeguarding/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("safeguarding:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(actor=self.request.user, action=Action.PASSWORD_CHANGED, request=self.request)
        told = _("Your password has been changed.")
        second_factor = second_factor_after_password(self.request.user)
        if second_factor:
            told = f"{told} {second_factor}"
        messages.success(self.request, told)
        return response


def _statement(request, name):
    context = statement_context(name, reverse("safeguarding:cookies"))
    return render(request, "safeguarding/statement.html", context)


@require_safe
def accessibility(request):
    return _statement(request, "accessibility")


@require_safe
def cookies(request):
    return _statement(request, "cookies")


@require_safe
def privacy(request):
    return _statement(request, "privacy")


# --- django-axes hooks (settings.AXES_USERNAME_CALLABLE, AXES_LOCKOUT_CALLABLE) --------


def axes_username(request, credentials=None) -> str | None:
    """The typed e-mail address, lower-cased, so "Name@x" and "name@x" count together:
    signing in finds the account by the same lower-cased address (`User.objects.with_email`),
    so no other spelling reaches it ("perſon@x", with a long s, is another address)."""
    value = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    return value.strip().lower() if isinstance(value, str) else value


def lockout_minutes() -> int:
    """How long a locked sign-in stays locked, in minutes (LOCKOUT_MINUTES)."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(request, original_response=None, credentials=None, *, address=False):
    """The "sign-in locked" page (HTTP 429); every refused attempt is audited. With
    `address`, it is this network address that is locked, for every account."""
    from django.db import transaction

    from .security_notices import lockout_is_new

    email = axes_username(request, credentials) or ""
    account = User.objects.with_email(email).first() if email else None
    changes = {
        "reason": "too many failed sign-ins from this address"
        if address
        else "too many failed sign-ins"
    }
    with transaction.atomic():
        # The owner is e-mailed once, when their account's lockout starts (the page
        # says nothing of it: it is the same whether the address has an account).
        if account is not None and not address and account.is_active and lockout_is_new(account):
            changes["told"] = True
        audit_record(
            actor=account,
            actor_email=email,
            action=Action.LOCKED_OUT,
            changes=changes,
            request=request,
        )
    return render(
        request,
        "safeguarding/locked_out.html",
        {
            "minutes": lockout_minutes(),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "address": address,
        },
        status=429,
    )
