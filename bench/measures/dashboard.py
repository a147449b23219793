"""Dashboard: the manager of the largest partnership, and a regional viewer (issue 9).

Both are the home page `/` (a manager's home is the deadlines dashboard; a regional
viewer's is the figures for the partnerships of the region). Project: the whole signed-in
request through Django's test client. Anchor: PostgreSQL running the same statements.
"""

from __future__ import annotations

from bench import common, fixtures
from safeguarding.models import Role


def run(args) -> list[common.Result]:
    partnership = fixtures.largest_partnership()
    manager = fixtures.member(partnership, Role.PARTNERSHIP_MANAGER)
    regional = fixtures.regional_viewer(partnership.region)

    def is_dashboard(response):
        if b"Overdue" not in response.content:
            raise RuntimeError("The manager's home page is not the dashboard")

    def is_regional(response):
        if partnership.name.encode() not in response.content:
            raise RuntimeError("The regional home page does not list the partnerships")

    return [
        # The floor: a view that does nothing, signed in, through the same middleware. Its
        # only queries are the session, the user, the second factor and the roles.
        common.page_measure(
            fixtures.signed_in(manager),
            "/bench/minimal",
            name="page_floor",
            title="Floor: a signed-in view that does nothing",
            repeat=args.repeat,
            max_ratio=None,
        ),
        common.page_measure(
            fixtures.signed_in(manager),
            "/",
            name="dashboard_manager",
            title="Dashboard, manager of the largest partnership",
            repeat=args.repeat,
            size={"partnership": partnership.code},
            check=is_dashboard,
        ),
        common.page_measure(
            fixtures.signed_in(regional),
            "/",
            name="dashboard_regional",
            title=f"Dashboard, regional viewer ({partnership.region.code})",
            repeat=args.repeat,
            size={"region": partnership.region.code},
            check=is_regional,
        ),
    ]
