"""Reminder policy and the sweep: when, to whom, once, and what the e-mail says."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command

from safeguarding import reminder_mail, reminders
from safeguarding.models import ClosureDay, Deadline, ReminderPolicy, ReminderSent, User
from tests.safeguarding.reminder_helpers import CHILD_NAME, at, start_clock
from tests.utils import tasks_in_process

pytestmark = pytest.mark.django_db
Status = ReminderSent.Status


@pytest.fixture
def eager(settings):
    """Tasks run in-process; e-mail goes to django.core.mail.outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with tasks_in_process():
        yield


@pytest.fixture
def sweep(eager, django_capture_on_commit_callbacks):
    def run(when):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.reminders_sweep(now=when)

    return run


@pytest.mark.parametrize(
    "day, expected",
    [
        (dt.date(2026, 11, 23), None),
        (dt.date(2026, 11, 25), None),
        (dt.date(2026, 11, 26), ("before_3", "2026-12-01", 3)),
        (dt.date(2026, 11, 27), ("before_3", "2026-12-01", 2)),  # a missed stage catches up
        (dt.date(2026, 11, 30), ("before_1", "2026-12-01", 1)),
        (dt.date(2026, 12, 1), ("due", "2026-12-01", 0)),
        (dt.date(2026, 12, 2), ("overdue", "2026-12-01#0", -1)),
        (dt.date(2026, 12, 3), ("overdue", "2026-12-01#0", -2)),
        (dt.date(2026, 12, 4), ("overdue", "2026-12-01#1", -3)),
        (dt.date(2026, 12, 7), ("overdue", "2026-12-01#1", -4)),
        (dt.date(2026, 12, 8), ("overdue", "2026-12-01#2", -5)),
    ],
)
def test_default_policy_schedule(partnership, day, expected):
    deadline = start_clock(partnership)
    due = reminders.reminder_due(deadline, today=day, policy=reminders.DEFAULT_POLICY)
    assert (due and (due.rule, due.occurrence, due.working_days)) == expected
    if due is not None:
        assert due.escalate == (due.rule == "overdue")


def test_partnership_policy_overrides_default(partnership, other_partnership):
    ReminderPolicy.objects.create(kind="notification", days_before=[5], overdue_every=0)
    ReminderPolicy.objects.create(partnership=partnership, kind="notification", days_before=[2])
    table = reminders.policy_table()
    deadline = start_clock(partnership)
    assert reminders.policy_for(deadline, table).days_before == (2,)
    elsewhere = start_clock(other_partnership, key="-x")
    assert reminders.policy_for(elsewhere, table).days_before == (5,)
    assert reminders.policy_for(elsewhere, table).overdue_every == 0


def test_first_overdue_goes_to_owner_and_escalates_to_managers_once(sweep, partnership, people):
    start_clock(partnership, owner=people["officer"])
    result = sweep(at(2))
    assert sorted((r.rule, r.recipient.email) for r in result.claimed) == [
        ("escalation", people["manager"].email),
        ("overdue", people["officer"].email),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["officer"].email, people["manager"].email]
    )
    assert people["other_manager"].email not in {m.to[0] for m in mail.outbox}
    # Beat runs again, later the same day and the next day: nothing new until the repeat.
    assert sweep(at(2, 15)).claimed == [] and sweep(at(3)).claimed == []
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.filter(status=Status.SENT).count() == 2
    # Every 2 working days it repeats (to the owner and, once escalated, the managers).
    assert len(sweep(at(4)).claimed) == 2
    assert len(mail.outbox) == 4


def test_without_an_owner_the_review_officers_are_reminded(sweep, partnership, people):
    start_clock(partnership)
    sweep(at(30, month=11))
    assert [m.to for m in mail.outbox] == [[people["officer"].email]]


def test_inactive_people_never_get_mail(sweep, partnership, people):
    owner = people["officer"]
    start_clock(partnership, owner=owner)
    User.objects.filter(pk__in=[owner.pk, people["manager"].pk]).update(is_active=False)
    assert sweep(at(2)).claimed == []
    assert mail.outbox == []


