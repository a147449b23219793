"""A due date someone typed (an action's, a return's: a working day when it was set) is
not moved when the partnership adds a closure day on it: the agency was given it. Its
page marks it, and its owner is e-mailed once, by the next sweep in office hours, however
often the calendar is recomputed (ADR 0027 addendum, session 20). A closure day on
another date, or on the date of an action already done, flags nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from lcspr import services
from lcspr.models import ActionStatus
from safeguarding import reminders
from safeguarding.calendar import add_working_days
from safeguarding.calendar_changes import calendar_changed
from safeguarding.dates import full_date
from safeguarding.deadlines import Kind, get_deadline
from safeguarding.models import ClosureDay, ReminderSent
from safeguarding.reminder_mail import reminder_deliver
from tests.rapid_reviews.conftest import return_and_submit, send_requests
from tests.utils import sign_in

from .conftest import TODAY

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MARK = "The due date falls on a closure day"
TAG = "On a closure day"


def flagged() -> list[ReminderSent]:
    return list(ReminderSent.objects.filter(rule="closure_day").order_by("pk"))


@pytest.fixture
def action(local_review, people, agencies):
    rec = services.recommendation_add(
        review=local_review, actor=people["officer"], text="Share sooner."
    )
    return services.action_add(
        recommendation=rec,
        actor=people["officer"],
        description="Brief every response officer",
        agency=agencies["police"],
        lead="Named lead",
        due_date=add_working_days(TODAY(), 10, partnership=local_review.partnership),
    )


def close_on(partnership, day, capture, reason="Office move"):
    """The partnership adds a closure day, as the administration site does."""
    with capture(execute=True):
        return ClosureDay.objects.create(partnership=partnership, date=day, reason=reason)


def sweep_and_send(monkeypatch):
    """The next sweep in office hours, its claims sent at once (locmem e-mail)."""
    monkeypatch.setattr(reminders, "queue_send", lambda pk: bool(reminder_deliver(reminder_id=pk)))
    monkeypatch.setattr(
        reminders, "queue_sends", lambda pks: [reminder_deliver(reminder_id=pk) for pk in pks]
    )
    day = add_working_days(TODAY(), 1)
    reminders.reminders_sweep(now=dt.datetime.combine(day, dt.time(10), tzinfo=LONDON))


def test_a_closure_day_on_an_actions_due_date_flags_it_and_tells_the_owner_once(
    client, action, local_review, people, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    due = action.due_date
    close_on(local_review.partnership, due, django_capture_on_commit_callbacks)
    # Not moved: the date was typed, and the agency was given it.
    action.refresh_from_db()
    clock = get_deadline(action, Kind.ACTION)
    assert action.due_date == clock.due_date == due and not clock.moved_by_calendar
    (row,) = flagged()
    assert (row.deadline_id, row.recipient, row.queued_at) == (clock.pk, people["officer"], None)
    assert row.context == {"closure": "Office move"}
    # The recompute run again (or by `manage.py recompute_deadlines`) claims nothing more.
    calendar_changed(partnership=local_review.partnership)
    assert flagged() == [row]

    mail.outbox.clear()
    sweep_and_send(monkeypatch)
    sweep_and_send(monkeypatch)
    (sent,) = [m for m in mail.outbox if "closure day" in m.subject]
    assert sent.to == [people["officer"].email]
    assert sent.subject == (
        f"Due on a closure day ({full_date(due)}): Action plan, recommendation 1 "
        f"({action.agency.name}): {local_review.reference}"
    )
    body = " ".join(sent.body.split())
    assert "now falls on a closure day of the partnership (Office move)" in body
    assert "It has not been moved" in body
    # No promise the agency is e-mailed: one with no one to e-mail is not.
    told = "the service emails the new date to the agency if it has someone there to email"
    assert told in body and "the agency is emailed the new date" not in body
    html = " ".join(sent.alternatives[0][0].split())
    assert "now falls on a closure day of the partnership (Office move)" in html
    assert told in html

    # The action's page marks the date.
    sign_in(client, people["officer"])
    page = client.get(reverse("lcspr:action", args=[local_review.pk, action.pk]))
    text = " ".join(page.content.decode().split())
    assert f"{MARK}: {full_date(due)} (Office move)" in text
    # And so does the review's action plan.
    plan = client.get(local_review.get_absolute_url()).content.decode()
    assert TAG in plan


def test_a_closure_day_on_another_date_flags_nothing(
    client, action, local_review, people, django_capture_on_commit_callbacks
):
    close_on(
        local_review.partnership,
        add_working_days(action.due_date, 1),
        django_capture_on_commit_callbacks,
    )
    assert flagged() == []
    sign_in(client, people["officer"])
    page = client.get(reverse("lcspr:action", args=[local_review.pk, action.pk]))
    assert page.status_code == 200 and MARK not in page.content.decode()
    assert TAG not in client.get(local_review.get_absolute_url()).content.decode()


def test_another_partnerships_closure_day_flags_nothing(
    action, other_partnership, django_capture_on_commit_callbacks
):
    close_on(other_partnership, action.due_date, django_capture_on_commit_callbacks)
    assert flagged() == []


def test_a_done_action_is_not_flagged(
    client, action, local_review, people, django_capture_on_commit_callbacks
):
    services.action_update(
        action=action,
        actor=people["officer"],
        status=ActionStatus.COMPLETE,
        due_date=action.due_date,
        evidence_of_impact="Every officer briefed.",
    )
    close_on(local_review.partnership, action.due_date, django_capture_on_commit_callbacks)
    assert flagged() == []
    sign_in(client, people["officer"])
    page = client.get(reverse("lcspr:action", args=[local_review.pk, action.pk]))
    assert page.status_code == 200 and MARK not in page.content.decode()
    assert TAG not in client.get(local_review.get_absolute_url()).content.decode()


def test_a_returns_due_date_on_a_new_closure_day_is_flagged_until_returned(
    client, review, agencies, contributors, people, django_capture_on_commit_callbacks
):
    requests = send_requests(review, agencies, people["officer"])
    due = requests["police"].due_date
    partnership = review.incident.partnership
    close_on(partnership, due, django_capture_on_commit_callbacks, reason="Training day")
    # One e-mail for each awaited return (each its own clock), to the officer who sent it.
    rows = flagged()
    assert len(rows) == len(requests)
    assert {row.recipient for row in rows} == {people["officer"]}
    for request in requests.values():
        request.refresh_from_db()
        assert request.due_date == due
    sign_in(client, people["officer"])
    url = reverse("rapid_reviews:request", args=[review.pk, requests["police"].pk])
    text = " ".join(client.get(url).content.decode().split())
    assert f"{MARK}: {full_date(due)} (Training day)" in text
    page = client.get(review.get_absolute_url()).content.decode()
    assert page.count(TAG) == len(requests)

    # Once the police return is in, neither its page nor the review's marks it.
    return_and_submit(requests["police"], contributors["police"])
    assert MARK not in client.get(url).content.decode()
    assert client.get(review.get_absolute_url()).content.decode().count(TAG) == len(requests) - 1


def test_someone_with_a_daily_digest_reads_it_there(
    action, local_review, people, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer = people["officer"]
    officer.reminder_preference = officer.ReminderPreference.DIGEST
    officer.save(update_fields=["reminder_preference"])
    close_on(local_review.partnership, action.due_date, django_capture_on_commit_callbacks)
    (row,) = flagged()
    assert row.status == ReminderSent.Status.HELD
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the digest is queued on commit
        sweep_and_send(monkeypatch)
    (digest,) = [m for m in mail.outbox if m.subject.startswith("Your deadlines today")]
    assert f"Due on a closure day ({full_date(action.due_date)})" in digest.body
    html = " ".join(digest.alternatives[0][0].split())
    assert "now falls on a closure day of the partnership (Office move)" in html


def test_a_later_reminder_of_the_action_does_not_replace_it(
    action, local_review, people, settings, django_capture_on_commit_callbacks
):
    """Claimed in the evening, sent the next morning after that day's reminder of the same
    action was claimed: it tells of the closure day, which the reminder does not."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    close_on(local_review.partnership, action.due_date, django_capture_on_commit_callbacks)
    (row,) = flagged()
    yesterday = row.created_at - dt.timedelta(days=1)
    ReminderSent.objects.filter(pk=row.pk).update(created_at=yesterday)
    ReminderSent.objects.create(
        deadline_id=row.deadline_id,
        recipient=people["officer"],
        rule="before_3",
        occurrence=action.due_date.isoformat(),
        status=ReminderSent.Status.SENT,
    )
    assert reminder_deliver(reminder_id=row.pk) == ReminderSent.Status.SENT
    assert [m.subject for m in mail.outbox if "closure day" in m.subject]


