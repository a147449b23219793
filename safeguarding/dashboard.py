"""The manager's dashboard: open clocks at a glance (issue 7).

Reads only the `Deadline` table (plus owners and closure days), in a fixed number of
queries whatever the volume: one for the rows that need attention, one for the counts by
kind, one for the workload per person, one for the closure days. Working days left are
worked out in Python only for the rows shown (the calendar is pure and cached), and so is
whether a date set by hand falls on a closure day (from the closure days already read).

Stages group deadline kinds. A later stage (local reviews, action plans) appears here as
soon as its services start `Deadline` rows of the kinds listed below; nothing else changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import calendar
from .dates import short_date
from .deadlines import TYPED_WORKING_DAY_KINDS, owner_in_business_unit
from .models import ClosureDay, Deadline, Partnership, User
from .models.deadlines import task_title

Kind = Deadline.Kind

#: Stage key -> (label, kinds). The order is the order on the page.
STAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "notifications": (_("Notifications"), (Kind.NOTIFICATION,)),
    "rapid_reviews": (_("Rapid reviews"), (Kind.RAPID_REVIEW, Kind.RAPID_REVIEW_MILESTONE)),
    "agency_returns": (_("Agency returns"), (Kind.AGENCY_RETURN,)),
    "lcspr": (
        _("Local reviews (LCSPR)"),
        (Kind.LCSPR_MILESTONE, Kind.PRE_PUBLICATION_NOTICE, Kind.PUBLICATION),
    ),
    "actions": (_("Action plans"), (Kind.ACTION,)),
}
STAGE_OF_KIND = {kind: key for key, (_label, kinds) in STAGES.items() for kind in kinds}

#: Stages whose records exist in this release; the others show "not yet recorded".
LIVE_STAGES = frozenset({"notifications", "rapid_reviews", "agency_returns", "lcspr", "actions"})

DUE_SOON_WORKING_DAYS = 5
AMBER_WITHIN = 2


def stage_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _kinds) in STAGES.items()]


def kinds_for(stage: str | None) -> tuple[str, ...] | None:
    if not stage:
        return None
    return STAGES[stage][1]


def rag_for(left: int) -> tuple[str, str]:
    """(css modifier, text label): red overdue, amber within 2 working days, green."""
    if left < 0:
        return "overdue", str(_("Red: overdue"))
    if left <= AMBER_WITHIN:
        return "due-soon", str(_("Amber: due soon"))
    return "on-track", str(_("Green: on track"))


def closures_by_partnership(partnership_ids) -> dict[int, dict[dt.date, str]]:
    """Every partnership's closure days in one query."""
    out: dict[int, dict[dt.date, str]] = {pid: {} for pid in partnership_ids}
    rows = ClosureDay.objects.filter(partnership__in=partnership_ids).values_list(
        "partnership_id", "date", "reason"
    )
    for pid, day, reason in rows:
        out.setdefault(pid, {})[day] = reason
    return out


@dataclass(slots=True)
class Row:
    """One open clock on the dashboard, worked out once as plain values (no model
    instances: a page shows up to a hundred of them, "show all" thousands)."""

    id: int
    title: str
    url: str
    reference: str
    kind: str
    owner_id: int | None
    owner_name: str
    due_date: dt.date
    moved: bool
    left: int
    stage: str
    stage_label: str
    rag: str
    rag_label: str
    partnership_code: str
    #: Due after the day the board is for, with no working day left before it (a clock
    #: due on a weekend, bank holiday or closure day, seen on the working day before).
    due_later: bool = False
    #: Its owner has left the partnership's business unit (a manager hands it over).
    owner_left: bool = False
    #: A due date set by hand that must be a working day (an action's, an agency
    #: return's: `deadlines.TYPED_WORKING_DAY_KINDS`) falls on one of the partnership's
    #: closure days: flagged, not moved (ADR 0027 addendum, session 20).
    on_closure_day: bool = False

    def __getitem__(self, name: str):
        # The template engine tries `row[name]` before `row.name`; answering it directly
        # spares an exception per cell.
        return getattr(self, name)

    @property
    def late(self) -> int:
        return -self.left

    @property
    def due_display(self) -> str:
        return short_date(self.due_date)

    @property
    def left_text(self) -> str:
        if self.left < 0:
            n = -self.left
            return ngettext("%(n)d working day overdue", "%(n)d working days overdue", n) % {"n": n}
        if self.left == 0:
            if self.due_later:
                # Due on a weekend, bank holiday or closure day: today is the last working
                # day before it, but it is not due today.
                return _("Due %(day)s: no working day left before it") % {
                    "day": f"{self.due_date:%A %-d %B}"
                }
            return str(_("Due today"))
        return ngettext("%(n)d working day left", "%(n)d working days left", self.left) % {
            "n": self.left
        }

    @property
    def why_url(self) -> str:
        return reverse("safeguarding:deadline-why", args=[self.id])


