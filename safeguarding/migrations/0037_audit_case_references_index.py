"""An index of the case references a hand-over of deadlines names (ADR 0005 addendum), so
the audit trail's Record filter finds a hand-over from any of its cases' references. On
PostgreSQL only: a GIN index of the `references` list in an event's changes, of the
events that have one (a partial index: the rest of the trail costs nothing to write). The
events stored before already hold the list: the index covers them as it is built. The
embedded SQLite default searches the list's text instead (`filters.naming_case`)."""

from django.db import migrations

INDEX = "audit_case_references"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON safeguarding_auditevent "
            "USING gin ((changes -> 'references') jsonb_path_ops) "
            "WHERE changes ? 'references'"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("safeguarding", "0036_refused_requests_in_the_audit_trail")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
