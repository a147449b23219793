"""National-scale synthetic data for benchmarks (issue 9, item 1): `manage.py seed_scale`.

Deterministic for a given seed, options and `today`: every random choice comes from one
`random.Random(seed)`, and the row counts of the main tables follow from the options alone
(`expected_counts`). Scale data is recognisable: partnership codes are "S" + three digits
(S001...), regions are "scale-N", agencies "Scale agency NN", users @sNNN.scale.example.

Parents whose ids are needed later (incidents, rapid reviews, requests, local reviews,
recommendations) go in with `bulk_create`; the big leaf tables (children, returns,
actions, deadlines, audit events) go in with PostgreSQL COPY (bulk_create on SQLite).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterable

from dateutil.relativedelta import relativedelta
from django.db import connection, models

from lcspr.models import Action, Recommendation, Review
from notifications.models import Child, Incident
from rapid_reviews.models import AgencyReturn, InformationRequest, RapidReview
from safeguarding import calendar
from safeguarding.models import (
    Agency,
    AuditEvent,
    ClosureDay,
    Deadline,
    Membership,
    Partnership,
    Region,
    Role,
    User,
)

#: The national figures at --scale 1.0 (issue 9).
FULL = {
    "incidents": 50_000,
    "requests": 250_000,
    "lcsprs": 20_000,
    "actions": 100_000,
    "audit_events": 10_000_000,
}
CODE_REGEX = r"^S[0-9]{3}$"
AGENCIES = 60
AGENCIES_PER_PARTNERSHIP = 12
UTC = dt.UTC

Kind = Deadline.Kind


def targets(scale: float) -> dict[str, int]:
    return {name: max(1, round(n * scale)) for name, n in FULL.items()}


def incident_kind(i: int) -> str:
    """What happens to incident number i (by index, so counts follow from the options)."""
    if i % 50 == 0:
        return "recent"  # aware in the last few weeks, not yet notified: open clock
    if i % 20 == 7:
        return "recorded"  # looked-after / care leaver death: notified, no rapid review
    if i % 25 == 13:
        return "not_notified"  # decided not to notify
    return "rapid_review"


def children_of(i: int) -> int:
    return 1 + (i % 4 == 1) + (i % 20 == 3)


def expected_counts(scale: float, partnerships: int, years: int) -> dict[str, int]:
    """Row counts the seed must produce (independent of the random draws)."""
    t = targets(scale)
    n = t["incidents"]
    rr = sum(incident_kind(i) == "rapid_review" for i in range(n))
    return {
        "regions": min(9, partnerships),
        "partnerships": partnerships,
        "users": 2 * partnerships,
        "memberships": 2 * partnerships,
        "agencies": AGENCIES,
        "incidents": n,
        "children": sum(children_of(i) for i in range(n)),
        "rapid_reviews": rr,
        "information_requests": t["requests"],
        "lcsprs": min(t["lcsprs"], rr),  # exact unless nearly every review is still open
        "actions": t["actions"],
        "audit_events": t["audit_events"],
    }


def spread(total: int, buckets: int) -> list[int]:
    """`total` split over `buckets` as evenly as possible (exact sum)."""
    if buckets == 0:
        return []
    base, extra = divmod(total, buckets)
    return [base + (b < extra) for b in range(buckets)]


class Seeder:
    def __init__(
        self,
        *,
        scale: float,
        seed: int,
        partnerships: int,
        years: int,
        today: dt.date,
        log: Callable[[str], None] = print,
        batch_size: int = 5000,
    ):
        self.scale, self.partnerships_n, self.years_n = scale, partnerships, years
        self.today, self.log, self.batch_size = today, log, batch_size
        self.rng = random.Random(seed)
        self.targets = targets(scale)
        self.years = list(range(today.year - years + 1, today.year + 1))
        self.now = dt.datetime.combine(today, dt.time(9, 0), tzinfo=UTC)
        self.timings: list[tuple[str, int, float]] = []
        self.deadlines: list[tuple] = []
        self.postgres = connection.vendor == "postgresql"

    # --- plumbing -------------------------------------------------------------------------

    def timed(self, label: str, fn: Callable[[], int]) -> None:
        start = time.perf_counter()
        rows = fn()
        took = time.perf_counter() - start
        self.timings.append((label, rows, took))
        self.log(f"  {label:<28} {rows:>11,} rows {took:8.2f} s")

    def bulk(self, model, objs: list) -> list:
        return model.objects.bulk_create(objs, batch_size=self.batch_size)

    def copy(self, model, fields: list[str], rows: Iterable[tuple]) -> int:
        """COPY rows into `model`'s table on PostgreSQL; bulk_create elsewhere."""
        meta_fields = [model._meta.get_field(f) for f in fields]
        n = 0
        if self.postgres:
            json_at = [i for i, f in enumerate(meta_fields) if isinstance(f, models.JSONField)]
            cols = ", ".join(connection.ops.quote_name(f.column) for f in meta_fields)
            sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({cols}) FROM STDIN"
            with connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = json.dumps(row[i])
                    copy.write_row(row)
                    n += 1
            return n
        names = [f.attname for f in meta_fields]
        batch = []
        for row in rows:
            batch.append(model(**dict(zip(names, row, strict=True))))
            if len(batch) >= self.batch_size:
                n += len(self.bulk(model, batch))
                batch = []
        return n + len(self.bulk(model, batch))

    def wd(self, start: dt.date, days: int, pid: int) -> dt.date:
        return calendar.add_working_days(start, days, partnership=self.closures[pid])

    def deadline(self, pid, kind, subject_type, subject_id, title, trigger, due, closed, **kw):
        outcome = kw.pop("outcome", "met") if closed else ""
        self.deadlines.append(
            (
                pid,
                kind,
                subject_type,
                subject_id,
                kw.get("key", ""),
                title[:200],
                kw.get("reference", ""),
                "",
                kw.get("owner"),
                trigger,
                kw.get("rule", Deadline.Rule.WORKING_DAYS),
                kw.get("amount", 0),
                due,
                closed,
                outcome,
                False,
                self.now,
                self.now,
            )
        )

    # --- the run --------------------------------------------------------------------------

    def run(self) -> list[tuple[str, int, float]]:
        self.timed("regions", self.make_regions)
        self.timed("partnerships", self.make_partnerships)
        self.timed("closure days", self.make_closures)
        self.timed("agencies", self.make_agencies)
        self.timed("users and memberships", self.make_users)
        self.timed("incidents", self.make_incidents)
        self.timed("children", self.make_children)
        self.timed("rapid reviews", self.make_rapid_reviews)
        self.timed("information requests", self.make_requests)
        self.timed("agency returns", self.make_returns)
        self.timed("local reviews (LCSPR)", self.make_lcsprs)
        self.timed("recommendations", self.make_recommendations)
        self.timed("actions", self.make_actions)
        self.timed("deadlines", self.make_deadlines)
        self.timed("audit events", self.make_audit)
        if self.postgres:
            self.timed("analyze", self.analyze)
        return self.timings

    def make_regions(self) -> int:
        self.regions = self.bulk(
            Region,
            [
                Region(name=f"Scale region {r + 1}", code=f"scale-{r + 1}")
                for r in range(min(9, self.partnerships_n))
            ],
        )
        return len(self.regions)

    def make_partnerships(self) -> int:
        self.parts = self.bulk(
            Partnership,
            [
                Partnership(
                    name=f"Scale partnership {p + 1:03d}",
                    code=f"S{p + 1:03d}",
                    local_authority=f"Scale council {p + 1:03d}",
                    contact_email=f"team@s{p + 1:03d}.scale.example",
                    region=self.regions[p % len(self.regions)],
                )
                for p in range(self.partnerships_n)
            ],
        )
        return len(self.parts)

    def make_closures(self) -> int:
        """A business-unit closure on 24 December (when a working day) each year."""
        rows = []
        self.closures: dict[int, dict[dt.date, str]] = {p.pk: {} for p in self.parts}
        for year in [*self.years, self.today.year + 1]:
            day = dt.date(year, 12, 24)
            if calendar.is_working_day(day):
                for p in self.parts:
                    rows.append(ClosureDay(partnership=p, date=day, reason="Office closed"))
                    self.closures[p.pk][day] = "Office closed"
        return len(self.bulk(ClosureDay, rows))

    def make_agencies(self) -> int:
        kinds = list(Agency.Kind.values)
        self.agencies = self.bulk(
            Agency,
            [
                Agency(name=f"Scale agency {a + 1:02d}", kind=kinds[a % len(kinds)])
                for a in range(AGENCIES)
            ],
        )
        through = Agency.partnerships.through
        links, self.agencies_of = [], {}
        for n, p in enumerate(self.parts):
            served = [
                self.agencies[(n * 7 + k) % AGENCIES] for k in range(AGENCIES_PER_PARTNERSHIP)
            ]
            self.agencies_of[p.pk] = served
            links += [through(agency_id=a.pk, partnership_id=p.pk) for a in served]
        self.bulk(through, links)
        return len(self.agencies)

    def make_users(self) -> int:
        users, self.manager, self.officer = [], {}, {}
        for p in self.parts:
            for role in ("manager", "officer"):
                users.append(
                    User(
                        email=f"{role}@{p.code.lower()}.scale.example",
                        full_name=f"{role.title()} {p.code}",
                        password="!scale-unusable",
                    )
                )
        users = self.bulk(User, users)
        memberships = []
        for n, p in enumerate(self.parts):
            self.manager[p.pk], self.officer[p.pk] = users[2 * n], users[2 * n + 1]
            memberships += [
                Membership(user=users[2 * n], partnership=p, role=Role.PARTNERSHIP_MANAGER),
                Membership(user=users[2 * n + 1], partnership=p, role=Role.REVIEW_OFFICER),
            ]
        self.bulk(Membership, memberships)
        return len(users)

    def make_incidents(self) -> int:
        rng, today = self.rng, self.today
        seq: dict[tuple[int, int], int] = {}
        objs, self.kinds = [], []
        natures = ["death", "serious_harm", "serious_harm", "other"]
        harms = ["physical", "sexual", "emotional", "neglect"]
        for i in range(self.targets["incidents"]):
            p = self.parts[i % len(self.parts)]
            kind = incident_kind(i)
            if kind == "recent":
                year_start = max(dt.date(today.year, 1, 1), today - dt.timedelta(days=20))
            else:
                year_start = dt.date(self.years[(i // len(self.parts)) % self.years_n], 1, 1)
            year_end = min(dt.date(year_start.year, 12, 31), today - dt.timedelta(days=1))
            if kind == "recent":
                year_end = today
            span = max(0, (year_end - year_start).days)
            aware = year_start + dt.timedelta(days=rng.randrange(span + 1))
            key = (p.pk, aware.year)
            seq[key] = seq.get(key, 0) + 1
            due = self.wd(aware, 5, p.pk)
            notified = None
            if kind in ("recorded", "rapid_review"):
                notified = min(self.wd(aware, rng.choice([1, 2, 3, 4, 5, 5, 6, 8]), p.pk), today)
            status = {
                "recent": rng.choice(["draft", "awaiting_decision"]),
                "recorded": "recorded",
                "not_notified": "not_notified",
                "rapid_review": "notified",
            }[kind]
            objs.append(
                Incident(
                    partnership=p,
                    reference=f"{p.code}-{aware.year}-{seq[key]:04d}",
                    year=aware.year,
                    sequence=seq[key],
                    status=status,
                    incident_date=aware - dt.timedelta(days=rng.randrange(10)),
                    awareness_date=aware,
                    notification_due=due,
                    nature=(
                        rng.choice(["lac_death", "care_leaver_death"])
                        if kind == "recorded"
                        else rng.choice(natures)
                    ),
                    harm_categories=rng.sample(harms, rng.randrange(1, 3)),
                    circumstances="Synthetic scale data.",
                    notified_on=notified,
                    notified_at=(
                        dt.datetime.combine(notified, dt.time(11, 0), tzinfo=UTC)
                        if notified
                        else None
                    ),
                    late_reason="Awaiting information" if notified and notified > due else "",
                    decision_rationale="Criteria not met" if kind == "not_notified" else "",
                    decided_on=self.wd(aware, 3, p.pk) if kind == "not_notified" else None,
                    created_by=self.officer[p.pk],
                    sent_by=self.officer[p.pk] if notified else None,
                    created_at=dt.datetime.combine(aware, dt.time(10, 0), tzinfo=UTC),
                )
            )
            self.kinds.append(kind)
        self.incidents = self.bulk(Incident, objs)
        for inc, kind in zip(self.incidents, self.kinds, strict=True):
            closed = inc.notified_on or inc.decided_on
            self.deadline(
                inc.partnership_id,
                Kind.NOTIFICATION,
                "notifications.incident",
                inc.pk,
                f"Notify the National Panel: {inc.reference}",
                inc.awareness_date,
                inc.notification_due,
                closed,
                outcome="cancelled" if kind == "not_notified" else "met",
                reference=inc.reference,
                owner=self.officer[inc.partnership_id].pk,
                amount=5,
            )
        return len(self.incidents)

    def make_children(self) -> int:
        rng = self.rng
        sexes, ethnicities = (
            ["female", "male", "not_known"],
            [
                "white_british",
                "asian_pakistani",
                "black_african",
                "mixed_other",
                "white_other",
                "not_known",
            ],
        )

        def rows():
            for i, inc in enumerate(self.incidents):
                for k in range(children_of(i)):
                    yield (
                        inc.pk,
                        k + 1,
                        f"Child {'ABC'[k]}",
                        f"Synthetic child {inc.reference}-{'ABC'[k]}",
                        "",
                        False,
                        inc.awareness_date - dt.timedelta(days=rng.randrange(30, 6500)),
                        rng.choice(sexes),
                        rng.choice(ethnicities),
                        "",
                        "",
                        rng.choice(["cin", "cp", "looked_after", "none", "not_known"]),
                        "",
                    )

        fields = [
            "incident",
            "position",
            "pseudonym",
            "name",
            "other_names",
            "unborn",
            "date_of_birth",
            "sex",
            "ethnicity",
            "disability",
            "health",
            "status_at_time",
            "placement_type",
        ]
        return self.copy(Child, fields, rows())

    def make_rapid_reviews(self) -> int:
        rng, today = self.rng, self.today
        objs = []
        for inc, kind in zip(self.incidents, self.kinds, strict=True):
            if kind != "rapid_review":
                continue
            pid = inc.partnership_id
            due = self.wd(inc.notified_on, 15, pid)
            sent = self.wd(due, rng.choice([-3, -2, -1, 0, 0, 0, 1, 4]), pid)
            done = sent <= today
            meeting = self.wd(inc.notified_on, 10, pid)
            objs.append(
                RapidReview(
                    incident=inc,
                    due_date=due,
                    status=(
                        rng.choice(["sent_to_panel", "panel_responded", "panel_responded"])
                        if done
                        else ("meeting_held" if meeting <= today else "open")
                    ),
                    opened_at=inc.notified_at,
                    meeting_date=meeting if meeting <= today else None,
                    decision="no_local_review" if done else "",
                    decided_on=self.wd(meeting, 2, pid) if done else None,
                    sent_to_panel_on=sent if done else None,
                )
            )
        self.rapid_reviews = self.bulk(RapidReview, objs)
        for rr in self.rapid_reviews:
            inc = rr.incident
            self.deadline(
                inc.partnership_id,
                Kind.RAPID_REVIEW,
                "rapid_reviews.rapidreview",
                rr.pk,
                f"Rapid review: {inc.reference}",
                inc.notified_on,
                rr.due_date,
                rr.sent_to_panel_on,
                reference=inc.reference,
                owner=self.officer[inc.partnership_id].pk,
                amount=15,
            )
        return len(self.rapid_reviews)

    def make_requests(self) -> int:
        rng, today = self.rng, self.today
        objs = []
        for rr, k in zip(
            self.rapid_reviews,
            spread(self.targets["requests"], len(self.rapid_reviews)),
            strict=True,
        ):
            inc = rr.incident
            pid = inc.partnership_id
            pool = self.agencies_of[pid] if k <= AGENCIES_PER_PARTNERSHIP else self.agencies
            sent_on = self.wd(inc.notified_on, 1, pid)
            due = self.wd(inc.notified_on, 7, pid)
            for agency in rng.sample(pool, min(k, len(pool))):
                returned = self.wd(due, rng.choice([-4, -2, -1, 0, 0, 1, 3, 6]), pid)
                done = returned <= today
                objs.append(
                    InformationRequest(
                        rapid_review=rr,
                        agency=agency,
                        contact="Safeguarding lead",
                        due_date=due,
                        status="returned" if done else ("sent" if sent_on <= today else "not_sent"),
                        sent_on=sent_on if sent_on <= today else None,
                        returned_on=returned if done else None,
                        created_at=inc.notified_at,
                    )
                )
        self.requests = self.bulk(InformationRequest, objs)
        for req in self.requests:
            if req.sent_on is None:
                continue
            inc = req.rapid_review.incident
            self.deadline(
                inc.partnership_id,
                Kind.AGENCY_RETURN,
                "rapid_reviews.informationrequest",
                req.pk,
                f"Agency return: {inc.reference}",
                req.sent_on,
                req.due_date,
                req.returned_on,
                rule=Deadline.Rule.FIXED,
                reference=inc.reference,
            )
        return len(self.requests)

    def make_returns(self) -> int:
        def rows():
            for req in self.requests:
                if req.returned_on:
                    at = dt.datetime.combine(req.returned_on, dt.time(15, 0), tzinfo=UTC)
                    yield (
                        req.pk,
                        True,
                        "Synthetic summary of involvement.",
                        "",
                        "",
                        "Synthetic learning.",
                        [],
                        "",
                        at,
                        at,
                        1,
                    )

        fields = [
            "information_request",
            "involved",
            "involvement_summary",
            "analysis",
            "immediate_actions",
            "learning",
            "criteria_view",
            "criteria_comment",
            "submitted_at",
            "updated_at",
            "version",
        ]
        return self.copy(AgencyReturn, fields, rows())

    def make_lcsprs(self) -> int:
        rng, today = self.rng, self.today
        done = [rr for rr in self.rapid_reviews if rr.sent_to_panel_on]
        want = min(self.targets["lcsprs"], len(done))
        chosen = [done[k * len(done) // want] for k in range(want)] if want else []
        objs = []
        for rr in chosen:
            decided = rr.decided_on
            target = decided + relativedelta(months=6)
            planned = target + dt.timedelta(days=rng.choice([-20, -7, 0, 0, 14, 45]))
            pid = rr.incident.partnership_id
            notice = self.wd(planned, -rng.choice([7, 8, 10]), pid)
            status = "in_progress"
            if planned <= today:
                status = "published"
            elif notice <= today:
                status = "notice_sent"
            elif planned - dt.timedelta(days=30) <= today:
                status = "final_approved"
            elif rng.random() < 0.08:
                status = "on_hold"
            objs.append(
                Review(
                    rapid_review=rr,
                    decision_date=decided,
                    target_publication=target,
                    status=status,
                    opened_at=dt.datetime.combine(decided, dt.time(12, 0), tzinfo=UTC),
                    terms_agreed_on=decided + relativedelta(months=1),
                    hold_reason="criminal_proceedings" if status == "on_hold" else "",
                    held_since=today - dt.timedelta(days=20) if status == "on_hold" else None,
                    status_before_hold="in_progress" if status == "on_hold" else "",
                    final_approved_on=(
                        planned - dt.timedelta(days=30)
                        if status in ("published", "notice_sent", "final_approved")
                        else None
                    ),
                    notice_sent_on=notice if status in ("published", "notice_sent") else None,
                    planned_publication=planned,
                    published_on=planned if status == "published" else None,
                    public_title="Synthetic review" if status == "published" else "",
                )
            )
        RapidReview.objects.filter(pk__in=[rr.pk for rr in chosen]).update(
            decision="local_review", criteria=["improvements"]
        )
        self.reviews = self.bulk(Review, objs)
        for rv in self.reviews:
            rr = rv.rapid_review
            pid, ref = rr.incident.partnership_id, rr.incident.reference
            owner = self.manager[pid].pk
            args = ("lcspr.review", rv.pk)
            for key, months in (("terms_agreed", 1), ("draft_report", 4), ("final_approved", 5)):
                due = rv.decision_date + relativedelta(months=months)
                met = due + dt.timedelta(days=rng.choice([-5, 0, 0, 10, 30]))
                self.deadline(
                    pid,
                    Kind.LCSPR_MILESTONE,
                    *args,
                    f"Local review milestone: {ref}",
                    rv.decision_date,
                    due,
                    met if met <= today and rv.status != "on_hold" else None,
                    key=key,
                    rule=Deadline.Rule.CALENDAR_MONTHS,
                    amount=months,
                    reference=ref,
                    owner=owner,
                )
            notice_due = self.wd(rv.planned_publication, -7, pid)
            self.deadline(
                pid,
                Kind.PRE_PUBLICATION_NOTICE,
                *args,
                f"Final report to the Panel and DfE: {ref}",
                rv.planned_publication,
                notice_due,
                rv.notice_sent_on,
                amount=-7,
                reference=ref,
                owner=owner,
            )
            self.deadline(
                pid,
                Kind.PUBLICATION,
                *args,
                f"Publish the local review: {ref}",
                rv.decision_date,
                rv.target_publication,
                rv.published_on,
                rule=Deadline.Rule.CALENDAR_MONTHS,
                amount=6,
                reference=ref,
                owner=owner,
            )
        return len(self.reviews)

    def make_recommendations(self) -> int:
        self.action_counts = spread(self.targets["actions"], len(self.reviews))
        objs = []
        for rv, k in zip(self.reviews, self.action_counts, strict=True):
            for n in range(max(1, min(3, k))):
                objs.append(
                    Recommendation(
                        review=rv, number=n + 1, text=f"Synthetic recommendation {n + 1}"
                    )
                )
        self.recommendations = self.bulk(Recommendation, objs)
        return len(self.recommendations)

    def make_actions(self) -> int:
        rng, today = self.rng, self.today
        by_review: dict[int, list[Recommendation]] = {}
        for rec in self.recommendations:
            by_review.setdefault(rec.review_id, []).append(rec)
        objs, meta = [], []
        for rv, k in zip(self.reviews, self.action_counts, strict=True):
            recs = by_review[rv.pk]
            pid = rv.rapid_review.incident.partnership_id
            for n in range(k):
                due = rv.decision_date + relativedelta(months=rng.randrange(7, 19))
                finished = due + dt.timedelta(days=rng.choice([-60, -20, 0, 15, 60]))
                if finished <= today:
                    status = "signed_off"
                else:
                    status = rng.choice(["not_started", "in_progress", "in_progress", "complete"])
                objs.append(
                    Action(
                        recommendation=recs[n % len(recs)],
                        description=f"Synthetic action {n + 1}",
                        agency=rng.choice(self.agencies_of[pid]),
                        lead="Named lead (by role)",
                        due_date=due,
                        status=status,
                        signed_off_by=self.manager[pid] if status == "signed_off" else None,
                        signed_off_on=finished if status == "signed_off" else None,
                    )
                )
                meta.append((pid, rv.rapid_review.incident.reference))
        actions = self.bulk(Action, objs)
        for act, (pid, ref) in zip(actions, meta, strict=True):
            self.deadline(
                pid,
                Kind.ACTION,
                "lcspr.action",
                act.pk,
                f"Action plan action: {ref}",
                act.due_date,
                act.due_date,
                act.signed_off_on,
                rule=Deadline.Rule.FIXED,
                reference=ref,
                owner=self.manager[pid].pk,
            )
        return len(actions)

    def make_deadlines(self) -> int:
        fields = [
            "partnership",
            "kind",
            "subject_type",
            "subject_id",
            "key",
            "title",
            "reference",
            "url",
            "owner",
            "trigger_date",
            "rule",
            "amount",
            "due_date",
            "closed_on",
            "outcome",
            "moved_by_calendar",
            "created_at",
            "updated_at",
        ]
        n = self.copy(Deadline, fields, self.deadlines)
        self.deadlines = []
        return n

    def make_audit(self) -> int:
        rng, incidents = self.rng, self.incidents
        actions = ["view"] * 12 + ["update"] * 3 + ["create", "status_change", "export"]
        actions += ["sign_in"] * 2
        today_ord = self.today.toordinal()

        def rows():
            for _ in range(self.targets["audit_events"]):
                inc = incidents[rng.randrange(len(incidents))]
                pid = inc.partnership_id
                user = self.officer[pid] if rng.random() < 0.7 else self.manager[pid]
                first = inc.awareness_date.toordinal()
                day = first + rng.randrange(max(1, min(730, today_ord - first + 1)))
                at = dt.datetime.fromordinal(day).replace(tzinfo=UTC) + dt.timedelta(
                    seconds=rng.randrange(7 * 3600, 19 * 3600)
                )
                action = rng.choice(actions)
                on_case = action != "sign_in"
                yield (
                    at,
                    user.pk,
                    user.email,
                    pid,
                    action,
                    "notifications.incident" if on_case else "",
                    str(inc.pk) if on_case else "",
                    inc.reference if on_case else "",
                    {},
                    f"192.0.2.{rng.randrange(1, 255)}",
                )

        fields = [
            "occurred_at",
            "actor",
            "actor_email",
            "partnership",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "ip_address",
        ]
        return self.copy(AuditEvent, fields, rows())

    def analyze(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return 0
