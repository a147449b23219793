"""`{{ day|full_date }}`, `{{ day|short_date }}`, `short_day`, and for a moment
`{{ moment|time_of_day }}` and `{{ moment|date_and_time }}`: the one way templates write a date
(safeguarding/dates.py has the rule). Loaded for every template (settings TEMPLATES
"builtins"). A datetime is shown in the current time zone, as Django's `date` filter does;
anything that is not a date (None, "") gives an empty string."""

import datetime as dt

from django import template

from safeguarding import dates

register = template.Library()


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


@register.filter(expects_localtime=True)
def full_date(value):
    day = _as_date(value)
    return dates.full_date(day) if day else ""


@register.filter(expects_localtime=True)
def short_date(value):
    day = _as_date(value)
    return dates.short_date(day) if day else ""


@register.filter(expects_localtime=True)
def short_day(value):
    day = _as_date(value)
    return dates.short_day(day) if day else ""


@register.filter(expects_localtime=True)
def time_of_day(value):
    return dates.time_of_day(value) if isinstance(value, dt.datetime | dt.time) else ""


@register.filter(expects_localtime=True)
def date_and_time(value):
    return dates.date_and_time(value) if isinstance(value, dt.datetime) else ""
