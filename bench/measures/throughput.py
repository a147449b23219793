"""Throughput (issue 9): gunicorn with 2 workers serving the signed-in incident list under
wrk on loopback reaches at least a third of the requests per second of a minimal Django
view served by the same gunicorn, project, settings and middleware, with no errors.

Both pages are requested with the same real session: a partnership manager of the
largest partnership, signed in with password and second factor, stored in the database.
So the anchor does the same per-request work the incident list cannot avoid (session,
user, OTP device, roles, the session's expiry write) and the ratio isolates what the
incident list itself costs: its queries and its template. The minimal view requested
without a cookie (no database work at all, the framework's floor) is measured too and
reported in `size` and the notes, but it is not the anchor.

After a short warm-up of each, ROUNDS rounds each run the incident list and the
signed-in minimal view back to back (which goes first alternates), plus the anonymous
one. The machine is shared and its load drifts over a run of minutes, so the two runs of
a round, seconds apart, are compared with each other: the figures reported are those of
the round whose ratio is the median of the rounds' ratios (project / anchor is then that
median, and both figures come from the same moment). Every run's figures are in `size`,
with the server CPU (gunicorn workers + PostgreSQL backends) each request took, which
load on the machine hardly moves.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench import common, fixtures
from notifications.models import Incident
from safeguarding.models import Role

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

WORKERS = 2
WRK_THREADS = 2
WRK_CONNECTIONS = 8
WRK_SECONDS = 6
WARMUP_SECONDS = 3
ROUNDS = 5  # odd: the median round is one of them
MIN_RATIO = 1 / 3

INCIDENTS = "/incidents/"
MINIMAL = "/bench/minimal"
#: Sent with every request: TLS ends at the proxy in production (SECURE_PROXY_SSL_HEADER),
#: so without it SECURE_SSL_REDIRECT would answer every request with a redirect.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


@dataclass
class Target:
    label: str
    path: str
    signed_in: bool
    warmup: list[WrkRun] = field(default_factory=list)
    runs: list[WrkRun] = field(default_factory=list)

    def median(self, attr: str) -> float | None:
        values = [getattr(run, attr) for run in self.runs]
        return None if None in values else statistics.median(values)


@dataclass
class WrkRun:
    rps: float
    requests: int
    seconds: float
    bytes_read: float
    p50_ms: float
    p99_ms: float
    socket_errors: dict[str, int]
    non_2xx_3xx: int
    #: CPU seconds the gunicorn workers and their PostgreSQL backends used during the run
    #: (None where they cannot be read, e.g. a database on another host).
    cpu_workers_s: float | None = None
    cpu_db_s: float | None = None

    @property
    def errors(self) -> int:
        return sum(self.socket_errors.values()) + self.non_2xx_3xx

    @property
    def bytes_per_response(self) -> float:
        return self.bytes_read / self.requests if self.requests else 0.0

    @property
    def cpu_ms_per_request(self) -> float | None:
        """Server CPU (workers and PostgreSQL) per request: unlike requests per second,
        hardly moved by what else the shared machine is running at the time."""
        if self.cpu_workers_s is None or self.cpu_db_s is None or not self.requests:
            return None
        return (self.cpu_workers_s + self.cpu_db_s) * 1000 / self.requests


# --- wrk ---------------------------------------------------------------------------------

_TIME_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(value) * _TIME_UNITS[unit]


def parse_wrk(output: str) -> WrkRun:
    """The figures of one `wrk --latency` run, from its text output."""

    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"Unexpected wrk output (no {pattern!r}):\n{output}")
        return match

    total = find(r"^\s*(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read")
    socket_errors = {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if errors:
        socket_errors = dict(zip(socket_errors, map(int, errors.groups()), strict=True))
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkRun(
        rps=float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        requests=int(total.group(1)),
        seconds=_ms(total.group(2) + total.group(3)) / 1000,
        bytes_read=float(total.group(4)) * _SIZE_UNITS[total.group(5)],
        p50_ms=_ms(find(r"^\s+50%\s+(\S+)").group(1)),
        p99_ms=_ms(find(r"^\s+99%\s+(\S+)").group(1)),
        socket_errors=socket_errors,
        non_2xx_3xx=int(non_ok.group(1)) if non_ok else 0,
    )


def wrk(base: str, target: Target, cookie: str, seconds: int, server_pid: int) -> WrkRun:
    before = cpu_seconds(server_pid)
    run_ = run_wrk(base, target, cookie, seconds)
    after = cpu_seconds(server_pid)
    if before is not None and after is not None:
        workers = after["workers"].items()
        run_.cpu_workers_s = sum(t - before["workers"].get(pid, 0.0) for pid, t in workers)
        run_.cpu_db_s = sum(t - before["db"].get(pid, 0.0) for pid, t in after["db"].items())
    return run_


def run_wrk(base: str, target: Target, cookie: str, seconds: int) -> WrkRun:
    headers = dict(PROXY_HEADERS)
    if target.signed_in:
        headers["Cookie"] = cookie
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(base + target.path)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def process_cpu(pid: int) -> float | None:
    """utime + stime of a process, in seconds (None if it is gone or not on this host)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(server_pid: int) -> dict[str, dict[int, float]] | None:
    """CPU seconds so far of each gunicorn worker (children of the arbiter) and of each
    PostgreSQL backend connected to this database (but this process's own)."""
    workers = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == server_pid and (cpu := process_cpu(int(stat.parent.name))) is not None:
            workers[int(stat.parent.name)] = cpu
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    db = {pid: cpu for pid in backends if (cpu := process_cpu(pid)) is not None}
    if backends and not db:
        return None  # PostgreSQL runs elsewhere: its share cannot be read
    return {"workers": workers, "db": db}


