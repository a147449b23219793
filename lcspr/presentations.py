"""The learning briefing as a PowerPoint presentation for team meetings and supervision
(python-pptx): a title slide, the background, one slide per key learning point, the areas
for practice improvement, the questions for discussion, each with presenter notes.

The deck is widescreen (16:9, PowerPoint's 13.333 by 7.5 inch "Widescreen"). python-pptx's
default template is 4:3, so its master and layouts are widened to match, and every
placeholder on a slide is given its own position and size from the boxes below.

Text never runs off a slide: python-pptx cannot measure text, so each text frame is
planned with a conservative estimate of how many characters fit on a line and how many
lines fit in the box (`wrap`, `line_capacity`). A section is set at the largest font size
at which it fits; when even the smallest size does not fit, it continues on further slides
titled "(continued)", splitting a long paragraph between words if it has to.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import timezone
from pptx import Presentation
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

TITLE_LAYOUT, CONTENT_LAYOUT = 0, 1

#: PowerPoint's "Widescreen" (16:9); the template's 4:3 slide is 9144000 EMU wide.
SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12_192_000), Emu(6_858_000)
MARGIN = Inches(0.6)
CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN

#: Arial is on every machine that opens PowerPoint files, and LibreOffice's Liberation
#: Sans has the same widths, so the estimates below hold wherever the deck is shown.
FONT = "Arial"
#: The average width of a character of English prose, in ems: 0.45 in Arial, 0.52 in
#: DejaVu Sans (what Linux falls back to without Arial's metrics), so this is an upper bound.
CHAR_WIDTH_EM = 0.52
#: Single line spacing (about 1.15 em in Arial), with a little to spare.
LINE_HEIGHT_EM = 1.2
#: The space above each paragraph, in ems.
PARAGRAPH_GAP_EM = 0.5
#: The text frame's default insets (PowerPoint's and python-pptx's).
INSET_X, INSET_Y = Inches(0.1), Inches(0.05)
#: Hanging indents: bullets as in the template; room for "10." in a numbered list.
BULLET_INDENT, NUMBER_INDENT = Emu(342_900), Inches(0.5)


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        return self.top + self.height


COVER_TITLE = Box(MARGIN, Inches(0.9), CONTENT_WIDTH, Inches(3.3))
COVER_SUBTITLE = Box(MARGIN, Inches(4.45), CONTENT_WIDTH, Inches(2.25))
SLIDE_TITLE = Box(MARGIN, Inches(0.3), CONTENT_WIDTH, Inches(1.2))
SLIDE_BODY = Box(MARGIN, Inches(1.7), CONTENT_WIDTH, SLIDE_HEIGHT - Inches(1.7) - Inches(0.5))

COVER_TITLE_SIZES = (44, 40, 36, 32, 28, 24)
COVER_SUBTITLE_SIZES = (24, 22, 20, 18)
TITLE_SIZES = (36, 32, 28, 24)
BODY_SIZES = (24, 22, 20, 18)
LEARNING_POINT_SIZES = (28, *BODY_SIZES)

PROSE, BULLETS, NUMBERS = "prose", "bullets", "numbers"


@dataclass(frozen=True)
class Line:
    words: tuple[str, ...]
    #: False for a line that starts with the rest of a word too long for the line before.
    starts_word: bool = True


@dataclass(frozen=True)
class Paragraph:
    text: str
    number: int
    #: The rest of a paragraph begun on the slide before: no bullet or number of its own.
    continued: bool = False


def chars_per_line(width: int, size: float, indent: int = 0) -> int:
    """How many characters of prose surely fit on a line of a text box `width` EMU wide."""
    points = Emu(width - 2 * INSET_X - indent).pt
    return max(1, int(points / (size * CHAR_WIDTH_EM)))


def wrap(text: str, chars: int) -> list[Line]:
    """`text` broken into lines of at most `chars` characters between words, as a renderer
    would; a word longer than a line (a web address) is broken across lines."""
    lines: list[Line] = []
    words: list[str] = []
    used, starts_word = 0, True
    for word in text.split():
        if used and used + 1 + len(word) > chars:
            lines.append(Line(tuple(words), starts_word))
            words, used, starts_word = [], 0, True
        used += (1 if used else 0) + len(word)
        words.append(word)
        while used > chars:
            lines.append(Line(tuple(words), starts_word))
            words, used, starts_word = [], used - chars, False
    if words or used:
        lines.append(Line(tuple(words), starts_word))
    return lines or [Line(())]


def paragraph_height(lines: int, size: float) -> float:
    """Points taken by a paragraph of `lines` lines, with the space above it."""
    return size * (PARAGRAPH_GAP_EM + lines * LINE_HEIGHT_EM)


def usable_height(box: Box) -> float:
    return Emu(box.height - 2 * INSET_Y).pt


def line_capacity(box: Box, size: float, paragraphs: int = 1) -> int:
    """How many lines of `size` points fit in `box` when they make `paragraphs` paragraphs."""
    return int(
        (usable_height(box) - paragraphs * size * PARAGRAPH_GAP_EM) / (size * LINE_HEIGHT_EM)
    )


def _indent(kind: str) -> int:
    return {PROSE: 0, BULLETS: BULLET_INDENT, NUMBERS: NUMBER_INDENT}[kind]


def _fits(texts: Sequence[str], box: Box, size: float, indent: int = 0) -> bool:
    chars = chars_per_line(box.width, size, indent)
    lines = sum(len(wrap(text, chars)) for text in texts)
    return lines <= line_capacity(box, size, len(texts))


def fit_size(texts: Sequence[str], box: Box, sizes: Sequence[int], indent: int = 0) -> int:
    """The largest of `sizes` at which `texts` fit in `box`, else the smallest."""
    return next((s for s in sizes if _fits(texts, box, s, indent)), sizes[-1])


def plan_pages(
    items: Sequence[str], *, box: Box, sizes: Sequence[int], kind: str
) -> tuple[int, list[list[Paragraph]]]:
    """The font size and the paragraphs of each slide for `items` (numbered from 1): one
    slide at the largest size that fits, or as many slides as the smallest size needs."""
    indent = _indent(kind)
    for size in sizes:
        if _fits(items, box, size, indent):
            return size, [[Paragraph(text, n) for n, text in enumerate(items, 1)]]
    size = sizes[-1]
    chars = chars_per_line(box.width, size, indent)
    room, line = usable_height(box), size * LINE_HEIGHT_EM
    pages: list[list[Paragraph]] = [[]]
    used = 0.0
    for number, text in enumerate(items, 1):
        lines, continued = wrap(text, chars), False
        while lines:
            fit = int((room - used - size * PARAGRAPH_GAP_EM) / line)
            if fit < len(lines):
                # Split between words, carry no single line over, leave none behind.
                fit -= 1 if len(lines) - fit == 1 else 0
                while fit > 0 and not lines[fit].starts_word:
                    fit -= 1
                if pages[-1] and fit < 2:
                    pages.append([])
                    used = 0.0
                    continue
            fit = max(fit, 1)  # a line always fits an empty slide
            taken, lines = lines[:fit], lines[fit:]
            words = " ".join(word for piece in taken for word in piece.words)
            if words:
                pages[-1].append(Paragraph(words, number, continued))
            used += paragraph_height(len(taken), size)
            continued = True
    return size, pages


def _set_box(shape, box: Box) -> None:
    shape.left, shape.top, shape.width, shape.height = box.left, box.top, box.width, box.height


def _bullet(paragraph, kind: str, number: int, continued: bool) -> None:
    """One marker per paragraph: the template's bullet, an automatic number, or none."""
    p_pr = paragraph._p.get_or_add_pPr()
    for tag in ("a:buNone", "a:buAutoNum", "a:buChar", "a:buBlip"):
        for old in p_pr.findall(qn(tag)):
            p_pr.remove(old)
    indent = _indent(kind)
    p_pr.set("marL", str(indent))
    p_pr.set("indent", str(0 if continued or kind == PROSE else -indent))
    if kind == PROSE or continued:
        marker = p_pr.makeelement(qn("a:buNone"), {})
    elif kind == NUMBERS:
        marker = p_pr.makeelement(
            qn("a:buAutoNum"), {"type": "arabicPeriod", "startAt": str(number)}
        )
    else:
        return  # the master's bullet
    p_pr.insert_element_before(marker, "a:tabLst", "a:defRPr", "a:extLst")


