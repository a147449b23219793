"""The documented backup (pg_dump -Fc) restores (pg_restore) with the data and the audit
trigger intact: the pg_dump and pg_restore of docs/deploy.md (without its encryption
step), run against the test database."""

import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from safeguarding.models import AuditEvent

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _pg_args(settings_dict):
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    return args


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backups")
def test_dump_and_restore_keeps_cases_and_the_audit_guard(make_incident, tmp_path):
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "PostgreSQL client tools"
    incident = make_incident(children=2)
    audit_count = AuditEvent.objects.count()
    db = connection.settings_dict
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    dump = tmp_path / "safeguarding.dump"
    subprocess.run(
        ["pg_dump", *_pg_args(db), "-Fc", "-f", str(dump), db["NAME"]],
        check=True,
        env={**env, "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    restored = f"restore_{uuid.uuid4().hex[:10]}"
    subprocess.run(
        ["createdb", *_pg_args(db), restored],
        check=True,
        timeout=60,
        env={**env, "PATH": "/usr/bin:/bin"},
    )
    try:
        subprocess.run(
            ["pg_restore", *_pg_args(db), "--no-owner", "-d", restored, str(dump)],
            check=True,
            timeout=120,
            env={**env, "PATH": "/usr/bin:/bin"},
        )
        dsn = {
            "dbname": restored,
            "user": db.get("USER") or None,
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "password": db.get("PASSWORD") or None,
        }
        with psycopg.connect(**{k: v for k, v in dsn.items() if v}) as conn:
            row = conn.execute(
                "SELECT reference, notification_due FROM notifications_incident WHERE id = %s",
                [incident.pk],
            ).fetchone()
            assert row == (incident.reference, incident.notification_due)
            names = {
                r[0]
                for r in conn.execute(
                    "SELECT name FROM notifications_child WHERE incident_id = %s", [incident.pk]
                )
            }
            assert names == {"Child Name 0", "Child Name 1"}
            count = conn.execute("SELECT count(*) FROM safeguarding_auditevent").fetchone()[0]
            assert count == audit_count
            with pytest.raises(psycopg.Error, match="append-only"):
                conn.execute("UPDATE safeguarding_auditevent SET object_repr = 'x'")
    finally:
        subprocess.run(
            ["dropdb", *_pg_args(db), "--if-exists", restored],
            timeout=60,
            env={**env, "PATH": "/usr/bin:/bin"},
        )
