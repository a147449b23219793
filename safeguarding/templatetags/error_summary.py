"""`{{ field|summary_errors }}`: a field's errors for the GOV.UK error summary, each once.

A date's day, month and year boxes each carry the message they share ("Date of birth
must include a day and month" is on the day box and the month box, so both are drawn in
red); the summary lists it once, linked to the first box it is on. An error of the whole
date (in the future, before another date) links to its first box too: the field's own id
is the group around the boxes, which cannot take the focus the link gives.
"""

from crispy_forms_gds.templatetags.crispy_forms_gds import field_errors
from django import template

register = template.Library()


@register.filter
def summary_errors(bound_field) -> list[tuple[str, str]]:
    """(element id, message) pairs, in order, without repeats."""
    seen, out = set(), []
    boxes = hasattr(bound_field.field, "fields")
    for element_id, errors in field_errors(bound_field):
        if boxes and element_id == bound_field.auto_id:
            element_id = f"{element_id}_0"
        for error in errors:
            if error not in seen:
                seen.add(error)
                out.append((element_id, error))
    return out