@pytest.mark.parametrize(
    "when, reason",
    [
        (at(1, 7, 59), "outside office hours"),
        (at(1, 18, 0), "outside office hours"),
        (at(1, 2, 30), "outside office hours"),
        (at(5), "Saturday"),
        (at(25), "Christmas Day"),
        (at(28), "Boxing Day"),
    ],
)
def test_nothing_goes_out_at_night_at_weekends_or_on_bank_holidays(
    sweep, partnership, people, when, reason
):
    start_clock(partnership, owner=people["officer"])
    result = sweep(when)
    assert reason in result.held
    assert result.claimed == [] and mail.outbox == []


def test_a_partnership_closure_day_holds_its_reminders(sweep, partnership, people):
    start_clock(partnership, owner=people["officer"])
    ClosureDay.objects.create(partnership=partnership, date=dt.date(2026, 12, 2), reason="Away")
    assert sweep(at(2)).claimed == []
    assert mail.outbox == []


def test_the_email_says_what_when_why_and_links_with_no_child_details(
    sweep, settings, partnership, people
):
    settings.SITE_URL = "https://reviews.example"
    deadline = start_clock(partnership, owner=people["officer"])
    sweep(at(26, month=11))
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert message.subject == "Due in 3 working days: Notify the National Panel: BSCP-2026-014"
    for text in (message.body, html):
        assert "1 December 2026" in text
        assert "5 working days after 24 November 2026" in text
        assert "Saturday" in text and "Sunday" in text
        assert "https://reviews.example/notifications/14/" in text
        assert f"https://reviews.example/deadlines/{deadline.pk}/why/" in text
        assert "BSCP-2026-014" in text
        for part in CHILD_NAME.split():
            assert part not in text
    # A weekend day is named once: its date says which day it is.
    assert "Saturday 28 November 2026 (weekend)" in message.body
    assert "Saturday 28 November 2026: Saturday" not in message.body
    assert "Saturday 28 November (weekend)" in html
    assert message.extra_headers["Message-ID"] == ReminderSent.objects.get().message_id
    assert CHILD_NAME not in message.subject


@pytest.mark.parametrize(
    "kind, why",
    [
        (Deadline.Kind.ACTION, "the due date agreed for this action"),
        (Deadline.Kind.AGENCY_RETURN, "the date the business unit set for this return"),
    ],
)
def test_a_date_set_not_counted_says_who_set_it_in_the_email_and_on_why_this_date(
    sweep, client, partnership, people, kind, why
):
    """An action's or an agency return's date is agreed or set, not counted: its reminder
    said "Why this date: a date set by hand". The e-mail and "Why this date?" say what the
    date is, in the same words (`explain_rule`), and list no days not counted."""
    from django.urls import reverse

    from safeguarding import deadlines
    from tests.safeguarding.reminder_helpers import DUE, child_like_subject
    from tests.utils import sign_in

    clock = deadlines.deadline_start(
        subject=child_like_subject(),
        partnership=partnership,
        kind=kind,
        title="Action plan, recommendation 1 (Midshire Police): BSCP-2026-014",
        reference="BSCP-2026-014",
        url="/lcspr/1/",
        trigger_date=dt.date(2026, 11, 2),
        rule=Deadline.Rule.FIXED,
        due_date=DUE,
        owner=people["officer"],
    )
    sweep(at(26, month=11))
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert f"Why this date: {why}." in message.body
    # In the HTML e-mail's table the value begins its cell: with a capital.
    assert f"{why[0].upper()}{why[1:]}" in html
    assert "set by hand" not in message.body + html
    assert "Days not counted" not in message.body
    sign_in(client, people["manager"])
    page = client.get(reverse("safeguarding:deadline-why", args=[clock.pk])).content.decode()
    assert why[0].upper() + why[1:] in page and "set by hand" not in page
    assert "None: this date was set rather than counted, so no days are skipped." in page
    assert "calendar months" not in page


