"""Sending the rapid review to the National Panel on its statutory day 15 no longer has a
step clock beside the statutory clock (ADR 0026): the two fell due on the same day, were
counted twice on the dashboard and reminded twice. The step clocks already made for day 15
are removed; they always matched the statutory clock (both counted from the notification
by the same rule, moved and closed together), so nothing recorded is lost. A step set to
an earlier day (a local target) keeps its clock."""

from django.db import migrations, models

STATUTORY_DAYS = 15


def remove_step_clocks_on_the_statutory_day(apps, schema_editor):
    Deadline = apps.get_model("safeguarding", "Deadline")
    Deadline.objects.filter(
        kind="rr_milestone", key="panel", rule="working_days", amount=STATUTORY_DAYS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rapid_reviews", "0012_request_due_date_untold"),
        ("safeguarding", "0024_membership_invitation_untold_since"),
    ]

    operations = [
        migrations.AlterField(
            model_name="timetable",
            name="panel_day",
            field=models.PositiveSmallIntegerField(
                default=15,
                help_text="Day 15 is the statutory clock itself, so no second clock is kept "
                "for it. An earlier day is a local target with its own clock and reminders.",
                verbose_name="sent to the National Panel by day",
            ),
        ),
        migrations.RunPython(remove_step_clocks_on_the_statutory_day, migrations.RunPython.noop),
    ]
