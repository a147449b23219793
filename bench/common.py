"""Shared plumbing for the benchmark suite (`make bench`, bench/run.py).

Every measure times the project's code and its anchor in the same run, interleaved
(project, anchor, project, anchor…), and reports medians: the machine is shared and noisy,
so only the ratio between the two is compared with the target.
"""

from __future__ import annotations

import gc
import os
import platform
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Result:
    """One line of bench/results.json."""

    name: str
    title: str
    project: float  # seconds (median) unless `unit` says otherwise
    anchor: float | None
    anchor_name: str
    target: str  # e.g. "ratio <= 2.0" or "project < 0.2 s"
    max_ratio: float | None = None
    max_project: float | None = None
    min_ratio: float | None = None  # for "at least" targets (throughput: higher is better)
    unit: str = "s"
    size: dict = field(default_factory=dict)
    queries: int | None = None
    notes: str = ""
    samples: int = 0

    @property
    def ratio(self) -> float | None:
        if self.anchor in (None, 0):
            return None
        return self.project / self.anchor

    @property
    def passed(self) -> bool:
        ok = True
        if self.max_ratio is not None:
            ok = ok and self.ratio is not None and self.ratio <= self.max_ratio
        if self.max_project is not None:
            ok = ok and self.project <= self.max_project
        if self.min_ratio is not None:
            ok = ok and self.ratio is not None and self.ratio >= self.min_ratio
        return ok

    def as_dict(self) -> dict:
        data = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        data["passed"] = self.passed
        return data


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(
    project: Callable[[], object],
    anchor: Callable[[], object],
    *,
    repeat: int = 15,
    warmup: int = 2,
) -> tuple[float, float, int]:
    """Median seconds of `project` and of `anchor`, run alternately `repeat` times each."""
    for _ in range(warmup):
        project()
        anchor()
    ours, theirs = [], []
    gc.collect()
    for i in range(repeat):
        # Alternate which goes first so neither always runs on a warmer cache.
        if i % 2:
            theirs.append(timed(anchor))
            ours.append(timed(project))
        else:
            ours.append(timed(project))
            theirs.append(timed(anchor))
    return statistics.median(ours), statistics.median(theirs), repeat


def capture_sql(fn: Callable[[], object]) -> list[str]:
    """The SQL statements `fn` sends, as executed (parameters bound by the client)."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


WRITES = {"INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}


#: Django reads a form's choices (`ModelChoiceField`) through a server-side cursor: the
#: replay runs its query and fetches every row instead, the same work for PostgreSQL.
SERVER_CURSOR = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR ', re.I)


def replay(statements: list[str]) -> Callable[[], None]:
    """A function that sends the same statements straight through psycopg and fetches
    every row: what PostgreSQL itself takes for them, plus the wire, and nothing of
    Django's."""
    statements = [SERVER_CURSOR.sub("", sql) for sql in statements]

    def run() -> None:
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor  # the raw psycopg cursor
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    return run


def machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    mem_gib = None
    try:
        with open("/proc/meminfo") as fh:
            mem_gib = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "postgresql": pg,
        "platform": platform.platform(),
    }


def table_sizes(*tables: str) -> dict[str, int]:
    """Exact row counts of the named tables."""
    out = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own names
            out[table] = cursor.fetchone()[0]
    return out


SIZE_TABLES = {
    "partnerships": "safeguarding_partnership",
    "incidents": "notifications_incident",
    "children": "notifications_child",
    "rapid_reviews": "rapid_reviews_rapidreview",
    "information_requests": "rapid_reviews_informationrequest",
    "agency_returns": "rapid_reviews_agencyreturn",
    "lcsprs": "lcspr_review",
    "actions": "lcspr_action",
    "deadlines": "safeguarding_deadline",
    "audit_events": "safeguarding_auditevent",
}


def scale_summary() -> dict[str, int]:
    """Row counts of the main tables (the data size every measure ran against)."""
    counts = table_sizes(*SIZE_TABLES.values())
    summary = {name: counts[table] for name, table in SIZE_TABLES.items()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM safeguarding_deadline WHERE closed_on IS NULL")
        summary["open_deadlines"] = cursor.fetchone()[0]
    return summary


#: Where `page_measure` writes a pyinstrument profile of each page (`bench/run.py
#: --profile DIR`); None: no profiles.
PROFILE_DIR = None
PROFILE_REQUESTS = 300


def write_profile(name: str, title: str, fn: Callable[[], object], requests: int) -> None:
    """A sampling profile (pyinstrument, 0.1 ms interval) of `requests` calls of `fn`, as
    text in PROFILE_DIR/<name>.txt: where a page's time goes, for bench/README.md."""
    from pathlib import Path

    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0001)
    profiler.start()
    for _ in range(requests):
        fn()
    profiler.stop()
    text = profiler.output_text(unicode=True, color=False, time="percent_of_total")
    path = Path(PROFILE_DIR) / f"{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}: {requests} requests, pyinstrument\n\n{text}")


def page_measure(
    client,
    url: str,
    *,
    name: str,
    title: str,
    repeat: int,
    max_ratio: float | None = 2.0,
    size: dict | None = None,
    check: Callable[[object], None] | None = None,
    reported: str = "reported (the floor)",
) -> Result:
    """A signed-in GET of `url` (the whole Django stack: middleware, view, template)
    against PostgreSQL running the very SQL statements that request sent. With no
    `max_ratio`, the figures are `reported` only."""
    from bench.fixtures import get_ok

    response = get_ok(client, url)
    if check is not None:
        check(response)
    statements = capture_sql(lambda: get_ok(client, url))
    if any(sql.split(None, 1)[0].upper() in WRITES for sql in statements):
        raise RuntimeError(f"GET {url} wrote to the database: {statements}")
    anchor = replay(statements)
    project, base, n = interleaved(lambda: get_ok(client, url), anchor, repeat=repeat)
    if PROFILE_DIR is not None:
        write_profile(name, title, lambda: get_ok(client, url), PROFILE_REQUESTS)
    return Result(
        name=name,
        title=title,
        project=project,
        anchor=base,
        anchor_name="the same SQL statements sent straight through psycopg",
        target=f"ratio <= {max_ratio}" if max_ratio else reported,
        max_ratio=max_ratio,
        size={"url": url, "response_bytes": len(response.content), **(size or {})},
        queries=len(statements),
        samples=n,
    )
