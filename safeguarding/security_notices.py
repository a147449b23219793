"""E-mails telling a person that their sign-in changed: the password changed (on the
account page, by a reset link or by an administrator), an authenticator app was set up,
new recovery codes were made (the old ones stop working), a recovery code was used, or
an administrator reset their second factor or ended their sign-in lockout. If it was not
them, or they did not ask for it, they find out at once and can act (GOV.UK services do
the same).

A notice follows the audit event that records the change (`audit_record` queues it once
the change is committed), so every way of making the change sends it. It says what
changed and when; never anything about a case. A change the person made is told with the
network address it came from (theirs, or a stranger's if it was not them). A change an
administrator made to their account is told as that, in words: the administrator's own
address is not the account holder's to know.

Choosing a first password (`first_password`: the link in the e-mail that invites someone
to an account made for them) is not a change: nothing is sent for it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .mail import send_templated
from .models import AuditEvent

logger = logging.getLogger(__name__)
Action = AuditEvent.Action

#: The audit actions a person is told about, and how the e-mail names them.
NOTICES = {
    Action.PASSWORD_CHANGED: "Your password was changed",
    Action.TWO_FACTOR_SET_UP: "An authenticator app was set up for your account",
    Action.RECOVERY_CODE_USED: "A recovery code was used to sign in to your account",
    Action.TWO_FACTOR_RESET: "Two-factor authentication was reset for your account",
    Action.LOCKOUT_ENDED: "Your account was unlocked after too many failed sign-ins",
    Action.RECOVERY_CODES_NEW: "New recovery codes were made for your account",
    # Only the refusal that starts a lockout (`lockout_is_new`), not each one after it.
    Action.LOCKED_OUT: "Sign-in to your account was locked after too many failed attempts",
}
#: The same, when an administrator made the change to someone else's account.
BY_ADMINISTRATOR = {
    Action.PASSWORD_CHANGED: "An administrator changed your password",
    Action.TWO_FACTOR_RESET: "An administrator reset two-factor authentication for your account",
    Action.LOCKOUT_ENDED: "An administrator unlocked your account after too many failed sign-ins",
}
#: An administrator's "Disable password-based authentication" (a password change whose
#: audit event says the account has no usable password now).
PASSWORD_TURNED_OFF = "An administrator turned off your password"
USER_TYPE = "safeguarding.user"
#: Who made a change to someone else's account. Only the service's administrators can
#: (the administration site: a password, a second factor, a lockout).
BY_AN_ADMINISTRATOR = (
    "It was done by one of the administrators of {service}, not by someone signed in to "
    "your account."
)


def subject_of(event: AuditEvent):
    """The person a sign-in change is about: the account it names (an administrator's
    change to someone else's), else whoever made it."""
    from .models import User

    if event.object_type == USER_TYPE and event.object_id:
        return User.objects.filter(pk=event.object_id).first()
    return event.actor


def first_password(user) -> bool:
    """Would a password the person chooses now be their first? Yes while they have never
    signed in and the trail records no password set for them: an account made for an
    invitation has only a random password no one knows (or none, if an administrator
    turned that off). Asked before the new password is saved."""
    from django.db.models import Q

    if user.last_login is not None:
        return False
    earlier = (
        AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED)
        .filter(Q(actor=user, object_id="") | Q(object_type=USER_TYPE, object_id=str(user.pk)))
        .values_list("changes", flat=True)
    )
    # An administrator turning the password off gave them none (read here, not in SQL:
    # a JSON key's absence is NULL there, and a few rows at most are read).
    return all((changes or {}).get("usable") is False for changes in earlier)


def _told(event: AuditEvent) -> bool:
    """Is the person told of this event? A first password chosen is not a change; of the
    refused sign-ins of a lockout, only the one that started it is told."""
    changes = event.changes or {}
    if event.action == Action.LOCKED_OUT:
        return bool(changes.get("told"))
    return event.action in NOTICES and not changes.get("first_password")


