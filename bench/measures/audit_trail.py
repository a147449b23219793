"""The audit trail page (`/audit/`) of the manager of the largest partnership: its first
page, a deep one, and the first page filtered to the partnership, over the national trail
of 10 million events.

The pages are keyset pages (ADR 0023): "Older events" carries the key of the last event
shown. The deep page is the one a manager reaches by following it 99 times (the events
4,951 to 5,000 of their trail), requested straight from its key.

Issue 9 sets no target for it: the figures are reported, as a page measure (the whole
signed-in GET against PostgreSQL running the same statements). What a manager sees of
the trail is worked out per request (ADR 0022: their partnership's records, and their
people's sign-ins and account changes from when each joined), so a change to that scope
shows here first.
"""

from __future__ import annotations

from bench import common, fixtures
from safeguarding import permissions
from safeguarding.keyset import Key
from safeguarding.models import Role

#: A page deep enough that the events before it are read and passed over (50 a page).
DEEP_PAGE = 100


def run(args) -> list[common.Result]:
    partnership = fixtures.largest_partnership()
    manager = fixtures.member(partnership, Role.PARTNERSHIP_MANAGER)
    client = fixtures.signed_in(manager)

    def is_trail(response):
        if b"Audit trail" not in response.content:
            raise RuntimeError("The page is not the audit trail")

    # The key of the last event before the deep page (read once, with an offset).
    last_before = (
        permissions.audit_events_visible_to(manager)
        .order_by("-occurred_at", "-id")
        .values_list("occurred_at", "id")[(DEEP_PAGE - 1) * 50 - 1]
    )
    deep = f"?before={Key(*last_before)}"
    measures = [("", "audit_trail_first", "Audit trail, first page")]
    measures.append((deep, "audit_trail_deep", f"Audit trail, page {DEEP_PAGE}"))
    # Filtered to the partnership (Home's "Audit trail for …" link): its records, and its
    # people's sign-ins and account events, read in parts (session 19).
    measures.append(
        (
            f"?partnership={partnership.pk}",
            "audit_trail_partnership",
            "Audit trail, one partnership, first page",
        )
    )
    return [
        common.page_measure(
            client,
            f"/audit/{query}",
            name=name,
            title=title,
            repeat=max(3, args.repeat // 3),
            max_ratio=None,
            reported="reported (no target set)",
            size={"partnership": partnership.code},
            check=is_trail,
        )
        for query, name, title in measures
    ]
