"""Documents made from a local review: the one-page learning briefing (tagged PDF/UA-1,
A4) and the action plan (PDF and CSV).

The briefing is judged by actually rendering it: `render_briefing_pdf` returns the page
count with the bytes, and the editor warns when it is more than one page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.documents import format_datetime
from safeguarding.exports import csv_bytes

from .models import Action, ProgressNote

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def _html(html: str):
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    return HTML(string=html, base_url=str(settings.BASE_DIR / "static"), url_fetcher=fetcher)


def render_pdf(template: str, context: dict) -> RenderedPdf:
    document = _html(render_to_string(template, context)).render(**PDF_OPTIONS)
    return RenderedPdf(data=document.write_pdf(**PDF_OPTIONS), pages=len(document.pages))


def briefing_context(briefing, *, partnership_name: str, year: int) -> dict:
    return {
        "briefing": briefing,
        "partnership_name": partnership_name,
        "year": year,
        "key_learning": briefing.key_learning_points(),
        "improvements": briefing.improvement_points(),
        "questions": briefing.questions(),
        "links": briefing.link_list(),
    }


def render_briefing_pdf(briefing, *, partnership_name: str, year: int) -> RenderedPdf:
    """The one-page A4 learning briefing. Nothing internal goes in: no case reference,
    no names, only the briefing's own (anonymised) fields and the partnership's name."""
    return render_pdf(
        "lcspr/briefing_pdf.html",
        briefing_context(briefing, partnership_name=partnership_name, year=year),
    )


ACTION_PLAN_HEADERS = [
    "Recommendation",
    "Recommendation text",
    "Partners’ response",
    "Action",
    "Owning agency",
    "Lead",
    "Due",
    # The agency's answer is its "Progress" as its form asks it; the rating from the due
    # date, "Status" on the pages, is "RAG" here as in the dashboard's export.
    "Progress",
    "RAG",
    "Latest progress note",
    "Evidence of impact",
    "Signed off by",
    "Signed off on",
]


def action_plan_rows(review, today=None) -> list[list]:
    """The plan's rows; dates as dates, which `csv_bytes` writes as ISO (2026-01-21), as
    the dashboard's and the other CSVs' are, so a spreadsheet sorts them."""
    rows = []
    for rec in review.recommendations.all():
        actions = list(rec.actions.all())
        recommendation = [str(rec.number), rec.text, rec.partners_response]
        if not actions:
            rows.append(recommendation + [""] * (len(ACTION_PLAN_HEADERS) - 3))
        for action in actions:
            notes = list(action.notes.all())
            rows.append(
                [
                    *recommendation,
                    action.description,
                    action.agency.name,
                    action.lead,
                    action.due_date,
                    action.get_status_display(),
                    action.rag(today)[0],
                    notes[-1].text if notes else "",
                    action.evidence_of_impact,
                    action.signed_off_by.full_name if action.signed_off_by else "",
                    action.signed_off_on,
                ]
            )
    return rows


def action_plan_csv(review) -> bytes:
    """The action plan as one CSV table (UTF-8 with its mark, formulas neutralised)."""
    return csv_bytes([("Action plan", ACTION_PLAN_HEADERS, action_plan_rows(review))])


# (header, width): a fixed table layout, so long notes wrap inside their column.
ACTION_PLAN_PDF_COLUMNS = [
    ("Action", "15%"),
    ("Owning agency", "10%"),
    ("Lead", "9%"),
    ("Due", "8%"),
    ("Progress", "11%"),
    ("RAG", "8%"),
    ("Progress notes", "22%"),
    ("Evidence of impact", "17%"),
]


def action_plan_pdf(review) -> bytes:
    actions = Action.objects.select_related("agency", "signed_off_by").prefetch_related(
        Prefetch("notes", queryset=ProgressNote.objects.order_by("-written_on", "-id"))
    )
    recommendations = review.recommendations.prefetch_related(Prefetch("actions", actions))
    return render_pdf(
        "lcspr/action_plan_pdf.html",
        {
            "review": review,
            "partnership": review.partnership,
            "columns": ACTION_PLAN_PDF_COLUMNS,
            "recommendations": [
                (rec, [(a, a.rag()) for a in rec.actions.all()]) for rec in recommendations
            ],
            "generated_at": format_datetime(timezone.now()),
        },
    ).data
