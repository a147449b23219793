"""Incident list of the largest partnership: first page, a deep page, and with filters.

Project: the signed-in request through Django's test client. Anchor: PostgreSQL running
the same statements (the page's count, the page of rows, the children prefetch…).
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from bench import common, fixtures
from notifications.models import Incident
from safeguarding.models import Role

PER_PAGE = 25


def run(args) -> list[common.Result]:
    partnership = fixtures.largest_partnership()
    manager = fixtures.member(partnership, Role.PARTNERSHIP_MANAGER)
    client = fixtures.signed_in(manager)
    total = Incident.objects.filter(partnership=partnership).count()
    last_page = max(1, math.ceil(total / PER_PAGE))
    busiest_year = (
        Incident.objects.filter(partnership=partnership)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    filtered = {"status": "notified", "sort": "due"}
    filtered_total = Incident.objects.filter(partnership=partnership, status="notified").count()
    filtered_last = max(1, math.ceil(filtered_total / PER_PAGE))
    size = {"partnership": partnership.code, "incidents_in_partnership": total}

    def has_rows(response):
        if b"govuk-table__row" not in response.content and b"<tr" not in response.content:
            raise RuntimeError("The incident list shows no rows")

    cases = [
        ("incident_list_first", "Incident list, first page", {}),
        ("incident_list_deep", f"Incident list, last page ({last_page})", {"page": last_page}),
        (
            "incident_list_filtered_deep",
            f"Incident list, notified by due date, last page ({filtered_last})",
            {**filtered, "page": filtered_last},
        ),
        (
            "incident_list_search",
            f"Incident list, search and year {busiest_year}",
            {"q": f"{partnership.code}-{busiest_year}", "year": busiest_year},
        ),
    ]
    return [
        common.page_measure(
            client,
            "/incidents/" + (f"?{urlencode(query)}" if query else ""),
            name=name,
            title=title,
            repeat=args.repeat,
            size=size,
            check=has_rows,
        )
        for name, title, query in cases
    ]
