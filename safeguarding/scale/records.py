"""The deadlines collected by every stage, and the audit trail: the two biggest tables."""

from __future__ import annotations

import datetime as dt

from safeguarding.audit import COPY_FIELDS
from safeguarding.models import AuditEvent, Deadline
from safeguarding.scale.base import DEADLINE_FIELDS
from safeguarding.scale.plan import UTC


class RecordsMixin:
    def make_deadlines(self) -> int:
        """Every clock the stages collected (`SeederBase.deadline`), in one COPY."""
        n = self.copy(Deadline, DEADLINE_FIELDS, self.deadlines)
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
                    # A sign-in belongs to no partnership, as the service records it: the
                    # trail shows it to the managers of the person's partnerships.
                    pid if on_case else None,
                    action,
                    "notifications.incident" if on_case else "",
                    str(inc.pk) if on_case else "",
                    inc.reference if on_case else "",
                    {},
                    f"192.0.2.{rng.randrange(1, 255)}",
                )

        with self.indexes_built_after(AuditEvent):
            return self.copy(AuditEvent, COPY_FIELDS, rows())