def lockout_is_new(user) -> bool:
    """Does a refused sign-in to `user`'s account start a lockout, rather than continue
    one? Yes unless a refusal was recorded within the lockout's length (each refusal
    starts the wait again) since an administrator last ended one. Asked with the account
    locked (`select_for_update`), so attempts arriving together tell the owner once."""
    from .models import User

    User.objects.select_for_update().filter(pk=user.pk).first()
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    ended = (
        AuditEvent.objects.filter(
            action=Action.LOCKOUT_ENDED, object_type=USER_TYPE, object_id=str(user.pk)
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if ended is not None and ended > since:
        since = ended
    return not AuditEvent.objects.filter(
        action=Action.LOCKED_OUT, actor=user, occurred_at__gte=since
    ).exists()


def queue_notice(event: AuditEvent) -> None:
    """Queue the notice for `event` once its transaction commits (nothing is sent for a
    change that is rolled back). If the broker is down the change stands: the audit
    trail still records it, and the failure is logged."""
    if not _told(event) or (event.actor_id is None and not event.object_id):
        return

    def queue():
        from .tasks import send_security_notice

        try:
            send_security_notice.delay(event.pk)
        except Exception as exc:  # noqa: BLE001 - the change stands; the trail has it
            logger.warning(
                "security notice not queued", extra={"event": event.pk, "error": str(exc)}
            )

    transaction.on_commit(queue)


def who_to_tell(user) -> str:
    """Whom a notice asks the person to tell if the change was not theirs: their business
    manager, or the service's administrators for a partnership manager (who is the
    business manager), a regional viewer (who has none) and an administrator. They can
    switch the account off."""
    from .models import Role

    answers_to_administrators = (
        user.is_staff
        or user.memberships.filter(
            role__in=(Role.PARTNERSHIP_MANAGER, Role.REGIONAL_VIEWER)
        ).exists()
    )
    if answers_to_administrators:
        return the_administrators()
    return _("your business manager")


def the_administrators() -> str:
    """The service's administrators, as a message names them for someone to tell: with
    their address when the service has one (SERVICE_CONTACT_EMAIL), so they can be
    reached; else by name only."""
    if settings.SERVICE_CONTACT_EMAIL:
        return _("the administrators of %(service)s (%(email)s)") % {
            "service": settings.SERVICE_NAME,
            "email": settings.SERVICE_CONTACT_EMAIL,
        }
    return _("the administrators of %(service)s") % {"service": settings.SERVICE_NAME}


def notice_deliver(*, event_id: int) -> str:
    """Send the notice of one audit event to the person it is about."""
    event = AuditEvent.objects.select_related("actor").filter(pk=event_id).first()
    if event is None or not _told(event):
        return "skipped"
    user = subject_of(event)
    if user is None or not user.is_active or not user.email:
        return "skipped"
    by_someone_else = event.actor_id != user.pk
    if by_someone_else and (event.changes or {}).get("usable") is False:
        what = PASSWORD_TURNED_OFF
    elif by_someone_else:
        what = BY_ADMINISTRATOR.get(event.action, NOTICES[event.action])
    else:
        what = NOTICES[event.action]
    context = {
        "service_name": settings.SERVICE_NAME,
        "what": what,
        "by_someone_else": by_someone_else,
        "reset": event.action == Action.TWO_FACTOR_RESET,
        "codes_replaced": event.action == Action.RECOVERY_CODES_NEW,
        "code_used": event.action == Action.RECOVERY_CODE_USED,
        "locked": event.action == Action.LOCKED_OUT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "administrators": the_administrators(),
        "account_url": settings.SITE_URL + reverse("safeguarding:account"),
        "setup_url": settings.SITE_URL + reverse("safeguarding:two-factor-setup"),
        "when": timezone.localtime(event.occurred_at),
        # Their own change's address; never an administrator's.
        "address": None if by_someone_else else event.ip_address,
        "who": BY_AN_ADMINISTRATOR.format(service=settings.SERVICE_NAME) if by_someone_else else "",
        "reset_url": settings.SITE_URL + reverse("safeguarding:password-reset"),
        "tell": who_to_tell(user),
    }
    send_templated(
        to=[user.email],
        # "<what> – <service>", as the password reset's subject
        # (email/password_reset_subject.txt).
        subject=f"{context['what']} – {settings.SERVICE_NAME}",
        template="safeguarding/email/security_notice",
        context=context,
    )
    return "sent"


#: Why an e-mailed password link does not work, as its page says it.
LINK_USED, LINK_EXPIRED, LINK_NOT_WORKING = "used", "expired", "not working"


def password_link_state(user, token: str) -> str:
    """Why the password link (`user` from its address, or None; `token` from it) does not
    work: it was made longer ago than PASSWORD_RESET_TIMEOUT ("expired"), or a password
    was set for the account since it was made, by this link or another way ("used":
    the trail's `password_changed` events), or neither can be told (a signed-in since,
    or a link cut short in the e-mail: "not working"). Asked only of a link Django
    refused, by someone who holds it."""
    from django.contrib.auth.tokens import default_token_generator as generator
    from django.db.models import Q
    from django.utils.http import base36_to_int

    try:
        made = base36_to_int((token or "").split("-")[0])
    except ValueError:
        return LINK_NOT_WORKING
    age = generator._num_seconds(generator._now()) - made
    if age > settings.PASSWORD_RESET_TIMEOUT:
        return LINK_EXPIRED
    if user is None or age < 0:
        return LINK_NOT_WORKING
    made_at = timezone.now() - dt.timedelta(seconds=age + 1)
    changed = AuditEvent.objects.filter(
        Q(actor=user, object_id="") | Q(object_type=USER_TYPE, object_id=str(user.pk)),
        action=Action.PASSWORD_CHANGED,
        occurred_at__gte=made_at,
    )
    return LINK_USED if changed.exists() else LINK_NOT_WORKING


#: A password-reset link goes to one account at most once in this time.
RESET_EMAIL_INTERVAL = dt.timedelta(minutes=5)


@transaction.atomic
def password_reset_deliver(*, email: str) -> str:
    """E-mail the link to choose a new password to the account of the address typed on
    the "Reset your password" page, if there is one that may reset it (active, with a
    password of its own: Django's rule). Once in RESET_EMAIL_INTERVAL: the account is
    locked, checked and marked in the transaction that sends, so however many asks
    arrive together one link goes, and a failed send rolls the mark back for the retry.
    The link is on the service's own address (SITE_URL), as every e-mail's is."""
    from django.contrib.auth.tokens import default_token_generator
    from django.template.loader import render_to_string
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from .models import User

    user = User.objects.with_email(email).filter(is_active=True).select_for_update().first()
    if user is None or not user.has_usable_password():
        return "no account"
    now = timezone.now()
    if user.password_reset_sent_at and user.password_reset_sent_at >= now - RESET_EMAIL_INTERVAL:
        return "sent recently"
    user.password_reset_sent_at = now
    user.save(update_fields=["password_reset_sent_at"])
    context = {
        "service_name": settings.SERVICE_NAME,
        "site_url": settings.SITE_URL,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string("safeguarding/email/password_reset_subject.txt", context)
    send_templated(
        to=[user.email],
        subject=" ".join(subject.split()),
        template="safeguarding/email/password_reset",
        context=context,
    )
    return "sent"
