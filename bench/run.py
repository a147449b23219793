"""Run the benchmark suite against scale data and write bench/results.json.

    make bench                      # everything, at the full national scale
    .venv/bin/python bench/run.py [--only dashboard,sweep] [--repeat 15] [--profile DIR]

Needs a PostgreSQL database already filled by `manage.py seed_scale` (make bench makes
and fills one). Each measure prints as it goes; at the end a table, and the JSON file
with, for each measure, the project's figure, the anchor's figure from the same run,
their ratio, the target, the data size and the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# Measured as deployed: DEBUG off (cached templates, no query log), so a key is needed.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
# And a public https address, which the web process refuses to start without (it starts
# every link in e-mails and feeds; nothing measured here follows one).
os.environ.setdefault("SITE_URL", "https://bench.invalid")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench import common  # noqa: E402

#: Measure modules in the order they run; each has run(args) -> list[common.Result].
MEASURES = [
    "dashboard",
    "incident_list",
    "audit_cost",
    "audit_trail",
    "sweep",
    "recompute",
    "briefing",
    "throughput",
]


def print_table(results: list[common.Result]) -> None:
    head = f"{'measure':<44} {'project':>11} {'anchor':>11} {'ratio':>7}  {'target':<22} ok"
    print("\n" + head + "\n" + "-" * len(head))
    for r in results:

        def fmt(value, unit=r.unit):
            if value is None:
                return "-"
            return f"{value * 1000:.2f} ms" if unit == "s" else f"{value:.1f} {unit}"

        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        print(
            f"{r.title[:44]:<44} {fmt(r.project):>11} {fmt(r.anchor):>11} {ratio:>7}  "
            f"{r.target:<22} {'yes' if r.passed else 'NO'}"
        )


def markdown_table(results: list[common.Result]) -> str:
    """The figures as bench/README.md shows them."""

    def fmt(value, unit):
        if value is None:
            return "–"
        return f"{value * 1000:,.1f} ms" if unit == "s" else f"{value:,.1f} {unit}"

    lines = [
        "| Measure | Project | Anchor | Ratio | Target | Met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in results:
        ratio = "–" if r.ratio is None else f"{r.ratio:.2f}"
        lines.append(
            f"| {r.title} | {fmt(r.project, r.unit)} | {fmt(r.anchor, r.unit)} | {ratio} | "
            f"{r.target} | {'yes' if r.passed else '**no**'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated measure names")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="also write a pyinstrument profile of each page to DIR/<measure>.txt",
    )
    args = parser.parse_args()
    common.PROFILE_DIR = args.profile
    if connection.vendor != "postgresql":
        raise SystemExit("The benchmarks run on PostgreSQL: set DATABASE_URL.")
    names = args.only.split(",") if args.only else MEASURES
    # Pages are served as deployed: hashed, compressed static files (whitenoise manifest).
    call_command("collectstatic", "--noinput", verbosity=0)
    started = time.time()
    results: list[common.Result] = []
    for name in names:
        module = importlib.import_module(f"bench.measures.{name}")
        print(f"== {name}", flush=True)
        for result in module.run(args):
            results.append(result)
            ratio = "-" if result.ratio is None else f"{result.ratio:.2f}"
            print(
                f"   {result.title}: project {result.project:.6g} {result.unit}, anchor "
                f"{result.anchor} ({result.anchor_name}), ratio {ratio}, "
                f"{'within' if result.passed else 'OUTSIDE'} {result.target}",
                flush=True,
            )
    print_table(results)
    print("\n" + markdown_table(results))
    output = Path(args.output)
    previous = json.loads(output.read_text()) if output.exists() and args.only else {}
    kept = [m for m in previous.get("measures", []) if m["name"] not in {r.name for r in results}]
    document = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.time() - started, 1),
        "machine": common.machine(),
        "data": common.scale_summary(),
        "measures": kept + [r.as_dict() for r in results],
    }
    output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nWrote {output}")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