# --- gunicorn ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_static_manifest() -> None:
    """With DEBUG off, CompressedManifestStaticFilesStorage needs collectstatic's manifest
    (bench/run.py runs collectstatic first): without it every page fails on `{% static %}`."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        raise RuntimeError(f"No {manifest}: run collectstatic first (bench/run.py does).")


def gunicorn_command(port: int) -> list[str]:
    command = [
        str(VENV_BIN / "gunicorn"),
        "safeguarding.wsgi:application",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
    ]  # no --access-logfile: the access log is off; the error log goes to stderr
    from gunicorn.config import KNOWN_SETTINGS

    if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS):
        # gunicorn 24+ opens a control socket at a fixed path under $HOME by default.
        command.append("--no-control-socket")
    return command


def request(base: str, path: str, cookie: str | None) -> tuple[int, str]:
    """One GET, redirects not followed: (status, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    headers = dict(PROXY_HEADERS)
    if cookie:
        headers["Cookie"] = cookie
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(base + path, headers=headers), timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{tail(log)}")
        try:
            request(base, "/healthz", None)  # any HTTP answer: the workers are up
            return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer within 90 s:\n{tail(log)}")


def stop(process: subprocess.Popen) -> None:
    """Ends gunicorn's own process group (the arbiter and its workers), nothing else."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # graceful: the arbiter stops its workers
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- checks ------------------------------------------------------------------------------


def check_pages(base: str, cookie: str, references: set[str]) -> dict:
    """Both pages answer as they should: the incident list with its table of the
    partnership's incidents (not the sign-in or two-factor page), the minimal view "ok"."""
    status, body = request(base, INCIDENTS, cookie)
    shown = {ref for ref in references if f">{ref}</a>" in body}
    if status != 200 or "govuk-table__body" not in body or not shown:
        raise RuntimeError(
            f"GET {INCIDENTS} signed in answered {status} without the incident list "
            f"({len(shown)} of the partnership's references shown):\n{body[:800]}"
        )
    for cookie_sent in (cookie, None):
        status, minimal = request(base, MINIMAL, cookie_sent)
        if status != 200 or minimal != "ok":
            raise RuntimeError(f"GET {MINIMAL} answered {status}: {minimal[:200]!r}")
    return {"rows": len(shown), "body_bytes": len(body.encode())}


# --- the measure -------------------------------------------------------------------------


def run(args) -> list[common.Result]:
    if shutil.which("wrk") is None:
        raise RuntimeError("The throughput measure needs wrk: apt-get install wrk")
    check_static_manifest()
    partnership = fixtures.largest_partnership()
    manager = fixtures.member(partnership, Role.PARTNERSHIP_MANAGER)
    if manager is None:
        raise RuntimeError(f"{partnership} has no active partnership manager")
    client = fixtures.signed_in(manager)  # session saved in the database, second factor done
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    references = set(
        Incident.objects.filter(partnership=partnership).values_list("reference", flat=True)
    )

    incidents = Target("signed-in incident list", INCIDENTS, signed_in=True)
    minimal = Target("signed-in minimal view", MINIMAL, signed_in=True)
    anonymous = Target("anonymous minimal view", MINIMAL, signed_in=False)
    targets = [incidents, minimal, anonymous]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as workdir:
        log = Path(workdir) / "gunicorn.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONUNBUFFERED": "1",
        }
        with log.open("ab") as log_file:  # gunicorn's and the project's log lines
            process = subprocess.Popen(
                gunicorn_command(port),
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, ended as one in stop()
            )
        try:
            wait_until_serving(base, process, log)
            page = check_pages(base, cookie, references)
            for target in targets:
                target.warmup.append(wrk(base, target, cookie, WARMUP_SECONDS, process.pid))
            for i in range(ROUNDS):
                # The compared pair stays adjacent; which of them goes first alternates.
                for target in targets if i % 2 == 0 else targets[::-1]:
                    target.runs.append(wrk(base, target, cookie, WRK_SECONDS, process.pid))
                    cpu = target.runs[-1].cpu_ms_per_request
                    print(
                        f"   round {i + 1}: {target.label} {target.runs[-1].rps:.1f} req/s"
                        + ("" if cpu is None else f", server CPU {cpu:.1f} ms/request"),
                        flush=True,
                    )
            after = check_pages(base, cookie, references)  # the session held throughout
            server_log = tail(log, 20)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n--- gunicorn log ---\n{tail(log)}") from exc
        finally:
            stop(process)

    return [result(incidents, minimal, anonymous, page, after, server_log)]


