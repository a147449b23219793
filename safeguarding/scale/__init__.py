"""National-scale synthetic data for benchmarks (issue 9, item 1): `manage.py seed_scale`.

Deterministic for a given seed, options and `today`: every random choice comes from one
`random.Random(seed)`, and the row counts of the main tables follow from the options alone
(`expected_counts`). Scale data is recognisable: partnership codes are "S" + three digits
(S001...), regions are "scale-N", agencies "Scale agency NN", users @sNNN.scale.example
and one regional viewer per region, regional@scale-N.scale.example.

Parents whose ids are needed later (incidents, rapid reviews, requests, local reviews,
recommendations) go in with `bulk_create`; the big leaf tables (children, returns,
actions, deadlines, audit events) go in with PostgreSQL COPY (bulk_create on SQLite).

Modules: `plan` (the figures and the counts that follow from them), `base` (the plumbing
every stage uses), one module per stage (`people`, `incidents`, `rapid_reviews`,
`local_reviews`, `records`) and `seeder` (the order they run in).
"""

from safeguarding.scale.plan import (
    AGENCIES,
    AGENCIES_PER_PARTNERSHIP,
    CODE_REGEX,
    FULL,
    children_of,
    expected_counts,
    incident_kind,
    spread,
    targets,
)
from safeguarding.scale.seeder import Seeder

__all__ = [
    "AGENCIES",
    "AGENCIES_PER_PARTNERSHIP",
    "CODE_REGEX",
    "FULL",
    "Seeder",
    "children_of",
    "expected_counts",
    "incident_kind",
    "spread",
    "targets",
]
