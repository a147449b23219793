"""An index of the case references a hand-over of deadlines names (ADR 0005 addendum), so
the audit trail's Record filter finds a hand-over from any of its cases' references. On
PostgreSQL only: a GIN index of the `references` list in an event's changes, of the
events that have one (a partial index: the rest of the trail costs nothing to write). The
events stored before already hold the list: the index covers them as it is built. The
embedded SQLite default searches the list's text instead (`filters.naming_case`).

Built (and dropped) CONCURRENTLY, so outside a transaction (`atomic = False`): a plain
CREATE INDEX would hold up every write to the trail, which every request may make, for
as long as a big trail takes to index. A build that failed half-way leaves an invalid
index that IF NOT EXISTS would keep: dropped first, so a rerun builds it whole."""

from django.db import migrations

INDEX = "audit_case_references"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT NOT i.indisvalid FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s",
                [INDEX],
            )
            found = cursor.fetchone()
        if found and found[0]:  # left invalid by a build that failed: built again
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON safeguarding_auditevent "
            "USING gin ((changes -> 'references') jsonb_path_ops) "
            "WHERE changes ? 'references'"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("safeguarding", "0036_refused_requests_in_the_audit_trail")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