def _fill(shape, paragraphs: Sequence[Paragraph], size: int, kind: str | None = None) -> None:
    """Write `paragraphs` into `shape` at `size` points, wrapped, anchored at the top."""
    frame = shape.text_frame
    frame.clear()
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for index, para in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.line_spacing = 1.0
        paragraph.space_before = Pt(size * PARAGRAPH_GAP_EM)
        if kind is not None:
            _bullet(paragraph, kind, para.number, para.continued)
        run = paragraph.add_run()
        run.text = para.text
        run.font.size = Pt(size)
        run.font.name = FONT
        run.font.language_id = MSO_LANGUAGE_ID.ENGLISH_UK


def _title(shape, text: str, box: Box, sizes: Sequence[int]) -> None:
    _set_box(shape, box)
    _fill(shape, [Paragraph(text, 1)], fit_size([text], box, sizes))
    shape.text_frame.paragraphs[0].space_before = Pt(0)


def _widen_template(prs) -> None:
    """Stretch the 4:3 master's and layouts' placeholders across the 16:9 slide, so that
    nothing inherited from them sits in the left three-quarters."""
    sld_sz = prs.element.find(qn("p:sldSz"))
    old_width = int(sld_sz.get("cx"))
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    sld_sz.attrib.pop("type", None)  # no type is "custom", as PowerPoint writes Widescreen
    scale = SLIDE_WIDTH / old_width
    for part in [prs.slide_master, *prs.slide_layouts]:
        for xfrm in part.element.iter(qn("a:xfrm")):
            off, ext = xfrm.find(qn("a:off")), xfrm.find(qn("a:ext"))
            if off is not None and ext is not None:
                off.set("x", str(round(int(off.get("x")) * scale)))
                ext.set("cx", str(round(int(ext.get("cx")) * scale)))


