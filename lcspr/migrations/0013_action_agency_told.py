"""An action's agency is e-mailed when the action is added (lcspr/mail.py). Actions added
before keep both new columns empty, so the requeue never e-mails them late."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lcspr", "0012_recommendation_version_number_once"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="agency_told_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        # Added empty for the rows there are, then given its default for new ones only.
        migrations.AddField(
            model_name="action",
            name="created_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="action",
            name="created_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, null=True),
        ),
    ]
