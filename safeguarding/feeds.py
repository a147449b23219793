"""Private calendar feeds: one revocable secret address per person (iCalendar).

The address carries a random secret; only its SHA-256 hash is stored, so the address is
shown once, when it is made. Making a new one (or revoking) stops the old one at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .audit import Action, audit_record
from .deadline_selectors import feed_items
from .models import CalendarFeedToken, User

#: How making and switching off an address are named in the audit trail.
FEED_ADDRESS = "Calendar feed address"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("safeguarding:calendar-feed", args=[token])


@transaction.atomic
def calendar_feed_create(*, actor: User) -> str:
    """Make (or replace) the actor's feed address; returns the secret token, shown once."""
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(
        user=actor, defaults={"token_hash": _hash(token), "created_at": timezone.now()}
    )
    audit_record(actor=actor, action=Action.CREATE, object_repr=FEED_ADDRESS)
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor: User) -> bool:
    deleted, _ = CalendarFeedToken.objects.filter(user=actor).delete()
    if deleted:
        audit_record(actor=actor, action=Action.DELETE, object_repr=FEED_ADDRESS)
    return bool(deleted)


def calendar_feed_switched_off_at(user: User) -> dt.datetime | None:
    """When the user last switched off their address, if that is the last thing they did
    with it (a revoked address leaves no row, only its audit event): the page then says
    it is switched off rather than that they never had one."""
    from .models import AuditEvent

    last = (
        AuditEvent.objects.filter(actor=user, object_repr=FEED_ADDRESS)
        .order_by("-occurred_at", "-id")
        .values_list("action", "occurred_at")
        .first()
    )
    return last[1] if last and last[0] == Action.DELETE else None


def calendar_feed_user(token: str) -> User | None:
    """The active owner of a feed token, or None for an unknown or revoked one."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=_hash(token), user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def calendar_feed_render(*, user: User, request=None) -> bytes:
    """The user's open deadlines as all-day events (stable UIDs), audited as an export."""
    cal = Calendar()
    cal.add("prodid", f"-//{settings.SERVICE_NAME}//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{settings.SERVICE_NAME}: deadlines")
    cal.add("x-published-ttl", "PT1H")
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    now = timezone.now()
    count = 0
    for item in feed_items(user):
        event = Event()
        event.add("uid", f"{item.uid}@{domain}")
        event.add("dtstamp", now)
        event.add("last-modified", item.updated)
        event.add("dtstart", item.due)
        event.add("dtend", item.due + dt.timedelta(days=1))
        event.add("summary", f"Due: {item.title}")
        link = settings.SITE_URL + item.path
        event.add("description", f"{item.title}\nWhy this date: {item.why}.\n{link}")
        event.add("url", link)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
        count += 1
    CalendarFeedToken.objects.filter(user=user).update(last_used_at=now)
    audit_record(
        actor=user,
        action=Action.EXPORT,
        object_repr="Calendar feed",
        changes={"deadlines": count},
        request=request,
    )
    return cal.to_ical()
