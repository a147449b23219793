"""The plumbing every stage of a scale run uses: timing, bulk insert, COPY, working days
and the deadline rows collected on the way (written in one COPY by `RecordsMixin`)."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import connection

from safeguarding import calendar
from safeguarding.bulk import copy_rows
from safeguarding.models import Deadline
from safeguarding.scale.plan import UTC, targets

#: The Deadline columns, in the order `SeederBase.deadline` collects them.
DEADLINE_FIELDS = [
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


class SeederBase:
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

    def timed(self, label: str, fn: Callable[[], int]) -> None:
        start = time.perf_counter()
        rows = fn()
        took = time.perf_counter() - start
        self.timings.append((label, rows, took))
        self.log(f"  {label:<28} {rows:>11,} rows {took:8.2f} s")

    def bulk(self, model, objs: list) -> list:
        return model.objects.bulk_create(objs, batch_size=self.batch_size)

    @contextmanager
    def indexes_built_after(self, model):
        """On PostgreSQL, drop the table's secondary indexes for a big load and build them
        again afterwards (one sorted build each is much cheaper than keeping them up to
        date row by row). Same transaction: all or nothing, as the rest of the seed."""
        if not self.postgres:
            yield
            return
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname)",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        yield
        with connection.cursor() as cursor:
            # The rows' deferred foreign-key checks must run before an index can be built.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def copy(self, model, fields: list[str], rows: Iterable[tuple]) -> int:
        """COPY rows into `model`'s table on PostgreSQL; bulk_create elsewhere."""
        return copy_rows(model, fields, rows, batch_size=self.batch_size)

    def wd(self, start: dt.date, days: int, pid: int) -> dt.date:
        """`days` working days from `start` for partnership `pid` (its closure days too)."""
        return calendar.add_working_days(start, days, partnership=self.closures[pid])

    def deadline(self, pid, kind, subject_type, subject_id, title, trigger, due, closed, **kw):
        """Collect one Deadline row (columns `DEADLINE_FIELDS`); `make_deadlines` writes them."""
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

    def analyze(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return 0
