"""A region's name is unique whatever its capitals ("Midshire" and "midshire" could not be
told apart in a list, a filter or a regional viewer's role), as a partnership's is (0028)."""

import django.db.models.functions.text
from django.db import migrations, models


def tell_apart_names_differing_only_in_case(apps, schema_editor):
    """Before the constraint: a database whose names differ in more than capitals is left
    as it is. Of two or more regions whose names differ only in capitals, the first made
    keeps its name; each later one has its code added in brackets ("midshire (midshire-2)",
    codes are unique), to be renamed by hand, and is named in the output."""
    Region = apps.get_model("safeguarding", "Region")
    rows = list(Region.objects.order_by("pk").values_list("pk", "name", "code"))
    taken = {name.lower() for _pk, name, _code in rows}
    kept: set[str] = set()
    for pk, name, code in rows:
        if name.lower() not in kept:
            kept.add(name.lower())
            continue
        suffix, number = f" ({code})", 1
        new = name[: 120 - len(suffix)] + suffix
        while new.lower() in taken:
            number += 1
            suffix = f" ({code} {number})"
            new = name[: 120 - len(suffix)] + suffix
        taken.add(new.lower())
        kept.add(new.lower())
        Region.objects.filter(pk=pk).update(name=new)
        print(f"\n  Region {pk}: same name as another ignoring capitals; renamed {new!r}")


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0031_people_and_roles"),
    ]

    operations = [
        migrations.RunPython(tell_apart_names_differing_only_in_case, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="region",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                name="region_name_unique_ignoring_case",
                violation_error_message="There is already a region with this name",
            ),
        ),
    ]
