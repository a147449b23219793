"""Accessible charts drawn on the server as SVG, so the same markup goes into pages and PDFs.

Horizontal bar charts only: every bar carries its label and its value as text, so nothing
depends on colour; a second series (where there is one) is told apart by a hatch pattern as
well as its shade, and named in a text legend. The SVG has role="img", a <title> and a
<desc> (referenced by aria-labelledby), and no style attributes (CSP): colours are SVG
presentation attributes. Each chart is shown with its data table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#1d70b8"  # GOV.UK blue: 5.2:1 against white
SECOND = "#0b0c0c"
TEXT = "#0b0c0c"
GRID = "#b1b4b6"

_ids = count(1)

WIDTH = 640
LABEL_WIDTH = 270
VALUE_GAP = 6
ROW_HEIGHT = 28
BAR_HEIGHT = 18
TOP = 8
FONT = 'font-family="Arial, Helvetica, sans-serif" font-size="13"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str | None = None  # what is written at the end of the bar (default: the value)
    second: float | None = None  # an optional second series drawn hatched below the first
    second_text: str | None = None


def _truncate(label: str, limit: int = 42) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    *,
    title: str,
    description: str,
    bars: list[Bar],
    max_value: float | None = None,
    series: tuple[str, str] | None = None,
    chart_id: str | None = None,
) -> SafeString:
    """A horizontal bar chart. `series` names the two series when bars have a second one."""
    cid = chart_id or f"chart-{next(_ids)}"
    two = series is not None
    row_h = ROW_HEIGHT * (2 if two else 1) + (6 if two else 0)
    legend_h = 26 if two else 0
    height = TOP + legend_h + row_h * max(len(bars), 1) + 8
    top = max([max_value or 0] + [b.value for b in bars] + [b.second or 0 for b in bars] + [1])
    plot = WIDTH - LABEL_WIDTH - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{cid}-title {cid}-desc" id="{cid}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
        "<defs>"
        f'<pattern id="{cid}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="3" height="6" fill="{SECOND}"/></pattern></defs>',
    ]
    y = TOP
    if two:
        first_name, second_name = series
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="14" height="14" fill="{BAR}"/>'
            f'<text x="{LABEL_WIDTH + 20}" y="{y + 12}" {FONT} fill="{TEXT}">'
            f"{escape(first_name)} (solid)</text>"
            f'<rect x="{LABEL_WIDTH + 200}" y="{y}" width="14" height="14" '
            f'fill="url(#{cid}-hatch)" stroke="{SECOND}"/>'
            f'<text x="{LABEL_WIDTH + 220}" y="{y + 12}" {FONT} fill="{TEXT}">'
            f"{escape(second_name)} (hatched)</text>"
        )
        y += legend_h
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{y}" x2="{LABEL_WIDTH}" '
        f'y2="{y + row_h * max(len(bars), 1)}" stroke="{GRID}" stroke-width="1"/>'
    )
    if not bars:
        parts.append(
            f'<text x="{LABEL_WIDTH + 8}" y="{y + 18}" {FONT} fill="{TEXT}">No data</text>'
        )
    for bar in bars:
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 4}" text-anchor="end" {FONT} '
            f'fill="{TEXT}">{escape(_truncate(bar.label))}</text>'
        )
        width = round(plot * bar.value / top, 1) if top else 0
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{BAR}"/>'
        )
        text = bar.text if bar.text is not None else _number(bar.value)
        parts.append(
            f'<text x="{LABEL_WIDTH + width + VALUE_GAP}" y="{y + BAR_HEIGHT - 4}" {FONT} '
            f'font-weight="bold" fill="{TEXT}">{escape(text)}</text>'
        )
        if two:
            y2 = y + ROW_HEIGHT
            second = bar.second or 0
            width2 = round(plot * second / top, 1) if top else 0
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y2}" width="{width2}" height="{BAR_HEIGHT}" '
                f'fill="url(#{cid}-hatch)" stroke="{SECOND}" stroke-width="1"/>'
            )
            text2 = bar.second_text if bar.second_text is not None else _number(second)
            parts.append(
                f'<text x="{LABEL_WIDTH + width2 + VALUE_GAP}" y="{y2 + BAR_HEIGHT - 4}" {FONT} '
                f'fill="{TEXT}">{escape(text2)}</text>'
            )
        y += row_h
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
