"""The figures of a scale run and the row counts that follow from them (no random draws)."""

from __future__ import annotations

import datetime as dt

#: The national figures at --scale 1.0 (issue 9).
FULL = {
    "incidents": 50_000,
    "requests": 250_000,
    "lcsprs": 20_000,
    "actions": 100_000,
    "audit_events": 10_000_000,
}
CODE_REGEX = r"^S[0-9]{3}$"
AGENCIES = 60
AGENCIES_PER_PARTNERSHIP = 12
UTC = dt.UTC


def targets(scale: float) -> dict[str, int]:
    return {name: max(1, round(n * scale)) for name, n in FULL.items()}


def incident_kind(i: int) -> str:
    """What happens to incident number i (by index, so counts follow from the options)."""
    if i % 50 == 0:
        return "recent"  # aware in the last few weeks, not yet notified: open clock
    if i % 20 == 7:
        return "recorded"  # looked-after / care leaver death: notified, no rapid review
    if i % 25 == 13:
        return "not_notified"  # decided not to notify
    return "rapid_review"


def children_of(i: int) -> int:
    return 1 + (i % 4 == 1) + (i % 20 == 3)


def regions_for(partnerships: int) -> int:
    return min(9, partnerships)


def expected_counts(scale: float, partnerships: int, years: int) -> dict[str, int]:
    """Row counts the seed must produce (independent of the random draws)."""
    t = targets(scale)
    n = t["incidents"]
    rr = sum(incident_kind(i) == "rapid_review" for i in range(n))
    regions = regions_for(partnerships)
    return {
        "regions": regions,
        "partnerships": partnerships,
        # A manager and an officer per partnership, a regional viewer per region.
        "users": 2 * partnerships + regions,
        "memberships": 2 * partnerships + regions,
        "agencies": AGENCIES,
        "incidents": n,
        "children": sum(children_of(i) for i in range(n)),
        "rapid_reviews": rr,
        "information_requests": t["requests"],
        "lcsprs": min(t["lcsprs"], rr),  # exact unless nearly every review is still open
        "actions": t["actions"],
        "audit_events": t["audit_events"],
    }


def spread(total: int, buckets: int) -> list[int]:
    """`total` split over `buckets` as evenly as possible (exact sum)."""
    if buckets == 0:
        return []
    base, extra = divmod(total, buckets)
    return [base + (b < extra) for b in range(buckets)]
