"""The one door to case data.

Views never query case models directly: they call the scoping helpers here (or the
per-app accessors built on them) so a user only ever reaches rows of partnerships they
belong to, in a role that may see them. Anything outside a user's scope answers 404, so
its existence does not leak.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce, wraps

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .drafts import login_required_keeping_post
from .models import AuditEvent, Membership, Partnership, Region, Role, User

#: Roles of a partnership's business unit: they see the partnership's case records.
CASE_ROLES = frozenset({Role.PARTNERSHIP_MANAGER, Role.REVIEW_OFFICER})
ALL_ROLES = frozenset(Role)


def memberships_of(user) -> list[Membership]:
    """The user's memberships, fetched once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_sg_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).select_related("partnership", "region", "agency")
        )
        user._sg_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {m.role for m in memberships_of(user)}


def has_role(user, *roles: str, partnership: Partnership | int | None = None) -> bool:
    pid = partnership.pk if isinstance(partnership, Partnership) else partnership
    return any(
        m.role in roles and (pid is None or m.partnership_id == pid) for m in memberships_of(user)
    )


def partnership_ids(user, roles: Iterable[str] = CASE_ROLES) -> set[int]:
    roles = set(roles)
    return {
        m.partnership_id
        for m in memberships_of(user)
        if m.role in roles and m.partnership_id is not None and m.partnership.is_active
    }


def region_ids(user) -> set[int]:
    return {m.region_id for m in memberships_of(user) if m.role == Role.REGIONAL_VIEWER}


def agency_ids(user, *, partnership: Partnership | int | None = None) -> set[int]:
    """Agencies the user contributes for (optionally within one partnership)."""
    pid = partnership.pk if isinstance(partnership, Partnership) else partnership
    return {
        m.agency_id
        for m in memberships_of(user)
        if m.role == Role.AGENCY_CONTRIBUTOR and (pid is None or m.partnership_id == pid)
    }


def contributor_memberships(user) -> list[Membership]:
    """The user's agency-contributor memberships in active partnerships (agency and
    partnership fetched with them: no query of its own)."""
    return [
        m
        for m in memberships_of(user)
        if m.role == Role.AGENCY_CONTRIBUTOR and m.partnership_id and m.partnership.is_active
    ]


def contributor_pairs(user) -> set[tuple[int, int]]:
    """(agency, partnership) for each agency the user contributes for, partnership by
    partnership, in active partnerships: a contributor for one agency in one partnership
    reaches that agency's records there and nothing else."""
    return {(m.agency_id, m.partnership_id) for m in contributor_memberships(user)}


def contributor_filter(user, partnership_field: str) -> Q | None:
    """The filter to the records of `contributor_pairs`: `agency_id` and the record's
    partnership (`partnership_field`) matching one pair. None when there are none."""
    pairs = sorted(contributor_pairs(user))
    if not pairs:
        return None
    where = Q()
    for agency_id, partnership_id in pairs:
        where |= Q(agency_id=agency_id, **{partnership_field: partnership_id})
    return where


def scope(qs: QuerySet, user, *, path: str = "partnership", roles=CASE_ROLES) -> QuerySet:
    """Filter any queryset to the partnerships where the user holds one of `roles`.

    `path` is the lookup from the model to its Partnership, e.g. "incident__partnership".
    """
    ids = partnership_ids(user, roles)
    if not ids:
        return qs.none()
    return qs.filter(**{f"{path}__in": ids})


def get_or_404(qs: QuerySet, **lookup) -> Model:
    """Fetch one object from an already-scoped queryset; anything else is a 404."""
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such record") from exc


def partnerships_visible_to(user, roles=ALL_ROLES) -> QuerySet[Partnership]:
    """Partnerships the user works in (a regional viewer: every partnership in the region)."""
    qs = Partnership.objects.filter(is_active=True)
    ids = partnership_ids(user, roles)
    regions = region_ids(user) if Role.REGIONAL_VIEWER in set(roles) else set()
    if not ids and not regions:
        return qs.none()
    return qs.filter(Q(pk__in=ids) | Q(region__in=regions))


def regions_visible_to(user) -> QuerySet[Region]:
    return Region.objects.filter(pk__in=region_ids(user))


_UNSET = object()


