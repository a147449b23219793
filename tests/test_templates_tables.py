"""Every table of a page template sits in its scroll box (`.app-table-scroll`), written in
the markup, so that a wide table scrolls inside it rather than widening the page even
without JavaScript (tests/e2e/test_reflow.py opens the rendered pages both ways)."""

import re

import pytest

from tests.test_templates_csp import ROOT, page_templates

TABLE = re.compile(r"<table\b[^>]*>")
BOXED = re.compile(r'<div class="app-table-scroll">\s*$')


@pytest.mark.parametrize("rel", sorted(page_templates()))
def test_each_table_is_in_a_scroll_box(rel):
    text = (ROOT / rel).read_text()
    for match in TABLE.finditer(text):
        before = text[: match.start()]
        assert BOXED.search(before), f"{rel}: {match.group()} has no scroll box round it"


def test_the_guard_finds_tables():
    tables = sum(len(TABLE.findall((ROOT / rel).read_text())) for rel in page_templates())
    assert tables > 25
