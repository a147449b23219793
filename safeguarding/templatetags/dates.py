"""`{{ day|full_date }}`, `{{ day|short_date }}` and `short_day`: the one way templates write a date
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