APP_PROPERTIES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties">'
    "<Application>{application}</Application>"
    "<PresentationFormat>Widescreen</PresentationFormat>"
    "<Slides>{slides}</Slides><Notes>{slides}</Notes>"
    "<Company>{company}</Company>"
    "</Properties>"
)


def _set_properties(prs, briefing, *, partnership_name: str, generated_at: dt.datetime) -> None:
    """The document's properties: the briefing's public title, the partnership as author,
    the time it was made; nothing left over from python-pptx's template."""
    when = generated_at.astimezone(dt.UTC).replace(tzinfo=None)  # python-pptx writes UTC
    props = prs.core_properties
    props.title = briefing.title
    props.author = partnership_name
    props.last_modified_by = partnership_name
    props.subject = "Learning briefing"
    props.keywords = "learning briefing; safeguarding practice review"
    props.comments = ""  # the template's "generated using python-pptx"
    props.language = "en-GB"
    props.revision = 1
    props.created = props.modified = when
    package = prs.part.package
    package.part_related_by(RT.EXTENDED_PROPERTIES).blob = APP_PROPERTIES.format(
        application="Safeguarding case management",
        slides=len(prs.slides),
        company=escape(partnership_name),
    ).encode()
    for rId, rel in list(package._rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # a picture of the template's empty 4:3 slide
            package.drop_rel(rId)


def _slides(
    prs, title: str, items: Sequence[str], notes: str, *, kind: str, sizes=BODY_SIZES
) -> list:
    """The slide for `items`, with "(continued)" slides after it if they need more room."""
    size, pages = plan_pages(items, box=SLIDE_BODY, sizes=sizes, kind=kind)
    slides = []
    for index, page in enumerate(pages):
        slide = prs.slides.add_slide(prs.slide_layouts[CONTENT_LAYOUT])
        heading = title if index == 0 else f"{title} (continued)"
        _title(slide.shapes.title, heading, SLIDE_TITLE, TITLE_SIZES)
        body = slide.placeholders[1]
        _set_box(body, SLIDE_BODY)
        _fill(body, page, size, kind)
        body.text_frame.vertical_anchor = MSO_ANCHOR.TOP
        slide.notes_slide.notes_text_frame.text = notes
        slides.append(slide)
    return slides


def briefing_pptx(
    briefing, *, partnership_name: str, year: int, generated_at: dt.datetime | None = None
) -> bytes:
    prs = Presentation()
    _widen_template(prs)

    cover = prs.slides.add_slide(prs.slide_layouts[TITLE_LAYOUT])
    _title(cover.shapes.title, briefing.title, COVER_TITLE, COVER_TITLE_SIZES)
    cover.shapes.title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    subtitle = cover.placeholders[1]
    _set_box(subtitle, COVER_SUBTITLE)
    lines = [
        "Learning from a local child safeguarding practice review",
        f"{partnership_name}, {year}",
    ]
    _fill(
        subtitle,
        [Paragraph(text, n) for n, text in enumerate(lines, 1)],
        fit_size(lines, COVER_SUBTITLE, COVER_SUBTITLE_SIZES),
    )
    subtitle.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    for paragraph in subtitle.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.CENTER
    cover.notes_slide.notes_text_frame.text = (
        "Introduce the review: why it was held and what this session is for. Remind the team "
        "that the family’s details are anonymised and should not be guessed at."
    )
    paragraphs = [p.strip() for p in briefing.background.split("\n") if p.strip()]
    _slides(
        prs,
        "Background",
        paragraphs,
        "Read the background aloud. Ask: what would this child have wanted us to notice?",
        kind=PROSE,
    )
    points = briefing.key_learning_points()
    for number, point in enumerate(points, 1):
        _slides(
            prs,
            f"Key learning {number} of {len(points)}",
            [point],
            f"Key learning point {number}: {point}\nAsk the team where they have seen this "
            "in their own practice, and what helped or got in the way.",
            kind=PROSE,
            sizes=LEARNING_POINT_SIZES,
        )
    _slides(
        prs,
        "Areas for practice improvement",
        briefing.improvement_points(),
        "Agree one change the team will make, who will lead it and when you will check on it.",
        kind=BULLETS,
    )
    _slides(
        prs,
        "Questions for team discussion",
        briefing.questions(),
        "Use these in a team meeting or in supervision. Record what the team agreed.",
        kind=NUMBERS,
    )
    links = briefing.link_list()
    if links:
        _slides(
            prs,
            "Find out more",
            [f"{title}: {url}" if url != title else title for title, url in links],
            "Share these links after the session.",
            kind=BULLETS,
        )
    _set_properties(
        prs,
        briefing,
        partnership_name=partnership_name,
        generated_at=generated_at or timezone.now(),
    )
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
