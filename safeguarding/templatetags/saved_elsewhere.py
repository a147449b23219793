"""`{% saved_elsewhere field %}`: after a save refused as stale, what is saved now for a
question this page and the other save both changed (safeguarding/opened.py sets
`form.saved_elsewhere`), drawn under the question's hint by the project's
templates/gds/layout/help_text.html. Nothing for any other question, or any other page."""

from django import template

register = template.Library()


@register.inclusion_tag("includes/saved_elsewhere.html")
def saved_elsewhere(field):
    form = getattr(field, "form", None)
    saved = (getattr(form, "saved_elsewhere", None) or {}).get(getattr(field, "name", None))
    return {"saved": saved, "field": field}
