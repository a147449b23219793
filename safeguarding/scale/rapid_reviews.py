"""Rapid reviews, the agencies' information requests and their returns, with their clocks."""

from __future__ import annotations

import datetime as dt

from rapid_reviews.models import AgencyReturn, InformationRequest, RapidReview
from safeguarding.models import Deadline
from safeguarding.scale.plan import AGENCIES_PER_PARTNERSHIP, UTC, spread


class RapidReviewsMixin:
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
                Deadline.Kind.RAPID_REVIEW,
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
                gone = rr.sent_to_panel_on
                # A return not in when the review went to the Panel is no longer needed.
                done = returned <= today and (gone is None or returned <= gone)
                if done:
                    status = "returned"
                elif gone is not None:
                    status = "not_needed"
                else:
                    status = "sent" if sent_on <= today else "not_sent"
                objs.append(
                    InformationRequest(
                        rapid_review=rr,
                        agency=agency,
                        contact="Safeguarding lead",
                        due_date=due,
                        status=status,
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
            closed, outcome = req.returned_on, "met"
            if req.status == "not_needed":
                closed, outcome = req.rapid_review.sent_to_panel_on, "cancelled"
            self.deadline(
                inc.partnership_id,
                Deadline.Kind.AGENCY_RETURN,
                "rapid_reviews.informationrequest",
                req.pk,
                f"Agency return: {inc.reference}",
                req.sent_on,
                req.due_date,
                closed,
                rule=Deadline.Rule.FIXED,
                reference=inc.reference,
                outcome=outcome,
            )
        return len(self.requests)

    def make_returns(self) -> int:
        def rows():
            for req in self.requests:
                if req.returned_on:
                    at = dt.datetime.combine(req.returned_on, dt.time(15, 0), tzinfo=UTC)
                    answers = (
                        True,
                        "Synthetic summary of involvement.",
                        "",
                        "",
                        "Synthetic learning.",
                        [],
                        "",
                    )
                    # What the partnership sees: the return as submitted (no chronology).
                    submitted = {
                        "submitted_at": at.isoformat(),
                        "submitted_by": None,
                        "answers": dict(zip(AgencyReturn.ANSWER_FIELDS, answers, strict=True)),
                        "chronology": [],
                    }
                    yield (req.pk, *answers, at, submitted, at, 1)

        fields = [
            "information_request",
            *AgencyReturn.ANSWER_FIELDS,
            "submitted_at",
            "submitted_copy",
            "updated_at",
            "version",
        ]
        return self.copy(AgencyReturn, fields, rows())
