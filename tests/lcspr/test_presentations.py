"""The learning briefing's PowerPoint, re-opened with python-pptx: a 16:9 deck whose
placeholders fill the slide, titles that never meet the text below them, long sections
continued on further slides instead of running off the bottom, one number per question,
and document properties of the deck's own (not python-pptx's template's)."""

import datetime as dt
import io
import shutil
import subprocess
import textwrap

import pytest
from django.utils import timezone
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt
from pypdf import PdfReader

from bench.measures.briefing import FULL_LENGTH
from lcspr.models import LearningBriefing
from lcspr.presentations import briefing_pptx

from .conftest import BRIEFING

PARTNERSHIP = "Northshire Safeguarding Children Partnership"
GENERATED_AT = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)
#: 77 characters: three lines at the template's 44 points.
LONG_TITLE = "What the school, the GP and the youth club each knew about a fourteen-year-old"
#: As long as a title may be (150 characters).
MAX_TITLE = (
    "Nobody asked what an ordinary evening was like: a teen's hints about home, falling "
    "attendance and four agencies who each held a piece of the picture"
)
#: Far more than a slide holds: the background three times over, one learning point of
#: about 1,400 characters (one paragraph), thirty questions.
LONG = {
    **FULL_LENGTH,
    "title": LONG_TITLE,
    "background": "\n".join([FULL_LENGTH["background"]] * 3),
    "key_learning": " ".join([FULL_LENGTH["key_learning"].replace("\n", " ")] * 3),
    "discussion_questions": "\n".join(
        f"Question {n}: what would the child have wanted you to notice at this point?"
        for n in range(1, 31)
    ),
}

#: The test's own measure of text, independent of the module's: Arial's average width of a
#: character of English prose is 0.45 em and its single line 1.15 em; a margin on both.
CHAR_EM, LINE_EM = 0.5, 1.2


def deck(values=BRIEFING, **kwargs):
    data = briefing_pptx(
        LearningBriefing(**values),
        partnership_name=PARTNERSHIP,
        year=2025,
        **{"generated_at": GENERATED_AT, **kwargs},
    )
    return Presentation(io.BytesIO(data))


def titles(prs) -> list[str]:
    return [slide.shapes.title.text for slide in prs.slides]


def body(slide):
    return next(s for s in slide.placeholders if s.placeholder_format.idx == 1)


def rect(shape) -> tuple[int, int, int, int]:
    return shape.left, shape.top, shape.left + shape.width, shape.top + shape.height


def overlap(a, b) -> bool:
    (l1, t1, r1, b1), (l2, t2, r2, b2) = rect(a), rect(b)
    return l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1


def inset(frame, side: str, default: int) -> int:
    value = getattr(frame, f"margin_{side}")
    return default if value is None else value


def text_height(shape) -> float:
    """Points the shape's text needs, wrapping each paragraph at the box's width."""
    frame = shape.text_frame
    width = shape.width - inset(frame, "left", 91440) - inset(frame, "right", 91440)
    total = 0.0
    for paragraph in frame.paragraphs:
        run = paragraph.runs[0] if paragraph.runs else paragraph
        size = (run.font.size or paragraph.font.size or Pt(32)).pt  # the master's 32
        p_pr = paragraph._p.pPr
        indent = int(p_pr.get("marL", "0")) if p_pr is not None else 0
        chars = int(Emu(width - indent).pt / (size * CHAR_EM))
        lines = len(textwrap.wrap(paragraph.text, chars, break_on_hyphens=False)) or 1
        before = paragraph.space_before.pt if paragraph.space_before is not None else 0
        total += before + lines * size * LINE_EM
    return total


def room(shape) -> float:
    frame = shape.text_frame
    return Emu(shape.height - inset(frame, "top", 45720) - inset(frame, "bottom", 45720)).pt