@dataclass
class StageSummary:
    key: str
    label: str
    live: bool
    open: int = 0
    overdue: int = 0
    due_today: int = 0
    due_soon: int = 0


@dataclass
class Workload:
    owner_id: int | None
    name: str
    open: int
    overdue: int
    #: These are clocks of a partnership whose business unit the owner has left.
    left: bool = False
    #: Which partnerships' (for `left`: where the clocks wait to be handed over).
    left_in: set[int] = field(default_factory=set)


#: Rows shown per section on the page (the most urgent first); "show all" lifts it, and the
#: exports always hold every row.
SECTION_LIMIT = 25


@dataclass
class Dashboard:
    today: dt.date
    overdue: list[Row] = field(default_factory=list)
    due_today: list[Row] = field(default_factory=list)
    due_soon: list[Row] = field(default_factory=list)
    moved: list[Row] = field(default_factory=list)
    stages: list[StageSummary] = field(default_factory=list)
    workload: list[Workload] = field(default_factory=list)
    limit: int | None = None
    totals: dict[str, int] = field(
        default_factory=lambda: {"overdue": 0, "today": 0, "soon": 0, "moved": 0}
    )

    @property
    def has_open(self) -> bool:
        """Whether any deadline the board was asked for is open (each has an owner's
        line in the workload, "No owner" included)."""
        return bool(self.workload)

    @property
    def left_behind(self) -> int:
        """Open clocks whose owner has left the partnership's business unit."""
        return sum(w.open for w in self.workload if w.left)

    @property
    def left_behind_in(self) -> set[int]:
        """The partnerships where those clocks are (each has a hand-over on its People
        page)."""
        return {pid for w in self.workload if w.left for pid in w.left_in}

    @property
    def attention_rows(self) -> list[Row]:
        return self.overdue + self.due_today + self.due_soon

    @property
    def truncated(self) -> bool:
        return any(self.totals[key] > len(rows) for key, _label, rows, _n in self.section_rows())

    def section_rows(self) -> list[tuple[str, str, list[Row], int]]:
        return [
            ("overdue", str(_("Overdue")), self.overdue, self.totals["overdue"]),
            ("today", str(_("Due today")), self.due_today, self.totals["today"]),
            (
                "soon",
                str(_("Due within the next 5 working days")),
                self.due_soon,
                self.totals["soon"],
            ),
        ]


def open_deadlines(
    partnership_ids, *, owner: User | None = None, stage: str | None = None
) -> QuerySet[Deadline]:
    qs = Deadline.objects.open().filter(partnership__in=partnership_ids)
    if owner is not None:
        qs = qs.filter(owner=owner)
    kinds = kinds_for(stage)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs


