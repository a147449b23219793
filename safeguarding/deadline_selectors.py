"""Reads of deadlines for people: through the permission layer, never around it."""

from __future__ import annotations

from django.db.models import QuerySet

from . import permissions
from .models import Deadline, DeadlineChange


def deadlines_visible_to(user) -> QuerySet[Deadline]:
    """Deadlines of the user's partnerships (business unit roles). Owning a clock gives
    no access of its own: someone who has left the partnership no longer sees it (its
    page, the calendar feed), even where they are still its owner."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Deadline.objects.none()
    return Deadline.objects.filter(partnership__in=permissions.partnership_ids(user))


def deadline_get_for(user, pk) -> Deadline:
    """One deadline the user may see, or 404."""
    return permissions.get_or_404(
        deadlines_visible_to(user).select_related("partnership", "owner"), pk=pk
    )


def deadline_history(deadline: Deadline) -> QuerySet[DeadlineChange]:
    return deadline.changes.select_related("actor").order_by("changed_at", "id")


def deadlines_for_feed(user) -> QuerySet[Deadline]:
    """Open deadlines for a person's calendar feed."""
    return deadlines_visible_to(user).open().order_by("due_date", "id")


def open_deadlines_visible_to(user):
    """Open clocks of the user's partnerships, soonest first, with their owners."""
    from . import permissions
    from .models import Deadline

    open_clocks = Deadline.objects.open().select_related("owner").order_by("due_date", "id")
    return permissions.scope(open_clocks, user)