def result(
    incidents: Target,
    minimal: Target,
    anonymous: Target,
    page: dict,
    after: dict,
    server_log: str,
) -> common.Result:
    pairs = zip(incidents.runs, minimal.runs, strict=True)
    paired = [i.rps / m.rps if m.rps else 0.0 for i, m in pairs]
    median_round = sorted(range(len(paired)), key=paired.__getitem__)[len(paired) // 2]
    project = incidents.runs[median_round].rps
    anchor = minimal.runs[median_round].rps
    floor = anonymous.median("rps")

    problems = [
        f"{target.label}: {run_.non_2xx_3xx} non-2xx/3xx responses, "
        f"socket errors {run_.socket_errors}"
        for target in (incidents, minimal, anonymous)
        for run_ in target.warmup + target.runs
        if run_.errors
    ]
    # wrk counts a 3xx as a success: a redirect to sign-in would be small, so every
    # incident-list response must be about the size of the page checked before.
    for run_ in incidents.runs:
        if run_.bytes_per_response < 0.9 * page["body_bytes"]:
            problems.append(
                f"incident list responses average {run_.bytes_per_response:.0f} bytes, "
                f"the page is {page['body_bytes']} bytes: some were not the list"
            )
    if after["rows"] != page["rows"]:
        problems.append(
            f"the list showed {page['rows']} rows before the runs, {after['rows']} after"
        )
    measured = project
    if problems:
        project = 0.0  # any error fails the measure; the figures measured are in `size`

    def cpu_ms(target: Target) -> float | None:
        cpu = target.median("cpu_ms_per_request")
        return None if cpu is None else round(cpu, 2)

    def share(target: Target, attr: str) -> float | None:
        values = [getattr(r, attr) for r in target.runs]
        if None in values:
            return None
        return round(
            statistics.median(
                v * 1000 / r.requests for v, r in zip(values, target.runs, strict=True)
            ),
            2,
        )

    cpu_incidents, cpu_minimal = cpu_ms(incidents), cpu_ms(minimal)
    cpu_note = ""
    if cpu_incidents and cpu_minimal:
        cpu_note = (
            f"Server CPU per request (gunicorn workers + PostgreSQL, medians): incident "
            f"list {cpu_incidents:.1f} ms, signed-in minimal {cpu_minimal:.1f} ms, anonymous "
            f"minimal {cpu_ms(anonymous) or 0:.1f} ms: were server CPU the only limit, the "
            f"ratio would be about {cpu_minimal / cpu_incidents:.2f}."
        )

    def figures(target: Target) -> dict:
        return {
            "rps_runs": [round(r.rps, 1) for r in target.runs],
            "p50_ms_runs": [round(r.p50_ms, 1) for r in target.runs],
            "p99_ms_runs": [round(r.p99_ms, 1) for r in target.runs],
            "rps_median": round(target.median("rps"), 1),
            "p50_ms_median": round(target.median("p50_ms"), 2),
            "p99_ms_median": round(target.median("p99_ms"), 2),
            "server_cpu_ms_per_request_median": cpu_ms(target),
            "workers_cpu_ms_per_request_median": share(target, "cpu_workers_s"),
            "postgres_cpu_ms_per_request_median": share(target, "cpu_db_s"),
            "requests": sum(r.requests for r in target.runs),
            "errors": sum(r.errors for r in target.warmup + target.runs),
        }

    def latency(target: Target) -> str:
        return f"p50 {target.median('p50_ms'):.1f} ms, p99 {target.median('p99_ms'):.1f} ms"

    notes = (
        f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s --latency on loopback "
        f"against gunicorn ({WORKERS} sync workers), {ROUNDS} rounds after a "
        f"{WARMUP_SECONDS} s warm-up of each page; both pages with the same signed-in, "
        f"2FA-verified session of the largest partnership's manager. Round ratios "
        f"{', '.join(f'{r:.2f}' for r in paired)}; figures of round {median_round + 1} "
        f"(the median ratio): incident list {measured:.1f} req/s, signed-in minimal view "
        f"{anchor:.1f} req/s. Medians over the rounds: incident list "
        f"{incidents.median('rps'):.1f} req/s ({latency(incidents)}), signed-in minimal "
        f"{minimal.median('rps'):.1f} req/s ({latency(minimal)}), anonymous minimal view "
        f"(no session, no queries) {floor:.1f} req/s ({latency(anonymous)}). "
        f"{page['rows']} rows on the incident page, {page['body_bytes']} bytes. "
        f"{cpu_note}"
    )
    if problems:
        notes = "ERRORS, project set to 0: " + "; ".join(problems) + ". " + notes
        if server_log:
            notes += f" gunicorn log: {server_log}"
    return common.Result(
        name="throughput",
        title="Throughput, signed-in incident list (gunicorn 2 workers)",
        project=project,
        anchor=anchor,
        anchor_name="minimal Django view, same settings",
        target=f"ratio >= {MIN_RATIO:.3f}",
        min_ratio=MIN_RATIO,
        unit="req/s",
        size={
            "server": f"gunicorn {WORKERS} sync workers, access log off, 127.0.0.1",
            "load": f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s --latency",
            "rounds": ROUNDS,
            "warmup_s": WARMUP_SECONDS,
            "incident_rows_on_page": page["rows"],
            "incident_page_bytes": page["body_bytes"],
            "round_ratios": [round(r, 3) for r in paired],
            "reported_round": median_round + 1,
            "incident_list": figures(incidents),
            "minimal_signed_in": figures(minimal),
            "minimal_anonymous": figures(anonymous),
            "ratio_to_anonymous_minimal": round(measured / floor, 3) if floor else None,
            "cpu_ratio": round(cpu_minimal / cpu_incidents, 3)
            if cpu_incidents and cpu_minimal
            else None,
        },
        notes=notes,
        samples=ROUNDS,
    )
