"""Agencies are reminded of the actions they own: 5 working days before the due date and
on the first working day after it, once each, in office hours, through a real SMTP
server, never naming the child nor the action's words; not for an action complete, nor
on a closed review."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from lcspr import chasing, services
from lcspr.models import ActionReminder, ActionStatus
from safeguarding.calendar import add_working_days
from tests.mail_server import text_of

from .conftest import TODAY

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


@pytest.fixture
def owned(local_review, people, agencies):
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    due = add_working_days(TODAY(), 20, partnership=local_review.partnership)

    def add(agency, description):
        return services.action_add(
            recommendation=rec,
            actor=officer,
            description=description,
            agency=agency,
            lead="Named lead",
            due_date=due,
        )

    return {
        "police": add(agencies["police"], "Brief every response officer"),
        "health": add(agencies["health"], "Audit the health visiting records"),
    }


def test_a_week_before_and_the_first_day_overdue_once_each(
    owned, contributors, people, smtp, settings
):
    from safeguarding.celery import app as celery_app

    assert celery_app.conf.beat_schedule["send-action-reminders"]["task"] == (
        "lcspr.send_action_reminders"
    )
    police, health = owned["police"], owned["health"]
    partnership = police.recommendation.review.partnership
    # Health's action is already complete: it is not chased.
    services.action_update(
        action=health,
        actor=contributors["health"],
        status=ActionStatus.COMPLETE,
        due_date=health.due_date,
        evidence_of_impact="All records audited.",
    )
    due = police.due_date
    week_before = add_working_days(due, -5, partnership=partnership)
    assert chasing.action_reminders_send(now=at(week_before, 7)) == 0  # before office hours
    assert chasing.action_reminders_send(now=at(add_working_days(week_before, -1))) == 0
    assert chasing.action_reminders_send(now=at(week_before)) == 1
    assert chasing.action_reminders_send(now=at(week_before, 15)) == 0  # once
    (message,) = smtp
    assert message["To"] == contributors["police"].email
    reference = police.recommendation.review.reference
    # The partnership that gave it, by name: the police answer several.
    assert " ".join(message["Subject"].split()) == (
        f"Reminder: an action {partnership.name} gave Midshire Police in local review "
        f"{reference} is due {due:%A %-d %B}"
    )
    body = " ".join(text_of(message).split())
    assert settings.SITE_URL + reverse("lcspr:agency-action", args=[police.pk]) in body
    assert "in 5 working days" in body
    assert "Brief every" not in body and "Amelia" not in body  # signed in only
    assert chasing.action_reminders_send(now=at(due)) == 0  # due today: no e-mail
    after = add_working_days(due, 1, partnership=partnership)
    assert chasing.action_reminders_send(now=at(after)) == 1
    assert " ".join(smtp[1]["Subject"].split()) == (
        f"Overdue: an action {partnership.name} gave Midshire Police in local review "
        f"{reference} was due {due:%A %-d %B}"
    )
    assert chasing.action_reminders_send(now=at(add_working_days(due, 2))) == 0
    assert ActionReminder.objects.count() == 2


def test_no_reminder_on_a_closed_review(owned, people, smtp):
    police = owned["police"]
    review = police.recommendation.review
    services.review_close(
        review=review,
        actor=people["manager"],
        closed_on=TODAY(),
        reason="The National Panel took a national review.",
    )
    week_before = add_working_days(police.due_date, -5, partnership=review.partnership)
    assert chasing.action_reminders_send(now=at(week_before)) == 0 and smtp == []
