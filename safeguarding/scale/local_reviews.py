"""Local reviews (LCSPR) with their milestones, recommendations and action plans."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from lcspr.models import Action, Recommendation, Review
from rapid_reviews.models import RapidReview
from safeguarding.models import Deadline
from safeguarding.scale.plan import UTC, spread


class LocalReviewsMixin:
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
                    Deadline.Kind.LCSPR_MILESTONE,
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
            # The latest day leaving 7 working days before publication (deadlines.notice_by):
            # 7 back from the last working day on or before it.
            last_working = self.wd(rv.planned_publication + dt.timedelta(days=1), -1, pid)
            notice_due = self.wd(last_working, -7, pid)
            self.deadline(
                pid,
                Deadline.Kind.PRE_PUBLICATION_NOTICE,
                *args,
                f"Final report to the Panel and DfE: {ref}",
                rv.planned_publication,
                notice_due,
                rv.notice_sent_on,
                rule=Deadline.Rule.WORKING_DAYS_BEFORE,
                amount=7,
                reference=ref,
                owner=owner,
            )
            self.deadline(
                pid,
                Deadline.Kind.PUBLICATION,
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
                        # Complete, awaiting sign-off: done in the last few weeks (its
                        # clock stopped then, met or late).
                        completed_on=(
                            finished
                            if status == "signed_off"
                            else today - dt.timedelta(days=1 + n % 20)
                            if status == "complete"
                            else None
                        ),
                        # Added before the data was made: never e-mailed by the requeue.
                        created_at=None,
                    )
                )
                meta.append((pid, rv.rapid_review.incident.reference))
        actions = self.bulk(Action, objs)
        for act, (pid, ref) in zip(actions, meta, strict=True):
            self.deadline(
                pid,
                Deadline.Kind.ACTION,
                "lcspr.action",
                act.pk,
                f"Action plan action: {ref}",
                act.due_date,
                act.due_date,
                act.completed_on,
                rule=Deadline.Rule.FIXED,
                reference=ref,
                owner=self.manager[pid].pk,
            )
        return len(actions)
