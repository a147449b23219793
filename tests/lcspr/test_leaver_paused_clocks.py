"""A local review on hold pauses its clocks; if their owner leaves meanwhile, the clocks go
to the successor with the open ones, and resuming runs them in the successor's name."""

import datetime as dt

import pytest
from django.utils import timezone

from lcspr import services
from lcspr.models import HoldReason
from safeguarding import deadlines
from safeguarding import people as people_service
from safeguarding.models import Deadline, Membership, Role
from tests.factories import member
from tests.rapid_reviews.conftest import agencies, contributors, make_review, review  # noqa: F401

from .conftest import open_review

pytestmark = pytest.mark.django_db


def test_a_leavers_paused_clocks_run_again_in_the_successors_name(
    people,
    partnership,
    make_review,  # noqa: F811
):
    officer, manager = people["officer"], people["manager"]
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague Two")
    local = open_review(make_review, people)
    Deadline.objects.filter(partnership=partnership).update(owner=officer)
    held = services.review_put_on_hold(
        review=local,
        actor=officer,
        reason=HoldReason.INQUEST,
        note="",
        held_since=timezone.localdate() - dt.timedelta(days=5),
        look_again_on=timezone.localdate() + dt.timedelta(days=5),
    )
    paused = set(
        Deadline.objects.filter(outcome=Deadline.Outcome.PAUSED, owner=officer).values_list(
            "pk", flat=True
        )
    )
    assert paused

    role = Membership.objects.get(user=officer, partnership=partnership)
    people_service.membership_remove(actor=manager, membership=role, successor=colleague)
    held.refresh_from_db()
    services.review_resume(review=held, actor=manager, resumed_on=timezone.localdate())

    assert not deadlines.deadlines_left_behind(partnership).exists()
    resumed = Deadline.objects.filter(pk__in=paused)
    assert set(resumed.values_list("owner", flat=True)) == {colleague.pk}
    assert resumed.filter(closed_on__isnull=True).count() == len(paused)