def test_the_html_emails_links_say_where_they_go_in_visible_text(sweep, partnership, people):
    """Gmail and Outlook drop `position`, so text hidden off-screen in a link ("Open it"
    and a span at left: -9999px) was read twice or oddly: the link's own words say what
    it opens, with nothing hidden, and no e-mail template hides text that way."""
    import re
    from pathlib import Path

    from django.conf import settings

    start_clock(partnership, owner=people["officer"])
    sweep(at(26, month=11))
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html))
    case = next(text for href, text in links.items() if href.endswith("/notifications/14/"))
    assert case == "Open “Notify the National Panel: BSCP-2026-014”"
    assert "<span" not in "".join(links.values())
    templates = [
        path
        for path in Path(settings.BASE_DIR).glob("*/templates/*/email/*.html")
        if ".venv" not in path.parts
    ]
    assert len(templates) > 5
    for path in templates:
        text = path.read_text()
        assert "position:" not in text.replace(" ", "") and "-9999px" not in text, path


def test_a_steps_reminder_says_what_to_do_and_one_working_day_is_singular(
    sweep, partnership, people
):
    """A step of a review's timetable is named by the state it reaches ("Signed off by
    the three partners"); its reminder says what to do. A rule of 1 working day says
    "day"."""
    from safeguarding import deadlines

    deadlines.deadline_start(
        subject=partnership,
        partnership=partnership,
        kind=Deadline.Kind.RAPID_REVIEW_MILESTONE,
        key="sign_off",
        title="Signed off by the three partners: BSCP-2026-014",
        reference="BSCP-2026-014",
        trigger_date=dt.date(2026, 11, 26),
        amount=1,  # due Friday 27 November
        owner=people["officer"],
    )
    sweep(at(26, month=11))
    (message,) = mail.outbox
    assert message.subject == (
        "Due in 1 working day: Get sign-off from the three partners: BSCP-2026-014"
    )
    for text in (message.body, message.alternatives[0][0]):
        assert "Get sign-off from the three partners: BSCP-2026-014" in text
        assert "Signed off" not in text
        assert "1 working day after 26 November 2026" in text


@pytest.mark.parametrize(
    "rule, amount, expected",
    [
        (Deadline.Rule.WORKING_DAYS, 1, "1 working day after 26 November 2026"),
        (Deadline.Rule.WORKING_DAYS, 2, "2 working days after 26 November 2026"),
        (Deadline.Rule.CALENDAR_MONTHS, 1, "1 calendar month after 26 November 2026"),
        (Deadline.Rule.CALENDAR_MONTHS, 6, "6 calendar months after 26 November 2026"),
        (
            Deadline.Rule.WORKING_DAYS_BEFORE,
            1,
            "the latest date that leaves 1 working day before 26 November 2026",
        ),
        (
            Deadline.Rule.WORKING_DAYS_BEFORE,
            7,
            "the latest date that leaves 7 working days before 26 November 2026",
        ),
    ],
)
def test_why_this_date_counts_one_day_or_month_in_the_singular(rule, amount, expected):
    from safeguarding.deadlines import explain_rule

    clock = Deadline(rule=rule, amount=amount, trigger_date=dt.date(2026, 11, 26))
    assert explain_rule(clock) == expected


def test_daily_digest_once_per_person_per_day(sweep, partnership, people):
    officer = people["officer"]
    officer.reminder_preference = User.ReminderPreference.DIGEST
    officer.save()
    start_clock(partnership, owner=officer)
    start_clock(partnership, owner=officer, key="-2")
    result = sweep(at(30, month=11))
    assert result.digests == 1
    (digest,) = mail.outbox
    assert digest.subject == "Your deadlines today: 2 reminders"
    assert "BSCP-2026-014-2" in digest.body and "Due in 1 working day" in digest.body
    assert sweep(at(30, 16, month=11)).digests == 0
    assert ReminderSent.objects.filter(rule="digest").count() == 1
    assert ReminderSent.objects.exclude(rule="digest").filter(status=Status.SENT).count() == 2
    sweep(at(1))  # the next day: a new digest for the "due today" reminders
    assert len(mail.outbox) == 2


