"""An action is measured on the day it was completed (ADR 0008): its clock now stops when
it is marked complete, not when a manager signs it off. Actions already complete and
waiting for the sign-off have their clock stopped on the day they were completed."""

from django.db import migrations
from django.utils import timezone


def stop_clocks_of_complete_actions(apps, schema_editor):
    Action = apps.get_model("lcspr", "Action")
    Deadline = apps.get_model("safeguarding", "Deadline")
    today = timezone.localdate()
    for pk, completed_on in (
        Action.objects.filter(status="complete").values_list("pk", "completed_on").iterator()
    ):
        Deadline.objects.filter(
            subject_type="lcspr.action",
            subject_id=pk,
            kind="action",
            key="",
            closed_on__isnull=True,
        ).update(closed_on=completed_on or today, outcome="met", updated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("lcspr", "0014_reviewer_notice"),
        ("safeguarding", "0016_password_reset_sent_at"),
    ]

    operations = [
        migrations.RunPython(stop_clocks_of_complete_actions, migrations.RunPython.noop),
    ]
