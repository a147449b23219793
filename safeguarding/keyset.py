"""Keyset pages of a list sorted newest first by (time, id): "Newer" and "Older" links
that carry the edge row's key, so a page deep in a long list costs what the first does.

The audit trail holds millions of events. With numbered pages, page 100 made PostgreSQL
read and pass over the 4,950 events before it, and the count of every event a manager
may see took as long as the page itself (ADR 0023). A key here is the row's time in
microseconds and its id ("1764151200000000-123"). It names a place in the list, not a
row: a key made up by hand only moves where the page starts, and the rows are still
read through the reader's own scoped queryset.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q, QuerySet

_KEY = re.compile(r"(\d{1,17})-(\d{1,19})")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: Ids and times beyond these are not a place in any list (and overflow the columns).
_MAX_ID = 2**63 - 1
_MAX_MICROSECONDS = int((dt.datetime(9999, 12, 31, tzinfo=dt.UTC) - _EPOCH).total_seconds()) * 10**6


@dataclass(frozen=True)
class Key:
    at: dt.datetime
    pk: int

    def __str__(self) -> str:
        delta = self.at - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 10**6 + delta.microseconds
        return f"{micros}-{self.pk}"

    @classmethod
    def parse(cls, text: str | None) -> Key | None:
        """The key a link carried, or None for anything else (the newest page is shown)."""
        match = _KEY.fullmatch((text or "").strip())
        if not match:
            return None
        micros, pk = int(match[1]), int(match[2])
        if micros > _MAX_MICROSECONDS or pk > _MAX_ID:
            return None
        return cls(_EPOCH + dt.timedelta(microseconds=micros), pk)


@dataclass
class KeysetPage:
    """One page, newest first; `newer` and `older` are the keys of the neighbouring
    pages' links (None where there is nothing that way)."""

    object_list: list
    newer: str | None
    older: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.newer or self.older)


def keyset_page(
    queryset: QuerySet,
    *,
    before: str | None = None,
    after: str | None = None,
    size: int = 50,
    parts: list[QuerySet] | None = None,
    time_field: str = "occurred_at",
) -> KeysetPage:
    """The page of `queryset` just older than the key `before`, or just newer than
    `after`, or else the newest page. A page newer than `after` that would be short
    (the top of the list was reached) is the newest page instead, so the top page is
    always the same whichever way it was reached.

    `parts`, if given, are querysets whose union is `queryset`, each of which PostgreSQL
    reads in time order through an index of its own: the page's ids are found by taking
    a page from each part and keeping the first of them all (one UNION ALL), and its rows
    are then read from `queryset` itself."""
    window = _Window(queryset, parts, time_field, size + 1)
    older_than, newer_than = Key.parse(before), Key.parse(after)
    if newer_than is not None and older_than is None:
        rows = window.rows(_beyond(newer_than, time_field, newer=True), newest_first=False)
        if len(rows) > size:
            rows = rows[:size][::-1]
            return KeysetPage(
                rows, newer=_key_of(rows[0], time_field), older=_key_of(rows[-1], time_field)
            )
        older_than = None  # back at the top
    bound = _beyond(older_than, time_field, newer=False) if older_than is not None else Q()
    rows = window.rows(bound, newest_first=True)
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        # A page reached from a key has rows newer than it (the key's own row, at least,
        # unless it was made up or has gone from the reader's scope since).
        newer=_key_of(rows[0], time_field) if older_than is not None and rows else None,
        older=_key_of(rows[-1], time_field) if more else None,
    )


@dataclass
class _Window:
    queryset: QuerySet
    parts: list[QuerySet] | None
    time_field: str
    limit: int

    def rows(self, bound: Q, *, newest_first: bool) -> list:
        order = (f"-{self.time_field}", "-id") if newest_first else (self.time_field, "id")
        if (
            not self.parts
            or not connections[self.queryset.db].features.supports_slicing_ordering_in_compound
        ):
            # One query over the whole (SQLite, the embedded default, has no LIMIT in the
            # branches of a UNION; its trails are small).
            return list(self.queryset.filter(bound).order_by(*order)[: self.limit])
        pages = [
            part.filter(bound).order_by(*order).values_list(self.time_field, "id")[: self.limit]
            for part in self.parts
        ]
        keys = pages[0].union(*pages[1:], all=True) if len(pages) > 1 else pages[0]
        ids = [pk for _at, pk in keys.order_by(*order)[: self.limit]]
        if not ids:
            return []
        return list(self.queryset.filter(pk__in=ids).order_by(*order))


def _beyond(key: Key, time_field: str, *, newer: bool) -> Q:
    """Rows past `key` one way: the time bound stands alone so that the time index can
    start there; the id settles rows at the same microsecond."""
    if newer:
        return Q(**{f"{time_field}__gte": key.at}) & (
            Q(**{f"{time_field}__gt": key.at}) | Q(pk__gt=key.pk)
        )
    return Q(**{f"{time_field}__lte": key.at}) & (
        Q(**{f"{time_field}__lt": key.at}) | Q(pk__lt=key.pk)
    )


def _key_of(row, time_field: str) -> str:
    return str(Key(getattr(row, time_field), row.pk))
