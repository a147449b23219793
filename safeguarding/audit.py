"""Writing the audit trail. Every service that changes or reveals case data calls these."""

from __future__ import annotations

import datetime as dt
import ipaddress
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from .models import AuditEvent, Partnership, User
from .stamps import history_now

Action = AuditEvent.Action

#: The columns of an audit event, for writing many at once (safeguarding.bulk.copy_rows).
COPY_FIELDS = [
    "occurred_at",
    "actor",
    "actor_email",
    "partnership",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip_address",
]


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value for the changes column."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


#: Never copied into the trail (it is kept for ever): only that they changed. Events
#: written before this rule are shown the same way (`audit_display`).
SECRET_FIELDS = frozenset({"password"})
SECRET_TEXT = "changed (not recorded)"


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The current values of an object's concrete fields (or of the named ones); a
    secret (a password's hash) is recorded only as a marker that changes with it."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {
        name: _secret_marker(getattr(obj, name))
        if name in SECRET_FIELDS
        else _plain(getattr(obj, name))
        for name in names
    }


def _secret_marker(value) -> str:
    """A short fingerprint that differs when the secret does (so `diff` sees the change)
    and reveals nothing of it: the last 6 hex digits of a keyed hash."""
    from django.utils.crypto import salted_hmac

    return salted_hmac("audit-secret", str(value)).hexdigest()[-6:] if value else ""


def values_kept_only_for(changed: dict[str, Any], keep) -> dict[str, Any]:
    """A diff with the values of every field not in `keep` replaced by a marker. For case
    records: the trail is kept for ever and cannot be erased, so it names which field of
    a child's details or a case's narrative changed, never what it said (that stays on
    the record, which can be erased)."""
    return {field: change if field in keep else SECRET_TEXT for field, change in changed.items()}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"old": …, "new": …}} for every field whose value changed."""
    return {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def client_ip(request) -> str | None:
    """The address the request came from. Behind TRUSTED_PROXIES reverse proxies it is the
    entry that many places from the right of X-Forwarded-For (the one the outermost proxy
    added); entries further left were written by the client and are never trusted."""
    if request is None:
        return None
    meta = getattr(request, "META", {})
    hops = settings.TRUSTED_PROXIES
    if hops > 0:
        chain = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(chain) >= hops:
            try:
                return str(ipaddress.ip_address(chain[-hops]))
            except ValueError:
                pass
    return meta.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    partnership: Partnership | None = None,
    changes: dict | None = None,
    request=None,
    actor_email: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one audit event. Call it inside the same transaction as the change."""
    if partnership is None and obj is not None:
        partnership = getattr(obj, "partnership", None)
        if partnership is None and isinstance(obj, Partnership):
            partnership = obj
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    event = AuditEvent.objects.create(
        actor=actor,
        actor_email=(actor.email if actor is not None else actor_email)[:254],
        partnership=partnership,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=_plain(changes) if changes else {},
        ip_address=client_ip(request),
        occurred_at=history_now(),
    )
    if action in SECURITY_NOTICE_ACTIONS:
        from .security_notices import queue_notice

        queue_notice(event)
    return event


#: Changes to a person's sign-in that they are e-mailed about (security_notices.py).
SECURITY_NOTICE_ACTIONS = frozenset(
    {
        AuditEvent.Action.PASSWORD_CHANGED,
        AuditEvent.Action.TWO_FACTOR_SET_UP,
        AuditEvent.Action.RECOVERY_CODE_USED,
        AuditEvent.Action.TWO_FACTOR_RESET,
        AuditEvent.Action.LOCKOUT_ENDED,
        AuditEvent.Action.RECOVERY_CODES_NEW,
        AuditEvent.Action.LOCKED_OUT,  # the refusal that starts a lockout only
    }
)


def audit_view(request, obj: models.Model, page: str, **kwargs) -> AuditEvent:
    """A case page was read: who, which record, which page (`changes={"page": …}`)."""
    return audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        obj=obj,
        request=request,
        changes={"page": page},
        **kwargs,
    )


def address_locked_out(request) -> bool:
    """Too many failed sign-ins from this request's address lately, whichever accounts
    they tried (django-axes counts each account and address together): read from the
    trail's failed sign-ins (a partial index), at most the limit of them."""
    from django.utils import timezone

    address = client_ip(request)
    if not address:
        return False
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = AuditEvent.objects.filter(
        action=AuditEvent.Action.SIGN_IN_FAILED, ip_address=address, occurred_at__gte=since
    )
    return failures[: settings.ADDRESS_FAILURE_LIMIT].count() >= settings.ADDRESS_FAILURE_LIMIT


