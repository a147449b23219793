"""`Seeder`: the stages of a scale run, in the order that fixes the random draws."""

from __future__ import annotations

from safeguarding.scale.base import SeederBase
from safeguarding.scale.incidents import IncidentsMixin
from safeguarding.scale.local_reviews import LocalReviewsMixin
from safeguarding.scale.people import PeopleMixin
from safeguarding.scale.rapid_reviews import RapidReviewsMixin
from safeguarding.scale.records import RecordsMixin


class Seeder(
    PeopleMixin,
    IncidentsMixin,
    RapidReviewsMixin,
    LocalReviewsMixin,
    RecordsMixin,
    SeederBase,
):
    """Fills the database for `manage.py seed_scale`.

    Every stage draws from the one `self.rng`, so the order below is part of the data: a
    stage added before another changes every row after it. Add new stages that draw at
    the end, and stages that do not draw anywhere after the last one that does.
    """

    def run(self) -> list[tuple[str, int, float]]:
        self.timed("regions", self.make_regions)
        self.timed("partnerships", self.make_partnerships)
        self.timed("closure days", self.make_closures)
        self.timed("agencies", self.make_agencies)
        self.timed("users and memberships", self.make_users)
        self.timed("incidents", self.make_incidents)
        self.timed("children", self.make_children)
        self.timed("rapid reviews", self.make_rapid_reviews)
        self.timed("information requests", self.make_requests)
        self.timed("agency returns", self.make_returns)
        self.timed("local reviews (LCSPR)", self.make_lcsprs)
        self.timed("recommendations", self.make_recommendations)
        self.timed("actions", self.make_actions)
        self.timed("deadlines", self.make_deadlines)
        self.timed("audit events", self.make_audit)
        # Last, so the rows above are the same as before regional viewers were added.
        self.timed("regional viewers", self.make_regional_viewers)
        if self.postgres:
            self.timed("analyze", self.analyze)
        return self.timings
