"""Bring existing clocks in line with three fixes of the clocks (see safeguarding 0010):

- clocks a hold paused were closed as "no longer needed" on the day the review went on
  hold; they become "paused", so resuming reopens only them (not the milestones final
  approval closed as no longer needed on the same day);
- the open "send the final report to the Panel and DfE" clocks are counted back from the
  target publication date under their own rule, which a calendar change recomputes;
- the due dates incidents and rapid reviews keep a copy of are made equal to their open
  clocks again (a calendar change moved the clocks but not the copies).
"""

import datetime as dt

from django.db import migrations
from django.db.models import OuterRef, Subquery

NOTICE_WORKING_DAYS = 7


def _notice_by(day, closures):
    from safeguarding import calendar

    last = day
    while not calendar.is_working_day(last, partnership=closures):
        last -= dt.timedelta(days=1)
    return calendar.add_working_days(last, -NOTICE_WORKING_DAYS, partnership=closures)


def forwards(apps, schema_editor):
    Deadline = apps.get_model("safeguarding", "Deadline")
    ClosureDay = apps.get_model("safeguarding", "ClosureDay")
    Review = apps.get_model("lcspr", "Review")
    Incident = apps.get_model("notifications", "Incident")
    RapidReview = apps.get_model("rapid_reviews", "RapidReview")

    for review in Review.objects.filter(status="on_hold", held_since__isnull=False):
        paused = Deadline.objects.filter(
            subject_type="lcspr.review",
            subject_id=review.pk,
            outcome="cancelled",
            closed_on=review.held_since,
        ).exclude(key="hold_review")
        if review.final_approved_on is not None:
            paused = paused.exclude(kind="lcspr_milestone")
        paused.update(outcome="paused")

    closures: dict[int, dict] = {}
    for pid, day, reason in ClosureDay.objects.values_list("partnership_id", "date", "reason"):
        closures.setdefault(pid, {})[day] = reason
    targets = dict(Review.objects.values_list("pk", "target_publication"))
    for deadline in Deadline.objects.filter(
        kind="pre_publication", closed_on__isnull=True, subject_type="lcspr.review"
    ):
        target = targets.get(deadline.subject_id)
        if target is None:
            continue
        deadline.rule = "days_before"
        deadline.amount = NOTICE_WORKING_DAYS
        deadline.trigger_date = target
        deadline.due_date = _notice_by(target, closures.get(deadline.partnership_id, {}))
        deadline.save(update_fields=["rule", "amount", "trigger_date", "due_date"])

    for model, kind, label, field in (
        (Incident, "notification", "notifications.incident", "notification_due"),
        (RapidReview, "rapid_review", "rapid_reviews.rapidreview", "due_date"),
    ):
        clocks = Deadline.objects.filter(
            subject_type=label, kind=kind, key="", closed_on__isnull=True
        )
        due = clocks.filter(subject_id=OuterRef("pk")).values("due_date")[:1]
        model.objects.filter(pk__in=clocks.values("subject_id")).update(**{field: Subquery(due)})


class Migration(migrations.Migration):
    dependencies = [
        ("lcspr", "0002_learning_themes"),
        ("notifications", "0002_attachments"),
        ("rapid_reviews", "0005_submitted_copy"),
        ("safeguarding", "0010_deadline_notice_rule_and_paused"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
