"""Regions, partnerships and their closure days, agencies, and the people who use them."""

from __future__ import annotations

import datetime as dt

from safeguarding import calendar
from safeguarding.models import (
    Agency,
    ClosureDay,
    Membership,
    Partnership,
    Region,
    Role,
    User,
)
from safeguarding.scale.plan import AGENCIES, AGENCIES_PER_PARTNERSHIP, UTC, regions_for

UNUSABLE_PASSWORD = "!scale-unusable"


class PeopleMixin:
    def make_regions(self) -> int:
        self.regions = self.bulk(
            Region,
            [
                Region(name=f"Scale region {r + 1}", code=f"scale-{r + 1}")
                for r in range(regions_for(self.partnerships_n))
            ],
        )
        return len(self.regions)

    def make_partnerships(self) -> int:
        self.parts = self.bulk(
            Partnership,
            [
                Partnership(
                    name=f"Scale partnership {p + 1:03d}",
                    code=f"S{p + 1:03d}",
                    local_authority=f"Scale council {p + 1:03d}",
                    contact_email=f"team@s{p + 1:03d}.scale.example",
                    region=self.regions[p % len(self.regions)],
                )
                for p in range(self.partnerships_n)
            ],
        )
        return len(self.parts)

    def make_closures(self) -> int:
        """A business-unit closure on 24 December (when a working day) each year."""
        rows = []
        self.closures: dict[int, dict[dt.date, str]] = {p.pk: {} for p in self.parts}
        for year in [*self.years, self.today.year + 1]:
            day = dt.date(year, 12, 24)
            if calendar.is_working_day(day):
                for p in self.parts:
                    rows.append(ClosureDay(partnership=p, date=day, reason="Office closed"))
                    self.closures[p.pk][day] = "Office closed"
        return len(self.bulk(ClosureDay, rows))

    def make_agencies(self) -> int:
        kinds = list(Agency.Kind.values)
        self.agencies = self.bulk(
            Agency,
            [
                Agency(name=f"Scale agency {a + 1:02d}", kind=kinds[a % len(kinds)])
                for a in range(AGENCIES)
            ],
        )
        through = Agency.partnerships.through
        links, self.agencies_of = [], {}
        for n, p in enumerate(self.parts):
            served = [
                self.agencies[(n * 7 + k) % AGENCIES] for k in range(AGENCIES_PER_PARTNERSHIP)
            ]
            self.agencies_of[p.pk] = served
            links += [through(agency_id=a.pk, partnership_id=p.pk) for a in served]
        self.bulk(through, links)
        return len(self.agencies)

    def make_users(self) -> int:
        """A partnership manager and a review officer for each partnership."""
        users, self.manager, self.officer = [], {}, {}
        for p in self.parts:
            for role in ("manager", "officer"):
                users.append(
                    User(
                        email=f"{role}@{p.code.lower()}.scale.example",
                        full_name=f"{role.title()} {p.code}",
                        password=UNUSABLE_PASSWORD,
                    )
                )
        users = self.bulk(User, users)
        memberships = []
        # In post since the data's first year, so that the trail shows them whole (a
        # role dated today would hide every sign-in seeded before it: ADR 0022).
        since = dt.datetime(self.years[0], 1, 1, tzinfo=UTC)
        for n, p in enumerate(self.parts):
            self.manager[p.pk], self.officer[p.pk] = users[2 * n], users[2 * n + 1]
            memberships += [
                Membership(
                    user=users[2 * n], partnership=p, role=Role.PARTNERSHIP_MANAGER, since=since
                ),
                Membership(
                    user=users[2 * n + 1], partnership=p, role=Role.REVIEW_OFFICER, since=since
                ),
            ]
        self.bulk(Membership, memberships)
        return len(users)

    def make_regional_viewers(self) -> int:
        """A regional viewer for each region (no partnership). No random draws: it runs last
        so that adding it left every other row of a given seed as it was."""
        users = self.bulk(
            User,
            [
                User(
                    email=f"regional@{region.code}.scale.example",
                    full_name=f"Regional viewer {region.code}",
                    password=UNUSABLE_PASSWORD,
                )
                for region in self.regions
            ],
        )
        self.bulk(
            Membership,
            [
                Membership(user=user, region=region, role=Role.REGIONAL_VIEWER)
                for user, region in zip(users, self.regions, strict=True)
            ],
        )
        return len(users)
