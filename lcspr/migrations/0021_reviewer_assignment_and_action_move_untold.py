"""A reviewer is e-mailed when assigned to a review, and an action's agency when its due
date moves (lcspr/mail.py).

`Review.reviewers` keeps its table (`lcspr_review_reviewers`), now named as the model
`ReviewerAssignment`, with when each reviewer was assigned and was told. The rows already there
keep both times empty, so the re-queue never e-mails a reviewer assigned before."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lcspr", "0020_briefings_of_embargo_across_new_year"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The table is there already (Django made it for the many-to-many field): only
        # Django's idea of it changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReviewerAssignment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "review",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reviewer_assignments",
                                to="lcspr.review",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "lcspr_review_reviewers",
                        "unique_together": {("review", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="review",
                    name="reviewers",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="assigned_local_reviews",
                        through="lcspr.ReviewerAssignment",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        # Added empty for the rows there are, then given its default for new ones only.
        migrations.AddField(
            model_name="reviewerassignment",
            name="assigned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="reviewerassignment",
            name="assigned_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, null=True),
        ),
        migrations.AddField(
            model_name="reviewerassignment",
            name="told_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="action",
            name="due_date_was",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="action",
            name="due_date_moved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                condition=models.Q(("due_date_moved_at__isnull", False)),
                fields=["due_date_moved_at"],
                name="action_move_untold",
            ),
        ),
    ]
