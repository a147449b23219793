"""The pagination of list pages: the pages around the one being read, the current one
marked, and the filters kept in every link."""

import re
from pathlib import Path

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.utils.autoreload import file_changed

from safeguarding.html_cache import HtmlCache
from safeguarding.templatetags.pagination import page_links

TAG = Template("{% load pagination %}{% pagination page query %}")


def render(number, pages=14, query="status=notified"):
    page = Paginator(range(pages * 25), 25).get_page(number)
    return TAG.render(Context({"page": page, "query": query}))


def numbers_shown(html):
    return [int(n) for n in re.findall(r'aria-label="Page (\d+)"', html)]


def current(html):
    return re.findall(r'aria-label="Page (\d+)" aria-current="page"', html)


@pytest.mark.parametrize("number", range(1, 15))
def test_the_page_being_read_is_listed_and_marked(number):
    html = render(number)
    assert current(html) == [str(number)]
    shown = numbers_shown(html)
    assert number in shown
    assert shown[0] == 1 and shown[-1] == 14  # first and last always reachable
    assert shown == sorted(shown)
    assert ('rel="prev"' in html) == (number > 1)
    assert ('rel="next"' in html) == (number < 14)


def test_skipped_pages_show_an_ellipsis_on_each_side_of_a_middle_page():
    html = render(10, pages=20)
    assert numbers_shown(html) == [1, 2, 7, 8, 9, 10, 11, 12, 13, 19, 20]
    assert html.count("govuk-pagination__item--ellipsis") == 2


def test_links_keep_the_filters_but_not_the_old_page():
    html = render(3, query="status=notified&amp;sort=due")
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and all(h.startswith("?status=notified&amp;amp;sort=due&amp;page=") for h in hrefs)
    plain = render(3, query="")
    assert all(h.startswith("?page=") for h in re.findall(r'href="([^"]+)"', plain))


@pytest.mark.parametrize("pages", [0, 1])
def test_one_page_or_none_shows_no_pagination(pages):
    assert render(1, pages=pages).strip() == ""
    assert TAG.render(Context({"page": "", "query": ""})).strip() == ""


def test_page_links_are_plain_values():
    links = page_links(Paginator(range(20 * 25), 25).get_page(10))
    assert links == {
        "number": 10,
        "numbers": [1, 2, None, 7, 8, 9, 10, 11, 12, 13, None, 19, 20],
        "previous": 9,
        "next": 11,
    }


def test_a_changed_file_empties_the_kept_html():
    cache = HtmlCache()
    cache.get_or_render("k", lambda: "<p>old</p>", max_entries=4)
    file_changed.send(sender=None, file_path=Path("templates/base.html"))
    assert cache.get_or_render("k", lambda: "<p>new</p>", max_entries=4) == "<p>new</p>"
