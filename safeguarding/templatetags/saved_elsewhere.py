"""`{% saved_elsewhere field %}`: after a save refused as stale, what is saved now for a
question this page and the other save both changed (safeguarding/opened.py sets
`form.saved_elsewhere`), drawn under the question's hint by the project's
templates/gds/layout/help_text.html (templates/includes/saved_elsewhere.html). Nothing
for any other question or page: every field of every form passes here, so it returns at
once when there is nothing to show."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag
def saved_elsewhere(field) -> str:
    saved = getattr(getattr(field, "form", None), "saved_elsewhere", None)
    answer = saved.get(getattr(field, "name", None)) if saved else None
    if answer is None:
        return ""
    return render_to_string("includes/saved_elsewhere.html", {"saved": answer, "field": field})
