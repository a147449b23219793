"""Why this date, reminder settings, calendar feeds, the outbox and calendar changes."""

import datetime as dt
from html import unescape

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.management import call_command
from icalendar import Calendar

from safeguarding import deadlines, reminders
from safeguarding.calendar_changes import calendar_changed
from safeguarding.models import AuditEvent, ClosureDay, Deadline, ReminderSent, User
from tests.factories import UserFactory
from tests.safeguarding.reminder_helpers import at, start_clock
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


# --- Why this date? ----------------------------------------------------------------------


def test_why_this_date_lists_rule_skipped_days_and_history(client, partnership, people):
    ClosureDay.objects.create(partnership=partnership, date=dt.date(2026, 11, 26), reason="Away")
    deadline = start_clock(partnership)
    deadlines.deadline_move(
        deadline=deadline,
        actor=people["officer"],
        reason="Council aware a day later",
        trigger_date=dt.date(2026, 11, 25),
    )
    sign_in(client, people["officer"])
    page = client.get(f"/deadlines/{deadline.pk}/why/").content.decode()
    assert "5 working days after 25 November 2026" in page
    assert "Saturday 28 November 2026" in page and "Sunday 29 November 2026" in page
    # A weekend's reason is "Weekend", as the reminder e-mail's "(weekend)": the date
    # already names the day.
    assert '<td class="govuk-table__cell">Weekend</td>' in page
    assert '<td class="govuk-table__cell">Saturday</td>' not in page
    assert "Thursday 26 November 2026" in page and "Partnership closure: Away" in page
    assert "Council aware a day later" in page and "Officer One" in page
    assert "Thursday 3 December 2026" in page  # the moved due date


def test_why_this_date_is_scoped(client, partnership, people):
    deadline = start_clock(partnership)
    for who, status in [
        ("manager", 200),
        ("other_manager", 404),
        ("agency", 404),
        ("regional", 404),
    ]:
        sign_in(client, people[who])
        assert client.get(f"/deadlines/{deadline.pk}/why/").status_code == status, who
    # Owning a clock gives no access of its own: an owner outside the business unit (or
    # one who has left it) does not see it.
    owned = start_clock(partnership, owner=people["agency"], key="-own")
    sign_in(client, people["agency"])
    assert client.get(f"/deadlines/{owned.pk}/why/").status_code == 404
    client.logout()
    assert client.get(f"/deadlines/{deadline.pk}/why/").status_code == 302


def test_why_this_date_query_count(client, partnership, people, django_assert_max_num_queries):
    deadline = start_clock(partnership)
    for i in range(5):
        deadlines.deadline_move(
            deadline=deadline,
            actor=people["officer"],
            reason=f"Move {i}",
            trigger_date=dt.date(2026, 11, 20 + i),
        )
    sign_in(client, people["officer"])
    # About 7 per signed-in request (session, user, two-factor device, memberships, session
    # save) + the deadline, its closure days and its history: constant in the history size.
    with django_assert_max_num_queries(11):
        assert client.get(f"/deadlines/{deadline.pk}/why/").status_code == 200


# --- Reminder settings and calendar feed --------------------------------------------------


