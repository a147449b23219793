"""Timeliness and counts for a period (issue 7): set-based queries only.

"On time" is a pure SQL comparison on the `Deadline` table, whose due date the services
already worked out in working days: a clock is met on time when it was closed as met on
or before its due date. A clock belongs to a period when its due date falls in it; a
cancelled clock (for example a decision not to notify) is left out.

Counts describe incidents the local authority became aware of in the period, and their
children. Every function takes a list of partnership ids the caller was allowed to see,
and can group by partnership (the regional comparison) in the same single query.

A case deleted at the end of its retention (ADR 0014) still counts: each query adds, by
UNION ALL in the same statement, the anonymised facts kept of erased cases
(`models.erased`), grouped the same way, so a past year's figures never change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from .models import Deadline, ErasedChild, ErasedClock, ErasedIncident, ErasedReview

Kind = Deadline.Kind

#: Timeliness measures: key -> (label, kind, what "on time" means).
MEASURES: dict[str, tuple[str, str, str]] = {
    "notifications": (
        _("Notifications to the National Panel"),
        Kind.NOTIFICATION,
        _("within 5 working days of the local authority becoming aware"),
    ),
    "rapid_reviews": (
        _("Rapid reviews"),
        Kind.RAPID_REVIEW,
        _("sent to the National Panel within 15 working days of the notification"),
    ),
    "agency_returns": (
        _("Agency returns"),
        Kind.AGENCY_RETURN,
        _("returned by the date the partnership asked for"),
    ),
    "lcspr": (
        _("Local reviews (LCSPR)"),
        Kind.PUBLICATION,
        _("published within 6 months of the decision to hold the review"),
    ),
    "actions": (
        _("Action plan actions"),
        Kind.ACTION,
        _("completed by their due date"),
    ),
}
#: What a measure with no clock due in the period says (there may be local reviews or
#: action plans, just none due in it).
EMPTY_TEXT = _("None due in this period")

AGE_BANDS = [
    ("unborn", _("Unborn")),
    ("under_1", _("Under 1")),
    ("1_4", _("1 to 4")),
    ("5_9", _("5 to 9")),
    ("10_15", _("10 to 15")),
    ("16_17", _("16 to 17")),
    ("18_plus", _("18 and over, or care leaver")),
    ("not_known", _("Not known")),
]

#: ONS 2021 high-level ethnic groups (the first part of each code).
ETHNIC_GROUPS = [
    ("asian", _("Asian or Asian British")),
    ("black", _("Black, Black British, Caribbean or African")),
    ("mixed", _("Mixed or multiple ethnic groups")),
    ("white", _("White")),
    ("other", _("Other ethnic group")),
    ("not_known", _("Not known")),
]


# --- periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))

    @classmethod
    def financial_year(cls, year: int) -> Period:
        return cls(
            dt.date(year, 4, 1), dt.date(year + 1, 3, 31), f"April {year} to March {year + 1}"
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start = dt.date(year, 3 * (quarter - 1) + 1, 1)
        nxt = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        return cls(start, nxt - dt.timedelta(days=1), f"Quarter {quarter} {year}")

    @classmethod
    def custom(cls, start: dt.date, end: dt.date) -> Period:
        return cls(start, end, f"{start:%-d %B %Y} to {end:%-d %B %Y}")


# --- timeliness ---------------------------------------------------------------------------


@dataclass
class Timeliness:
    key: str
    label: str
    meaning: str
    total: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0

    @property
    def decided(self) -> int:
        """Clocks whose result is known: met on time, met late, or overdue and still open."""
        return self.on_time + self.late

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.decided) if self.decided else None

    @property
    def empty_text(self) -> str:
        return str(EMPTY_TEXT)


def _timeliness_counts(today: dt.date):
    met = Q(outcome=Deadline.Outcome.MET)
    # Paused by a hold is still running as far as its date goes: a local review on hold
    # past its statutory date was not published within 6 months (ADR 0015).
    running = Q(closed_on__isnull=True) | Q(outcome=Deadline.Outcome.PAUSED)
    return {
        "n_total": Count("id"),
        "n_on_time": Count("id", filter=met & Q(closed_on__lte=F("due_date"))),
        "n_late": Count(
            "id",
            filter=(met & Q(closed_on__gt=F("due_date"))) | (running & Q(due_date__lt=today)),
        ),
        "n_pending": Count("id", filter=running & Q(due_date__gte=today)),
    }


def _clocks(partnership_ids, period: Period, model=Deadline):
    """The period's clocks: the live ones, or with `model=ErasedClock` those of erased
    cases (the same fields, the same filter)."""
    return model.objects.filter(
        partnership__in=partnership_ids,
        due_date__gte=period.start,
        due_date__lte=period.end,
    ).exclude(outcome=Deadline.Outcome.CANCELLED)


def _with_erased(live, erased):
    """The live rows and the erased cases' rows, grouped alike, in one statement."""
    return live.order_by().union(erased.order_by(), all=True)


