"""How the service writes a date (docs/adr/0008-dashboard-reports-and-exports.md, "Dates").

GOV.UK style: `full_date` ("11 December 2026") in running text, headings, summary lists,
histories, messages and documents; `short_date` ("11 Dec 2026") only in a table's cells,
where a column of dates has little room, with GOV.UK's truncated months (June, July and
Sept, not Jun, Jul and Sep). The templates reach both through the filters of the same
names (safeguarding/templatetags/dates.py, a template builtin).
"""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SHORT_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
)


def full_date(day: dt.date) -> str:
    """'11 December 2026'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date) -> str:
    """'11 Dec 2026', '4 June 2026', '9 Sept 2026': for a table's cells only."""
    return f"{day.day} {SHORT_MONTHS[day.month - 1]} {day.year}"


def short_day(day: dt.date) -> str:
    """'Mon 15 June': a day in a short run of days (the working days a clock counted)."""
    return f"{day:%a} {day.day} {SHORT_MONTHS[day.month - 1]}"


def iso_date(day: dt.date | None) -> str | None:
    """A date as kept in a JSON field ("2026-12-11"), or None."""
    return day.isoformat() if day else None


def date_from_iso(text: str | None) -> dt.date | None:
    """The date of `iso_date`'s text, or None."""
    return dt.date.fromisoformat(text) if text else None
