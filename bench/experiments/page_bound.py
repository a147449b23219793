"""Experiment: what a page of this service would need to come within 2x of its own SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguarding_bench \
        .venv/bin/python bench/experiments/page_bound.py [--repeat 41] [--rounds 3]

Not part of `make bench` and not the service's code: it takes the scale database that
`make bench` fills, and measures, each against the very SQL it sent (as the suite's page
measures do), a ladder of ever leaner versions of the signed-in incident list:

1. `floor`: the suite's floor, a signed-in view that does nothing, as deployed.
2. `floor, lean identity`: the same, with the session, the user, the second factor and
   the roles each read by one hand-written SQL statement into model instances
   (`Model.from_db`) instead of through the ORM's query compiler. These are patches
   applied only inside this script (`lean_identity()`).
3. `list`: the incident list as deployed.
4. `list, lean identity`: the same, with the patches of 2.
5. `list, hand-written SQL, page template`: patches of 2; a view that reads the count,
   the page of rows and the children by hand-written SQL, then renders the real
   template (layout, filter panel, rows, pagination) with Django's template engine.
6. `list, hand-written SQL, no template`: patches of 2; the same three statements, and
   the 25 rows joined into a bare HTML table: no layout, no filter form, no pagination.

bench/README.md ("Where targets are not met") records what it printed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import statistics
import sys
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.contrib.auth.backends import ModelBackend  # noqa: E402
from django.contrib.sessions.backends import db as session_db  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.html import escape  # noqa: E402
from django_otp import middleware as otp_middleware  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

import bench.urls  # noqa: E402
from bench import common, fixtures  # noqa: E402
from notifications.filters import IncidentFilter  # noqa: E402
from notifications.views.reading import NATURE_LABELS, STATUS_LABELS  # noqa: E402
from safeguarding import permissions  # noqa: E402
from safeguarding.models import Agency, Membership, Partnership, Region, Role, User  # noqa: E402

# --- Lean identity: one hand-written statement each, rows straight into models ----------


def _columns(model, alias: str) -> list[str]:
    return [f'{alias}."{f.column}"' for f in model._meta.concrete_fields]


def _attnames(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _by_id(model) -> str:
    return f"SELECT {', '.join(_columns(model, 't'))} FROM {model._meta.db_table} t WHERE t.id = %s"


USER_SQL, DEVICE_SQL = _by_id(User), _by_id(TOTPDevice)
_PARTS = [(Membership, "m"), (Partnership, "p"), (Region, "r"), (Agency, "a")]
MEMBERSHIPS_SQL = (
    f"SELECT {', '.join(c for model, alias in _PARTS for c in _columns(model, alias))}"
    " FROM safeguarding_membership m"
    " LEFT JOIN safeguarding_partnership p ON p.id = m.partnership_id"
    " LEFT JOIN safeguarding_region r ON r.id = m.region_id"
    " LEFT JOIN safeguarding_agency a ON a.id = m.agency_id"
    " WHERE m.user_id = %s ORDER BY p.name, m.role"
)


def _one(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


class _SessionRow:
    def __init__(self, data):
        self.session_data = data


def _session_from_db(store):
    row = _one(
        "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s",
        [store.session_key, timezone.now()],
    )
    if row is None:
        store._session_key = None
        return None
    return _SessionRow(row[0])


def _get_user(backend, user_id):
    row = _one(USER_SQL, [user_id])
    user = row and User.from_db("default", _attnames(User), row)
    return user if user and backend.user_can_authenticate(user) else None


def _device(middleware, persistent_id):
    label, _, pk = persistent_id.rpartition("/")
    if label != TOTPDevice.model_label():
        return None
    row = _one(DEVICE_SQL, [int(pk)])
    return row and TOTPDevice.from_db("default", _attnames(TOTPDevice), row)


def _memberships(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_sg_memberships", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(MEMBERSHIPS_SQL, [user.pk])
            rows = cursor.fetchall()
        cached = []
        for row in rows:
            objects, start = [], 0
            for model, _alias in _PARTS:
                end = start + len(model._meta.concrete_fields)
                values = row[start:end]
                objects.append(
                    None
                    if values[0] is None
                    else model.from_db("default", _attnames(model), values)
                )
                start = end
            membership, partnership, region, agency = objects
            Membership.partnership.field.set_cached_value(membership, partnership)
            Membership.region.field.set_cached_value(membership, region)
            Membership.agency.field.set_cached_value(membership, agency)
            cached.append(membership)
        user._sg_memberships = cached
    return cached


@contextlib.contextmanager
def lean_identity():
    with contextlib.ExitStack() as stack:
        stack.enter_context(
            mock.patch.object(session_db.SessionStore, "_get_session_from_db", _session_from_db)
        )
        stack.enter_context(mock.patch.object(ModelBackend, "get_user", _get_user))
        stack.enter_context(
            mock.patch.object(otp_middleware.OTPMiddleware, "_device_from_persistent_id", _device)
        )
        stack.enter_context(mock.patch.object(permissions, "memberships_of", _memberships))
        yield


# --- The incident list by hand ---------------------------------------------------------


def _page_by_hand(user):
    ids = sorted(permissions.partnership_ids(user))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM notifications_incident WHERE partnership_id = ANY(%s)", [ids]
        )
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT id, reference, nature, status, notification_due, notified_on"
            " FROM notifications_incident WHERE partnership_id = ANY(%s)"
            " ORDER BY created_at DESC LIMIT 25",
            [ids],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT incident_id, pseudonym FROM notifications_child"
            " WHERE incident_id = ANY(%s) ORDER BY incident_id, position, id",
            [[row[0] for row in rows]],
        )
        children: dict[int, list[str]] = {}
        for incident_id, pseudonym in cursor.fetchall():
            children.setdefault(incident_id, []).append(pseudonym)
    return total, rows, children


def list_bare(request):
    _total, rows, children = _page_by_hand(request.user)
    cells = "".join(
        f"<tr><td><a href='/incidents/{pk}/'>{escape(reference)}</a></td>"
        f"<td>{escape(', '.join(children.get(pk, ())))}</td>"
        f"<td>{NATURE_LABELS.get(nature, '')}</td><td>{STATUS_LABELS.get(status, '')}</td>"
        f"<td>{due:%d %b %Y}</td></tr>"
        for pk, reference, nature, status, due, _notified in rows
    )
    return HttpResponse(f"<table>{cells}</table>")


def list_template(request):
    total, rows, children = _page_by_hand(request.user)
    page = Paginator(range(total), 25).page(1)
    page.object_list = rows
    shown = [
        {
            "reference": reference,
            "url": f"/incidents/{pk}/",
            "children": ", ".join(children.get(pk, ())) or "—",
            "nature": NATURE_LABELS.get(nature) or "—",
            "status": STATUS_LABELS.get(status, status),
            "due": f"{due.day} {due:%b %Y}",
            "overdue": False,
            "late": False,
        }
        for pk, reference, nature, status, due, _notified in rows
    ]
    incident_filter = IncidentFilter(None, user=request.user)
    context = {"filter": incident_filter, "form": incident_filter.form, "page": page}
    context.update(rows=shown, query="", today=timezone.localdate())
    return render(request, "notifications/list.html", context)


bench.urls.urlpatterns[:0] = [
    path("bench/list-bare", list_bare),
    path("bench/list-template", list_template),
]

# --- The ladder ------------------------------------------------------------------------

LADDER = [
    ("floor", "/bench/minimal", False),
    ("floor, lean identity", "/bench/minimal", True),
    ("list", "/incidents/", False),
    ("list, lean identity", "/incidents/", True),
    ("list, hand-written SQL, page template", "/bench/list-template", True),
    ("list, hand-written SQL, no template", "/bench/list-bare", True),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=41)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    manager = fixtures.member(fixtures.largest_partnership(), Role.PARTNERSHIP_MANAGER)
    client = fixtures.signed_in(manager)
    ratios: dict[str, list[float]] = {name: [] for name, _url, _lean in LADDER}
    for round_ in range(1, args.rounds + 1):
        for name, url, lean in LADDER:
            with lean_identity() if lean else contextlib.nullcontext():
                result = common.page_measure(
                    client, url, name=name, title=name, repeat=args.repeat, max_ratio=None
                )
            ratios[name].append(result.ratio)
            print(
                f"round {round_}  {name:40s} {result.project * 1000:6.2f} ms"
                f"  SQL {result.anchor * 1000:5.2f} ms ({result.queries} statements)"
                f"  ratio {result.ratio:.2f}",
                flush=True,
            )
    print("\nMedian ratio over the rounds:")
    for name, values in ratios.items():
        print(f"  {name:40s} {statistics.median(values):.2f}")


if __name__ == "__main__":
    main()
