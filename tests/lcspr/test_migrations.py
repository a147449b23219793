"""The data migration that puts back the statutory publication target (ADR 0015)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lcspr.models import Review
from safeguarding.deadlines import Kind, get_deadline
from safeguarding.models import Deadline

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("lcspr", "0006_review_resumed_on")]
AFTER = [("lcspr", "0007_statutory_target_stands")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_a_target_moved_by_an_earlier_hold_goes_back_to_six_months(local_review):
    from dateutil.relativedelta import relativedelta

    statutory = local_review.target_publication
    assert statutory == local_review.decision_date + relativedelta(months=6)
    untouched = get_deadline(local_review, Kind.PUBLICATION)
    migrate(BEFORE)
    try:
        # What a resume did before: the target and the clock moved by 21 days on hold.
        moved = statutory + dt.timedelta(days=21)
        Review.objects.filter(pk=local_review.pk).update(target_publication=moved, days_on_hold=21)
        Deadline.objects.filter(pk=untouched.pk).update(due_date=moved, rule=Deadline.Rule.FIXED)
        migrate(AFTER)
        # Only the columns that exist at this migration (later ones add more).
        target, days, decided = Review.objects.values_list(
            "target_publication", "days_on_hold", "decision_date"
        ).get(pk=local_review.pk)
        assert target == statutory
        assert target + dt.timedelta(days=days) == moved  # the days on hold are kept
        clock = Deadline.objects.get(pk=untouched.pk)
        assert (clock.due_date, clock.rule) == (statutory, Deadline.Rule.CALENDAR_MONTHS)
        assert (clock.trigger_date, clock.amount) == (decided, 6)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
