"""`restamp_step` gives the records a demo step made or changed the step's time: each
time set since the step began becomes the step's time; the others stay as they were."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguarding.demo import _step_times, restamp_step
from safeguarding.models import User

pytestmark = pytest.mark.django_db


def test_only_the_times_since_the_step_began_take_the_steps_time():
    began = timezone.now()
    long_ago = began - dt.timedelta(days=400)
    moment = timezone.make_aware(dt.datetime(2025, 3, 4, 10, 15))
    stepped = User.objects.create_user(email="stepped@example.com", password="x")
    User.objects.filter(pk=stepped.pk).update(date_joined=long_ago, password_reset_sent_at=None)
    stepped.last_login = began + dt.timedelta(seconds=1)
    stepped.save(update_fields=["last_login"])
    before = User.objects.create_user(email="before@example.com", password="x")
    User.objects.filter(pk=before.pk).update(date_joined=long_ago, last_login=long_ago)

    restamp_step(began, moment)

    stepped.refresh_from_db()
    assert stepped.last_login == moment
    assert stepped.date_joined == long_ago
    assert stepped.password_reset_sent_at is None
    before.refresh_from_db()
    assert (before.date_joined, before.last_login) == (long_ago, long_ago)


def test_a_step_is_restamped_with_one_update_a_model_with_times():
    models = {model for model, _ in _step_times()}
    with CaptureQueriesContext(connection) as queries:
        restamp_step(timezone.now(), timezone.now())
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == len(models)
