"""Writing many rows at once: PostgreSQL COPY, or bulk_create on other databases.

Used where a service writes thousands of rows in one go (recomputing clocks after a
calendar change) and by the scale seed. Rows are tuples in the order of `fields`
(attribute names: "deadline_id" or "deadline" both work); JSON fields take Python values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection, models


def copy_rows(
    model: type[models.Model], fields: list[str], rows: Iterable[tuple], *, batch_size: int = 5000
) -> int:
    """Insert `rows` into `model`'s table; returns how many. No signals, no save()."""
    meta_fields = [model._meta.get_field(f) for f in fields]
    n = 0
    if connection.vendor == "postgresql":
        json_at = [i for i, f in enumerate(meta_fields) if isinstance(f, models.JSONField)]
        cols = ", ".join(connection.ops.quote_name(f.column) for f in meta_fields)
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({cols}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i])
                copy.write_row(row)
                n += 1
        return n
    names = [f.attname for f in meta_fields]
    batch: list[models.Model] = []
    for row in rows:
        batch.append(model(**dict(zip(names, row, strict=True))))
        if len(batch) >= batch_size:
            n += len(model.objects.bulk_create(batch, batch_size=batch_size))
            batch = []
    return n + len(model.objects.bulk_create(batch, batch_size=batch_size))
