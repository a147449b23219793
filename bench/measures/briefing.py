"""The learning briefing: its one-page PDF and its PowerPoint (issue 9: "no more than 1.5x
a bare WeasyPrint render of a one-page document with the same text; PowerPoint under
0.2 s").

The briefing: the scale data has none (`seed_scale` makes local reviews but no
briefings), so unless a scale review has one, the measure builds an unsaved
`LearningBriefing` for a published review of the largest scale partnership, with
full-length text: every field filled as far as one A4 page takes it (a 125-character title
of the 150 allowed, three paragraphs of background, four points in each list, two links).

1. `briefing_pdf`: `lcspr.documents.render_briefing_pdf` (the template, WeasyPrint, tagged
   PDF/UA-1: what `briefing_save` stores and both downloads serve), against
   `weasyprint.HTML(string=...).write_pdf()` of a bare HTML document with the same text
   (the briefing's fields plus the captions, headings and footer lines the service adds)
   in plain h1/h2/p/ul/ol markup, styled only as far as fitting one page needs (page
   margins, font size, block margins), in WeasyPrint's default fonts, no PDF variant.
2. `briefing_pptx`: `lcspr.presentations.briefing_pptx` (the whole deck: title, background,
   one slide per key learning point, improvements, questions, links, presenter notes),
   against python-pptx saving a one-slide presentation holding the briefing's text.

Each side's output is opened once (pypdf, python-pptx) and checked before timing, so a
failure cannot be timed. The fonts each PDF embeds are recorded: WeasyPrint's time is
mostly font subsetting, which depends on the machine's fonts (see the notes).
"""

from __future__ import annotations

import html
import io

import fontTools
import weasyprint
from django.db.models.functions import Length
from pptx import Presentation
from pypdf import PdfReader

from bench import common, fixtures
from lcspr.documents import render_briefing_pdf
from lcspr.models import LearningBriefing, Review, Status
from lcspr.presentations import briefing_pptx
from lcspr.services.briefing import briefing_year

SCALE_CODE = r"^S[0-9]{3}$"

#: A briefing as full as one page allows: the page is filled to the last line or so in the
#: widest font the stack can fall back to (DejaVu Sans); fewer lines with Liberation Sans.
FULL_LENGTH = {
    "title": (
        "\u201cI told them in pieces\u201d: a teenager\u2019s hints about home, missed "
        "school and the agencies that each held one part of the picture"
    ),
    "background": (
        "Child R was 14 and lived with her mother, her mother\u2019s partner and three "
        "younger half-siblings. Over two and a half years she told a form tutor that home "
        "was \u2018hard\u2019, asked the school nurse twice whether she could stay late, "
        "stopped going to her youth club and told her GP she could not sleep. Her "
        "attendance fell from 96% to 71%.\n"
        "Each practitioner recorded what they saw and some made referrals, but every "
        "contact was assessed on its own. Two referrals to children\u2019s social care "
        "were closed after telephone calls with her mother, without Child R being seen "
        "alone. Nobody asked her what an ordinary evening at home was like, and the "
        "school, health and the youth service did not know what the others knew.\n"
        "When Child R was 15 she told a new youth worker about years of emotional abuse, "
        "coercive control of her mother and neglect of the younger children."
    ),
    "key_learning": (
        "Children rarely tell us everything at once: they test whether we will listen "
        "with small pieces first, and stop telling us when nothing changes.\n"
        "Falling attendance is a safeguarding signal, not only an education matter; it "
        "should prompt the question \u2018what is happening at home?\u2019\n"
        "A child\u2019s words are evidence: record them as they were said, not as a "
        "summary in professional language that loses their meaning.\n"
        "A referral closed after speaking only to a parent is not an assessment of the "
        "child\u2019s experience; the child must be seen and heard on their own."
    ),
    "practice_improvement": (
        "Ask children directly, and alone, about their day at home, and write down what "
        "they say in their own words.\n"
        "Share concerns about falling attendance with the designated safeguarding lead "
        "and the school nurse early, and check what other agencies know.\n"
        "Do not close a referral until the child has been seen alone.\n"
        "Use the partnership\u2019s escalation policy when a referral is closed and you "
        "are not satisfied that the child is safe."
    ),
    "discussion_questions": (
        "When did you last ask a child what a typical evening at home is like?\n"
        "How would the next professional know what the child actually said to you?\n"
        "What small signs in your service might be a child testing whether you will "
        "listen?\n"
        "What would help you escalate when you are not satisfied with an outcome?"
    ),
    "links": (
        "Working Together to Safeguard Children 2023 | "
        "https://www.gov.uk/government/publications/working-together-to-safeguard-children--2\n"
        "The partnership\u2019s escalation policy | https://www.example.gov.uk/escalation-policy"
    ),
}

