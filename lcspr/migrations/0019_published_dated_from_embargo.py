from django.db import migrations
from django.db.models import F
from django.db.models.functions import ExtractYear


def date_from_embargo(apps, schema_editor):
    """Public copies of embargoed reviews were dated (and listed, archived and filtered
    by year) from the day publication was recorded, before the public could read them:
    date them from the end of the embargo, as publication now does."""
    PublishedReview = apps.get_model("lcspr", "PublishedReview")
    PublishedReview.objects.filter(embargo_until__gt=F("published_on")).update(
        published_on=F("embargo_until"), year=ExtractYear("embargo_until")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("lcspr", "0018_review_closed_from"),
    ]

    operations = [
        migrations.RunPython(date_from_embargo, migrations.RunPython.noop),
    ]
