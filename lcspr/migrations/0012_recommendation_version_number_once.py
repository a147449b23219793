"""A recommendation's number is unique within its review (two officers adding one at the
same moment could both take the same number), and a recommendation has a version, so a
change from a page opened before a colleague's is refused."""

from django.db import migrations, models


def number_duplicates_again(apps, schema_editor):
    """Before the constraint: a review with two recommendations of the same number keeps
    the first (by id) and gives each later one the next free number."""
    Recommendation = apps.get_model("lcspr", "Recommendation")
    seen: dict[int, set[int]] = {}
    highest: dict[int, int] = {}
    rows = Recommendation.objects.order_by("review_id", "id").values_list(
        "pk", "review_id", "number"
    )
    for _pk, review_id, number in rows:
        highest[review_id] = max(highest.get(review_id, 0), number)
    for pk, review_id, number in rows:
        numbers = seen.setdefault(review_id, set())
        if number in numbers:
            highest[review_id] += 1
            number = highest[review_id]
            Recommendation.objects.filter(pk=pk).update(number=number)
        numbers.add(number)


class Migration(migrations.Migration):
    dependencies = [
        ("lcspr", "0011_written_request_told"),
    ]

    operations = [
        migrations.AddField(
            model_name="recommendation",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.RunPython(number_duplicates_again, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="recommendation",
            constraint=models.UniqueConstraint(
                fields=("review", "number"), name="lcspr_recommendation_number_once"
            ),
        ),
    ]
