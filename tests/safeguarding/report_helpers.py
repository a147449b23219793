"""Builders for dashboard and report tests: deadline rows written directly, as a stage's
services would leave them (the dashboard only reads the table)."""

import datetime as dt
import itertools

from safeguarding.models import Deadline

_subject = itertools.count(10_000)


def make_deadline(
    partnership,
    *,
    due,
    kind=Deadline.Kind.NOTIFICATION,
    owner=None,
    closed_on=None,
    outcome=None,
    moved=False,
    title=None,
    subject_type="notifications.incident",
    subject_id=None,
    reference="",
    key="",
):
    n = subject_id if subject_id is not None else next(_subject)
    return Deadline.objects.create(
        partnership=partnership,
        kind=kind,
        subject_type=subject_type,
        subject_id=n,
        key=key,
        title=title or f"{Deadline.Kind(kind).label}: {partnership.code}-{n}",
        reference=reference or f"{partnership.code}-{n}",
        url=f"/incidents/{n}/",
        owner=owner,
        trigger_date=due - dt.timedelta(days=7),
        rule=Deadline.Rule.FIXED,
        due_date=due,
        closed_on=closed_on,
        outcome=outcome or (Deadline.Outcome.MET if closed_on else ""),
        moved_by_calendar=moved,
    )
