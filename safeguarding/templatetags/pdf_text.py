"""Free text in the case PDFs (WeasyPrint).

`breakable` gives WeasyPrint places to break a long unbroken run of characters (a pasted
address or reference, words typed with no spaces): in a run of more than `LONG`
characters, a zero-width space (U+200B) after every `EVERY`, and every `SPAN` characters
an inline <span> of their own. A reader sees the same text, and a copy of it has only
those invisible characters more.

Why both. Without them WeasyPrint breaks such a run with `overflow-wrap: anywhere`,
laying out all of the rest of the run again for each line: one word of 20,000 letters
took 8 to 13 s in the notification PDF's value column, and a minute in a 25 mm column.
A zero-width space is an ordinary break: a piece that fits the line costs nothing more
(every 60 characters still took 5 s in the value column, whose lines hold about 50;
every 20, 0.3 s). A piece wider than its column (the action plan's narrow columns) is
still broken anywhere, but within its own <span> WeasyPrint lays out only the span's
text again, not the whole run: at most a few seconds for a 25 mm column.

Used on every free-text value of the case PDFs' templates, in place of the plain
`{{ value }}` (never on an address a link goes to, which must stay as typed): it escapes
the text as autoescaping would, then inserts the breaks outside the escapes. No template
gives it markup (the values are plain text; a literal default such as "Not yet
recorded." is marked safe but holds no tag): a value already marked safe that does hold
tags keeps them whole, only the text between them being broken.
"""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

ZWSP = "\u200b"
#: Runs of non-space characters longer than this are given breaks (a long web address
#: or e-mail address of up to this many stays as it was typed).
LONG = 60
#: A break after every this many characters: a line of the case PDFs' value columns
#: holds about 50.
EVERY = 20
#: ...and a <span> of its own for every this many characters.
SPAN = 240
_LONG_RUN = re.compile(rf"\S{{{LONG + 1},}}")
# One character as escaped HTML: an entity (`&amp;`, `&#x27;`) is never split.
_CHARACTER = re.compile(r"&#?\w+;|.", re.DOTALL)
# A tag, kept whole (an attribute such as a link's address is never given breaks).
_TAG = re.compile(r"(<[^>]*>)")


def _pieces(characters: list[str], size: int) -> list[str]:
    return ["".join(characters[start : start + size]) for start in range(0, len(characters), size)]


def _break_run(match: re.Match) -> str:
    run = match.group(0)
    characters = _CHARACTER.findall(run)
    spans = (characters[start : start + SPAN] for start in range(0, len(characters), SPAN))
    return ZWSP.join(f"<span>{ZWSP.join(_pieces(span, EVERY))}</span>" for span in spans)


@register.filter(needs_autoescape=True)
def breakable(value, autoescape=True):
    """`value` as a template prints it, each run of more than `LONG` non-space
    characters with a zero-width space after every `EVERY` of them, in spans of `SPAN`."""
    text = conditional_escape(value) if autoescape else str(value)
    # Split at tags (there are none unless the value was marked safe): only the text
    # between them is broken, so the spans nest inside the elements.
    parts = _TAG.split(text)
    parts[::2] = [_LONG_RUN.sub(_break_run, part) for part in parts[::2]]
    return mark_safe("".join(parts))  # noqa: S308 - escaped above