def test_a_digest_leaves_out_a_clock_met_since_and_says_where_a_late_one_stands(
    sweep, partnership, people, monkeypatch
):
    """A reminder claimed after the day's digest went waits for the next day's. By then
    its clock may be met (not sent, as a reminder on its own would not be) or past its
    date ("Overdue", not yesterday's "Due today")."""
    from safeguarding import deadlines
    from tests.safeguarding.reminder_helpers import child_like_subject

    officer = people["officer"]
    officer.reminder_preference = User.ReminderPreference.DIGEST
    officer.save()
    start_clock(partnership, owner=officer)
    assert sweep(at(26, 10, month=11)).digests == 1
    met = start_clock(partnership, owner=officer, key="-2", amount=2)
    late = start_clock(partnership, owner=officer, key="-3", amount=2)
    assert met.due_date == late.due_date == dt.date(2026, 11, 26)
    sweep(at(26, 11, month=11))  # claimed and held: today's digest has gone
    held = ReminderSent.objects.filter(status=Status.HELD)
    assert set(held.values_list("deadline", flat=True)) == {met.pk, late.pk}
    deadlines.deadline_close(
        subject=child_like_subject(), kind=met.kind, key="-2", on=dt.date(2026, 11, 26)
    )
    # The e-mail is written "on" the next day (the claim was made the day before).
    from django.utils import timezone

    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None: real(value) if value else dt.date(2026, 11, 27)
    )
    ReminderSent.objects.filter(pk__in=held).update(created_at=at(26, 11, month=11))
    mail.outbox.clear()
    sweep(at(27, 10, month=11))
    (digest,) = [m for m in mail.outbox if m.subject.startswith("Your deadlines today")]
    assert "BSCP-2026-014-2" not in digest.body  # met since: not reminded
    assert "Overdue: 1 working day late" in digest.body and "Due today" not in digest.body
    assert digest.body.count("BSCP-2026-014-3") == 1  # its reminder of today stands for both
    skipped = ReminderSent.objects.get(deadline=met, rule="due")
    assert (skipped.status, skipped.last_error) == (Status.SKIPPED, "deadline closed")


def test_a_failed_send_stays_pending_and_is_sent_once_on_retry(
    eager, partnership, people, monkeypatch
):
    start_clock(partnership, owner=people["officer"])
    monkeypatch.setattr(reminders, "queue_send", lambda pk: True)
    monkeypatch.setattr(reminders, "queue_sends", lambda pks: len(pks))
    (row,) = reminders.reminders_sweep(now=at(30, month=11)).claimed

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    with monkeypatch.context() as m:
        m.setattr(reminder_mail.EmailMultiAlternatives, "send", refuse)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            reminder_mail.reminder_deliver(reminder_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "mail server went away")
    assert reminder_mail.reminder_deliver(reminder_id=row.pk) == "sent"
    assert reminder_mail.reminder_deliver(reminder_id=row.pk) == "sent"  # a duplicate task
    assert len(mail.outbox) == 1


def test_a_closed_deadline_is_not_reminded(eager, partnership, people, monkeypatch):
    deadline = start_clock(partnership, owner=people["officer"])
    monkeypatch.setattr(reminders, "queue_send", lambda pk: True)
    monkeypatch.setattr(reminders, "queue_sends", lambda pks: len(pks))
    (row,) = reminders.reminders_sweep(now=at(30, month=11)).claimed
    deadline.closed_on, deadline.outcome = dt.date(2026, 11, 30), "met"
    deadline.save()
    assert reminder_mail.reminder_deliver(reminder_id=row.pk) == "skipped"
    assert mail.outbox == []


