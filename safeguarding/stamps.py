"""The time written on the rows a record's History is made of: audit events, status moves
and due-date changes.

It is now, except inside `stamped_at`. Only the demo uses that (`safeguarding.demo.
DemoClock`): it seeds cases that "happened" weeks or years ago through the real services,
and stamps each step with the day it happened, so that a case's History does not say
everything happened when the demo was loaded. The audit trail is append-only (ADR 0005),
so its rows must carry the right time when they are written; nothing rewrites them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_STAMP: ContextVar[dt.datetime | None] = ContextVar("history_stamp", default=None)


def history_now() -> dt.datetime:
    """The time to stamp on a history row written now."""
    return _STAMP.get() or timezone.now()


@contextmanager
def stamped_at(moment: dt.datetime) -> Iterator[None]:
    """History rows written inside say they were written at `moment` (aware)."""
    assert timezone.is_aware(moment), moment
    token = _STAMP.set(moment)
    try:
        yield
    finally:
        _STAMP.reset(token)
