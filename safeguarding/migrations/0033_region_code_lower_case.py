"""A region's code is kept in lower case by the model (`Region.save`) and the database (a
check), not only by the administration site's form: a region made by a script or the
shell kept the capitals it was typed with."""

import django.db.models.functions.text
from django.db import migrations, models


def lower_case_codes(apps, schema_editor):
    """Before the check: each code in capitals is put in lower case. Codes are unique as
    typed, so two differing only in capitals ("Midshire", "midshire") cannot both become
    "midshire": the first made keeps it, each later one gets a number ("midshire-2"), and
    is named in the output."""
    Region = apps.get_model("safeguarding", "Region")
    rows = list(Region.objects.order_by("pk").values_list("pk", "code"))
    taken = {code for _pk, code in rows if code == code.lower()}
    for pk, code in rows:
        if code == code.lower():
            continue
        new, number = code.strip().lower(), 1
        while new in taken:
            number += 1
            suffix = f"-{number}"
            new = code.strip().lower()[: 20 - len(suffix)] + suffix
        taken.add(new)
        Region.objects.filter(pk=pk).update(code=new)
        if new != code.strip().lower():
            print(f"\n  Region {pk}: code {code!r} taken in lower case; now {new!r}")


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0032_region_name_ignoring_case"),
    ]

    operations = [
        migrations.RunPython(lower_case_codes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="region",
            constraint=models.CheckConstraint(
                condition=models.Q(("code", django.db.models.functions.text.Lower("code"))),
                name="region_code_lower_case",
                violation_error_message="Enter the code in lower-case letters",
            ),
        ),
    ]
