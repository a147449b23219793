"""`{% back_link_landmark %}...{% end_back_link_landmark %}`: what a page puts before its
`<main>` (its back link) inside a navigation landmark, so nothing on the page sits outside
a landmark (axe-core's "region" rule), while the skip link still jumps past it as the
GOV.UK page template intends. A page with nothing there gets no empty landmark.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


class BackLinkLandmarkNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        inner = self.nodelist.render(context)
        if not inner.strip():
            return ""
        return format_html('<nav aria-label="{}">{}</nav>', gettext("Back"), inner)


@register.tag
def back_link_landmark(parser, token):
    nodelist = parser.parse(("end_back_link_landmark",))
    parser.delete_first_token()
    return BackLinkLandmarkNode(nodelist)
