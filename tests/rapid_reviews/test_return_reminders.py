"""Agencies are reminded of their returns: the working day before the due date and the
first working day after it, once each, in office hours, only while the review gathers
information, never naming the child."""

import datetime as dt
import smtplib
from zoneinfo import ZoneInfo

from django.core import mail

from rapid_reviews import chasing, services
from rapid_reviews.models import ReturnReminder
from safeguarding.calendar import add_working_days
from safeguarding.models import ClosureDay

from .conftest import CHILD_NAME, return_and_submit

LONDON = ZoneInfo("Europe/London")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def due_of(sent_requests) -> dt.date:
    dues = {r.due_date for r in sent_requests.values()}
    assert len(dues) == 1
    return dues.pop()


def test_the_working_day_before_and_the_first_day_overdue_once_each(
    sent_requests, contributors, partnership, mailoutbox
):
    due = due_of(sent_requests)
    before = add_working_days(due, -1, partnership=partnership)
    assert chasing.return_reminders_send(now=at(before, 7)) == 0  # before office hours
    assert chasing.return_reminders_send(now=at(before)) == 3
    assert chasing.return_reminders_send(now=at(before, 15)) == 0  # once
    police = next(m for m in mailoutbox if contributors["police"].email in m.to)
    reference = sent_requests["police"].rapid_review.incident.reference
    assert police.subject == (
        f"Reminder: {partnership.name} needs Midshire Police’s information for rapid review "
        f"{reference} by {due:%A %-d %B}"
    )
    assert f"/requests/{sent_requests['police'].pk}/" in police.body
    assert contributors["other_police"].email not in police.to  # the other partnership's
    for message in mailoutbox:
        for text in (message.subject, message.body, message.alternatives[0][0]):
            assert CHILD_NAME not in text and "Amelia" not in text and "Secret Lane" not in text

    mailoutbox.clear()
    assert chasing.return_reminders_send(now=at(due)) == 0  # due today: no e-mail
    after = add_working_days(due, 1, partnership=partnership)
    assert chasing.return_reminders_send(now=at(after)) == 3
    assert all(m.subject.startswith("Overdue: ") for m in mailoutbox)
    assert chasing.return_reminders_send(now=at(add_working_days(due, 2))) == 0
    assert ReturnReminder.objects.count() == 6


def test_no_reminder_for_a_return_in_or_a_review_past_gathering(
    sent_requests, contributors, partnership, people, mailoutbox
):
    due = due_of(sent_requests)
    return_and_submit(sent_requests["police"], contributors["police"])
    before = add_working_days(due, -1, partnership=partnership)
    assert chasing.return_reminders_send(now=at(before)) == 2
    assert not any(contributors["police"].email in m.to for m in mailoutbox)


def test_a_closure_day_or_weekend_sends_nothing_and_counts_as_no_working_day(
    sent_requests, partnership, mailoutbox
):
    due = due_of(sent_requests)
    before = add_working_days(due, -1, partnership=partnership)
    ClosureDay.objects.create(partnership=partnership, date=before, reason="Closed")
    assert chasing.return_reminders_send(now=at(before)) == 0
    # With that day closed, the working day before the due date is the one before it.
    earlier = add_working_days(before, -1, partnership=partnership)
    assert chasing.return_reminders_send(now=at(earlier)) == 3
    saturday = due + dt.timedelta(days=(5 - due.weekday()) % 7 or 7)
    assert chasing.return_reminders_send(now=at(saturday)) == 0


def test_a_new_due_date_gets_its_own_reminders(sent_requests, partnership, people, mailoutbox):
    due = due_of(sent_requests)
    request = sent_requests["health"]
    before = add_working_days(due, -1, partnership=partnership)
    assert chasing.return_reminders_send(now=at(before)) == 3
    later = add_working_days(due, 2, partnership=partnership)
    services.information_request_update(
        information_request=request,
        actor=people["officer"],
        contact="",
        due_date=later,
        reason="The agency asked for two more days",
    )
    mailoutbox.clear()
    day_before_later = add_working_days(later, -1, partnership=partnership)
    sent = chasing.return_reminders_send(now=at(day_before_later))
    assert sent >= 1
    assert any(request.agency.name in m.subject and "Reminder" in m.subject for m in mailoutbox)


def test_a_failed_send_is_tried_again_by_the_next_run(
    sent_requests, partnership, mailoutbox, monkeypatch
):
    due = due_of(sent_requests)
    before = add_working_days(due, -1, partnership=partnership)
    real = mail.EmailMultiAlternatives.send

    def down(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", down)
    assert chasing.return_reminders_send(now=at(before)) == 0
    assert not ReturnReminder.objects.exists()  # nothing claimed: it rolled back
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real)
    assert chasing.return_reminders_send(now=at(before, 11)) == 3
    assert len(mailoutbox) == 3


def test_the_beat_runs_it_hourly():
    from safeguarding.celery import app

    entry = app.conf.beat_schedule["send-return-reminders"]
    assert entry["task"] == "rapid_reviews.send_return_reminders"
    assert entry["schedule"] == 3600


def test_a_return_sent_back_for_more_is_reminded_as_such(
    sent_requests, contributors, partnership, people, mailoutbox
):
    request = sent_requests["police"]
    return_and_submit(request, contributors["police"])
    due = add_working_days(dt.date.today(), 2, partnership=partnership)
    services.agency_return_send_back(
        information_request=request,
        actor=people["officer"],
        note="Add the 2025 contacts.",
        due_date=due,
    )
    mailoutbox.clear()
    after = add_working_days(due, 1, partnership=partnership)
    chasing.return_reminders_send(now=at(after))
    (message,) = [m for m in mailoutbox if contributors["police"].email in m.to]
    partnership_name = request.rapid_review.incident.partnership.name
    assert f"{partnership_name} asked Midshire Police for more information" in message.body
    assert "It has not been sent yet." in message.body and "not been received" not in message.body
    assert "Sign in to see what more is needed and send it" in message.body
    assert f"tell {partnership_name}’s business unit" in message.body


def test_an_agency_with_no_contributor_is_reminded_at_its_address(
    sent_requests, partnership, mailoutbox
):
    """Without contributors, the agency's own address is reminded, if it has one; an
    agency with no address gets nothing."""
    from safeguarding.models import Membership

    Membership.objects.filter(partnership=partnership, role="agency").delete()
    police = sent_requests["police"].agency
    police.contact_email = "desk@police.example.org"
    police.save(update_fields=["contact_email"])
    due = due_of(sent_requests)
    before = add_working_days(due, -1, partnership=partnership)
    assert chasing.return_reminders_send(now=at(before)) == 1
    [message] = mailoutbox
    assert message.to == ["desk@police.example.org"]
    assert "No one at Midshire Police has an account" in message.body
    assert partnership.contact_email in message.body


def test_no_reminder_once_the_partnership_is_switched_off(
    sent_requests, contributors, partnership, mailoutbox
):
    """A partnership switched off leaves its contributors nothing to open (their pages
    answer 404): its agencies are not reminded, as they are not of its actions."""
    partnership.is_active = False
    partnership.save(update_fields=["is_active"])
    due = due_of(sent_requests)
    assert chasing.return_reminders_send(now=at(add_working_days(due, -1))) == 0
    assert not mailoutbox
