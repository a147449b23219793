"""A hold no longer moves the statutory publication target (ADR 0015). Reviews resumed
before this change had their target and publication clock moved by the days on hold:
both go back to 6 calendar months after the decision. The days on hold are kept, so the
expected publication date (target plus days on hold) is what it was."""

from dateutil.relativedelta import relativedelta
from django.db import migrations

MONTHS_TO_PUBLISH = 6


def statutory_targets(apps, schema_editor):
    Review = apps.get_model("lcspr", "Review")
    Deadline = apps.get_model("safeguarding", "Deadline")
    for review in Review.objects.filter(days_on_hold__gt=0).iterator():
        target = review.decision_date + relativedelta(months=MONTHS_TO_PUBLISH)
        if review.target_publication != target:
            review.target_publication = target
            review.save(update_fields=["target_publication"])
        Deadline.objects.filter(
            subject_type="lcspr.review", subject_id=review.pk, kind="publication", key=""
        ).exclude(due_date=target).update(
            due_date=target,
            rule="calendar_months",
            trigger_date=review.decision_date,
            amount=MONTHS_TO_PUBLISH,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("lcspr", "0006_review_resumed_on"),
        ("safeguarding", "0015_email_code_action"),
    ]

    operations = [migrations.RunPython(statutory_targets, migrations.RunPython.noop)]