def _merged(rows, key: str, sums: tuple[str, ...]) -> list[dict]:
    """Rows ordered by `key`, those with the same key added up (in the database's order)."""
    out: list[dict] = []
    for r in rows:
        if out and out[-1][key] == r[key]:
            for name in sums:
                out[-1][name] += r[name]
        else:
            out.append(dict(r))
    return out


def timeliness(
    partnership_ids, period: Period, *, today: dt.date, by_partnership: bool = False
) -> dict:
    """{measure key: Timeliness} or, by partnership, {pid: {measure key: Timeliness}}.

    One query whatever the number of clocks.
    """
    kinds = {kind: key for key, (_l, kind, _m) in MEASURES.items()}
    group = ["partnership", "kind"] if by_partnership else ["kind"]
    rows = _with_erased(
        *(
            _clocks(partnership_ids, period, model)
            .filter(kind__in=list(kinds))
            .values(*group)
            .annotate(**_timeliness_counts(today))
            for model in (Deadline, ErasedClock)
        )
    )

    def blank():
        return {
            key: Timeliness(key, str(label), str(m)) for key, (label, _k, m) in MEASURES.items()
        }

    out: dict = {pid: blank() for pid in partnership_ids} if by_partnership else blank()
    for r in rows:
        target = out[r["partnership"]] if by_partnership else out
        t = target[kinds[r["kind"]]]
        t.total += r["n_total"]
        t.on_time += r["n_on_time"]
        t.late += r["n_late"]
        t.pending += r["n_pending"]
    return out


@dataclass
class AgencyTimeliness:
    agency: str
    total: int
    on_time: int
    late: int
    pending: int

    @property
    def percent(self) -> int | None:
        decided = self.on_time + self.late
        return round(100 * self.on_time / decided) if decided else None


def agency_timeliness(partnership_ids, period: Period, *, today: dt.date) -> list:
    """Agency returns on time, per agency: the agency comes from the information request
    the clock belongs to (one query, the agency found by a correlated subquery)."""
    request_model = apps.get_model("rapid_reviews", "InformationRequest")
    agency_name = Subquery(
        request_model.objects.filter(pk=OuterRef("subject_id")).values("agency__name")[:1]
    )
    counts = _timeliness_counts(today)
    live = (
        _clocks(partnership_ids, period)
        .filter(kind=Kind.AGENCY_RETURN, subject_type=request_model._meta.label_lower)
        .annotate(agency_name=agency_name)
        .values("agency_name")
        .annotate(**counts)
    )
    erased = (
        _clocks(partnership_ids, period, ErasedClock)
        .filter(kind=Kind.AGENCY_RETURN)
        .annotate(agency_name=F("agency__name"))
        .values("agency_name")
        .annotate(**counts)
    )
    rows = _merged(_with_erased(live, erased).order_by("agency_name"), "agency_name", tuple(counts))
    return [
        AgencyTimeliness(
            r["agency_name"] or str(_("Unknown agency")),
            r["n_total"],
            r["n_on_time"],
            r["n_late"],
            r["n_pending"],
        )
        for r in rows
    ]