TEXT_FIELDS = (
    "title",
    "background",
    "key_learning",
    "practice_improvement",
    "discussion_questions",
    "links",
)

#: All the anchor's stylesheet: the service's page margins and body size, and tighter
#: block margins than the browser defaults; without them the same text runs onto a second
#: page (A4 is WeasyPrint's default page size).
ANCHOR_STYLE = (
    "@page { margin: 14mm 15mm } body { font-size: 10pt } h1, h2, p, ul, ol { margin: 0.5em 0 }"
)


def scale_briefing() -> tuple[LearningBriefing, str]:
    """The longest saved briefing of a scale review, or a full-length unsaved one."""
    saved = (
        LearningBriefing.objects.filter(
            review__rapid_review__incident__partnership__code__regex=SCALE_CODE
        )
        .exclude(background="")
        .select_related("review__rapid_review__incident__partnership")
        .annotate(chars=sum((Length(f) for f in TEXT_FIELDS[1:]), Length(TEXT_FIELDS[0])))
        .order_by("-chars", "pk")
        .first()
    )
    if saved is not None:
        return saved, f"saved briefing {saved.pk} of the scale data"
    # A published review, of the largest partnership if it has one (small scales may not).
    reviews = Review.objects.filter(
        rapid_review__incident__partnership__code__regex=SCALE_CODE
    ).select_related("rapid_review__incident__partnership")
    largest = fixtures.largest_partnership()
    review = None
    for candidates in (reviews.filter(rapid_review__incident__partnership=largest), reviews):
        review = (
            candidates.filter(status=Status.PUBLISHED).order_by("pk").first()
            or candidates.order_by("pk").first()
        )
        if review is not None:
            break
    if review is None:
        raise SystemExit("No local review in the scale data: run `manage.py seed_scale`.")
    briefing = LearningBriefing(review=review, **FULL_LENGTH)
    return briefing, (
        f"unsaved full-length briefing for local review {review.pk} "
        f"({review.partnership.code}; the scale data has no briefings)"
    )


