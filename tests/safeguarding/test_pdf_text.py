"""`breakable`, the filter on the case PDFs' free text: a long unbroken run of characters
gets a zero-width space every 20 characters (in spans of 240), so WeasyPrint breaks it
at once instead of trying every place `overflow-wrap: anywhere` allows (a 20,000-letter
word took 8 to 13 s); the text itself, escaped as autoescaping would, is unchanged."""

import itertools
import re
import string

import pytest
from django.template import Context, Template

from safeguarding.templatetags.pdf_text import EVERY, SPAN, ZWSP

WORD = "".join(itertools.islice(itertools.cycle(string.ascii_letters + string.digits), 20000))


def _render(value, *, autoescape=True) -> str:
    template = "{% load pdf_text %}{% autoescape " + ("on" if autoescape else "off") + " %}"
    template += "{{ value|breakable }}{% endautoescape %}"
    return Template(template).render(Context({"value": value}))


def _plain(html: str) -> str:
    return re.sub(r"</?span>", "", html).replace(ZWSP, "")


@pytest.mark.parametrize(
    "value",
    [
        "An infant was taken to hospital.\nThe infant died the next day.",
        "https://www.example.org/a/path/of/sixty/characters/exactly/1",  # 60
        "",
        None,
        42,
    ],
)
def test_ordinary_text_is_printed_as_a_template_prints_it(value):
    assert _render(value) == Template("{{ value }}").render(Context({"value": value}))


def test_a_long_word_gets_a_break_every_20_characters_and_loses_nothing():
    html = _render(WORD)
    assert _plain(html) == WORD
    pieces = [p for p in re.split(f"{ZWSP}|</?span>", html) if p]
    assert "".join(pieces) == WORD
    assert {len(p) for p in pieces[:-1]} == {EVERY}
    spans = re.findall(r"<span>(.*?)</span>", html)
    assert len(spans) == len(WORD) // SPAN + 1
    assert all(len(s.replace(ZWSP, "")) <= SPAN for s in spans)


def test_only_the_long_runs_of_a_text_are_broken():
    text = f"Seen at {WORD[:100]} on Monday, then at {WORD[:50]}."
    html = _render(text)
    assert _plain(html) == text
    assert html.startswith("Seen at <span>") and html.endswith(f" on Monday, then at {WORD[:50]}.")


def test_the_text_is_escaped_and_no_escape_is_split():
    text = "<script>" + "&\"'" * 40 + "</script>"
    html = _render(text)
    assert "<script>" not in html
    assert _plain(html) == Template("{{ value }}").render(Context({"value": text}))
    for piece in re.split(f"{ZWSP}|</?span>", html):
        assert not re.search(r"&[#\w]*$", piece), piece  # an entity cut in two


def test_markup_already_safe_is_never_broken_inside_a_tag():
    """No case PDF passes markup (their values are plain text, and a template's literal
    default, "Not yet recorded.", has none), but one marked safe keeps its tags whole:
    an attribute is not given breaks, and the spans nest inside the element's text."""
    from django.utils.safestring import mark_safe

    href = "https://www.example.org/" + WORD[:120]
    markup = f'<a href="{href}">{WORD[:300]}</a>'
    html = _render(mark_safe(markup))
    assert f'<a href="{href}">' in html and html.endswith("</a>")
    assert _plain(html) == markup
    inner = html.removeprefix(f'<a href="{href}">').removesuffix("</a>")
    assert inner == _render(WORD[:300])


def test_a_text_not_escaped_is_broken_as_an_escaped_one():
    assert _plain(_render(WORD[:100], autoescape=False)) == WORD[:100]
    assert _render(WORD[:100], autoescape=False) == _render(WORD[:100])
