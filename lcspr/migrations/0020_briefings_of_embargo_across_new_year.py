import hashlib
import json

from django.db import migrations

# The briefing's fields and content hash as lcspr.services.briefing made them when this
# migration was written: kept here, as a migration must not change with the application.
FIELDS = (
    "title",
    "background",
    "key_learning",
    "practice_improvement",
    "discussion_questions",
    "links",
)


def _hash(values: dict, partnership_name: str, year: int) -> str:
    payload = json.dumps([values, partnership_name, year], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def mark_briefings_of_the_earlier_year(apps, schema_editor):
    """Migration 0019 dated an embargoed review's public copy from the end of its embargo,
    but its learning briefing (PDF and presentation, the case's and the public copy) was
    made with the year publication was recorded: an embargo ending in a later year left
    the earlier year on it. Making the files again needs the application's renderers,
    which a migration must not depend on. Instead the case's briefing, where it was made
    with that earlier year, loses its content hash: the review's page then says the public
    pages show an earlier version of the briefing, and the next correction of the public
    copy (or save of the briefing) makes it again, with the year the public first read it,
    and publishes it."""
    LearningBriefing = apps.get_model("lcspr", "LearningBriefing")
    PublishedReview = apps.get_model("lcspr", "PublishedReview")
    embargoed = PublishedReview.objects.filter(embargo_until__isnull=False)
    partnership_names = dict(embargoed.values_list("source_review_id", "partnership__name"))
    briefings = LearningBriefing.objects.filter(
        review_id__in=partnership_names,
        review__published_on__isnull=False,
        review__embargo_until__isnull=False,
    ).select_related("review")
    for briefing in briefings:
        review = briefing.review
        recorded, public = review.published_on, review.embargo_until
        if public <= recorded or public.year == recorded.year:
            continue
        values = {f: getattr(briefing, f) for f in FIELDS}
        if briefing.content_hash == _hash(values, partnership_names[review.pk], recorded.year):
            briefing.content_hash = ""
            briefing.save(update_fields=["content_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("lcspr", "0019_published_dated_from_embargo"),
    ]

    operations = [
        migrations.RunPython(mark_briefings_of_the_earlier_year, migrations.RunPython.noop),
    ]
