"""The learning briefing as a PowerPoint presentation for team meetings and supervision
(python-pptx): a title slide, the background, one slide per key learning point, the areas
for practice improvement, the questions for discussion, each with presenter notes."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.util import Inches, Pt

WIDESCREEN = (Inches(13.333), Inches(7.5))
TITLE_LAYOUT, CONTENT_LAYOUT = 0, 1


def _slide(prs, title: str, lines: list[str], notes: str, *, numbered: bool = False):
    slide = prs.slides.add_slide(prs.slide_layouts[CONTENT_LAYOUT])
    slide.shapes.title.text = title
    body = slide.placeholders[1].text_frame
    body.clear()
    for index, line in enumerate(lines):
        paragraph = body.paragraphs[0] if index == 0 else body.add_paragraph()
        paragraph.text = f"{index + 1}. {line}" if numbered else line
        paragraph.font.size = Pt(24 if len(lines) < 4 else 20)
    slide.notes_slide.notes_text_frame.text = notes
    return slide


def briefing_pptx(briefing, *, partnership_name: str, year: int) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDESCREEN
    props = prs.core_properties
    props.title = briefing.title
    props.author = partnership_name
    props.subject = "Learning briefing"
    props.last_modified_by = partnership_name
    props.comments = ""
    props.keywords = "learning briefing; safeguarding practice review"

    title_slide = prs.slides.add_slide(prs.slide_layouts[TITLE_LAYOUT])
    title_slide.shapes.title.text = briefing.title
    title_slide.placeholders[
        1
    ].text = f"Learning from a local child safeguarding practice review\n{partnership_name}, {year}"
    title_slide.notes_slide.notes_text_frame.text = (
        "Introduce the review: why it was held and what this session is for. Remind the team "
        "that the family's details are anonymised and should not be guessed at."
    )
    paragraphs = [p.strip() for p in briefing.background.split("\n") if p.strip()]
    _slide(
        prs,
        "Background",
        paragraphs,
        "Read the background aloud. Ask: what would this child have wanted us to notice?",
    )
    points = briefing.key_learning_points()
    for number, point in enumerate(points, 1):
        _slide(
            prs,
            f"Key learning {number} of {len(points)}",
            [point],
            f"Key learning point {number}: {point}\nAsk the team where they have seen this "
            "in their own practice, and what helped or got in the way.",
        )
    _slide(
        prs,
        "Areas for practice improvement",
        briefing.improvement_points(),
        "Agree one change the team will make, who will lead it and when you will check on it.",
    )
    _slide(
        prs,
        "Questions for team discussion",
        briefing.questions(),
        "Use these in a team meeting or in supervision. Record what the team agreed.",
        numbered=True,
    )
    links = briefing.link_list()
    if links:
        _slide(
            prs,
            "Find out more",
            [f"{title}: {url}" if url != title else title for title, url in links],
            "Share these links after the session.",
        )
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
