"""`{% filter_panel form %}`: a GET filter form rendered by crispy-forms-gds, kept once
rendered.

A list page's filter panel is the same HTML for everyone with the same filters and the
same choices, and crispy's field-by-field templates are the largest part of the page's
time (bench/README.md). The HTML is kept per process (a small LRU), keyed by everything
that goes into it: the form's class and prefix, the values submitted, and for every field
its label, help text, initial value, widget attributes and choices. A form with a field
whose choices come from a query, or a POST form (its CSRF token differs per session), is
rendered every time instead.
"""

from __future__ import annotations

from crispy_forms.utils import render_crispy_form
from django import forms, template
from django.utils.safestring import mark_safe

from safeguarding.html_cache import HtmlCache

register = template.Library()

MAX_ENTRIES = 256
_cache = HtmlCache()


class Uncacheable(Exception):
    pass


def _flat(choices) -> tuple:
    out = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            out.append((str(value), _flat(label)))
        else:
            out.append((str(value), str(label)))
    return tuple(out)


def _field_key(name: str, field: forms.Field) -> tuple:
    if isinstance(field, forms.ModelChoiceField):
        raise Uncacheable(name)
    choices = getattr(field, "choices", None)
    return (
        name,
        type(field).__name__,
        str(field.label),
        str(field.help_text),
        repr(field.initial),
        field.required,
        type(field.widget).__name__,
        tuple(sorted((k, str(v)) for k, v in field.widget.attrs.items())),
        _flat(choices) if choices is not None else None,
    )


def form_key(form: forms.BaseForm) -> tuple:
    helper = getattr(form, "helper", None)
    if helper is None or str(getattr(helper, "form_method", "")).lower() != "get":
        raise Uncacheable("not a GET form")
    data = errors = ()
    if form.is_bound:
        # What each widget reads from the request (a date's day, month and year arrive as
        # start_0, start_1, start_2, not as start), and the errors shown with them.
        data = tuple(
            (
                name,
                repr(
                    field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
                ),
            )
            for name, field in form.fields.items()
        )
        errors = form.errors.as_json()
    inputs = tuple((type(i).__name__, i.name, str(i.value)) for i in helper.inputs)
    return (
        str(helper.form_action),
        helper.form_id,
        helper.form_class,
        repr(sorted(helper.attrs.items())),
        inputs,
        type(form).__module__,
        type(form).__qualname__,
        form.prefix,
        form.is_bound,
        data,
        errors,
        tuple(sorted((k, repr(v)) for k, v in form.initial.items())),
        tuple(_field_key(name, field) for name, field in form.fields.items()),
    )


def render_filter_panel(form: forms.BaseForm) -> str:
    try:
        key = form_key(form)
    except Uncacheable:
        return render_crispy_form(form, helper=form.helper)
    return _cache.get_or_render(
        key, lambda: render_crispy_form(form, helper=form.helper), max_entries=MAX_ENTRIES
    )


@register.simple_tag
def filter_panel(form) -> str:
    return mark_safe(render_filter_panel(form))  # noqa: S308 - crispy's own escaped output
