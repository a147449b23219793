"""`{{ change|change_text }}`: one entry of an audit event's changes, as read on the page.

A changed field is recorded as {"old": …, "new": …} and reads "old → new"; a fact about
the change (a reason, the agency asked) is recorded as a plain value and reads as itself.
"""

from django import template

register = template.Library()


def _value(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


@register.filter
def change_text(change) -> str:
    if isinstance(change, dict) and ("old" in change or "new" in change):
        return f"{_value(change.get('old'))} → {_value(change.get('new'))}"
    return _value(change)
