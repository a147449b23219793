"""Shared set-up for the reminder tests: one clock due Tuesday 1 December 2026."""

import datetime as dt
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