def bare_html(briefing: LearningBriefing, partnership_name: str, year: int) -> str:
    """The same words as the service's page, in bare markup: the caption, title, section
    headings, the fields, the closing line and the page footer line."""
    e = html.escape

    def items(tag: str, points: list[str]) -> str:
        return f"<{tag}>" + "".join(f"<li>{e(p)}</li>" for p in points) + f"</{tag}>"

    parts = [
        f"<p>{e(partnership_name)}: learning briefing, {year}</p>",
        f"<h1>{e(briefing.title)}</h1>",
        "<h2>Background</h2>",
        *(f"<p>{e(p)}</p>" for p in briefing.background.splitlines() if p.strip()),
        "<h2>Key learning</h2>",
        items("ul", briefing.key_learning_points()),
        "<h2>Areas for practice improvement</h2>",
        items("ul", briefing.improvement_points()),
        "<h2>Questions for team discussion</h2>",
        items("ol", briefing.questions()),
    ]
    links = briefing.link_list()
    if links:
        parts.append("<h2>Find out more</h2><ul>")
        for title, url in links:
            link = f'<a href="{e(url)}">{e(title)}</a>' if url.startswith("http") else e(title)
            parts.append(f"<li>{link}</li>")
        parts.append("</ul>")
    parts += [
        "<p>Use this briefing in team meetings and supervision. "
        "The child and family are anonymised.</p>",
        f"<p>{e(partnership_name)} \u00b7 Learning briefing {year}</p>",
    ]
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{e(briefing.title)}</title><style>{ANCHOR_STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def bare_pptx(briefing: LearningBriefing) -> bytes:
    """python-pptx at its barest: one title-and-content slide holding the briefing's text."""
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = briefing.title
    lines = [p for p in briefing.background.splitlines() if p.strip()]
    lines += briefing.key_learning_points() + briefing.improvement_points()
    lines += briefing.questions() + [f"{t}: {u}" for t, u in briefing.link_list()]
    slide.placeholders[1].text_frame.text = "\n".join(lines)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def pdf_facts(data: bytes, *, title: str, tagged: bool, who: str) -> dict:
    """Open the PDF; raise unless it is one page with the briefing's title."""
    reader = PdfReader(io.BytesIO(data))
    if len(reader.pages) != 1:
        raise RuntimeError(f"The {who} PDF has {len(reader.pages)} pages, not 1")
    if (reader.metadata or {}).get("/Title") != title:
        raise RuntimeError(f"The {who} PDF does not carry the briefing's title")
    if tagged and "/StructTreeRoot" not in reader.trailer["/Root"]:
        raise RuntimeError(f"The {who} PDF is not tagged")
    fonts = reader.pages[0]["/Resources"].get("/Font", {})
    return {
        "bytes": len(data),
        "words": len(reader.pages[0].extract_text().split()),
        "fonts": sorted(
            {str(f.get_object()["/BaseFont"]).lstrip("/").split("+")[-1] for f in fonts.values()}
        ),
    }


def pptx_slides(data: bytes, *, title: str, who: str) -> int:
    """Open the deck; raise unless its first slide is titled with the briefing."""
    prs = Presentation(io.BytesIO(data))
    slides = list(prs.slides)
    if not slides or slides[0].shapes.title.text != title:
        raise RuntimeError(f"The {who} presentation does not open on the briefing's title")
    return len(slides)


def font_subsetter() -> str:
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except ImportError:  # pragma: no cover - an older or newer WeasyPrint
        harfbuzz_subset = None
    if harfbuzz_subset is not None:
        return "HarfBuzz-Subset"
    return f"fontTools {fontTools.version} (libharfbuzz-subset not installed)"


def run(args) -> list[common.Result]:
    briefing, source = scale_briefing()
    review = briefing.review
    name, year = review.partnership.name, briefing_year(review)
    chars = {f: len(getattr(briefing, f)) for f in TEXT_FIELDS}
    document = bare_html(briefing, name, year)

    def project_pdf():
        return render_briefing_pdf(briefing, partnership_name=name, year=year)

    def anchor_pdf():
        return weasyprint.HTML(string=document).write_pdf()

    rendered = project_pdf()
    if rendered.pages != 1:
        raise RuntimeError(f"The service reports {rendered.pages} pages, not 1")
    ours = pdf_facts(rendered.data, title=briefing.title, tagged=True, who="service's")
    theirs = pdf_facts(anchor_pdf(), title=briefing.title, tagged=False, who="anchor")
    if abs(ours["words"] - theirs["words"]) > 0.02 * ours["words"]:
        raise RuntimeError(
            f"The anchor does not carry the same text: {theirs['words']} words against "
            f"{ours['words']}"
        )
    project, anchor, samples = common.interleaved(project_pdf, anchor_pdf, repeat=args.repeat)
    deployed = any(f.replace("-", "").startswith("LiberationSans") for f in ours["fonts"])
    notes = (
        f"Briefing: {source}. Project: render_briefing_pdf (template, layout, tagged "
        "PDF/UA-1 A4). Anchor: the same words in bare h1/h2/p/ul/ol markup, stylesheet only "
        f"'{ANCHOR_STYLE}', WeasyPrint's default fonts, no PDF variant."
    )
    if not deployed:
        notes += (
            " The service's font stack (Liberation Sans, Arial, sans-serif) fell back to "
            f"{', '.join(ours['fonts'])}: fonts-liberation, which the Dockerfile installs, is "
            "missing on this machine, and the ratio then mostly measures that font's subsetting."
        )
    results = [
        common.Result(
            name="briefing_pdf",
            title="Learning briefing PDF (one page, PDF/UA)",
            project=project,
            anchor=anchor,
            anchor_name="bare WeasyPrint HTML(string).write_pdf() of the same text",
            target="ratio <= 1.5",
            max_ratio=1.5,
            size={
                "pages": rendered.pages,
                "pdf_bytes": ours["bytes"],
                "anchor_pdf_bytes": theirs["bytes"],
                "words": ours["words"],
                "anchor_words": theirs["words"],
                "fonts": ours["fonts"],
                "anchor_fonts": theirs["fonts"],
                "deployed_font": deployed,
                "font_subsetting": font_subsetter(),
                "field_chars": chars,
            },
            notes=notes,
            samples=samples,
        )
    ]

    def project_pptx():
        return briefing_pptx(briefing, partnership_name=name, year=year)

    def anchor_pptx():
        return bare_pptx(briefing)

    deck = project_pptx()
    expected = 4 + len(briefing.key_learning_points()) + (1 if briefing.link_list() else 0)
    slides = pptx_slides(deck, title=briefing.title, who="service's")
    if slides != expected:
        raise RuntimeError(f"The service's presentation has {slides} slides, not {expected}")
    if pptx_slides(anchor_pptx(), title=briefing.title, who="anchor") != 1:
        raise RuntimeError("The anchor presentation is not one slide")
    project, anchor, samples = common.interleaved(project_pptx, anchor_pptx, repeat=args.repeat)
    results.append(
        common.Result(
            name="briefing_pptx",
            title="Learning briefing PowerPoint",
            project=project,
            anchor=anchor,
            anchor_name="python-pptx saving a bare one-slide deck of the same text",
            target="project < 0.2 s",
            max_project=0.2,
            size={"slides": slides, "pptx_bytes": len(deck), "field_chars": chars},
            notes=(
                f"Briefing: {source}. Project: briefing_pptx, the whole {slides}-slide "
                "widescreen deck with presenter notes and document properties. Anchor (for "
                "scale, the target is absolute): Presentation(), one title-and-content "
                "slide with the briefing's text, saved."
            ),
            samples=samples,
        )
    )
    return results
