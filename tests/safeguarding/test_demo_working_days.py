"""The demo's dates are the days a partnership's business unit would choose: an action's
due date, a reply's deadline, a meeting, a report approved or sent is on a working day
(not a weekend, a bank holiday or the partnership's closure day), whatever day the demo
is loaded on, a Saturday included (`safeguarding.calendar`). The steps the demo takes
today, as a person would take them now (a return sent, an action marked complete), are
dated today, whatever day that is."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from lcspr.models import Action
from safeguarding import calendar
from safeguarding.models import ClosureDay, Deadline, Partnership

pytestmark = pytest.mark.django_db

# Dates that are not a business unit's choice: a family's days (births, incidents, the
# contacts in an agency's chronology), a closure day (never a working day) and the days a
# statutory rule works out (a clock's date counted in calendar months can be a Sunday).
NOT_CHOSEN = {
    "notifications.child.date_of_birth",
    "notifications.incident.incident_date",
    "rapid_reviews.chronologyentry.date",
    "safeguarding.closureday.date",
    "lcspr.review.target_publication",
    "safeguarding.deadlinechange.old_due",
}
# Dates the services give a step taken today.
DONE_TODAY = {
    "safeguarding.deadline.closed_on",
    "safeguarding.deadline.trigger_date",
    "rapid_reviews.informationrequest.sent_on",
    "rapid_reviews.informationrequest.returned_on",
    "lcspr.action.completed_on",
}


def _partnership_of(obj):
    """The partnership whose closure days count for `obj`, if it has one."""
    for path in (
        "partnership",
        "incident.partnership",
        "rapid_review.incident.partnership",
        "review.partnership",
        "recommendation.review.partnership",
    ):
        found = obj
        for name in path.split("."):
            found = getattr(found, name, None)
        if isinstance(found, Partnership):
            return found
    return None


def _days_on_non_working_days(today: dt.date):
    closures = {p.pk: calendar.closure_days(p) for p in Partnership.objects.all()}
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in ("safeguarding", "notifications", "rapid_reviews", "lcspr"):
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)
        ]
        fields = [f for f in fields if f"{model._meta.label_lower}.{f.name}" not in NOT_CHOSEN]
        if not fields:
            continue
        for obj in model.objects.all():
            if isinstance(obj, Deadline) and obj.rule != Deadline.Rule.FIXED:
                checked = [f for f in fields if f.name == "closed_on"]  # the day it was done
            else:
                checked = fields
            partnership = _partnership_of(obj)
            if isinstance(obj, Deadline):
                partnership = obj.partnership
            shut = closures.get(partnership.pk) if partnership else None
            for field in checked:
                day = getattr(obj, field.attname)
                if not day or calendar.is_working_day(day, partnership=shut):
                    continue
                name = f"{model._meta.label_lower}.{field.name}"
                if day == today and name in DONE_TODAY:
                    continue
                reason = calendar.non_working_reason(day, partnership=shut)
                found.append(f"{name} of {obj!r} ({obj.pk}): {day:%a %-d %b %Y}, {reason}")
    return found


def _last(weekday: int) -> dt.date:
    """The latest day before today that is `weekday` (Monday is 0)."""
    today = timezone.localdate()
    return today - dt.timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)


@pytest.mark.parametrize("loaded_on", ["today", "a Saturday"])
def test_the_demo_sets_its_dates_on_working_days(loaded_on, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    if loaded_on == "a Saturday":
        today, real = _last(5), timezone.localdate
        monkeypatch.setattr(
            timezone, "localdate", lambda value=None: real(value) if value else today
        )
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Action.objects.count() >= 6 and ClosureDay.objects.exists()
    wrong = _days_on_non_working_days(today)
    assert not wrong, "\n".join(wrong)
    _the_requests_steps_closed_when_the_last_request_went(today)


def _the_requests_steps_closed_when_the_last_request_went(today: dt.date):
    """A rapid review's "Information requests sent to agencies" step closed the day its
    last request was sent, a working day before the demo's today: it closed on the day the
    demo was loaded, weeks after its requests (and on a Saturday when loaded on one)."""
    from rapid_reviews.models import Milestone, RapidReview

    steps = Deadline.objects.filter(
        kind=Deadline.Kind.RAPID_REVIEW_MILESTONE,
        key=Milestone.REQUESTS,
        outcome=Deadline.Outcome.MET,  # not the older reviews', cancelled when sent on
    )
    assert steps.count() >= 6
    for step in steps:
        review = RapidReview.objects.get(pk=step.subject_id)
        sent = max(review.requests.values_list("sent_on", flat=True))
        assert step.closed_on == sent, (review, step.closed_on, sent)
        assert step.closed_on < today, (review, step.closed_on)
        assert calendar.is_working_day(step.closed_on, partnership=step.partnership), review
