"""Returns submitted before the "return received" e-mail existed are not e-mailed now.

Beat re-queues e-mailed request changes that have no e-mail row yet, going back
`mail.REQUEUE_WITHIN` (7 days). Without this, every return of the week before the deploy
would be e-mailed at once. Each gets an e-mail row with no recipients, as if handled.
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

LOOK_BACK = dt.timedelta(days=8)  # a day more than the re-queue's window


def mark_handled(apps, schema_editor):
    StatusChange = apps.get_model("rapid_reviews", "StatusChange")
    RequestEmail = apps.get_model("rapid_reviews", "RequestEmail")
    unsent = StatusChange.objects.filter(
        information_request__isnull=False,
        to_status="returned",
        changed_at__gte=timezone.now() - LOOK_BACK,
        email__isnull=True,
    ).values_list("pk", "changed_at")
    RequestEmail.objects.bulk_create(
        [RequestEmail(status_change_id=pk, sent_at=at, recipients=0) for pk, at in unsent],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("rapid_reviews", "0003_request_version")]

    operations = [migrations.RunPython(mark_handled, migrations.RunPython.noop)]
