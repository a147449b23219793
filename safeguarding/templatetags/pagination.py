"""`{% pagination page query %}`: the GOV.UK pagination of a list page.

The page numbers shown are the ones around the page being read (with an ellipsis where
some are skipped), worked out here as plain values: the template used to ask the
paginator for them without saying which page it was on, so from page 6 on the current
page was missing from the list.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

register = template.Library()

TEMPLATE = "includes/pagination.html"


def page_links(page) -> dict:
    """A page of a Paginator as the plain values its links need: the pages around the
    current one, with None where the list skips some."""
    paginator = page.paginator
    return {
        "number": page.number,
        "numbers": [
            None if number == paginator.ELLIPSIS else number
            for number in paginator.get_elided_page_range(page.number)
        ],
        "previous": page.previous_page_number() if page.has_previous() else None,
        "next": page.next_page_number() if page.has_next() else None,
    }


@register.simple_tag
def pagination(page, query: str = "", param: str = "page", label: str = "") -> str:
    """Nothing for a single page (or no page at all); else the pagination, whose links
    keep `query` (the list's filters, without the page) and give the page number as
    `param` (another name for a second list on the same page, named by `label`)."""
    if getattr(page, "paginator", None) is None or page.paginator.num_pages <= 1:
        return ""
    return render_to_string(
        TEMPLATE, {"query": query, "param": param, "label": label, **page_links(page)}
    )


@register.simple_tag
def keyset_pagination(page, query: str = "") -> str:
    """The Newer and Older links of a keyset page (safeguarding/keyset.py), keeping
    `query` (the list's filters); nothing when the list fits on one page."""
    if page is None or not page.has_other_pages:
        return ""
    return render_to_string(
        "includes/keyset_pagination.html",
        {"query": query, "newer": page.newer, "older": page.older},
    )
