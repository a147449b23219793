"""`{% service_navigation %}`: the links of the service navigation, kept once rendered.

The links a person sees depend only on their roles, whether they may read the audit
trail, whether they administer the service, and the page they are on (which link is
marked current), plus the URL configuration the links are reversed in. The HTML is kept
per process for each combination of those (a small LRU, `safeguarding.html_cache`),
which spares every signed-in page about nine URL reversals and a template include.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe

from safeguarding.html_cache import HtmlCache

register = template.Library()

TEMPLATE = "includes/navigation.html"
MAX_ENTRIES = 512
_cache = HtmlCache()


def navigation_html(*, path: str, user, roles, can_view_audit: bool) -> str:
    key = (
        settings.ROOT_URLCONF,
        get_urlconf(),
        get_script_prefix(),
        path,
        frozenset(roles),
        bool(can_view_audit),
        bool(user.is_superuser),
    )
    context = {
        "request": {"path": path},
        "user": {"is_superuser": bool(user.is_superuser)},
        "user_roles": frozenset(roles),
        "can_view_audit": bool(can_view_audit),
    }
    return _cache.get_or_render(
        key, lambda: render_to_string(TEMPLATE, context), max_entries=MAX_ENTRIES
    )


@register.simple_tag(takes_context=True)
def service_navigation(context) -> str:
    html = navigation_html(
        path=context["request"].path,
        user=context["user"],
        roles=context.get("user_roles") or (),
        can_view_audit=context.get("can_view_audit", False),
    )
    return mark_safe(html)  # noqa: S308 - the template's own escaped output
