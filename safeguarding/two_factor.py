"""Two-factor authentication: who needs it, setting up an authenticator app, checking a
code or a recovery code, and new recovery codes. Built on django-otp's TOTP and static
devices; every outcome is written to the audit trail.

Before someone sets up their first authenticator app with only their password, they
enter a code e-mailed to them (django-otp's e-mail device): a stolen password alone
cannot enrol the thief's app on an account that has none yet. The e-mailed code is never
a way to sign in.
"""

from __future__ import annotations

import base64
import enum
import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.models import GenerateNotAllowed
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import permissions
from .audit import Action, audit_record

logger = logging.getLogger(__name__)

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
EMAIL_CODE_NAME = "Emailed set-up code"
#: Session key: the user (pk) whose mailbox this session has proved, before set-up.
MAILBOX_SESSION_KEY = "two_factor_mailbox_checked"
#: Session key: a set-up code has been e-mailed in this session (not sent again on reload).
EMAIL_SENT_SESSION_KEY = "two_factor_email_sent"
#: Session flag set by "Skip for the demo" (honoured only while DEMO_MODE is on).
DEMO_SKIP_SESSION_KEY = "two_factor_demo_skipped"

_NOT_CODE_CHARS = re.compile(r"[\s-]")


class Outcome(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    THROTTLED = "throttled"
    NOT_SENT = "not sent"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    device: object | None = None
    retry_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.VERIFIED

    @property
    def wait_seconds(self) -> int:
        if self.retry_at is None:
            return 0
        return max(1, int((self.retry_at - timezone.now()).total_seconds() + 0.999))


# --- Reading ---------------------------------------------------------------------------


def required_for(user) -> bool:
    """Every administrator and everyone holding a role in a partnership or region."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or permissions.memberships_of(user))


def is_satisfied(request) -> bool:
    """The session has passed the second factor (or skipped it in a demo)."""
    user = request.user
    if getattr(user, "is_verified", None) and user.is_verified():
        return True
    return bool(settings.DEMO_MODE and request.session.get(DEMO_SKIP_SESSION_KEY))


def authenticator_of(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_device_of(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user) -> int:
    device = recovery_device_of(user)
    return device.token_set.count() if device else 0


#: What a new password leaves of a person's second factor (a password never changes it),
#: for the page that confirms the password (`after_new_password`).
STILL_ASKED = "still asked"  # their authenticator app, asked for at every sign-in
APP_KEPT = "app kept"  # their authenticator app, not asked for while they have no role
SET_UP_NEXT = "set up next"  # asked for, and they have none: set up at the next sign-in


def after_new_password(user) -> str | None:
    """STILL_ASKED, APP_KEPT or SET_UP_NEXT for `user` (None: they have no app and need
    none, having no role)."""
    needed = required_for(user)
    if authenticator_of(user) is not None:
        return STILL_ASKED if needed else APP_KEPT
    return SET_UP_NEXT if needed else None


def mailbox_checked(request) -> bool:
    """May this session set up an authenticator? Yes once it has passed the second
    factor (replacing an app), or entered a code e-mailed to the user in this session."""
    user = request.user
    if getattr(user, "is_verified", None) and user.is_verified():
        return True
    return request.session.get(MAILBOX_SESSION_KEY) == user.pk


def step_url(user) -> str:
    from django.urls import reverse

    name = "two-factor-verify" if authenticator_of(user) else "two-factor-setup"
    return reverse(f"safeguarding:{name}")


def normalise(code: str) -> str:
    return _NOT_CODE_CHARS.sub("", code or "").lower()


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four for typing into an app."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// set-up link as an SVG QR code in a data: URI (CSP allows data:
    images; an <img> cannot run script)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --- Writing ---------------------------------------------------------------------------


def authenticator_start(*, user) -> TOTPDevice:
    """The unconfirmed authenticator the user is setting up (made once, kept until used)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def _untimed(device) -> None:
    """After a wrong code: while there have been no more than TWO_FACTOR_UNTIMED_FAILURES
    in a row, the failure is counted but starts no wait (django-otp waits only after a
    failure with a time). A typo, or a code that changed as it was typed, then costs
    nothing; from the next failure django-otp's doubling waits apply, starting at
    2^untimed times the throttle factor. Called with the device's row locked."""
    device.refresh_from_db(fields=["throttling_failure_count", "throttling_failure_timestamp"])
    if 0 < device.throttling_failure_count <= settings.TWO_FACTOR_UNTIMED_FAILURES:
        device.throttling_failure_timestamp = None
        device.save(update_fields=["throttling_failure_timestamp"])


def _check(request, device, code: str) -> Result:
    """Check `code` against `device` with its row locked, so codes sent at once are
    counted one after another."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return Result(Outcome.THROTTLED, device, (info or {}).get("locked_until"))
        verified = django_otp.verify_token(request.user, device.persistent_id, code)
        if verified:
            return Result(Outcome.VERIFIED, verified)
        _untimed(device)
    return Result(Outcome.WRONG, device)


def _sign_in_device(request, device) -> None:
    """Mark the session as having passed the second factor, with a fresh session key."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session.pop(DEMO_SKIP_SESSION_KEY, None)


def _audit_failure(request, result: Result, *, method: str) -> None:
    """A code refused because of the wait is a lockout (for how long); a wrong one is a
    failure. Only failures past TWO_FACTOR_UNTIMED_FAILURES start a wait."""
    if result.outcome is Outcome.THROTTLED:
        audit_record(
            actor=request.user,
            action=Action.LOCKED_OUT,
            changes={
                "reason": "too many incorrect two-factor codes",
                "method": method,
                "seconds_to_wait": result.wait_seconds,
            },
            request=request,
        )
    else:
        audit_record(
            actor=request.user,
            action=Action.TWO_FACTOR_FAILED,
            changes={"method": method},
            request=request,
        )


def authenticator_confirm(*, request, device: TOTPDevice, code: str) -> tuple[Result, list[str]]:
    """Confirm a new authenticator with its first code: it replaces any earlier one, new
    recovery codes are made, and the session counts as verified. Returns the result and,
    on success, the recovery codes to show once."""
    user = request.user
    with transaction.atomic():
        result = _check(request, device, normalise(code))
        if not result.ok:
            _audit_failure(request, result, method="set-up")
            return result, []
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        audit_record(actor=user, action=Action.TWO_FACTOR_SET_UP, request=request)
    _sign_in_device(request, device)
    request.session.pop(MAILBOX_SESSION_KEY, None)
    request.session.pop(EMAIL_SENT_SESSION_KEY, None)
    return Result(Outcome.VERIFIED, device), codes


def code_verify(*, request, code: str) -> Result:
    """Check a 6-digit code from the user's authenticator app."""
    device = authenticator_of(request.user)
    if device is None:
        return Result(Outcome.WRONG)
    result = _check(request, device, normalise(code))
    if result.ok:
        _sign_in_device(request, result.device)
        audit_record(
            actor=request.user,
            action=Action.TWO_FACTOR_VERIFIED,
            changes={"method": "authenticator app"},
            request=request,
        )
    else:
        _audit_failure(request, result, method="authenticator app")
    return result


def recovery_code_verify(*, request, code: str) -> Result:
    """Check (and use up) one of the user's recovery codes."""
    device = recovery_device_of(request.user)
    if device is None:
        return Result(Outcome.WRONG)
    result = _check(request, device, normalise(code))
    if result.ok:
        _sign_in_device(request, result.device)
        audit_record(
            actor=request.user,
            action=Action.RECOVERY_CODE_USED,
            changes={"codes_left": device.token_set.count()},
            request=request,
        )
    else:
        _audit_failure(request, result, method="recovery code")
    return result


def recovery_codes_renew(*, request) -> list[str]:
    """Replace the user's recovery codes with a new set (the old ones stop working)."""
    with transaction.atomic():
        codes = _new_recovery_codes(request.user)
        # Not TWO_FACTOR_SET_UP: no authenticator app changed, and the notice says so.
        audit_record(actor=request.user, action=Action.RECOVERY_CODES_NEW, request=request)
    return codes


def _email_device(user) -> EmailDevice | None:
    """The user's e-mail code device, locked until the transaction ends (the caller's).
    The user's row is locked first, so two requests at once neither make two devices nor
    both check a code before either counts a failure. Unconfirmed on purpose: django-otp
    never offers an unconfirmed device for signing in, so the code only opens set-up."""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    return EmailDevice.objects.select_for_update().filter(user=user).order_by("-id").first()


def email_code_send(*, request) -> Result:
    """E-mail a set-up code to the signed-in user. Not sent again within the cooldown
    (THROTTLED, with when to retry); NOT_SENT if the mail server refused it, in which
    case nothing is kept (the code and the cooldown roll back)."""
    from django.urls import reverse

    from .security_notices import who_to_tell

    user = request.user
    try:
        with transaction.atomic():
            device = _email_device(user) or EmailDevice.objects.create(
                user=user, name=EMAIL_CODE_NAME, confirmed=False
            )
            allowed, info = device.generate_is_allowed()
            if not allowed:
                retry_at = None
                if info.get("reason") == GenerateNotAllowed.COOLDOWN_DURATION_PENDING:
                    retry_at = info.get("next_generation_at")
                    # A code went less than a minute ago and still works: this session
                    # is waiting for that one.
                    request.session[EMAIL_SENT_SESSION_KEY] = user.pk
                return Result(Outcome.THROTTLED, device, retry_at)
            device.generate_challenge(
                {
                    "service_name": settings.SERVICE_NAME,
                    "minutes": settings.OTP_EMAIL_TOKEN_VALIDITY // 60,
                    "reset_url": settings.SITE_URL + reverse("safeguarding:password-reset"),
                    "tell": who_to_tell(user),
                }
            )
    except Exception as error:  # noqa: BLE001 - any mail failure: say so, keep nothing
        # The error's type only: a mail server's message often quotes the address.
        logger.warning(
            "set-up code not sent", extra={"user": user.pk, "error": type(error).__name__}
        )
        return Result(Outcome.NOT_SENT)
    request.session[EMAIL_SENT_SESSION_KEY] = user.pk
    return Result(Outcome.VERIFIED, device)


def email_code_sent(request) -> bool:
    return request.session.get(EMAIL_SENT_SESSION_KEY) == request.user.pk


def email_code_verify(*, request, code: str) -> Result:
    """Check the code e-mailed for set-up; on success this session may set up an
    authenticator app. Wrong codes are slowed down like any other code: checked under a
    row lock, so guesses sent at once are counted one after another."""
    with transaction.atomic():
        device = _email_device(request.user)
        if device is None:
            return Result(Outcome.WRONG)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            result = Result(Outcome.THROTTLED, device, (info or {}).get("locked_until"))
        elif device.verify_token(normalise(code)):
            request.session[MAILBOX_SESSION_KEY] = request.user.pk
            audit_record(actor=request.user, action=Action.EMAIL_CODE_VERIFIED, request=request)
            return Result(Outcome.VERIFIED, device)
        else:
            _untimed(device)
            result = Result(Outcome.WRONG, device)
        _audit_failure(request, result, method="emailed set-up code")
    return result


def second_factor_of(user) -> dict:
    """What an administrator is shown of a person's second factor (never a secret)."""
    app = authenticator_of(user)
    return {
        "authenticator": app,
        "recovery_codes_left": recovery_codes_left(user),
        "any": app is not None
        or StaticDevice.objects.filter(user=user).exists()
        or TOTPDevice.objects.filter(user=user).exists(),
    }


def second_factor_reset(*, actor, user, request=None) -> bool:
    """An administrator removes a person's authenticator app and recovery codes (they have
    lost both): at their next sign-in they set up a new app, proving their mailbox first,
    as at their first. Every session that passed the second factor with the old app must
    pass it again (django-otp finds its device gone). Audited against the person, who is
    e-mailed. False when there was nothing to remove."""
    with transaction.atomic():
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        had_app = authenticator_of(user) is not None
        codes_left = recovery_codes_left(user)
        removed = 0
        for model in (TOTPDevice, StaticDevice, EmailDevice):
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        if not removed:
            return False
        audit_record(
            actor=actor,
            action=Action.TWO_FACTOR_RESET,
            obj=user,
            object_repr=user.email,
            changes={"authenticator_app": had_app, "recovery_codes_left": codes_left},
            request=request,
        )
    return True


def demo_skip(*, request) -> None:
    """Let this demo session in without a second factor. Refused unless DEMO_MODE."""
    if not settings.DEMO_MODE:
        raise PermissionError("Two-factor authentication can only be skipped in a demo.")
    request.session[DEMO_SKIP_SESSION_KEY] = True


def _new_recovery_codes(user) -> list[str]:
    # The device is kept (a session verified by a recovery code stays verified); only its
    # codes are replaced.
    device = recovery_device_of(user)
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes: list[str] = []
    while len(codes) < settings.TWO_FACTOR_RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in codes)
    return codes
