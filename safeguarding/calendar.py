"""Working-day calendar for the statutory clocks (England and Wales).

A working day is Monday to Friday, not a bank holiday in England and Wales and not one of
the partnership's local closure days. The trigger day is day 0 and never counts: the
deadline is the Nth working day after it.

The core is pure functions over a holiday set. Bank-holiday-only working days are
precomputed once per year (a sorted tuple of ordinals, searched with ``bisect``); the few
closure days of a partnership are handled by adjusting that result. Only
``closure_days`` touches the database.

``partnership`` may be a Partnership, its pk, ``None`` (bank holidays only), or a mapping
of ``date -> reason`` already returned by ``closure_days`` (to avoid repeat queries).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import holidays

__all__ = [
    "Explanation",
    "SkippedDay",
    "add_working_days",
    "add_working_days_many",
    "working_days_between_many",
    "bank_holidays",
    "clear_caches",
    "closure_days",
    "explain",
    "is_working_day",
    "non_working_reason",
    "working_days_between",
    "working_day_numbers",
    "working_day_on_or_after",
    "working_day_on_or_before",
]

CLOSURE_PREFIX = "Partnership closure: "
_WEEKEND_NAMES = {5: "Saturday", 6: "Sunday"}


@dataclass(frozen=True)
class SkippedDay:
    date: date
    reason: str

    @property
    def why(self) -> str:
        """Why it is not counted, as pages and e-mails list it beside its date: "weekend"
        for a Saturday or Sunday (the date already names the day: "Saturday 21 November
        2026: Saturday" said it twice), else the bank holiday's or closure's name."""
        return "weekend" if self.date.weekday() >= 5 else self.reason


@dataclass(frozen=True)
class Explanation:
    """How a deadline was worked out: the days counted and the days skipped."""

    start: date
    days: int
    due: date
    counted: list[date]
    skipped: list[SkippedDay]


# --- Bank-holiday calendar (pure, cached per year) --------------------------------------


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> Mapping[date, str]:
    # The package also lists the nominal day when it falls at a weekend (e.g. Boxing Day
    # on Saturday 26 Dec 2026); the bank holiday is then the substitute ("observed") day.
    # Named with the service's curly apostrophe ("New Year’s Day"), as all its words are.
    found = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return MappingProxyType(
        {day: name.replace("'", "’") for day, name in sorted(found.items()) if day.weekday() < 5}
    )


def bank_holidays(year: int) -> dict[date, str]:
    """England and Wales bank holidays (all on weekdays) for ``year``, with their names."""
    return dict(_bank_holidays(year))


@lru_cache(maxsize=256)
def _working_ordinals(year: int) -> tuple[int, ...]:
    """Ordinals of the weekdays in ``year`` that are not bank holidays, ascending."""
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    closed = {day.toordinal() for day in _bank_holidays(year)}
    return tuple(
        o for o in range(first, last + 1) if date.fromordinal(o).weekday() < 5 and o not in closed
    )


def _is_base_working(ordinal: int) -> bool:
    days = _working_ordinals(date.fromordinal(ordinal).year)
    i = bisect_left(days, ordinal)
    return i < len(days) and days[i] == ordinal


def _nth_after(ordinal: int, n: int) -> int:
    """The nth (n >= 1) bank-holiday-calendar working day after ``ordinal``."""
    year = date.fromordinal(ordinal).year
    days = _working_ordinals(year)
    i = bisect_right(days, ordinal)
    while n > len(days) - i:
        n -= len(days) - i
        year += 1
        days, i = _working_ordinals(year), 0
    return days[i + n - 1]


def _nth_before(ordinal: int, n: int) -> int:
    """The nth (n >= 1) bank-holiday-calendar working day before ``ordinal``."""
    year = date.fromordinal(ordinal).year
    days = _working_ordinals(year)
    i = bisect_left(days, ordinal)
    while n > i:
        n -= i
        year -= 1
        days = _working_ordinals(year)
        i = len(days)
    return days[i - n]


def _count(lo: int, hi: int) -> int:
    """Bank-holiday-calendar working days d with lo < d <= hi (lo <= hi)."""
    y_lo, y_hi = date.fromordinal(lo).year, date.fromordinal(hi).year
    total = 0
    for year in range(y_lo, y_hi + 1):
        days = _working_ordinals(year)
        total += bisect_right(days, hi) - bisect_right(days, lo)
    return total


def clear_caches() -> None:
    """Forget the cached bank holidays and working-day tables."""
    _bank_holidays.cache_clear()
    _working_ordinals.cache_clear()
    _working_table.cache_clear()
    _extra_closed_of.cache_clear()
    _table_without.cache_clear()


# --- Partnership closure days ----------------------------------------------------------


def closure_days(partnership: Any) -> dict[date, str]:
    """A partnership's local closure days (one query); ``{}`` for ``None``."""
    if partnership is None:
        return {}
    from safeguarding.models import ClosureDay

    pk = partnership if isinstance(partnership, int) else partnership.pk
    return dict(ClosureDay.objects.filter(partnership_id=pk).values_list("date", "reason"))


def closure_on(partnership: Any, day: date | None) -> str | None:
    """The reason of the partnership's closure day on `day` (one query), or None: for a
    due date typed by a person, which a closure day added since may fall on (ADR 0027
    addendum, session 20)."""
    if partnership is None or day is None:
        return None
    from safeguarding.models import ClosureDay

    pk = partnership if isinstance(partnership, int) else partnership.pk
    closed = ClosureDay.objects.filter(partnership_id=pk, date=day)
    return closed.values_list("reason", flat=True).first()


def on_closure_days(items, partnership: Any) -> set[int]:
    """The ids of `items` (with a `due_date`) due on one of the partnership's closure days
    (one query, only if there are items; none given the `closure_days` already read)."""
    items = list(items)
    if not items:
        return set()
    closed = _closures(partnership)
    return {item.pk for item in items if item.due_date in closed}


def closure_days_listed(partnership_pk: int, today: date) -> tuple[list, list]:
    """A partnership's closure days to list for its business unit (one query): those to
    come, soonest first, and those already past this year, latest first."""
    from safeguarding.models import ClosureDay

    rows = list(
        ClosureDay.objects.filter(
            partnership_id=partnership_pk, date__gte=date(today.year, 1, 1)
        ).order_by("date")
    )
    upcoming = [row for row in rows if row.date >= today]
    past = [row for row in reversed(rows) if row.date < today]
    return upcoming, past


def _closures(partnership: Any) -> Mapping[date, str]:
    if isinstance(partnership, Mapping):
        return partnership
    return closure_days(partnership)


def _extra_closed(closures: Mapping[date, str]) -> tuple[int, ...]:
    """Ordinals of closure days that would otherwise be working days, ascending."""
    if not closures:
        return ()
    return _extra_closed_of(frozenset(d.toordinal() for d in closures))


@lru_cache(maxsize=1024)
def _extra_closed_of(ordinals: frozenset[int]) -> tuple[int, ...]:
    return tuple(sorted(o for o in ordinals if _is_base_working(o)))


# --- Public API ------------------------------------------------------------------------


def _reason(day: date, closures: Mapping[date, str]) -> str | None:
    if day.weekday() >= 5:
        return _WEEKEND_NAMES[day.weekday()]
    name = _bank_holidays(day.year).get(day)
    if name is not None:
        return name
    if day in closures:
        return CLOSURE_PREFIX + closures[day]
    return None


def non_working_reason(day: date, *, partnership: Any = None) -> str | None:
    """Why ``day`` is not a working day ("Saturday", a holiday name, a closure), or None."""
    return _reason(day, _closures(partnership))


def is_working_day(day: date, *, partnership: Any = None) -> bool:
    """True if ``day`` counts as a working day."""
    return non_working_reason(day, partnership=partnership) is None


def _add(start: date, days: int, closures: Mapping[date, str]) -> date:
    cur, remaining = start.toordinal(), abs(days)
    extra = _extra_closed(closures)
    while remaining:
        if days > 0:
            nxt = _nth_after(cur, remaining)
            remaining = bisect_right(extra, nxt) - bisect_right(extra, cur)
        else:
            nxt = _nth_before(cur, remaining)
            remaining = bisect_left(extra, cur) - bisect_left(extra, nxt)
        cur = nxt
    return date.fromordinal(cur)


def add_working_days(start: date, days: int, *, partnership: Any = None) -> date:
    """The ``days``-th working day after ``start`` (before it, if ``days`` is negative).

    ``start`` itself never counts; ``days == 0`` returns ``start`` unchanged.
    """
    return _add(start, days, _closures(partnership))


def working_day_on_or_after(day: date, *, partnership: Any = None) -> date:
    """``day`` if it is a working day, else the next working day after it (a date a
    business unit would choose, such as a due date or a meeting, near ``day``)."""
    return _add(day - timedelta(days=1), 1, _closures(partnership))


def working_day_on_or_before(day: date, *, partnership: Any = None) -> date:
    """``day`` if it is a working day, else the last working day before it."""
    return _add(day + timedelta(days=1), -1, _closures(partnership))


def working_days_between(start: date, end: date, *, partnership: Any = None) -> int:
    """Working days d with start < d <= end; negative of the reverse count if end < start."""
    if end < start:
        return -working_days_between(end, start, partnership=partnership)
    lo, hi = start.toordinal(), end.toordinal()
    extra = _extra_closed(_closures(partnership))
    return _count(lo, hi) - (bisect_right(extra, hi) - bisect_right(extra, lo))


def working_days_left(today: date, due: date, *, partnership: Any = None) -> int:
    """Working days from `today` to `due` as a clock shows them: negative once overdue.
    A clock due on Friday and still running is overdue on the Saturday, the Sunday and a
    bank-holiday Monday too (at least one day), though no working day has passed."""
    left = working_days_between(today, due, partnership=partnership)
    return min(left, -1) if due < today else left


def explain(start: date, days: int, *, partnership: Any = None) -> Explanation:
    """The due date with every working day counted and every non-working day skipped.

    Both lists run in counting order: forwards from ``start``, or backwards if ``days``
    is negative. ``start`` itself is never listed.
    """
    closures = _closures(partnership)
    due = _add(start, days, closures)
    step = timedelta(days=1 if days >= 0 else -1)
    counted: list[date] = []
    skipped: list[SkippedDay] = []
    day = start
    while day != due:
        day += step
        reason = _reason(day, closures)
        if reason is None:
            counted.append(day)
        else:
            skipped.append(SkippedDay(day, reason))
    return Explanation(start=start, days=days, due=due, counted=counted, skipped=skipped)


# --- Many dates at once (recomputation after a calendar change) -----------------------

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # numpy's datetime64[D] counts from here


@lru_cache(maxsize=32)
def _working_table(first_year: int, last_year: int):
    """The bank-holiday-calendar working days of the years, as days since 1970 (numpy)."""
    import numpy as np

    ordinals = [o for year in range(first_year, last_year + 1) for o in _working_ordinals(year)]
    table = np.array(ordinals, dtype=np.int64) - _EPOCH_ORDINAL
    table.flags.writeable = False
    return table


def _table_for(first: int, last: int, closures: Mapping[date, str]):
    """Working days (days since 1970, numpy) of the years first..last, closures removed."""
    return _table_without(first, last, _extra_closed(closures))


@lru_cache(maxsize=512)
def _table_without(first: int, last: int, extra: tuple[int, ...]):
    import numpy as np

    table = _working_table(first, last)
    if extra:
        closed = np.array(extra, dtype=np.int64) - _EPOCH_ORDINAL
        table = np.setdiff1d(table, closed, assume_unique=True)
        table.flags.writeable = False
    return table


def working_day_numbers(first: date, last: date) -> list[int]:
    """The bank-holiday-calendar working days from ``first`` to ``last`` inclusive, as
    days since 1 January 1970, ascending: what the reminder sweep hands to PostgreSQL
    (partnership closures are subtracted there, from their own table)."""
    if last < first:
        return []
    table = _working_table(first.year, last.year)
    lo, hi = first.toordinal() - _EPOCH_ORDINAL, last.toordinal() - _EPOCH_ORDINAL
    return table[
        table.searchsorted(lo, side="left") : table.searchsorted(hi, side="right")
    ].tolist()


def working_days_between_many(start: date, ends, *, partnership: Any = None):
    """``working_days_between(start, end)`` for many ends at once (numpy int array).

    Working days d with start < d <= end, negative when the end is before the start: the
    difference of two binary searches in one sorted array of working days.
    """
    import numpy as np

    end_days = np.asarray(ends, dtype="datetime64[D]").astype(np.int64)
    if end_days.size == 0:
        return end_days
    start_day = start.toordinal() - _EPOCH_ORDINAL
    first = date.fromordinal(int(min(end_days.min(), start_day)) + _EPOCH_ORDINAL).year
    last = date.fromordinal(int(max(end_days.max(), start_day)) + _EPOCH_ORDINAL).year
    table = _table_for(first, last, _closures(partnership))
    return np.searchsorted(table, end_days, side="right") - np.searchsorted(
        table, start_day, side="right"
    )


def add_working_days_many(starts, days, *, partnership: Any = None):
    """``add_working_days`` for many start dates at once, with one calendar.

    ``starts`` is a sequence of dates (or a numpy ``datetime64[D]`` array) and ``days`` a
    sequence of whole numbers >= 0, the same length. Returns a ``datetime64[D]`` array of
    due dates. The same rule as ``add_working_days``: the start never counts, 0 returns
    the start. The working days of the years involved are one sorted array; each due date
    is one binary search and an index into it (numpy, no Python loop per date).
    """
    import numpy as np

    start_days = np.asarray(starts, dtype="datetime64[D]").astype(np.int64)
    offsets = np.asarray(days, dtype=np.int64)
    if start_days.shape != offsets.shape:
        raise ValueError("starts and days must be the same length")
    if start_days.size == 0:
        return start_days.astype("datetime64[D]")
    if offsets.min() < 0:
        raise ValueError("add_working_days_many counts forwards only (days >= 0)")
    first = date.fromordinal(int(start_days.min()) + _EPOCH_ORDINAL).year
    last = date.fromordinal(int(start_days.max()) + _EPOCH_ORDINAL).year
    last += int(offsets.max()) // 250 + 1  # at least 250 working days in any year
    table = _table_for(first, last, _closures(partnership))
    index = np.searchsorted(table, start_days, side="right") + offsets - 1
    due = np.where(offsets == 0, start_days, table[np.maximum(index, 0)])
    return due.astype("datetime64[D]")
