"""A task queued after a commit, with the broker down: the change stands, the person who
made it sees it made, and the failure is logged for beat's re-queue to make good."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.calendar import add_working_days
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    make_review,
    review,
    sent_requests,
)
from tests.utils import date_fields, sign_in

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db(transaction=True)
def test_an_officer_moving_a_date_while_the_broker_is_down_sees_it_saved_not_an_error(
    sent_requests,  # noqa: F811 - fixture
    people,
    monkeypatch,
    caplog,
):
    """The move commits, then its e-mail cannot be queued. Django's own
    `on_commit(..., robust=True)` raised an AttributeError here instead of logging (it
    names the callback, and a functools.partial has no name): a 500 page for a change
    that had been made."""

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to the broker")

    monkeypatch.setattr("rapid_reviews.tasks.send_due_date_moved.apply_async", broker_down)
    request = sent_requests["police"]
    new_due = add_working_days(request.due_date, 1)
    client = Client(raise_request_exception=False)
    sign_in(client, people["officer"])
    url = reverse("rapid_reviews:request-change", args=[request.rapid_review_id, request.pk])
    response = client.post(
        url,
        {
            "version": request.version,
            "contact": "DS Patel",
            **date_fields("due_date", new_due),
            "reason": "Agreed with the agency",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.due_date == new_due
    assert "rapid_reviews.send_due_date_moved not queued" in caplog.text


def test_no_task_is_queued_after_a_commit_by_a_functools_partial():
    """Django cannot log the failure of a `functools.partial` run on commit (it has no
    name to log): tasks are queued after a commit by `safeguarding.tasks.queue_after_commit`."""
    for app in ("safeguarding", "notifications", "rapid_reviews", "lcspr"):
        for path in (ROOT / app).rglob("*.py"):
            assert not re.search(r"on_commit\(\s*partial\(", path.read_text()), path


def add_sam_lee(manager, partnership):
    """The manager gives Sam Lee a review officer's role, as the People page does."""
    from safeguarding.models import Role

    client = Client(raise_request_exception=False)
    sign_in(client, manager)
    return client.post(
        reverse("safeguarding:person-add", args=[partnership.pk]),
        {"full_name": "Sam Lee", "email": "sam.lee@example.org", "role": Role.REVIEW_OFFICER},
    )


@pytest.mark.django_db(transaction=True)
def test_a_manager_adding_a_person_while_the_broker_is_down_sees_them_added(
    people, partnership, monkeypatch, caplog
):
    """The role is saved, then the invitation cannot be queued: logged, not a server
    error for a change that was made (the person can still ask for a password link)."""
    from safeguarding.models import Membership

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to the broker")

    monkeypatch.setattr("safeguarding.tasks.send_invitation.apply_async", broker_down)
    response = add_sam_lee(people["manager"], partnership)
    assert response.status_code == 302
    assert Membership.objects.filter(
        user__email="sam.lee@example.org", partnership=partnership
    ).exists()
    assert "safeguarding.send_invitation not queued" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_fault_that_is_not_the_broker_is_logged_as_a_fault_not_as_not_queued(
    people, partnership, monkeypatch, caplog
):
    """Only a broker that cannot be reached is "not queued" (beat's re-queue makes it
    good). Anything else is a fault: logged with its traceback, at error level, and the
    change that was committed still stands for the person who made it."""
    from safeguarding.models import Membership

    def fault(*args, **kwargs):
        raise RuntimeError("a fault in the code")

    monkeypatch.setattr("safeguarding.tasks.send_invitation.apply_async", fault)
    response = add_sam_lee(people["manager"], partnership)
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="sam.lee@example.org").exists()
    (record,) = [r for r in caplog.records if "send_invitation" in r.getMessage()]
    assert record.getMessage() == "safeguarding.send_invitation failed when queued"
    assert record.levelname == "ERROR" and record.exc_info[0] is RuntimeError
    assert "not queued" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_fault_in_a_task_run_in_process_is_raised_where_it_happens(
    people, partnership, monkeypatch, settings
):
    """Tests run tasks in-process with errors propagated: a fault inside a task must fail
    the test that caused it, not pass as a missing e-mail."""
    from safeguarding.celery import app as celery_app
    from safeguarding.models import Role

    def fault(**kwargs):
        raise RuntimeError("a fault in the task")

    monkeypatch.setattr("safeguarding.people.invitation_deliver", fault)
    monkeypatch.setitem(celery_app.conf.changes, "task_always_eager", True)
    monkeypatch.setitem(celery_app.conf.changes, "task_eager_propagates", True)
    client = Client()
    sign_in(client, people["manager"])
    with pytest.raises(RuntimeError, match="a fault in the task"):
        client.post(
            reverse("safeguarding:person-add", args=[partnership.pk]),
            {"full_name": "Sam Lee", "email": "sam.lee@example.org", "role": Role.REVIEW_OFFICER},
        )
