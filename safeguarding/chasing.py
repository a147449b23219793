"""Chasing agencies, done for the business unit: one loop for every kind of thing an
agency owes by a date (a rapid review's return, an action of a local review's plan).

Each item is reminded at most once per due date and kind, in office hours, on its
partnership's working days, and only on the day its kind says (a number of working days
before the date, or the first working day after it). The reminder's row, unique per
item, due date and kind, is claimed in the same transaction as the sending: a run twice
(or two runs at once) sends once, and a failed send is tried again by the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from . import calendar
from .dashboard import closures_by_partnership

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chase:
    """How one kind of item is chased. `kinds` maps working days left (negative:
    overdue) to the reminder sent on that day."""

    kinds: dict[int, str]
    partnership_of: Callable[[object], int]
    due_of: Callable[[object], dt.date]
    recipients: Callable[[object], tuple[list[str], bool]]
    claim: Callable[[object, str, int], None]
    send: Callable[[object, str, list[str], bool], None]
    name: str


def chase(items: Iterable, how: Chase, *, today: dt.date) -> int:
    """Send the reminders due `today` for `items`; the number sent."""
    items = list(items)
    closures = closures_by_partnership({how.partnership_of(item) for item in items})
    sent = 0
    for item in items:
        mine = closures[how.partnership_of(item)]
        if not calendar.is_working_day(today, partnership=mine):
            continue
        left = calendar.working_days_between(today, how.due_of(item), partnership=mine)
        kind = how.kinds.get(left)
        if kind is None:
            continue
        to, mailbox = how.recipients(item)
        if not to:
            continue  # no one, and no agency address: the business unit's page warns of it
        try:
            with transaction.atomic():
                how.claim(item, kind, len(to))
                how.send(item, kind, to, mailbox)
        except IntegrityError:
            continue  # sent already, by this run's twin or an earlier one
        except Exception as error:  # noqa: BLE001 - the next run tries again
            logger.warning(
                f"{how.name} reminder not sent", extra={"item": item.pk, "error": str(error)}
            )
            continue
        sent += 1
    return sent