def test_broker_down_keeps_rows_pending_and_a_later_sweep_requeues_once(
    eager, partnership, people, monkeypatch, django_capture_on_commit_callbacks
):
    start_clock(partnership, owner=people["officer"])

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    with monkeypatch.context() as m:
        m.setattr("safeguarding.tasks.send_reminder.apply_async", broker_down)
        m.setattr("safeguarding.tasks.send_reminders.apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            result = reminders.reminders_sweep(now=at(30, month=11))
    (row,) = result.claimed
    row.refresh_from_db()
    assert row.status == "pending" and row.queued_at is None and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        again = reminders.reminders_sweep(now=at(30, 10, 10, month=11))
    assert again.claimed == [] and again.requeued == 1
    assert len(mail.outbox) == 1
    assert reminders.requeue_stale() == 0


def test_recently_queued_rows_are_not_requeued_until_stale(
    partnership, people, monkeypatch, settings
):
    start_clock(partnership, owner=people["officer"])
    queued = []
    monkeypatch.setattr(reminders, "queue_send", lambda pk: queued.append(pk) or True)
    monkeypatch.setattr(reminders, "queue_sends", lambda pks: queued.extend(pks) or len(pks))
    reminders.reminders_sweep(now=at(30, month=11))
    assert reminders.requeue_stale() == 0
    settings.REMINDER_REQUEUE_AFTER_SECONDS = 0
    later = ReminderSent.objects.get().queued_at + dt.timedelta(seconds=1)
    assert reminders.requeue_stale(now=later) == 1
    assert reminders.requeue_stale(now=later) == 0  # reserved: a second sweep gets nothing


def test_sweep_deadlines_command(partnership, people, monkeypatch, capsys):
    start_clock(partnership, owner=people["officer"])
    monkeypatch.setattr(reminders, "queue_send", lambda pk: True)
    monkeypatch.setattr(reminders, "queue_sends", lambda pks: len(pks))
    call_command("sweep_deadlines", "--at", "2026-11-28T10:00")
    assert "nothing sent, not a working day (Saturday)" in capsys.readouterr().out
    call_command("sweep_deadlines", "--at", "2026-11-30T10:00")
    out = capsys.readouterr().out
    assert f"queued: before_1 2026-12-01 to {people['officer'].email}" in out
    assert "1 reminders claimed" in out
    call_command("sweep_deadlines", "--at", "2026-11-30T11:00")
    assert "0 reminders claimed" in capsys.readouterr().out


def _open_clocks(partnership, owner, n, start):
    due = dt.date(2026, 11, 27)  # overdue on 1 December: every clock is due a reminder
    Deadline.objects.bulk_create(
        Deadline(
            partnership=partnership,
            kind=Deadline.Kind.AGENCY_RETURN,
            subject_type="rapid_reviews.informationrequest",
            subject_id=start + i,
            title=f"Return {start + i}",
            owner=owner,
            trigger_date=due - dt.timedelta(days=7),
            rule=Deadline.Rule.FIXED,
            due_date=due,
        )
        for i in range(n)
    )


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["sql", "python"])
def test_the_sweep_streams_so_memory_stays_flat(partnership, people, mode):
    """Twenty times the open clocks, about the same peak memory (issue 9). In one
    statement (PostgreSQL) no clock is loaded and the claimed rows stream back a hundred
    at a time; the Python way holds one chunk of clocks at a time, never the lot. Outside
    a transaction, as beat runs it, and in a fresh process (`sweep_memory_probe`), where
    no thread left by an earlier test can allocate during the measurement."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    _open_clocks(partnership, people["officer"], 100, 0)
    _open_clocks(partnership, people["officer"], 1900, 1000)
    probe = subprocess.run(
        [sys.executable, "-m", "tests.safeguarding.sweep_memory_probe", mode],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": _database_url()},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    figures = json.loads(probe.stdout.strip().splitlines()[-1])
    (small, small_peak), (large, large_peak) = figures["small"], figures["large"]
    assert small == 100 * 2  # the owner, and the manager told (escalation)
    assert large == 2000 * 2
    assert large_peak < 2 * small_peak, (small_peak, large_peak)


@pytest.mark.parametrize("way", ["sql", "python"])
def test_an_owner_who_left_the_partnership_is_not_told_its_officers_are(
    sweep, partnership, other_partnership, people, monkeypatch, client, way
):
    """Someone who has left a partnership (here: now an officer of another) still owns
    its clocks until someone takes them, but hears nothing more of its cases: the
    reminders go to its review officers, and the clock's page and calendar feed are
    closed to them."""
    from safeguarding.models import Membership, Role
    from tests.factories import member
    from tests.utils import sign_in

    if way == "python":
        monkeypatch.setattr(reminders, "claims_in_one_statement", lambda: False)
    leaver = member(Role.REVIEW_OFFICER, partnership, full_name="Leaving Officer")
    clock = start_clock(partnership, owner=leaver)
    sign_in(client, leaver)
    page = client.post("/reminders/", {"action": "feed-create"}).content.decode()
    feed = page[page.index("/calendar/") : page.index(".ics", page.index("/calendar/")) + 4]
    assert clock.reference in client.get(feed).content.decode()
    Membership.objects.filter(user=leaver, partnership=partnership).delete()
    member_elsewhere = Membership.objects.create(
        user=leaver, partnership=other_partnership, role=Role.REVIEW_OFFICER
    )
    assert member_elsewhere.pk
    result = sweep(at(2))
    told = sorted((r.rule, r.recipient.email) for r in result.claimed)
    assert told == [
        ("escalation", people["manager"].email),
        ("overdue", people["officer"].email),
    ]
    assert leaver.email not in {m.to[0] for m in mail.outbox}
    assert client.get(f"/deadlines/{clock.pk}/why/").status_code == 404
    assert clock.reference not in client.get(feed).content.decode()


def test_someone_who_leaves_after_a_reminder_was_claimed_is_not_sent_it(
    eager, partnership, people, monkeypatch
):
    """A reminder claimed for a review officer (on its own, or held for their daily
    digest) who is removed from the partnership before it goes: it is not sent, as they
    no longer see its case."""
    from safeguarding.models import Membership

    officer = people["officer"]
    monkeypatch.setattr(reminders, "queue_send", lambda pk: True)
    monkeypatch.setattr(reminders, "queue_sends", lambda pks: len(pks))
    start_clock(partnership, owner=officer)
    (row,) = reminders.reminders_sweep(now=at(30, month=11)).claimed
    officer.reminder_preference = User.ReminderPreference.DIGEST
    officer.save()
    start_clock(partnership, owner=officer, key="-2")
    assert reminders.reminders_sweep(now=at(30, 11, month=11)).digests == 1
    held = ReminderSent.objects.get(status=Status.HELD)
    digest = ReminderSent.objects.get(rule="digest", status=Status.PENDING)
    Membership.objects.filter(user=officer, partnership=partnership).delete()

    assert reminder_mail.reminder_deliver(reminder_id=row.pk) == "skipped"
    row.refresh_from_db()
    assert row.last_error == "recipient left the partnership"
    assert reminder_mail.reminder_deliver(reminder_id=digest.pk) == "skipped"
    held.refresh_from_db()
    assert (held.status, held.last_error) == (Status.SKIPPED, "recipient left the partnership")
    assert mail.outbox == []


# --- Clocks nobody owns, in a partnership with no review officer ------------------------


def _without_officers(partnership, people, how: str):
    """Brookfield's only review officer is gone: removed, or their account switched off."""
    from safeguarding.models import Membership

    officer = people["officer"]
    if how == "removed":
        Membership.objects.filter(user=officer, partnership=partnership).delete()
    else:
        User.objects.filter(pk=officer.pk).update(is_active=False)