def build_dashboard(
    partnerships: list[Partnership],
    *,
    today: dt.date,
    owner: User | None = None,
    stage: str | None = None,
    limit: int | None = SECTION_LIMIT,
) -> Dashboard:
    """Everything the dashboard shows, for the given (already permitted) partnerships.

    Each section (overdue, due today, due soon, moved) holds its `limit` most urgent rows
    (all of them with `limit=None`, as the exports ask) and its exact total, so the page
    costs the same however many clocks are open.
    """
    ids = [p.pk for p in partnerships]
    codes = {p.pk: p.code for p in partnerships}
    board = Dashboard(today=today, limit=limit)
    if not ids:
        return board
    closures = closures_by_partnership(ids)
    horizon = {
        pid: calendar.add_working_days(today, DUE_SOON_WORKING_DAYS, partnership=closures[pid])
        for pid in ids
    }
    # "Due soon" ends at each partnership's own 5th working day (closure days differ).
    within_horizon = Q()
    for pid, last in horizon.items():
        within_horizon |= Q(partnership=pid, due_date__lte=last)
    soon = Q(due_date__gt=today) & within_horizon
    base = open_deadlines(ids, owner=owner, stage=stage)
    stage_labels = {key: str(label) for key, (label, _kinds) in STAGES.items()}
    rag_labels = {left: rag_for(left) for left in (-1, 0, AMBER_WITHIN + 1)}
    typed = frozenset(TYPED_WORKING_DAY_KINDS)

    def rows_of(condition: Q) -> list[Row]:
        qs = (
            base.filter(condition)
            .annotate(owner_here=owner_in_business_unit())
            .order_by("due_date", "id")
            .values_list(
                "id",
                "title",
                "url",
                "reference",
                "kind",
                "key",
                "owner_id",
                "owner__full_name",
                "due_date",
                "moved_by_calendar",
                "partnership_id",
                "owner_here",
                "rule",
            )
        )
        out = []
        for pk, title, url, ref, kind, key, owner_id, owner_name, due, moved, pid, here, rule in (
            qs if limit is None else qs[:limit]
        ):
            left = calendar.working_days_left(today, due, partnership=closures[pid])
            rag, label = rag_labels[-1 if left < 0 else (0 if left <= AMBER_WITHIN else 3)]
            stage_key = STAGE_OF_KIND.get(kind, "other")
            out.append(
                Row(
                    id=pk,
                    title=task_title(kind, key, title),  # what to do
                    url=url,
                    reference=ref,
                    kind=kind,
                    owner_id=owner_id,
                    owner_name=owner_name or "",
                    due_date=due,
                    moved=moved,
                    left=left,
                    stage=stage_key,
                    stage_label=stage_labels.get(stage_key, stage_key),
                    rag=rag,
                    rag_label=label,
                    partnership_code=codes[pid],
                    due_later=due > today,
                    owner_left=owner_id is not None and not here,
                    on_closure_day=(
                        kind in typed and rule == Deadline.Rule.FIXED and due in closures[pid]
                    ),
                )
            )
        return out

    # 1. The rows that need attention, most urgent first, a page of each.
    board.overdue = rows_of(Q(due_date__lt=today))
    board.due_today = rows_of(Q(due_date=today))
    board.due_soon = rows_of(soon)
    board.moved = rows_of(Q(moved_by_calendar=True))

    # 2. Counts by kind (grouped into stages in Python: a handful of rows).
    per_kind = {
        r["kind"]: r
        for r in base.values("kind").annotate(
            n_open=Count("id"),
            n_overdue=Count("id", filter=Q(due_date__lt=today)),
            n_today=Count("id", filter=Q(due_date=today)),
            n_soon=Count("id", filter=soon),
            n_moved=Count("id", filter=Q(moved_by_calendar=True)),
        )
    }
    for r in per_kind.values():
        board.totals["overdue"] += r["n_overdue"]
        board.totals["today"] += r["n_today"]
        board.totals["soon"] += r["n_soon"]
        board.totals["moved"] += r["n_moved"]
    for key, (label, kinds) in STAGES.items():
        if stage and key != stage:
            continue
        summary = StageSummary(key=key, label=str(label), live=key in LIVE_STAGES)
        for kind in kinds:
            r = per_kind.get(kind)
            if r:
                summary.open += r["n_open"]
                summary.overdue += r["n_overdue"]
                summary.due_today += r["n_today"]
                summary.due_soon += r["n_soon"]
        summary.live = summary.live or summary.open > 0
        board.stages.append(summary)

    # 3. Workload per person (apart: the clocks of partnerships they have left, grouped by
    # partnership too, to say where each waits to be handed over).
    here = owner_in_business_unit()
    people: dict[tuple[int | None, bool], Workload] = {}
    for r in (
        base.annotate(
            owner_here=here,
            left_in=Case(When(~here, then=F("partnership_id")), default=None),
        )
        .values("owner_id", "owner__full_name", "owner__email", "owner_here", "left_in")
        .annotate(n_open=Count("id"), n_overdue=Count("id", filter=Q(due_date__lt=today)))
    ):
        left = r["owner_id"] is not None and not r["owner_here"]
        person = people.get((r["owner_id"], left))
        if person is None:
            name = r["owner__full_name"] or r["owner__email"] or str(_("No owner"))
            person = people[r["owner_id"], left] = Workload(r["owner_id"], name, 0, 0, left)
        person.open += r["n_open"]
        person.overdue += r["n_overdue"]
        if left:
            person.left_in.add(r["left_in"])
    board.workload = sorted(
        people.values(), key=lambda w: (-w.overdue, -w.open, w.name, not w.left)
    )
    return board


# --- rows for exports (no child names: references, titles and owners only) --------------

DEADLINE_HEADERS = [
    "Section",
    "Partnership",
    "Reference",
    "What",
    "Stage",
    "Owner",
    "Due date",
    "Working days left (negative: overdue)",
    "RAG",
    "Moved by the calendar",
    "On a closure day",
]


def deadline_export_rows(board: Dashboard) -> list[list]:
    out = []
    for _key, section, rows, _total in board.section_rows() + [
        ("moved", str(_("Moved because the calendar changed")), board.moved, 0)
    ]:
        for row in rows:
            out.append(
                [
                    section,
                    row.partnership_code,
                    row.reference,
                    row.title,
                    row.stage_label,
                    _owner_text(row.owner_name, row.owner_left),
                    row.due_date,
                    row.left,
                    row.rag_label,
                    "Yes" if row.moved else "No",
                    "Yes" if row.on_closure_day else "No",
                ]
            )
    return out


WORKLOAD_HEADERS = ["Person", "Open deadlines", "Overdue"]


def workload_export_rows(board: Dashboard) -> list[list]:
    return [[_owner_text(w.name, w.left), w.open, w.overdue] for w in board.workload]


def _owner_text(name: str, left: bool) -> str:
    return f"{name} ({_('has left')})" if left else name