#: The apps whose pages are case pages: a signed-in person refused one is recorded.
CASE_APPS = frozenset({"notifications", "rapid_reviews", "lcspr"})
#: The record a refused case page's address names, to file the refusal in the trail of
#: the partnership that owns it too (ADR 0005 addendum): for a page (app, URL name), or
#: else for every page of its app, the URL's argument, the model it is the key of, and
#: the path from that model to its partnership. A page without the argument names none.
REFUSED_RECORDS: dict[str | tuple[str, str], tuple[str, str, str]] = {
    "notifications": ("pk", "notifications.Incident", "partnership"),
    "rapid_reviews": ("pk", "rapid_reviews.RapidReview", "incident__partnership"),
    **{
        ("rapid_reviews", page): (
            "pk",
            "rapid_reviews.InformationRequest",
            "rapid_review__incident__partnership",
        )
        for page in ("contributor-request", "contributor-return", "contributor-submit")
    },
    "lcspr": ("pk", "lcspr.Review", "rapid_review__incident__partnership"),
    ("lcspr", "agency-action"): (
        "action_pk",
        "lcspr.Action",
        "recommendation__review__rapid_review__incident__partnership",
    ),
}
#: One "Refused or not found" event per person and page in this long: a page reloaded,
#: or a link followed again, is one attempt (ADR 0005 addendum).
REFUSED_QUIET = dt.timedelta(minutes=10)
#: And at most this many of a person's attempts (pages) in `REFUSED_QUIET`: a script
#: walking case numbers writes this many attempts, not one a number. An attempt is one
#: event, or two where the record's partnership is told too.
REFUSED_CAP = 20


def _partnership_of(user) -> Partnership | None:
    """The partnership a refused person belongs to, where there is one: the only one they
    hold a role in, or, holding none now, the one they last held a role in (a leaver).
    None for someone of several partnerships (or none): their refusal is theirs alone."""
    from . import permissions
    from .models import PastRole

    now = {m.partnership for m in permissions.memberships_of(user) if m.partnership_id}
    if len(now) == 1:
        return now.pop()
    if now or permissions.memberships_of(user):
        return None
    last = PastRole.objects.filter(user=user).select_related("partnership").order_by("-ended_at")
    found = last.first()
    return found.partnership if found is not None else None


def owner_of_refused(match) -> int | None:
    """The id of the partnership that owns the record a refused case page's address names
    (`REFUSED_RECORDS`), or None: no such record, or a page naming none. A system read
    for the audit trail only, one query, the same whether the record exists or not:
    nothing of it reaches the person refused (ADR 0005 addendum)."""
    from django.apps import apps

    found = REFUSED_RECORDS.get((match.app_name, match.url_name)) or REFUSED_RECORDS.get(
        match.app_name
    )
    if found is None:
        return None
    argument, label, path = found
    key = match.kwargs.get(argument)
    if key is None:
        return None
    model = apps.get_model(label)
    return model._base_manager.filter(pk=key).values_list(path, flat=True).first()


def audit_refused(request) -> list[AuditEvent]:
    """A signed-in person was refused a case page (403, or the 404 of a record outside
    their scope): who, when and the page's path (never its query, which a search could
    fill with a child's name), filed under their partnership, and also under the
    partnership that owns the record the path names where that is another one (its
    managers control the child's data). Once per person and path in `REFUSED_QUIET`,
    and at most `REFUSED_CAP` paths of a person's in it: both checked by one short read
    (at most two events a path, the cap's number of paths) through the trail's index by
    person and time. The events written (none, one or two)."""
    from django.utils import timezone

    user = request.user
    path = request.path[:200]
    since = timezone.now() - REFUSED_QUIET
    recent = list(
        AuditEvent.objects.filter(
            actor=user, action=Action.REFUSED, occurred_at__gte=since
        ).values_list("object_repr", flat=True)[: 2 * REFUSED_CAP]
    )
    # Each attempt is at most two events (its own and the owner's), so reading fewer than
    # twice the cap's rows is all of them and the path's own check is complete; reading
    # that many is the cap's number of attempts at least.
    if len(recent) >= 2 * REFUSED_CAP or len(set(recent)) >= REFUSED_CAP or path in recent:
        return []
    own = _partnership_of(user)
    events = [
        audit_record(
            actor=user, action=Action.REFUSED, partnership=own, object_repr=path, request=request
        )
    ]
    match = getattr(request, "resolver_match", None)
    owner = owner_of_refused(match) if match is not None else None
    if owner is not None and owner != (own.pk if own is not None else None):
        events.append(
            audit_record(
                actor=user,
                action=Action.REFUSED,
                partnership=Partnership(pk=owner),
                object_repr=path,
                request=request,
            )
        )
    return events
