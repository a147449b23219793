"""`{% described_also "id" %}…{% end_described_also %}`: the file input drawn inside it is
also described by the element with that id (the note under it naming the file held for
it, safeguarding/held_uploads.py). crispy-forms-gds writes the input's aria-describedby
itself (its hint and errors), so the id is added to what it wrote."""

import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_DESCRIBED = re.compile(r'(<input\b[^>]*?\baria-describedby=")([^"]*)(")')
_INPUT = re.compile(r"(<input\b)")


@register.tag
def described_also(parser, token):
    try:
        _, target = token.split_contents()
    except ValueError as error:  # pragma: no cover - a template's mistake
        raise template.TemplateSyntaxError("described_also takes one id") from error
    nodelist = parser.parse(("end_described_also",))
    parser.delete_first_token()
    return DescribedAlso(nodelist, parser.compile_filter(target))


class DescribedAlso(template.Node):
    def __init__(self, nodelist, target):
        self.nodelist, self.target = nodelist, target

    def render(self, context):
        html = self.nodelist.render(context)
        target = self.target.resolve(context)
        if not target:
            return html
        if _DESCRIBED.search(html):
            html = _DESCRIBED.sub(
                lambda m: f"{m[1]}{(m[2] + ' ') if m[2] else ''}{target}{m[3]}", html, count=1
            )
        else:
            html = _INPUT.sub(rf'\1 aria-describedby="{target}"', html, count=1)
        return mark_safe(html)  # noqa: S308 - the input crispy-forms-gds escaped, and an id