def test_told_even_if_the_action_is_handed_over_before_it_goes(
    action, local_review, people, settings, django_capture_on_commit_callbacks
):
    """Like a moved date, the news goes to whom it was claimed for: a manager who takes
    the clocks over the same evening is reminded of the date by the sweeps after."""
    from safeguarding.deadlines import deadlines_hand_over

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    close_on(local_review.partnership, action.due_date, django_capture_on_commit_callbacks)
    (row,) = flagged()
    deadlines_hand_over(
        partnership=local_review.partnership,
        from_user=people["officer"],
        to_user=people["manager"],
        actor=people["manager"],
    )
    assert reminder_deliver(reminder_id=row.pk) == ReminderSent.Status.SENT


def test_not_sent_if_the_closure_day_goes_or_the_date_moves_first(
    action, local_review, people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    partnership = local_review.partnership
    closure = close_on(partnership, action.due_date, django_capture_on_commit_callbacks)
    (first,) = flagged()
    with django_capture_on_commit_callbacks(execute=True):
        closure.delete()  # taken away the same evening
    assert reminder_deliver(reminder_id=first.pk) == ReminderSent.Status.SKIPPED
    first.refresh_from_db()
    assert first.last_error == "the due date is no longer on a closure day"

    # Kept this time, but the officer moves the date before the e-mail goes.
    close_on(partnership, action.due_date, django_capture_on_commit_callbacks, reason="Again")
    ReminderSent.objects.filter(pk=first.pk).delete()  # as if the first had never been
    calendar_changed(partnership=partnership)
    (second,) = flagged()
    services.action_update(
        action=action,
        actor=people["officer"],
        status=action.status,
        due_date=add_working_days(action.due_date, 1, partnership=partnership),
        reason="The office is closed that day.",
    )
    assert reminder_deliver(reminder_id=second.pk) == ReminderSent.Status.SKIPPED
    assert not [m for m in mail.outbox if "closure day" in m.subject]


def test_not_in_the_digest_if_the_closure_day_goes_first(
    action, local_review, people, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer = people["officer"]
    officer.reminder_preference = officer.ReminderPreference.DIGEST
    officer.save(update_fields=["reminder_preference"])
    closure = close_on(
        local_review.partnership, action.due_date, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        closure.delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_and_send(monkeypatch)
    assert not [m for m in mail.outbox if "closure day" in m.body]
    (row,) = flagged()
    assert (row.status, row.last_error) == (
        ReminderSent.Status.SKIPPED,
        "the due date is no longer on a closure day",
    )


def test_why_this_date_says_the_typed_date_falls_on_the_closure_day(
    client, action, local_review, people, django_capture_on_commit_callbacks
):
    """The action's page and the e-mail said so, but "Why this date?" said only that the
    date was "counted in calendar months, or set rather than counted"."""
    url = reverse("safeguarding:deadline-why", args=[get_deadline(action, Kind.ACTION).pk])
    sign_in(client, people["officer"])
    page = client.get(url).content.decode()
    assert "None: this date was set rather than counted" in page and MARK not in page
    close_on(local_review.partnership, action.due_date, django_capture_on_commit_callbacks)
    page = client.get(url).content.decode()
    assert f"{MARK}: {full_date(action.due_date)} (Office move)" in page


def test_why_this_date_does_not_flag_a_planned_milestone_on_a_closure_day(
    client, local_review, people, django_capture_on_commit_callbacks
):
    """A milestone's planned date is the business unit's own, set by hand too, but not a
    date an agency is asked to meet (ADR 0027 item 7): nothing else flags it, nor does
    "Why this date?"."""
    from safeguarding.deadlines import deadline_start

    day = add_working_days(TODAY(), 10)
    clock = deadline_start(
        subject=local_review,
        partnership=local_review.partnership,
        kind=Kind.LCSPR_MILESTONE,
        key="planned-step",
        title=f"Scoping agreed: {local_review.reference}",
        reference=local_review.reference,
        url=local_review.get_absolute_url(),
        trigger_date=TODAY(),
        rule="fixed",
        due_date=day,
        owner=people["officer"],
    )
    close_on(local_review.partnership, day, django_capture_on_commit_callbacks)
    sign_in(client, people["officer"])
    page = client.get(reverse("safeguarding:deadline-why", args=[clock.pk])).content.decode()
    assert "None: this date was set rather than counted" in page and MARK not in page
