"""Sign-in and sign-out go into the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import Action, audit_record
from .models import User


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender, request, user, **kwargs):
    audit_record(actor=user, action=Action.SIGN_IN, request=request)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=Action.SIGN_OUT, request=request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("username") or credentials.get("email") or "")
    # The attempt is filed against the account it tried, so the account's partnership
    # managers see it; an unknown address is kept as typed.
    account = User.objects.with_email(email).first() if email else None
    audit_record(actor=account, actor_email=email, action=Action.SIGN_IN_FAILED, request=request)