def test_the_deck_is_widescreen_and_its_placeholders_fill_the_slide():
    prs = deck()
    assert prs.element.find(qn("p:sldSz")).get("type") in (None, "custom")  # not screen4x3
    assert prs.slide_width * 9 == prs.slide_height * 16
    assert (prs.slide_width, prs.slide_height) == (12_192_000, 6_858_000)  # "Widescreen"
    width = prs.slide_width
    for slide in prs.slides:
        for shape in (slide.shapes.title, body(slide)):
            assert shape.width >= 0.8 * width, (slide.shapes.title.text, shape.name)
            assert abs(shape.left + shape.width / 2 - width / 2) <= 0.01 * width
    # What new slides would inherit is widened too, not left in the left three-quarters.
    for part in (prs.slide_master, *prs.slide_layouts):
        placeholders = [s for s in part.placeholders if s.width]
        assert max(s.left + s.width for s in placeholders) > 0.9 * width, part.name


@pytest.mark.parametrize("values", [BRIEFING, FULL_LENGTH, LONG], ids=["short", "full", "long"])
def test_every_shape_lies_within_the_slide(values):
    prs = deck(values)
    for slide in prs.slides:
        for shape in slide.shapes:
            left, top, right, bottom = rect(shape)
            assert left >= 0 and top >= 0, shape.name
            assert right <= prs.slide_width and bottom <= prs.slide_height, shape.name
    for part in (prs.slide_master, *prs.slide_layouts):
        for shape in part.shapes:
            assert rect(shape)[2] <= prs.slide_width, (part.name, shape.name)


@pytest.mark.parametrize(
    "title", ["Are you listening to me?", LONG_TITLE, FULL_LENGTH["title"], MAX_TITLE]
)
def test_a_long_title_fits_its_box_and_does_not_meet_the_text_below(title):
    prs = deck({**BRIEFING, "title": title})
    assert prs.slides[0].shapes.title.text == title
    for slide in prs.slides:
        shapes = list(slide.placeholders)
        assert len(shapes) == 2
        assert not overlap(*shapes), slide.shapes.title.text
        for shape in shapes:
            assert text_height(shape) <= room(shape), (slide.shapes.title.text, shape.name)
            assert shape.text_frame.word_wrap is True


@pytest.mark.parametrize("values", [BRIEFING, FULL_LENGTH, LONG], ids=["short", "full", "long"])
def test_no_slide_holds_more_lines_than_fit(values):
    for slide in deck(values).slides:
        shape = body(slide)
        assert text_height(shape) <= room(shape), slide.shapes.title.text
        sizes = {run.font.size.pt for p in shape.text_frame.paragraphs for run in p.runs}
        assert len(sizes) == 1 and 18 <= sizes.pop() <= 28, slide.shapes.title.text


def test_the_briefing_as_long_as_one_page_allows_needs_no_continuation():
    assert titles(deck(FULL_LENGTH))[1:] == [
        "Background",
        *(f"Key learning {n} of 4" for n in range(1, 5)),
        "Areas for practice improvement",
        "Questions for team discussion",
        "Find out more",
    ]


def test_a_long_briefing_continues_on_further_slides_with_nothing_lost():
    prs = deck(LONG)
    names = titles(prs)
    assert names.count("Background") == 1 and names.count("Background (continued)") >= 2
    assert "Key learning 1 of 1 (continued)" in names
    assert "Questions for team discussion (continued)" in names
    for heading, source in [
        ("Background", LONG["background"]),
        ("Key learning 1 of 1", LONG["key_learning"]),
        ("Questions for team discussion", LONG["discussion_questions"]),
    ]:
        slides = [s for s in prs.slides if s.shapes.title.text.startswith(heading)]
        assert len(slides) >= 2
        words = " ".join(body(s).text_frame.text for s in slides).split()
        assert words == source.split(), heading
        for slide in slides:
            paragraphs = body(slide).text_frame.paragraphs
            lines = sum(len(textwrap.wrap(p.text, 60)) for p in paragraphs)
            assert 1 <= len(paragraphs) <= 15 and lines >= 2, slide.shapes.title.text
        notes = {s.notes_slide.notes_text_frame.text for s in slides}
        assert len(notes) == 1 and all(notes)


