"""How the service writes a date (docs/adr/0008-dashboard-reports-and-exports.md, "Dates").

GOV.UK style: `full_date` ("11 December 2026") in running text, headings, summary lists,
histories, messages and documents; `short_date` ("11 Dec 2026") only in a table's cells,
where a column of dates has little room, with GOV.UK's truncated months (June, July and
Sept, not Jun, Jul and Sep). The templates reach both through the filters of the same
names (safeguarding/templatetags/dates.py, a template builtin).

A time is written GOV.UK's way, `time_of_day` ("9:05am", "2:30pm", "midday",
"midnight"), and a moment as `date_and_time` ("7 December 2026, 2:30pm"); in a table's
cells `short_date` and the time ("7 Dec 2026 2:30pm"). Times are UK time.
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


def time_of_day(moment: dt.datetime | dt.time) -> str:
    """'9:05am', '2:30pm', 'midday', 'midnight' (GOV.UK style: no 24-hour clock, no
    '12pm'). `moment` is already in the time zone it is shown in."""
    if (moment.hour, moment.minute) == (12, 0):
        return "midday"
    if (moment.hour, moment.minute) == (0, 0):
        return "midnight"
    return f"{moment.hour % 12 or 12}:{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'}"


def date_and_time(moment: dt.datetime) -> str:
    """'7 December 2026, 2:30pm': a moment in running text, a history or a document, in
    UK time."""
    from django.utils import timezone

    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{full_date(moment.date())}, {time_of_day(moment)}"


def short_day(day: dt.date) -> str:
    """'Mon 15 June': a day in a short run of days (the working days a clock counted)."""
    return f"{day:%a} {day.day} {SHORT_MONTHS[day.month - 1]}"


def iso_date(day: dt.date | None) -> str | None:
    """A date as kept in a JSON field ("2026-12-11"), or None."""
    return day.isoformat() if day else None


def date_from_iso(text: str | None) -> dt.date | None:
    """The date of `iso_date`'s text, or None."""
    return dt.date.fromisoformat(text) if text else None