def _one_way(monkeypatch, way: str) -> None:
    if way == "python":
        monkeypatch.setattr(reminders, "claims_in_one_statement", lambda: False)


@pytest.mark.parametrize("way", ["sql", "python"])
@pytest.mark.parametrize("how", ["removed", "switched off"])
@pytest.mark.parametrize(
    "when, rule",
    [(at(26, month=11), "before_3"), (at(30, month=11), "before_1"), (at(1), "due")],
)
def test_with_no_review_officer_the_managers_are_reminded_of_a_clock_nobody_owns(
    sweep, partnership, people, monkeypatch, way, how, when, rule
):
    """Before the day and on the day, not only once it is overdue: the managers are the
    business unit left. The other partnership's managers hear nothing of it."""
    from safeguarding.models import Role
    from tests.factories import member

    _one_way(monkeypatch, way)
    second = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Manager Two")
    _without_officers(partnership, people, how)
    start_clock(partnership)
    result = sweep(when)
    assert sorted((r.rule, r.recipient.email) for r in result.claimed) == sorted(
        [(rule, people["manager"].email), (rule, second.email)]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people["manager"].email, second.email])


@pytest.mark.parametrize("way", ["sql", "python"])
def test_an_owner_who_left_a_partnership_with_no_officer_leaves_the_managers_reminded(
    sweep, partnership, people, monkeypatch, way
):
    from safeguarding.models import Membership

    _one_way(monkeypatch, way)
    start_clock(partnership, owner=people["officer"])
    Membership.objects.filter(user=people["officer"]).delete()
    result = sweep(at(30, month=11))
    assert [(r.rule, r.recipient) for r in result.claimed] == [("before_1", people["manager"])]


