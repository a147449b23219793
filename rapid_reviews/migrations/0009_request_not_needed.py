"""Information requests still awaited when their rapid review went to the National Panel
become "no longer needed", as the service now does when a review is sent."""

from django.db import migrations, models

AWAITING = ("sent", "more_information")
GONE = ("sent_to_panel", "panel_responded")
NOTE = "The rapid review was sent to the National Panel before the return was submitted."


def close_requests_left_waiting(apps, schema_editor):
    InformationRequest = apps.get_model("rapid_reviews", "InformationRequest")
    StatusChange = apps.get_model("rapid_reviews", "StatusChange")
    waiting = InformationRequest.objects.filter(
        status__in=AWAITING, rapid_review__status__in=GONE
    ).order_by("pk")
    for request in waiting.iterator():
        # Recorded as done by whoever sent the review, when they sent it.
        sent = (
            StatusChange.objects.filter(
                rapid_review_id=request.rapid_review_id,
                information_request__isnull=True,
                to_status="sent_to_panel",
            )
            .order_by("changed_at", "id")
            .first()
        )
        if sent is None:  # a review sent without its history (hand-made data): left alone
            continue
        StatusChange.objects.create(
            rapid_review_id=request.rapid_review_id,
            information_request=request,
            from_status=request.status,
            to_status="not_needed",
            actor_id=sent.actor_id,
            changed_at=sent.changed_at,
            note=NOTE,
        )
        request.status = "not_needed"
        request.version += 1
        request.save(update_fields=["status", "version"])


def reopen_closed_requests(apps, schema_editor):
    """Back to 0008, which knows no "not_needed": each closed request returns to the
    status it was closed from, and its closing rows go."""
    InformationRequest = apps.get_model("rapid_reviews", "InformationRequest")
    StatusChange = apps.get_model("rapid_reviews", "StatusChange")
    closings = StatusChange.objects.filter(
        to_status="not_needed", information_request__isnull=False
    )
    for change in closings.order_by("id").iterator():
        InformationRequest.objects.filter(
            pk=change.information_request_id, status="not_needed"
        ).update(status=change.from_status, version=models.F("version") + 1)
    RequestEmail = apps.get_model("rapid_reviews", "RequestEmail")
    RequestEmail.objects.filter(
        status_change_id__in=list(closings.values_list("id", flat=True))
    )._raw_delete(
        schema_editor.connection.alias
    )
    closings._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("rapid_reviews", "0008_late_reason"),
    ]

    operations = [
        migrations.AlterField(
            model_name="informationrequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("not_sent", "Not sent"),
                    ("sent", "Sent"),
                    ("returned", "Returned"),
                    ("more_information", "More information requested"),
                    ("not_needed", "No longer needed"),
                ],
                default="not_sent",
                max_length=20,
            ),
        ),
        migrations.RunPython(close_requests_left_waiting, reopen_closed_requests),
    ]
