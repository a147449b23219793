"""When an action was given to its agency, apart from when it was added: giving it to
another agency restarts its e-mail's re-queue window without rewriting `created_at`."""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def from_created_at(apps, schema_editor):
    # Until now the window ran from `created_at` (empty for actions added before the
    # e-mail existed: those stay empty, and are never sent late).
    apps.get_model("lcspr", "Action").objects.update(assigned_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("lcspr", "0022_administration_site_plain_labels")]

    operations = [
        migrations.AddField(
            model_name="action",
            name="assigned_at",
            field=models.DateTimeField(blank=True, default=timezone.now, null=True),
        ),
        migrations.RunPython(from_created_at, migrations.RunPython.noop),
    ]
