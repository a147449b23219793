"""Sign-in lockouts, seen and ended by an administrator.

django-axes locks an e-mail address from one network address after AXES_FAILURE_LIMIT
failed sign-ins, for AXES_COOLOFF_TIME after the last of them (settings.py). Someone
locked out who cannot wait, and cannot use the password-reset link (which ends the
lockout of their account too), asks an administrator: the person's user page in the
administration site shows their lockouts and ends them (`lockout_end`), audited against
the person, who is e-mailed. axes' own pages, where deleting an attempt ended a lockout
with no trace, are not registered (AXES_ENABLE_ADMIN; ADR 0022).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from .audit import Action, audit_record


@dataclass(frozen=True)
class Lockout:
    """One network address locked out of one account."""

    address: str | None
    failures: int
    until: dt.datetime


def _username(user) -> str:
    """The name axes counts an account's failures under (the typed e-mail, lower-cased:
    account_views.axes_username)."""
    from .account_views import axes_username

    return axes_username(None, {settings.AXES_USERNAME_FORM_FIELD: user.email}) or ""


def lockouts_of(user) -> list[Lockout]:
    """The addresses locked out of this account now, by address."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(username=_username(user), attempt_time__gte=since)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("ip_address")
    )
    return [
        Lockout(row["ip_address"], row["failures"], row["last"] + settings.AXES_COOLOFF_TIME)
        for row in rows
        if row["failures"] >= settings.AXES_FAILURE_LIMIT
    ]


def lockout_end(*, actor, user, request=None) -> list[Lockout]:
    """An administrator lets the person sign in again now: every failed sign-in axes
    counts against the account is forgotten (as a password reset does). Audited against
    the person (LOCKOUT_ENDED: the addresses and how many failures), who is e-mailed.
    Returns the lockouts ended (none: nothing was locked, nothing is recorded)."""
    with transaction.atomic():
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        ended = lockouts_of(user)
        if not ended:
            return []
        AccessAttempt.objects.filter(username=_username(user)).delete()
        audit_record(
            actor=actor,
            action=Action.LOCKOUT_ENDED,
            obj=user,
            object_repr=user.email,
            changes={
                "addresses": [lockout.address or "" for lockout in ended],
                "failed_sign_ins": sum(lockout.failures for lockout in ended),
            },
            request=request,
        )
    return ended
