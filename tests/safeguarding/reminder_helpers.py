"""Shared set-up for the reminder tests: one clock due Tuesday 1 December 2026."""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from safeguarding import deadlines
from safeguarding.models import Deadline
from tests.factories import PartnershipFactory

LONDON = ZoneInfo("Europe/London")
DUE = dt.date(2026, 12, 1)  # Tuesday; 5 working days after Tuesday 24 November
CHILD_NAME = "Amelia Rose Whitcombe"


def at(day: int, hour: int = 10, minute: int = 0, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def child_like_subject():
    """Stands in for a case record holding a child's name (the stage models come later)."""
    from safeguarding.models import Partnership

    found = Partnership.objects.filter(code="CHILD").first()
    return found or PartnershipFactory(name=f"{CHILD_NAME} born 2019", code="CHILD")


def start_clock(partnership, *, owner=None, subject=None, key="", amount=5, **kw) -> Deadline:
    subject = subject or child_like_subject()
    return deadlines.deadline_start(
        subject=subject,
        partnership=partnership,
        kind=Deadline.Kind.NOTIFICATION,
        title=f"Notify the National Panel: BSCP-2026-014{key}",
        reference=f"BSCP-2026-014{key}",
        url=f"/notifications/14{key}/",
        trigger_date=dt.date(2026, 11, 24),
        amount=amount,
        owner=owner,
        key=key,
        **kw,
    )


@contextmanager
def tasks_in_process():
    """Celery tasks run in-process (eager) until the block ends. Celery's own settings are
    then taken off, not set back: a value set back would stay fixed, and later tests that
    make tasks eager through Django's settings (CELERY_TASK_ALWAYS_EAGER) would no longer
    be (as the `smtp` fixture in tests/conftest.py does)."""
    from safeguarding.celery import app as celery_app

    keys = ("task_always_eager", "task_eager_propagates")
    changes = celery_app.conf.changes
    saved = {key: changes[key] for key in keys if key in changes}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    try:
        yield
    finally:
        for key in keys:
            changes.pop(key, None)
        changes.update(saved)
