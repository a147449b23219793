"""An action of the action plan is e-mailed to the agency that owns it: once, through a real
SMTP server, with no child details and a link to the agency's own page for it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lcspr import services
from lcspr.mail import REQUEUE_AFTER, TELL_AGENCY_WITHIN, action_assigned_deliver
from lcspr.models import Action
from tests.mail_server import text_of

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def add(review, actor, agency, capture, *, mail=True):
    rec = review.recommendations.first() or services.recommendation_add(
        review=review, actor=actor, text="Share sooner."
    )
    with capture(execute=mail):
        return services.action_add(
            recommendation=rec,
            actor=actor,
            description="Check the school attendance records monthly",
            agency=agency,
            lead="Named lead",
            due_date=TODAY() + dt.timedelta(days=30),
        )


def test_the_owning_agencys_contributors_are_told_once_without_the_childs_details(
    local_review, people, agencies, contributors, smtp, django_capture_on_commit_callbacks, settings
):
    action = add(
        local_review, people["officer"], agencies["police"], django_capture_on_commit_callbacks
    )
    assert [m["To"] for m in smtp] == [contributors["police"].email]
    body = text_of(smtp[0])
    assert local_review.reference in " ".join(smtp[0]["Subject"].split())
    assert f"{action.due_date:%A %-d %B %Y}" in body
    assert settings.SITE_URL + reverse("lcspr:agency-action", args=[action.pk]) in body
    assert "attendance" not in body  # the action's words: signed in only
    action.refresh_from_db()
    assert action.agency_told_at is not None
    assert action_assigned_deliver(action_id=action.pk) == "already sent"
    assert len(smtp) == 1


def test_an_agency_with_no_contributor_is_told_at_its_own_address(
    local_review, people, agencies, smtp, django_capture_on_commit_callbacks
):
    agency = agencies["health"]
    agency.contact_email = "safeguarding@health.example"
    agency.save()
    add(local_review, people["officer"], agency, django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp] == ["safeguarding@health.example"]
    # Nobody there can sign in yet: the e-mail says so and who to ask for an account, as
    # the information request's e-mail and the action's reminders do.
    body = " ".join(text_of(smtp[0]).split())
    assert f"No one at {agency.name} has an account" in body
    assert local_review.partnership.contact_email in body


def test_an_action_not_told_is_sent_by_the_next_sweep_and_old_ones_never(
    local_review,
    people,
    agencies,
    contributors,
    smtp,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    from lcspr.tasks import requeue_action_emails
    from safeguarding.celery import app as celery_app

    assert celery_app.conf.beat_schedule["requeue-action-emails"]["task"] == (
        "lcspr.requeue_action_emails"
    )
    # The broker was down when it was added: nothing went.
    action = add(
        local_review,
        people["officer"],
        agencies["police"],
        django_capture_on_commit_callbacks,
        mail=False,
    )
    # An action from before the e-mail existed (no time it was added) is never sent.
    before = add(
        local_review,
        people["officer"],
        agencies["police"],
        django_capture_on_commit_callbacks,
        mail=False,
    )
    Action.objects.filter(pk=before.pk).update(created_at=None, assigned_at=None)
    assert requeue_action_emails() == 0  # too recent: its own queueing may be on its way
    later = timezone.now() + REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("lcspr.tasks.timezone.now", lambda: later)
    assert requeue_action_emails() == 1
    assert [m["To"] for m in smtp] == [contributors["police"].email]
    assert requeue_action_emails() == 0 and len(smtp) == 1
    action.refresh_from_db()
    assert action.agency_told_at is not None
    # Long after it was added, it is no longer sent.
    stale = add(
        local_review,
        people["officer"],
        agencies["police"],
        django_capture_on_commit_callbacks,
        mail=False,
    )
    much_later = timezone.now() + TELL_AGENCY_WITHIN + dt.timedelta(days=1)
    monkeypatch.setattr("lcspr.tasks.timezone.now", lambda: much_later)
    assert requeue_action_emails() == 0
    stale.refresh_from_db()
    assert stale.agency_told_at is None and len(smtp) == 1
