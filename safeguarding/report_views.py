"""Dashboard, timeliness, regional comparison, annual report and their exports (issue 7).

Permission: the dashboard, timeliness, annual report and their exports are for the
business unit (partnership managers and review officers) of the partnerships they work
in; the regional comparison is for regional viewers and holds aggregates only, with
small numbers suppressed. A partnership outside the user's scope answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import charts, permissions, reports
from .audit import Action, audit_record
from .dashboard import (
    DEADLINE_HEADERS,
    SECTION_LIMIT,
    WORKLOAD_HEADERS,
    build_dashboard,
    deadline_export_rows,
    stage_choices,
    workload_export_rows,
)
from .exports import FORMATS, export_response
from .models import Partnership, Role
from .report_forms import DashboardFilterForm, PeriodFilterForm

case_roles_only = permissions.role_required(*permissions.CASE_ROLES)


# --- scope ----------------------------------------------------------------------------------


def _allowed(user) -> list[Partnership]:
    return list(permissions.partnerships_visible_to(user, roles=permissions.CASE_ROLES))


def _selected(request, allowed: list[Partnership]) -> list[Partnership]:
    """The partnership chosen in the filter (404 if it is not the user's), or all of them."""
    raw = request.GET.get("partnership", "").strip()
    if not raw:
        return allowed
    chosen = [p for p in allowed if str(p.pk) == raw]
    if not chosen:
        raise Http404("No such partnership")
    return chosen


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404("No such format")
    return fmt


# --- dashboard (shown on the home page) -------------------------------------------------------


def dashboard_context(request, *, every_row: bool = False) -> dict:
    """What the home page needs to show the dashboard to the business unit: the most
    urgent rows of each section, or every row (`?all=1` on the page, and the exports)."""
    allowed = _allowed(request.user)
    selected = _selected(request, allowed)
    form = DashboardFilterForm(request.GET or None, partnerships=allowed)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    mine = data.get("show") == "mine"
    stage = data.get("stage") or None
    board = build_dashboard(
        selected,
        today=timezone.localdate(),
        owner=request.user if mine else None,
        stage=stage,
        limit=None if every_row or request.GET.get("all") == "1" else SECTION_LIMIT,
    )
    every = request.GET.copy()
    every["all"] = "1"
    return {
        "board": board,
        "dashboard_all_query": every.urlencode(),
        "dashboard_form": form,
        "dashboard_mine": mine,
        "dashboard_filtered": mine or stage is not None,
        "dashboard_query": request.GET.urlencode(),
        "dashboard_partnerships": selected,
        "dashboard_multi": len(allowed) > 1,
        # Where this person may hand over the clocks of people who have left (and there
        # are some to hand over).
        "dashboard_managed": [
            p
            for p in selected
            if p.pk in board.left_behind_in
            and p.pk in permissions.partnership_ids(request.user, {Role.PARTNERSHIP_MANAGER})
        ],
    }


@never_cache
@case_roles_only
def dashboard_export(request, fmt):
    fmt = _fmt(fmt)
    ctx = dashboard_context(request, every_row=True)
    board = ctx["board"]
    stage_rows = [
        [s.label, s.open, s.overdue, s.due_today, s.due_soon]
        if s.live
        else [s.label, _("Not yet recorded"), "", "", ""]
        for s in board.stages
    ]
    tables = [
        (_("Deadlines"), DEADLINE_HEADERS, deadline_export_rows(board)),
        (
            _("By stage"),
            ["Stage", "Open", "Overdue", "Due today", "Due within 5 working days"],
            stage_rows,
        ),
        (_("Workload"), WORKLOAD_HEADERS, workload_export_rows(board)),
    ]
    return export_response(
        request=request,
        fmt=fmt,
        filename=f"deadlines-{board.today.isoformat()}",
        tables=tables,
        what=_("Dashboard deadlines"),
        partnerships=ctx["dashboard_partnerships"],
        filters=request.GET.dict(),
    )


# --- timeliness ------------------------------------------------------------------------------


@dataclass
class ChartWithTable:
    key: str
    title: str
    svg: str
    headers: list[str]
    rows: list[list]
    note: str = ""
    numeric_from: int = 1
    #: Its Excel sheet's name, where the title is too long for one (31 characters).
    sheet: str = ""


@dataclass
class Report:
    period: reports.Period
    partnerships: list[Partnership]
    measures: list[reports.Timeliness]
    agencies: list[reports.AgencyTimeliness] | None
    breakdowns: list[reports.Breakdown] | None
    charts: list[ChartWithTable] = field(default_factory=list)
    themes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def partnership_names(self) -> str:
        return ", ".join(p.name for p in self.partnerships)


TIMELINESS_HEADERS = [
    "Measure",
    "Due in the period",
    "On time",
    "Late or overdue",
    "Not yet due",
    "Percentage on time",
]


def _measure_rows(measures):
    return [
        [m.label, m.total, m.on_time, m.late, m.pending, reports.percent_text(m.percent)]
        for m in measures
    ]


def _agency_rows(agencies):
    return [
        [a.agency, a.total, a.on_time, a.late, a.pending, reports.percent_text(a.percent)]
        for a in agencies
    ]


def build_report(partnerships, period, *, stage=None, chart_prefix="chart") -> Report:
    ids = [p.pk for p in partnerships]
    today = timezone.localdate()
    all_measures = reports.timeliness(ids, period, today=today)
    measures = [m for key, m in all_measures.items() if not stage or key == stage]
    agencies = (
        reports.agency_timeliness(ids, period, today=today)
        if stage in (None, "agency_returns")
        else None
    )
    breakdowns = reports.counts(ids, period) if stage in (None, "notifications") else None
    report = Report(period, list(partnerships), measures, agencies, breakdowns)
    report.themes = reports.learning_themes(ids, period)

    with_clocks = [m for m in measures if m.total]
    report.charts.append(
        ChartWithTable(
            key="timeliness",
            title=_("Clocks met on time, %(period)s") % {"period": period.label},
            svg=charts.bar_chart(
                title=_("Percentage of clocks met on time, %(period)s") % {"period": period.label},
                description="; ".join(
                    f"{m.label}: {reports.percent_text(m.percent)} on time "
                    f"({m.on_time} of {m.decided})"
                    for m in with_clocks
                )
                or _("No clocks fell due in this period."),
                bars=[
                    charts.Bar(
                        m.label,
                        m.percent or 0,
                        f"{reports.percent_text(m.percent)} ({m.on_time} of {m.decided})",
                    )
                    for m in with_clocks
                ],
                max_value=100,
                chart_id=f"{chart_prefix}-timeliness",
            ),
            headers=TIMELINESS_HEADERS,
            rows=_measure_rows(measures),
            sheet=_("Timeliness"),
            note=_(
                "A clock counts in the period when its due date falls in it. Late includes "
                "clocks still open after their due date."
            ),
        )
    )
    if agencies:
        report.charts.append(
            ChartWithTable(
                key="agencies",
                title=_("Agency returns on time, by agency"),
                svg=charts.bar_chart(
                    title=_("Agency returns on time and late, by agency"),
                    description="; ".join(
                        f"{a.agency}: {a.on_time} on time, {a.late} late" for a in agencies
                    ),
                    bars=[charts.Bar(a.agency, a.on_time, second=a.late) for a in agencies],
                    series=(_("On time"), _("Late or overdue")),
                    chart_id=f"{chart_prefix}-agencies",
                ),
                headers=["Agency"] + TIMELINESS_HEADERS[1:],
                rows=_agency_rows(agencies),
                sheet=_("Returns by agency"),
            )
        )
    for b in breakdowns or []:
        report.charts.append(
            ChartWithTable(
                key=b.key,
                title=b.title,
                svg=charts.bar_chart(
                    title=f"{b.title}, {period.label} ({b.total} {b.unit})",
                    description="; ".join(f"{label}: {n}" for _c, label, n in b.rows),
                    bars=[charts.Bar(label, n) for _c, label, n in b.rows],
                    chart_id=f"{chart_prefix}-{b.key}",
                ),
                headers=[b.title, f"Number of {b.unit}"],
                rows=[[label, n] for _c, label, n in b.rows],
            )
        )
    return report


def report_tables(report: Report) -> list:
    """The downloads' tables: every table the page and the annual report show."""
    return [(c.title, c.headers, c.rows, c.sheet or c.title) for c in report.charts] + [
        themes_table(report.themes)
    ]


def themes_table(themes, title=None) -> tuple:
    return (
        str(title or _("Learning themes across reviews")),
        [str(_("Theme")), str(_("Local reviews"))],
        [list(row) for row in themes],
        str(_("Learning themes")),
    )


def _period_form(request, allowed, **kwargs):
    return PeriodFilterForm(request.GET or None, partnerships=allowed, **kwargs)


@case_roles_only
def timeliness_view(request):
    allowed = _allowed(request.user)
    selected = _selected(request, allowed)
    form = _period_form(request, allowed)
    valid = form.is_bound and form.is_valid()
    # Filters with an error show no figures, as the audit trail lists no events: another
    # period's figures under the error would look like the answer.
    refused = form.is_bound and not valid
    stage = (form.cleaned_data.get("stage") if valid else None) or None
    period = form.get_period()
    report = None if refused else build_report(selected, period, stage=stage)
    return render(
        request,
        "safeguarding/timeliness.html",
        {
            "form": form if form.is_bound else None,
            "filter_form": form,
            "report": report,
            "refused": refused,
            "partnership_names": ", ".join(p.name for p in selected),
            "query": request.GET.urlencode(),
            "year": period.start.year,
            "stage": stage,
            "multi": len(allowed) > 1,
        },
    )


@never_cache
@case_roles_only
def timeliness_export(request, fmt):
    fmt = _fmt(fmt)
    allowed = _allowed(request.user)
    selected = _selected(request, allowed)
    form = _period_form(request, allowed)
    if form.is_bound and not form.is_valid():
        # Not the calendar year's figures under the name of a period that was refused
        # (the page offers no download then).
        raise Http404("Those filters were refused")
    stage = form.cleaned_data.get("stage") if form.is_bound else None
    report = build_report(selected, form.get_period(), stage=stage or None)
    return export_response(
        request=request,
        fmt=fmt,
        filename=f"timeliness-{report.period.start.isoformat()}-{report.period.end.isoformat()}",
        tables=report_tables(report),
        what=_("Timeliness report, %(period)s") % {"period": report.period.label},
        partnerships=selected,
        filters=request.GET.dict(),
    )


# --- annual report ---------------------------------------------------------------------------


def _annual(request, year: int):
    # A year not yet begun has no report: not found, as a year that is no year.
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404("No such year")
    allowed = _allowed(request.user)
    selected = _selected(request, allowed)
    return selected, build_report(selected, reports.Period.year(year), chart_prefix="annual")


@never_cache
@case_roles_only
def annual_report_pdf(request, year):
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    selected, report = _annual(request, year)
    html = render_to_string(
        "safeguarding/annual_report_pdf.html",
        {
            "report": report,
            "year": year,
            "generated": timezone.localtime(),
            "service_name": settings.SERVICE_NAME,
        },
    )
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    pdf = HTML(
        string=html, base_url=str(settings.BASE_DIR / "static"), url_fetcher=fetcher
    ).write_pdf(pdf_variant="pdf/ua-1")
    for partnership in selected:
        audit_record(
            actor=request.user,
            action=Action.DOWNLOAD,
            partnership=partnership,
            object_repr=f"Annual report {year} (PDF)",
            changes={"year": year, "format": "pdf"},
            request=request,
        )
    codes = "-".join(p.code for p in selected) if len(selected) <= 3 else "partnerships"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="annual-report-{codes}-{year}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@case_roles_only
def annual_report_data(request, year, fmt):
    fmt = _fmt(fmt)
    selected, report = _annual(request, year)
    codes = "-".join(p.code for p in selected) if len(selected) <= 3 else "partnerships"
    return export_response(
        request=request,
        fmt=fmt,
        filename=f"annual-report-{codes}-{year}",
        tables=report_tables(report),
        what=_("Annual report figures %(year)s") % {"year": year},
        partnerships=selected,
        filters={"year": year, **request.GET.dict()},
    )


# --- regional comparison (aggregates only, small numbers suppressed) ---------------------------


def _regional_partnerships(user) -> list[Partnership]:
    if not permissions.region_ids(user):
        raise PermissionDenied("Only regional viewers see the regional comparison.")
    return list(
        permissions.partnerships_visible_to(user, roles={Role.REGIONAL_VIEWER}).order_by("name")
    )


def build_regional(partnerships, period, *, stage=None) -> dict:
    """Per partnership, side by side: timeliness and counts, with 1 to 4 suppressed."""
    ids = [p.pk for p in partnerships]
    today = timezone.localdate()
    by_p = reports.timeliness(ids, period, today=today, by_partnership=True)
    measures = []
    for key, (label, _kind, meaning) in reports.MEASURES.items():
        if stage and key != stage:
            continue
        rows = []
        bars = []
        for p in partnerships:
            t = by_p[p.pk][key]
            cells, percent = reports.suppressed_timeliness(t.total, t.on_time, t.late, t.pending)
            rows.append([p.name, *cells])
            bars.append(charts.Bar(p.name, percent or 0, cells[-1]))
        any_clocks = any(by_p[p.pk][key].total for p in partnerships)
        measures.append(
            {
                "key": key,
                "label": str(label),
                "meaning": str(meaning),
                "rows": rows,
                "empty_text": str(reports.EMPTY_TEXT),
                "has_data": any_clocks,
                "svg": charts.bar_chart(
                    title=_("%(measure)s on time by partnership, %(period)s")
                    % {"measure": label, "period": period.label},
                    description="; ".join(f"{row[0]}: {row[-1]}" for row in rows),
                    bars=bars,
                    max_value=100,
                    chart_id=f"regional-{key}",
                )
                # No chart of bars that all say "not shown": the table says it once.
                if any(bar.value for bar in bars)
                else "",
            }
        )
    breakdowns = []
    if stage in (None, "notifications"):
        by_counts = reports.counts(ids, period, by_partnership=True)
        if ids:
            for index, first in enumerate(by_counts[ids[0]]):
                breakdowns.append(
                    {
                        "key": first.key,
                        "title": first.title,
                        "unit": first.unit,
                        "columns": [label for _c, label, _n in first.rows],
                        "rows": [
                            [p.name]
                            + [reports.suppress(n) for _c, _l, n in by_counts[p.pk][index].rows]
                            for p in partnerships
                        ],
                    }
                )
    # Ordered by what is shown, then by name: the exact counts' order would give away
    # what suppression hides (a theme of 4 above one of 1, both "fewer than 5").
    themes = [
        (name, reports.suppress(n))
        for name, n in sorted(
            reports.learning_themes(ids, period),
            key=lambda theme: (-(reports.rounded(theme[1]) if theme[1] >= 5 else 0), theme[0]),
        )
    ]
    return {"measures": measures, "breakdowns": breakdowns, "period": period, "themes": themes}


#: What every regional figure means, point by point, on the page and at the top of the
#: downloads (one row each).
REGIONAL_NOTES = [
    _("Totals only, never details of a child or a case."),
    _(
        "Due in the period counts everything with a due date in the period: what was done "
        "on time, what was late or is overdue, and what is not yet due."
    ),
    _(
        "Counts from 1 to 4 are shown as ‘fewer than 5’. Other counts are rounded to the "
        "nearest 5 (5 means 5 to 7, 10 means 8 to 12), so totals may not add up."
    ),
    _(
        "Where on time or late is fewer than 5, the percentage is not shown, and neither is "
        "the other unless it is 0."
    ),
    _(
        "Where any of on time, late or not yet due is fewer than 5, the number due is not "
        "shown either, unless the other two are 0."
    ),
    _("Percentages are worked out from the rounded counts. ‘–’ means nothing was due."),
]


REGIONAL_HEADERS = [
    "Partnership",
    "Due in the period",
    "On time",
    "Late or overdue",
    "Not yet due",
    "Percentage on time",
]


def regional_tables(regional: dict) -> list:
    """The downloads' tables: a note on what the figures mean, then the page's tables,
    each with its full title and, for Excel's sheets, a short name (the stage's)."""
    stages = dict(stage_choices())
    tables = [
        (str(_("About these figures")), [str(_("Note"))], [[str(note)] for note in REGIONAL_NOTES])
    ]
    tables += [
        (m["label"], REGIONAL_HEADERS, m["rows"], str(stages[m["key"]]))
        for m in regional["measures"]
    ]
    tables += [
        (b["title"], ["Partnership"] + b["columns"], b["rows"]) for b in regional["breakdowns"]
    ]
    tables.append(themes_table(regional["themes"], _("Learning themes across the region")))
    return tables


@login_required
def regional_view(request):
    partnerships = _regional_partnerships(request.user)
    form = PeriodFilterForm(request.GET or None, partnerships=(), with_custom=False)
    valid = form.is_bound and form.is_valid()
    # Filters with an error show no figures, as on the timeliness page: another period's
    # figures under the error would look like the answer.
    refused = form.is_bound and not valid
    stage = (form.cleaned_data.get("stage") if valid else None) or None
    regional = None if refused else build_regional(partnerships, form.get_period(), stage=stage)
    return render(
        request,
        "safeguarding/regional.html",
        {
            "form": form if form.is_bound else None,
            "filter_form": form,
            "regional": regional,
            "partnerships": partnerships,
            "regions": list(permissions.regions_visible_to(request.user)),
            "query": request.GET.urlencode(),
            "notes": REGIONAL_NOTES,
        },
    )


@never_cache
@login_required
def regional_export(request, fmt):
    fmt = _fmt(fmt)
    partnerships = _regional_partnerships(request.user)
    form = PeriodFilterForm(request.GET or None, partnerships=(), with_custom=False)
    if form.is_bound and not form.is_valid():
        # Not the default period's figures under filters that were refused (the page
        # offers no download then), as the timeliness download.
        raise Http404("Those filters were refused")
    stage = form.cleaned_data.get("stage") if form.is_bound else None
    regional = build_regional(partnerships, form.get_period(), stage=stage or None)
    period = regional["period"]
    return export_response(
        request=request,
        fmt=fmt,
        filename=f"regional-{period.start.isoformat()}-{period.end.isoformat()}",
        tables=regional_tables(regional),
        what=_("Regional comparison, %(period)s") % {"period": period.label},
        partnerships=partnerships,
        filters=request.GET.dict(),
    )
