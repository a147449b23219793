# Written by hand: 0021 dated every existing role by the event of its making, also a role
# an administrator had since moved to another partnership (or given to another person).
# Such a role is given where it is now, to whom it is now, by its last audited move
# (ADR 0022, addendum "roles moved before they were dated"). 0021 has run in
# deployments and is left as it is.

from django.db import migrations, models


def date_from_the_move(apps, schema_editor):
    """Each role moved before `since` was recorded is dated by its last move.

    The administration site audited a move as an update of the membership whose changes
    name `partnership_id` or `user_id` (old and new). A move made once `since` existed
    names `since` too, and the role was dated by it then: those are left alone, as is a
    role dated later than its last move.
    """
    AuditEvent = apps.get_model("safeguarding", "AuditEvent")
    Membership = apps.get_model("safeguarding", "Membership")
    moved = (
        AuditEvent.objects.filter(object_type="safeguarding.membership", action="update")
        .filter(models.Q(changes__has_key="partnership_id") | models.Q(changes__has_key="user_id"))
        .exclude(changes__has_key="since")
        .values("object_id")
        .annotate(last=models.Max("occurred_at"))
        .values_list("object_id", "last")
    )
    for object_id, last in moved.iterator():
        if object_id.isdigit():
            Membership.objects.filter(
                models.Q(since__isnull=True) | models.Q(since__lt=last), pk=int(object_id)
            ).update(since=last)


class Migration(migrations.Migration):

    dependencies = [
        ("safeguarding", "0021_membership_since"),
    ]

    operations = [
        migrations.RunPython(date_from_the_move, migrations.RunPython.noop),
    ]
