"""Views reach case data only through the permission-scoped selectors and accessors.

A direct `<CaseModel>.objects` in a view module bypasses the one door (permissions.py and
each app's selectors.py), so it fails here; move the query into a selector that scopes it.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
CASE_APPS = ("notifications", "rapid_reviews", "lcspr")
CORE_CASE_MODELS = ("Deadline", "DeadlineChange", "AuditEvent", "ReminderSent")


def case_model_names() -> set[str]:
    names = set(CORE_CASE_MODELS)
    for label in CASE_APPS:
        names |= {m.__name__ for m in apps.get_app_config(label).get_models()}
    return names


def view_modules():
    for path in ROOT.glob("*/**/*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "node_modules", "tests", "bench"):
            continue
        if path.name == "views.py" or path.name.endswith("_views.py") or "views" in rel.parts[:-1]:
            yield rel.as_posix()


@pytest.mark.parametrize("rel", sorted(view_modules()))
def test_no_direct_case_queries_in_views(rel):
    pattern = re.compile(r"\b(" + "|".join(sorted(case_model_names())) + r")\.objects\b")
    offending = [
        f"{rel}:{n}: {line.strip()}"
        for n, line in enumerate((ROOT / rel).read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offending, "Use a scoped selector instead:\n" + "\n".join(offending)


def test_the_check_sees_the_view_modules():
    assert {"notifications/views/reading.py", "safeguarding/views.py"} <= set(view_modules())
