"""A due date moved while the agency's return is awaited is kept until the agency is e-mailed
it, so beat's re-queue sends it if the broker was down (rapid_reviews/mail.py). Requests
moved before keep both new columns empty: the re-queue never e-mails them late."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('rapid_reviews', '0011_return_reminder_moved'),
        ('safeguarding', '0023_audit_own_actor_time'),
    ]

    operations = [
        migrations.AddField(
            model_name='informationrequest',
            name='due_date_moved_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='informationrequest',
            name='due_date_was',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='informationrequest',
            index=models.Index(condition=models.Q(('due_date_moved_at__isnull', False)), fields=['due_date_moved_at'], name='request_move_untold'),
        ),
    ]
