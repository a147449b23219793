"""An action given to an agency with no account goes to the agency's own address; read as
the person at that mailbox reads it, the e-mail does not tell them to "Sign in to …"
(nobody there can yet): it gives the link for whoever gets an account, as the
information requests' e-mails do."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from lcspr import chasing, services
from lcspr.mail import action_assigned_deliver
from safeguarding.calendar import add_working_days
from safeguarding.models import Membership, Role

from .conftest import TODAY

pytestmark = pytest.mark.django_db
DESK = "safeguarding@health.example"


def test_the_action_and_its_reminders_give_the_link_for_whoever_gets_an_account(
    local_review, people, agencies
):
    partnership = local_review.partnership
    Membership.objects.filter(partnership=partnership, role=Role.AGENCY_CONTRIBUTOR).delete()
    health = agencies["health"]
    health.contact_email = DESK
    health.save(update_fields=["contact_email"])
    rec = services.recommendation_add(
        review=local_review, actor=people["officer"], text="Share sooner."
    )
    action = services.action_add(
        recommendation=rec,
        actor=people["officer"],
        description="Audit the health visiting records",
        agency=health,
        lead="Named lead",
        due_date=add_working_days(TODAY(), 20, partnership=partnership),
    )
    assert action_assigned_deliver(action_id=action.pk) == "sent"
    week_before = add_working_days(action.due_date, -5, partnership=partnership)
    london = ZoneInfo("Europe/London")
    assert chasing.action_reminders_send(
        now=dt.datetime.combine(week_before, dt.time(10), tzinfo=london)
    )
    assert [m.to for m in mail.outbox] == [[DESK], [DESK]]
    for message in mail.outbox:
        for text in (message.body, message.alternatives[0][0]):
            text = " ".join(text.split())
            assert f"No one at {health.name} has an account" in text
            assert "Sign in to" not in text
            assert f"Once someone at {health.name} has an account, they can sign in" in text
            assert f"/local-reviews/agency-actions/{action.pk}/" in text


def test_an_action_added_after_its_due_date_is_told_as_overdue(
    local_review, people, agencies, contributors
):
    """An action plan recorded late (the partners agreed it weeks ago) may hold an action
    whose date has passed: the agency is told it was due and is overdue, not that "it is
    due by" a day gone."""
    rec = services.recommendation_add(
        review=local_review, actor=people["officer"], text="Share sooner."
    )
    gone = TODAY() - dt.timedelta(days=10)
    action = services.action_add(
        recommendation=rec,
        actor=people["officer"],
        description="Brief every response officer",
        agency=agencies["police"],
        lead="Named lead",
        due_date=gone,
    )
    assert action_assigned_deliver(action_id=action.pk) == "sent"
    (message,) = mail.outbox
    day = f"{gone:%A %-d %B %Y}"
    for text in (message.body, message.alternatives[0][0]):
        text = " ".join(text.split()).replace("<strong>", "").replace("</strong>", "")
        assert "It is due by" not in text
        assert f"It was due by {day}" in text.replace(":", "") and "overdue" in text
