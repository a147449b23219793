"""Seed the learning themes that reviews keep finding (editable afterwards in admin)."""

from django.db import migrations
from django.utils.text import slugify

THEMES = [
    "Professional curiosity",
    "The voice of the child",
    "Unknown adults in the household",
    "Information sharing",
    "Escalation and professional challenge",
    "Neglect",
    "Domestic abuse",
    "Parental mental health",
    "Substance misuse",
    "Safe sleep",
    "Non-accidental injury in infants",
    "Extra-familial harm",
    "Race, ethnicity and culture",
    "Disability",
    "Fathers and male carers",
    "Children missing education",
    "Adolescent mental health and self-harm",
    "Think family",
]


def add_themes(apps, schema_editor):
    LearningTheme = apps.get_model("lcspr", "LearningTheme")
    for name in THEMES:
        LearningTheme.objects.get_or_create(slug=slugify(name), defaults={"name": name})


def remove_themes(apps, schema_editor):
    apps.get_model("lcspr", "LearningTheme").objects.filter(
        slug__in=[slugify(n) for n in THEMES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("lcspr", "0001_initial")]
    operations = [migrations.RunPython(add_themes, remove_themes)]
