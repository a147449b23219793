"""Serious incidents, their notification clocks and the children they concern."""

from __future__ import annotations

import datetime as dt

from notifications.models import Child, Incident
from safeguarding.models import Deadline
from safeguarding.scale.plan import UTC, children_of, incident_kind


class IncidentsMixin:
    def make_incidents(self) -> int:
        rng, today = self.rng, self.today
        seq: dict[tuple[int, int], int] = {}
        objs, self.kinds = [], []
        natures = ["death", "serious_harm", "serious_harm", "other"]
        harms = ["physical", "sexual", "emotional", "neglect"]
        for i in range(self.targets["incidents"]):
            # Shifted by one every round of partnerships, so that what happens to an
            # incident (by index: incident_kind) is spread over every partnership rather
            # than the same few getting all the open ones.
            p = self.parts[(i + i // len(self.parts)) % len(self.parts)]
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
                Deadline.Kind.NOTIFICATION,
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