# --- counts -------------------------------------------------------------------------------


@dataclass
class Breakdown:
    key: str
    title: str
    unit: str
    rows: list[tuple[str, str, int]] = field(default_factory=list)  # (code, label, count)

    @property
    def total(self) -> int:
        return sum(n for _c, _l, n in self.rows)


def _json_list_has(field_name: str, value: str) -> Q:
    """Rows whose JSON list holds `value` (containment on PostgreSQL, text match elsewhere)."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{field_name}__contains": [value]})
    return Q(**{f"{field_name}__icontains": f'"{value}"'})


def _incidents(partnership_ids, period: Period):
    incident_model = apps.get_model("notifications", "Incident")
    return incident_model.objects.in_use().filter(
        partnership__in=partnership_ids,
        awareness_date__gte=period.start,
        awareness_date__lte=period.end,
    )


def _children(partnership_ids, period: Period):
    child_model = apps.get_model("notifications", "Child")
    return child_model.objects.filter(
        incident__partnership__in=partnership_ids,
        incident__awareness_date__gte=period.start,
        incident__awareness_date__lte=period.end,
    )


def _erased(model, partnership_ids, period: Period):
    """The erased cases' incidents or children the local authority became aware of in the
    period."""
    return model.objects.filter(
        partnership__in=partnership_ids,
        awareness_date__gte=period.start,
        awareness_date__lte=period.end,
    )


def _age_band():
    """Age at the incident (or awareness) date, in SQL: years between the two dates less
    one when the birthday had not yet come that year; then the band by Case/When."""
    ref = Coalesce(F("incident__incident_date"), F("incident__awareness_date"))
    return {
        "ref_y": ExtractYear(ref),
        "ref_m": ExtractMonth(ref),
        "ref_d": ExtractDay(ref),
        "dob_y": ExtractYear("date_of_birth"),
        "dob_m": ExtractMonth("date_of_birth"),
        "dob_d": ExtractDay("date_of_birth"),
    }, Case(
        When(unborn=True, then=Value("unborn")),
        When(status_at_time="care_leaver", then=Value("18_plus")),
        When(age__isnull=True, then=Value("not_known")),
        When(age__lt=1, then=Value("under_1")),
        When(age__lt=5, then=Value("1_4")),
        When(age__lt=10, then=Value("5_9")),
        When(age__lt=16, then=Value("10_15")),
        When(age__lt=18, then=Value("16_17")),
        default=Value("18_plus"),
        output_field=CharField(),
    )


def _age_expression():
    from_dob = (
        F("ref_y")
        - F("dob_y")
        - Case(
            When(
                Q(ref_m__lt=F("dob_m")) | Q(ref_m=F("dob_m"), ref_d__lt=F("dob_d")),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    return Case(
        When(date_of_birth__isnull=False, then=from_dob),
        default=F("age_years"),
        output_field=IntegerField(),
    )


def _group(qs, by_partnership: bool, partnership_path: str, key: str):
    fields = [partnership_path, key] if by_partnership else [key]
    return qs.values(*fields).annotate(n=Count("id")).order_by()


def _collect(rows, by_partnership, partnership_path, key, choices, partnership_ids, meta):
    """Fill {code: count} per partnership (or overall) from grouped rows."""

    def blank():
        return Breakdown(meta[0], str(meta[1]), str(meta[2]))

    if by_partnership:
        counts: dict = {pid: {} for pid in partnership_ids}
        for r in rows:
            counts[r[partnership_path]][r[key]] = (
                counts[r[partnership_path]].get(r[key], 0) + r["n"]
            )
    else:
        counts = {None: {}}
        for r in rows:
            counts[None][r[key]] = counts[None].get(r[key], 0) + r["n"]
    out = {}
    for pid, c in counts.items():
        b = blank()
        b.rows = [(code, str(label), c.get(code, 0)) for code, label in choices]
        out[pid] = b
    return out if by_partnership else out[None]


def child_groups(children):
    """The children with the groups the counts use: `band` (age), `sex_group` and
    `ethnic_group`. What an erased case keeps of its children (`ErasedChild`)."""
    from notifications.models import Sex

    parts, band = _age_band()
    sex = Case(
        *(When(sex=c, then=Value(c)) for c, _l in Sex.choices if c != Sex.NOT_KNOWN),
        default=Value("not_known"),
        output_field=CharField(),
    )
    group = Case(
        *(
            When(ethnicity__startswith=f"{code}_", then=Value(code))
            for code, _l in ETHNIC_GROUPS
            if code != "not_known"
        ),
        default=Value("not_known"),
        output_field=CharField(),
    )
    return (
        children.annotate(**parts)
        .annotate(age=_age_expression())
        .annotate(band=band, sex_group=sex, ethnic_group=group)
    )


def counts(partnership_ids, period: Period, *, by_partnership: bool = False) -> list:
    """Breakdowns of the period's incidents and children, erased cases' included: 5
    queries whatever the volume.

    Returns a list of Breakdown, or by partnership {pid: [Breakdown, ...]}.
    """
    from notifications.models import HarmCategory, Nature, Sex

    ids = list(partnership_ids)
    incidents = _incidents(ids, period)
    erased_incidents = _erased(ErasedIncident, ids, period)
    children = child_groups(_children(ids, period))
    erased_children = _erased(ErasedChild, ids, period)
    results = []

    # Nature of the incident.
    natures = [(c, label) for c, label in Nature.choices] + [("", _("Not recorded"))]
    rows = _with_erased(
        _group(incidents, by_partnership, "partnership", "nature"),
        _group(erased_incidents, by_partnership, "partnership", "nature"),
    )
    results.append(
        _collect(
            rows,
            by_partnership,
            "partnership",
            "nature",
            natures,
            ids,
            ("nature", _("Nature of the incident"), _("incidents")),
        )
    )

    # Harm categories: an incident may have several, so one conditional count each
    # (grouped by partnership, and added up here for all of them).
    harm_counts = {
        f"h_{code}": Count("id", filter=_json_list_has("harm_categories", code))
        for code in HarmCategory.values
    }
    harm_rows = _with_erased(
        incidents.values("partnership").annotate(**harm_counts),
        erased_incidents.values("partnership").annotate(**harm_counts),
    )
    harm: dict = {pid: {} for pid in ids} if by_partnership else {None: {}}
    for r in harm_rows:
        c = harm[r["partnership"] if by_partnership else None]
        for code in HarmCategory.values:
            c[code] = c.get(code, 0) + r[f"h_{code}"]
    harm_out = {}
    for pid, c in harm.items():
        b = Breakdown("harm", str(_("Category of harm")), str(_("incidents")))
        b.rows = [(code, str(label), c.get(code, 0)) for code, label in HarmCategory.choices]
        harm_out[pid] = b
    results.append(harm_out if by_partnership else harm_out[None])

    # Children: age band, sex, ethnic group.
    child_path = "incident__partnership"
    sexes = [(c, label) for c, label in Sex.choices if c != Sex.NOT_KNOWN]
    for key, choices, meta in (
        ("band", AGE_BANDS, ("age", _("Age of the child"), _("children"))),
        (
            "sex_group",
            sexes + [("not_known", _("Not known"))],
            ("sex", _("Sex of the child"), _("children")),
        ),
        (
            "ethnic_group",
            ETHNIC_GROUPS,
            ("ethnicity", _("Ethnic group of the child"), _("children")),
        ),
    ):
        rows = _with_erased(
            _group(children, by_partnership, child_path, key),
            _group(erased_children, by_partnership, "partnership", key),
        )
        results.append(_collect(rows, by_partnership, child_path, key, choices, ids, meta))
    if by_partnership:
        return {pid: [r[pid] for r in results] for pid in ids}
    return results


# --- small numbers (regional figures) -------------------------------------------------------

FEWER_THAN_5 = _("fewer than 5")


def rounded(n: int) -> int:
    """To the nearest 5, halves up (5-7 → 5, 8-12 → 10, 13-17 → 15)."""
    return 5 * ((n + 2) // 5)


def suppress(n: int) -> str:
    """A count as regional viewers see it: 0 as itself, 1 to 4 as "fewer than 5", and
    the rest rounded to the nearest 5. Rounding stops a hidden count being worked out by
    taking one shown figure from another (a year less its other quarters, one breakdown's
    total less another's shown cells): exact counts would give it away."""
    if n == 0:
        return "0"
    return str(FEWER_THAN_5) if n < 5 else str(rounded(n))


NOT_SHOWN = _("not shown")


def suppressed_timeliness(
    total: int, on_time: int, late: int, pending: int
) -> tuple[list[str], int | None]:
    """One partnership's timeliness as regional viewers see it: (due, on time, late, not
    yet due, percentage) and the percentage shown, if any. Due is on time + late + not yet
    due, as on the timeliness report. Counts are `suppress`ed, and:

    - where on time or late is hidden, the other and the percentage are hidden too, since
      with the total or the percentage either would give the hidden one away (9 due, 60%
      on time: 3 and 2);
    - where any of the three parts is from 1 to 4, the number due is not shown either
      (6 due, shown as 5, less 5 or more on time and 0 not yet due leaves at most 2
      late), unless that part is the only one above 0, when the number due is that part
      and says no more than it.

    The percentage is worked out from the rounded counts, so it tells no more than they
    do."""
    parts = (on_time, late, pending)
    small = [0 < n < 5 for n in parts]
    if any(small) and sum(1 for n in parts if n) > 1:
        due = str(NOT_SHOWN)
    else:
        due = suppress(total)
    if small[0] or small[1]:
        hidden = [
            suppress(n) if 0 < n < 5 else (str(NOT_SHOWN) if n else "0") for n in (on_time, late)
        ]
        return [due, *hidden, suppress(pending), str(NOT_SHOWN)], None
    decided = rounded(on_time) + rounded(late)
    percent = round(100 * rounded(on_time) / decided) if decided else None
    return [
        due,
        suppress(on_time),
        suppress(late),
        suppress(pending),
        "–" if percent is None else f"{percent}%",
    ], percent


def percent_text(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def learning_themes(partnership_ids, period: Period) -> list[tuple[str, int]]:
    """(theme, number of local reviews tagged with it) for reviews decided in the period,
    most frequent first: one grouped query over the review–theme links (an erased case's
    review's too)."""
    from lcspr.models import Review

    links = Review.themes.through.objects.filter(
        review__rapid_review__incident__partnership__in=partnership_ids,
        review__decision_date__gte=period.start,
        review__decision_date__lte=period.end,
    )
    erased = ErasedReview.themes.through.objects.filter(
        erasedreview__partnership__in=partnership_ids,
        erasedreview__decision_date__gte=period.start,
        erasedreview__decision_date__lte=period.end,
    )
    rows = _with_erased(
        links.values("learningtheme__name").annotate(n=Count("review", distinct=True)),
        erased.values("learningtheme__name").annotate(n=Count("erasedreview", distinct=True)),
    ).order_by("learningtheme__name")
    # By name in the database's order, then (a stable sort) the most frequent first.
    merged = sorted(_merged(rows, "learningtheme__name", ("n",)), key=lambda r: -r["n"])
    return [(r["learningtheme__name"], r["n"]) for r in merged]