def test_a_person_chooses_the_daily_digest(client, people):
    officer = people["officer"]
    sign_in(client, officer)
    assert "Send each reminder as it falls due" in client.get("/reminders/").content.decode()
    response = client.post("/reminders/", {"action": "preference", "reminder_preference": "digest"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.reminder_preference == User.ReminderPreference.DIGEST
    assert AuditEvent.objects.filter(actor=officer, action="update").exists()
    bad = client.post("/reminders/", {"action": "preference", "reminder_preference": "hourly"})
    assert bad.status_code == 200 and "Error:" in bad.content.decode()


def _new_feed(client) -> str:
    page = client.post("/reminders/", {"action": "feed-create"}).content.decode()
    start = page.index("/calendar/")
    return page[start : page.index(".ics", start) + 4]


def test_calendar_feed_is_valid_private_and_revocable(client, partnership, people):
    mine = start_clock(partnership, owner=people["officer"])
    closed = start_clock(partnership, key="-closed")
    deadlines.deadline_close(
        subject=closed_subject(closed), kind=closed.kind, key="-closed", on=dt.date(2026, 11, 25)
    )
    elsewhere = start_clock(PartnershipOf(people["other_manager"]), key="-other")
    sign_in(client, people["officer"])
    url = _new_feed(client)
    client.logout()
    response = client.get(url)  # no session: the secret address is the key
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = [c for c in cal.walk("VEVENT")]
    assert [str(e["uid"]) for e in events] == [f"deadline-{mine.pk}@safeguarding.example"]
    (event,) = events
    assert event.decoded("dtstart") == dt.date(2026, 12, 1)
    assert event.decoded("dtend") == dt.date(2026, 12, 2)
    assert "BSCP-2026-014" in str(event["summary"])
    assert elsewhere.reference not in response.content.decode()
    assert AuditEvent.objects.filter(actor=people["officer"], action="export").count() == 1
    # The same UID next time (calendars update rather than duplicate).
    again = Calendar.from_ical(client.get(url).content)
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [str(event["uid"])]
    # A new address replaces the old; switching it off stops it.
    sign_in(client, people["officer"])
    newer = _new_feed(client)
    assert client.get(url).status_code == 404 and client.get(newer).status_code == 200
    client.post("/reminders/", {"action": "feed-revoke"})
    assert client.get(newer).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def _schedule_rows(page: str, partnership_name: str) -> dict[str, str]:
    """The reminder schedule of one partnership on a page: kind of deadline -> words."""
    import re

    start = page.index(f'data-schedule="{partnership_name}"')
    table = page[start : page.index("</table>", start)]
    body = table[table.index("<tbody") :]
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
    ]
    return dict(zip(cells[::2], cells[1::2], strict=True))


def test_the_reminders_page_shows_the_schedule_each_partnership_has(
    client, partnership, other_partnership, people
):
    """The page said "3 and 1 working days before a deadline" whatever the partnership's
    reminder policy: it shows what the sweep uses, kind by kind, partnership by
    partnership (its own policy, else the service's default, else the code's)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safeguarding.models import Membership, ReminderPolicy, Role

    officer = people["officer"]
    sign_in(client, officer)
    client.get("/reminders/")  # the first page after signing in does more (the session)
    with CaptureQueriesContext(connection) as one:
        page = unescape(client.get("/reminders/").content.decode())
    assert "3 and 1 working days before a deadline" not in page
    rows = _schedule_rows(page, partnership.name)
    assert rows["Notify the National Panel"] == (
        "3 and 1 working days before, on the day, then every 2 working days while it is overdue"
    )
    ReminderPolicy.objects.create(
        partnership=partnership, kind=Deadline.Kind.NOTIFICATION, days_before=[4, 2]
    )
    ReminderPolicy.objects.create(
        partnership=None,
        kind=Deadline.Kind.RAPID_REVIEW,
        days_before=[5],
        on_the_day=False,
        overdue_every=0,
    )
    ReminderPolicy.objects.create(
        partnership=other_partnership, kind=Deadline.Kind.PUBLICATION, enabled=False
    )
    Membership.objects.create(user=officer, partnership=other_partnership, role=Role.REVIEW_OFFICER)
    with CaptureQueriesContext(connection) as two:
        page = unescape(client.get("/reminders/").content.decode())
    mine, other = (
        _schedule_rows(page, partnership.name),
        _schedule_rows(page, other_partnership.name),
    )
    assert mine["Notify the National Panel"] == (
        "4 and 2 working days before, on the day, then every 2 working days while it is "
        "overdue (set by this partnership)"
    )
    assert other["Notify the National Panel"] == (
        "3 and 1 working days before, on the day, then every 2 working days while it is overdue"
    )
    assert (
        mine["Complete the rapid review"]
        == other["Complete the rapid review"]
        == ("5 working days before, then once when it is overdue")
    )
    assert mine["Publish the local review"].startswith("3 and 1 working days before")
    assert other["Publish the local review"] == "No reminders (set by this partnership)"
    assert len(mine) == len(Deadline.Kind.choices)
    # Two partnerships and three policies cost no more queries than one and none.
    assert len(two) == len(one), "\n".join(q["sql"][:150] for q in two.captured_queries)


def test_a_switched_off_calendar_address_is_said_to_be_switched_off(client, people):
    """After "Switch off the address" the page said "You do not have a calendar address
    yet", as if there had never been one: a calendar still subscribed to the old address
    silently stops updating, so the page says so."""
    sign_in(client, people["officer"])
    page = client.get("/reminders/").content.decode()
    assert "You do not have a calendar address yet." in page
    _new_feed(client)
    client.post("/reminders/", {"action": "feed-revoke"})
    page = unescape(client.get("/reminders/").content.decode())
    assert "You do not have a calendar address yet." not in page
    assert "You switched off your calendar address on " in page
    assert "Any calendar that uses the old address no longer gets updates." in page
    assert "Make a new address" in page
    # A new address afterwards is an address again, not "switched off".
    _new_feed(client)
    page = unescape(client.get("/reminders/").content.decode())
    assert "switched off your calendar address" not in page
    assert "You made an address on " in page


def test_feed_of_a_switched_off_person_is_gone(client, people):
    sign_in(client, people["manager"])
    url = _new_feed(client)
    User.objects.filter(pk=people["manager"].pk).update(is_active=False)
    assert client.get(url).status_code == 404


def closed_subject(deadline):
    from safeguarding.models import Partnership

    return Partnership.objects.get(pk=deadline.subject_id)


def PartnershipOf(user):  # noqa: N802
    return user.memberships.get().partnership


# --- Outbox --------------------------------------------------------------------------------


@pytest.fixture
def outbox_dir(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    return settings.EMAIL_FILE_PATH


def _write_mail(n):
    connection = get_connection()  # one connection: one outbox file, messages in order
    connection.open()
    for i in range(n):
        message = EmailMultiAlternatives(
            f"Reminder {i}", f"Plain text {i}", to=[f"p{i}@x.org"], connection=connection
        )
        message.attach_alternative(f"<script>alert({i})</script><p>HTML {i}</p>", "text/html")
        message.send()
    connection.close()


def test_outbox_is_for_administrators_only(client, people, outbox_dir):
    _write_mail(1)
    sign_in(client, people["manager"])
    assert client.get("/outbox/").status_code == 403
    client.logout()
    assert client.get("/outbox/").status_code == 302


def test_outbox_lists_newest_first_and_shows_the_text_part(
    client, outbox_dir, django_assert_max_num_queries
):
    _write_mail(3)
    admin = UserFactory(is_superuser=True, is_staff=True)
    sign_in(client, admin)
    # The outbox reads files only: just the per-request session and user queries.
    with django_assert_max_num_queries(8):
        page = client.get("/outbox/").content.decode()
    assert page.index("Reminder 2") < page.index("Reminder 1") < page.index("Reminder 0")
    (name,) = [p.name for p in outbox_dir.iterdir()]
    with django_assert_max_num_queries(8):
        detail = client.get(f"/outbox/{name}/0/").content.decode()
    assert "Plain text 0" in detail and "p0@x.org" in detail
    assert "<script>alert" not in detail and "HTML 0" not in detail
    assert client.get(f"/outbox/{name}/9/").status_code == 404
    assert client.get("/outbox/..%2Fdb.sqlite3/0/").status_code == 404


def test_outbox_dates_read_as_the_service_writes_them(client, outbox_dir):
    """Not as e-mail writes them ("Mon, 06 Jul 2026 09:01:41 -0000"): in UK time, as the
    rest of the service shows a moment."""
    EmailMultiAlternatives(
        "Reminder",
        "Plain text",
        to=["p@x.org"],
        headers={"Date": "Mon, 06 Jul 2026 09:01:41 -0000"},
    ).send()
    EmailMultiAlternatives(
        "Winter", "Plain text", to=["p@x.org"], headers={"Date": "Mon, 07 Dec 2026 10:01:41 -0000"}
    ).send()
    sign_in(client, UserFactory(is_superuser=True, is_staff=True))
    page = client.get("/outbox/").content.decode()
    assert "6 July 2026, 10:01am" in page  # British Summer Time
    assert "7 December 2026, 10:01am" in page
    assert "-0000" not in page
    name = sorted(p.name for p in outbox_dir.iterdir())[0]
    detail = client.get(f"/outbox/{name}/0/").content.decode()
    assert "2026, 10:01am" in detail and "-0000" not in detail


def test_a_reminder_lands_in_the_outbox_in_the_embedded_default(
    client, outbox_dir, partnership, people, monkeypatch
):
    from safeguarding.reminder_mail import reminder_deliver

    start_clock(partnership, owner=people["officer"])
    monkeypatch.setattr(reminders, "queue_send", lambda pk: True)
    monkeypatch.setattr(reminders, "queue_sends", lambda pks: len(pks))
    (row,) = reminders.reminders_sweep(now=at(30, month=11)).claimed
    reminder_deliver(reminder_id=row.pk)
    sign_in(client, UserFactory(is_superuser=True, is_staff=True))
    assert (
        "Due in 1 working day: Notify the National Panel" in client.get("/outbox/").content.decode()
    )


# --- Calendar changes ------------------------------------------------------------------------


def test_a_new_closure_day_moves_open_clocks_and_tells_the_owner_once(
    partnership, people, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deadline = start_clock(partnership, owner=people["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        ClosureDay.objects.create(
            partnership=partnership, date=dt.date(2026, 11, 30), reason="Training day"
        )
    deadline.refresh_from_db()
    assert deadline.due_date == dt.date(2026, 12, 2) and deadline.moved_by_calendar
    (row,) = ReminderSent.objects.filter(rule="moved")
    assert row.recipient == people["officer"] and row.queued_at is None
    assert calendar_changed(partnership=partnership) == []  # nothing moves twice
    assert ReminderSent.objects.filter(rule="moved").count() == 1
    # The next sweep in office hours sends it.
    from safeguarding.reminder_mail import reminder_deliver

    monkeypatch.setattr(reminders, "queue_send", lambda pk: bool(reminder_deliver(reminder_id=pk)))

    monkeypatch.setattr(
        reminders, "queue_sends", lambda pks: [reminder_deliver(reminder_id=pk) for pk in pks]
    )
    reminders.reminders_sweep(now=at(1))
    moved = [m for m in mail.outbox if m.subject.startswith("Due date changed")]
    assert len(moved) == 1
    assert "moved from 1 December 2026 to 2 December 2026" in moved[0].body


def test_removing_the_closure_day_moves_it_back(
    partnership, people, django_capture_on_commit_callbacks
):
    closure = ClosureDay.objects.create(
        partnership=partnership, date=dt.date(2026, 11, 30), reason="Training day"
    )
    deadline = start_clock(partnership, owner=people["officer"])
    assert deadline.due_date == dt.date(2026, 12, 2)
    with django_capture_on_commit_callbacks(execute=True):
        closure.delete()
    deadline.refresh_from_db()
    assert deadline.due_date == dt.date(2026, 12, 1)
    assert deadline.changes.get().reason == "The working-day calendar changed"


def test_recompute_deadlines_command(partnership, people, capsys):
    deadline = start_clock(partnership, owner=people["officer"])
    Deadline.objects.filter(pk=deadline.pk).update(due_date=dt.date(2026, 12, 3))  # stale data
    call_command("recompute_deadlines")
    assert "1 deadlines moved in total" in capsys.readouterr().out
    assert ReminderSent.objects.filter(rule="moved", deadline=deadline).count() == 1


@pytest.mark.parametrize(
    "target, due, last_skipped",
    [
        # Monday 7 June 2027: counted back over the Spring bank holiday (31 May).
        (dt.date(2027, 6, 7), dt.date(2027, 5, 26), None),
        # Saturday 5 June 2027: counted back from the Friday before it.
        (dt.date(2027, 6, 5), dt.date(2027, 5, 25), "Saturday 5 June 2027"),
    ],
)
def test_why_the_notice_to_the_panel_and_dfe_is_due_then(
    client, partnership, people, target, due, last_skipped
):
    """The final report goes to the Panel and DfE at least 7 working days before
    publication: the page says it counts back from the publication date (not that a
    clock started then, on a day still to come) and lists the days not counted."""
    deadline = deadlines.deadline_start(
        subject=people["manager"],
        partnership=partnership,
        kind=Deadline.Kind.PRE_PUBLICATION_NOTICE,
        title="Send the final report to the Panel and DfE: BSCP-2026-014",
        reference="BSCP-2026-014",
        trigger_date=target,
        rule=Deadline.Rule.WORKING_DAYS_BEFORE,
        amount=7,
    )
    assert deadline.due_date == due
    sign_in(client, people["manager"])
    page = client.get(f"/deadlines/{deadline.pk}/why/").content.decode()
    assert f"{due:%A} {due.day} {due:%B %Y}" in page
    assert "Counted back from" in page and "day 0" not in page
    assert "Clock started" not in page
    assert "no days are skipped" not in page
    assert "Monday 31 May 2027" in page and "Spring Bank Holiday" in page
    assert "Saturday 29 May 2027" in page and "Sunday 30 May 2027" in page
    if last_skipped:
        assert last_skipped in page
    assert '<dd class="govuk-summary-list__value">7</dd>' in page  # the days counted


def test_why_a_date_set_by_hand_says_nothing_of_a_day_0(client, partnership, people):
    from tests.safeguarding.report_helpers import make_deadline

    deadline = make_deadline(partnership, due=dt.date(2027, 1, 15), kind=Deadline.Kind.ACTION)
    sign_in(client, people["manager"])
    page = client.get(f"/deadlines/{deadline.pk}/why/").content.decode()
    assert "day 0" not in page and "Friday 15 January 2027" in page