def numbering(paragraph) -> tuple[str | None, str | None]:
    p_pr = paragraph._p.pPr
    auto = p_pr.find(qn("a:buAutoNum"))
    assert p_pr.find(qn("a:buChar")) is None  # no bullet as well as a number
    if auto is None:
        assert p_pr.find(qn("a:buNone")) is not None
        return None, None
    return auto.get("type"), auto.get("startAt")


@pytest.mark.parametrize("values", [BRIEFING, LONG], ids=["short", "long"])
def test_each_question_has_one_number_and_no_bullet(values):
    prs = deck(values)
    questions = LearningBriefing(**values).questions()
    slides = [s for s in prs.slides if s.shapes.title.text.startswith("Questions for team")]
    numbers = []
    for slide in slides:
        for paragraph in body(slide).text_frame.paragraphs:
            assert not paragraph.text[:1].isdigit(), paragraph.text  # no typed "1."
            kind, start = numbering(paragraph)
            if kind is not None:
                assert kind == "arabicPeriod"
                numbers.append(int(start))
    assert numbers == list(range(1, len(questions) + 1))


def test_prose_has_no_bullet_and_each_list_item_one_marker():
    for slide in list(deck().slides)[1:]:
        heading = slide.shapes.title.text
        for paragraph in body(slide).text_frame.paragraphs:
            p_pr = paragraph._p.pPr
            markers = [
                child.tag.split("}")[1]
                for child in p_pr
                if child.tag in {qn("a:buNone"), qn("a:buAutoNum"), qn("a:buChar")}
            ]
            if heading == "Background" or heading.startswith("Key learning"):
                assert markers == ["buNone"] and p_pr.get("indent") == "0", heading
            elif heading.startswith("Questions"):
                assert markers == ["buAutoNum"], heading
            else:  # the master's bullet, and only that
                assert markers == [], heading


def test_the_document_properties_are_the_briefings():
    prs = deck(FULL_LENGTH)
    props = prs.core_properties
    assert props.title == FULL_LENGTH["title"]
    assert props.author == props.last_modified_by == PARTNERSHIP
    assert props.created == props.modified == dt.datetime(2025, 3, 14, 9, 30)
    assert props.comments == "" and props.revision == 1 and props.language == "en-GB"
    package = prs.part.package
    parts = {str(part.partname): part for part in package.iter_parts()}
    assert "/docProps/thumbnail.jpeg" not in parts  # the template's blank 4:3 picture
    every = b"".join(
        parts[name].blob for name in ("/docProps/core.xml", "/docProps/app.xml")
    ).decode()
    for leftover in ("2013-", "Steve Canny", "python-pptx", "4:3", "Macintosh"):
        assert leftover not in every
    assert "<Slides>9</Slides>" in every and "<PresentationFormat>Widescreen<" in every


def test_the_dates_are_when_the_deck_was_made_by_default():
    before = timezone.now().replace(microsecond=0, tzinfo=None)
    props = deck(generated_at=None).core_properties
    after = timezone.now().replace(tzinfo=None)
    assert before <= props.created <= after and props.modified == props.created


def test_nothing_runs_off_a_slide_in_libreoffice(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    source = tmp_path / "long.pptx"
    source.write_bytes(
        briefing_pptx(LearningBriefing(**LONG), partnership_name=PARTNERSHIP, year=2025)
    )
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    reader = PdfReader(tmp_path / "long.pdf")
    assert len(reader.pages) == len(Presentation(source).slides)
    for number, page in enumerate(reader.pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        origins = []

        def visit(text, cm, tm, _font, _size, origins=origins):
            if text.strip():
                a, b, c, d, e, f = cm
                x, y = tm[4], tm[5]
                origins.append((a * x + c * y + e, b * x + d * y + f))

        page.extract_text(visitor_text=visit)
        assert origins, number
        # Baselines on the page, and none in the last quarter inch.
        assert all(0 <= x <= width and 18 <= y <= height for x, y in origins), number
