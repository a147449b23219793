"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit events."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION safeguarding_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS safeguarding_auditevent_append_only ON safeguarding_auditevent;
CREATE TRIGGER safeguarding_auditevent_append_only
    BEFORE UPDATE OR DELETE ON safeguarding_auditevent
    FOR EACH ROW EXECUTE FUNCTION safeguarding_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS safeguarding_auditevent_append_only ON safeguarding_auditevent;
DROP FUNCTION IF EXISTS safeguarding_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("safeguarding", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