def audit_events_visible_to(user, *, parts=_UNSET) -> QuerySet[AuditEvent]:
    """Superusers see every event; partnership managers their partnerships' events (and
    their people's, below). `parts`: the user's `audit_scope_parts`, if already read."""
    qs = AuditEvent.objects.select_related("actor", "partnership")
    if parts is _UNSET:
        parts = audit_scope_parts(user)
    if parts is None:
        return qs
    if not parts:
        return qs.none()
    return qs.filter(reduce(operator.or_, parts))


def audit_events_by_part(parts: list[Q]) -> list[QuerySet[AuditEvent]]:
    """The events of each part of a user's scope (`audit_scope_parts`), each a queryset to
    be read apart through its own index (ADR 0023). Their union is exactly
    `audit_events_visible_to(user, parts=parts)`."""
    return [AuditEvent.objects.filter(part) for part in parts]


def audit_scope_parts(user) -> list[Q] | None:
    """The events a user may see, as parts whose union is the whole (None: everything, a
    superuser; []: nothing). Each part is one PostgreSQL can read newest first through
    its own index, so the audit trail's pages read each part apart (ADR 0023).

    A manager sees events about their partnerships' records; and, of the partnerships'
    people, their own sign-ins and account changes, and the changes an administrator
    made to their account (switched off, password set, second factor reset, lockout
    ended), from when they were given their role here: never what they did before
    joining (ADR 0022)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    ids = partnership_ids(user, {Role.PARTNERSHIP_MANAGER})
    if not ids:
        return []
    return audit_parts_of(ids)


def audit_parts_of(ids) -> list[Q]:
    """The events of these partnerships, as `audit_scope_parts` gives them: their records'
    events, and their people's own events and account events (which belong to no
    partnership) from when each joined. A manager's scope is that of the partnerships
    they manage; the trail filtered by one partnership is that of the one (ADR 0022's
    addendum): both are read part by part through the same indexes."""
    # The people and their dates are read first (a partnership has tens), so that
    # PostgreSQL finds each part through its own index: a subquery tested on every event
    # made the page's count over a national trail twice as slow.
    joined: dict[int, object] = {}
    for user_id, since in Membership.objects.filter(partnership__in=ids).values_list(
        "user_id", "since"
    ):
        if user_id in joined and (joined[user_id] is None or since is None):
            joined[user_id] = None  # a role with no date: shown whole
        else:
            joined[user_id] = since if user_id not in joined else min(since, joined[user_id])
    about = Q(pk__in=[])
    theirs = []
    for user_id, since in sorted(joined.items()):
        when = Q() if since is None else Q(occurred_at__gte=since)
        theirs.append(Q(actor=user_id) & when)
        about |= Q(object_id=str(user_id)) & when
    # What they did to an account is shown only where the account is one of the
    # partnership's people's (an administrator may hold a role here too: what they did to
    # another partnership's people is not this trail's). Each person's own events are a
    # part of their own, read through the index of events with no partnership by person
    # and time: one part for them all made PostgreSQL walk the whole trail's time index.
    account = Q(object_type=User._meta.label_lower)
    own = Q(partnership__isnull=True)
    return [
        *(Q(partnership=pid) for pid in sorted(ids)),
        *(own & person & ~account for person in theirs),
        own & account & about,
    ]


def can_view_audit(user) -> bool:
    return (getattr(user, "is_superuser", False) and user.is_active) or has_role(
        user, Role.PARTNERSHIP_MANAGER
    )


class RoleRequiredMixin(AccessMixin):
    """Signed-in users holding at least one of `allowed_roles` (anyone else: 403)."""

    allowed_roles: frozenset[str] = CASE_ROLES

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not (roles_of(request.user) & set(self.allowed_roles)):
            raise PermissionDenied("Your role does not give access to this page.")
        return super().dispatch(request, *args, **kwargs)


def role_required(*allowed_roles: str):
    """Function-view form of RoleRequiredMixin."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            from django.contrib.auth.views import redirect_to_login

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (roles_of(request.user) & set(allowed_roles)):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def case_role_required(
    roles: Iterable[str] = CASE_ROLES,
    *,
    message: str = "Only a partnership’s business unit works on cases.",
):
    """Function views of a stage's case pages: signed in (keeping what was typed across a
    session timeout, see drafts.py) and holding one of `roles` in an active partnership,
    or 403 with `message`. Which records the person then reaches is the accessors' job."""
    roles = frozenset(roles)

    def decorator(view):
        @login_required_keeping_post
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not partnership_ids(request.user, roles):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
