"""`{{ field|summary_errors }}`: a field's errors for the GOV.UK error summary, each once.

A date's day, month and year boxes each carry the message they share ("Date of birth
must include a day and month" is on the day box and the month box, so both are drawn in
red); the summary lists it once, linked to the first box it is on.
"""

from crispy_forms_gds.templatetags.crispy_forms_gds import field_errors
from django import template

register = template.Library()


@register.filter
def summary_errors(bound_field) -> list[tuple[str, str]]:
    """(element id, message) pairs, in order, without repeats."""
    seen, out = set(), []
    for element_id, errors in field_errors(bound_field):
        for error in errors:
            if error not in seen:
                seen.add(error)
                out.append((element_id, error))
    return out
