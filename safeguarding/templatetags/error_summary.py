"""`{{ field|summary_errors }}`: a field's errors for the GOV.UK error summary, each once.

A date's day, month and year boxes each carry the message they share ("Date of birth
must include a day and month" is on the day box and the month box, so both are drawn in
red); the summary lists it once, linked to the first box it is on. An error of the whole
date (in the future, before another date) links to its first box too: the field's own id
is the group around the boxes, which cannot take the focus the link gives. Radios and
checkboxes are the same: the link goes to the first option (crispy-forms-gds numbers them
from 1), and an error of the whole form to the first question's first box.
"""

from crispy_forms_gds.templatetags.crispy_forms_gds import field_errors
from django import forms, template

register = template.Library()


@register.filter
def first_box(bound_field) -> str:
    """The id of the element the summary's link to this question goes to."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"id_{bound_field.html_name}_1"
    if hasattr(bound_field.field, "fields"):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.filter
def summary_errors(bound_field) -> list[tuple[str, str]]:
    """(element id, message) pairs, in order, without repeats."""
    seen, out = set(), []
    for element_id, errors in field_errors(bound_field):
        if element_id == bound_field.auto_id:
            element_id = first_box(bound_field)
        for error in errors:
            if error not in seen:
                seen.add(error)
                out.append((element_id, error))
    return out


@register.filter
def summary_non_field_errors(form) -> list[tuple[str, str]]:
    """(href, message) pairs for the errors of the whole form: to the page where it is put
    right when it is on another page (`form.error_links`), else to the element saying what
    to do (`form.error_target`), else to the first question's first box."""
    links = getattr(form, "error_links", {})
    target = getattr(form, "error_target", "")
    if not target:
        fields = form.visible_fields()
        target = first_box(fields[0]) if fields else ""
    return [(links.get(error) or f"#{target}", error) for error in form.non_field_errors()]
