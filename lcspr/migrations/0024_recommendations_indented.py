"""Public copies keep a recommendation's later lines indented, so that a line of its own
starting "2. " is not read as the next recommendation. Copies made before, whose text is
still exactly what publication wrote from the review's recommendations, are written again
the new way; any other copy (a recommendation changed since) is left as it is, and read
as before."""

from django.db import migrations

INDENT = "   "


def _old(recommendations) -> str:
    return "\n".join(f"{number}. {text}" for number, text in recommendations)


def _new(recommendations) -> str:
    parts = []
    for number, text in recommendations:
        lines = text.replace("\r\n", "\n").split("\n")
        lines = lines[:1] + [INDENT + line if line else line for line in lines[1:]]
        parts.append(f"{number}. " + "\n".join(lines))
    return "\n".join(parts)


def indent(apps, schema_editor):
    Recommendation = apps.get_model("lcspr", "Recommendation")
    PublishedReview = apps.get_model("lcspr", "PublishedReview")
    # Only a recommendation of several lines is written differently.
    reviews = (
        Recommendation.objects.filter(text__contains="\n")
        .values_list("review_id", flat=True)
        .distinct()
    )
    for copy in PublishedReview.objects.filter(source_review_id__in=reviews).only(
        "pk", "source_review_id", "recommendations"
    ):
        recommendations = list(
            Recommendation.objects.filter(review_id=copy.source_review_id)
            .order_by("number", "id")
            .values_list("number", "text")
        )
        if copy.recommendations == _old(recommendations):
            PublishedReview.objects.filter(pk=copy.pk).update(
                recommendations=_new(recommendations)
            )


class Migration(migrations.Migration):
    dependencies = [("lcspr", "0023_action_assigned_at")]

    operations = [migrations.RunPython(indent, migrations.RunPython.noop, elidable=True)]