@pytest.mark.parametrize("way", ["sql", "python"])
def test_once_overdue_each_manager_is_told_once_by_the_escalation(
    sweep, partnership, people, monkeypatch, way
):
    """Both the fallback and the escalation name the managers: they get the escalation
    alone (one e-mail each), under its claim key, as when the officers are there."""
    _one_way(monkeypatch, way)
    _without_officers(partnership, people, "removed")
    start_clock(partnership)
    result = sweep(at(2))
    assert [(r.rule, r.occurrence, r.recipient) for r in result.claimed] == [
        ("escalation", "2026-12-01#0", people["manager"])
    ]
    assert [m.to for m in mail.outbox] == [[people["manager"].email]]
    assert "escalated to you as a partnership manager" in mail.outbox[0].subject
    assert sweep(at(2, 15)).claimed == []


@pytest.mark.parametrize("way", ["sql", "python"])
def test_with_escalation_off_the_managers_get_the_overdue_reminder(
    sweep, partnership, people, monkeypatch, way
):
    _one_way(monkeypatch, way)
    ReminderPolicy.objects.create(kind="notification", days_before=[3, 1], escalate=False)
    _without_officers(partnership, people, "removed")
    start_clock(partnership)
    result = sweep(at(2))
    assert [(r.rule, r.recipient) for r in result.claimed] == [("overdue", people["manager"])]


@pytest.mark.parametrize("way", ["sql", "python"])
def test_a_manager_escalated_to_is_not_told_again_the_same_day_when_the_officer_leaves(
    sweep, partnership, people, monkeypatch, way
):
    """The officer owning an overdue clock is removed after the morning's sweep: the
    managers are now whom the clock goes to, and for an overdue clock that is the
    escalation they already have (the same rule, occurrence and person: the same key)."""
    from safeguarding.models import Membership

    _one_way(monkeypatch, way)
    start_clock(partnership, owner=people["officer"])
    assert len(sweep(at(2)).claimed) == 2  # the owner, and the manager (escalation)
    Membership.objects.filter(user=people["officer"]).delete()
    assert sweep(at(2, 15)).claimed == []
    assert [m.to[0] for m in mail.outbox].count(people["manager"].email) == 1
    # Two working days on, the repeat goes to the manager once, as the escalation.
    assert [(r.rule, r.recipient) for r in sweep(at(4)).claimed] == [
        ("escalation", people["manager"])
    ]


def test_a_moved_clock_nobody_owns_is_told_to_the_managers_with_no_officer(
    partnership, people, django_capture_on_commit_callbacks
):
    _without_officers(partnership, people, "removed")
    start_clock(partnership)
    with django_capture_on_commit_callbacks(execute=True):
        ClosureDay.objects.create(
            partnership=partnership, date=dt.date(2026, 11, 30), reason="Training day"
        )
    assert [(r.rule, r.recipient) for r in ReminderSent.objects.all()] == [
        ("moved", people["manager"])
    ]
