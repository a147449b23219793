"""Reminders held for a daily digest when their clocks are handed over (ADR 0022 addendum).

A person who chose one daily digest has their reminders claimed and held until the digest
is built and sent. When a manager hands their clocks over (cover for leave, or someone
who left), the held reminders that were theirs as the owner go to the new owner in the
same transaction, or are dropped when the new owner has the same claim already; an
escalation they had as a manager stays theirs. Real rows throughout: the sweep claims
them, the hand-over service (or page) moves them, the send task sends them."""

from unittest.mock import ANY

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from safeguarding import people as people_service
from safeguarding import reminder_mail, reminders
from safeguarding.models import Membership, ReminderSent, Role, User
from tests.factories import member
from tests.safeguarding.reminder_helpers import at, start_clock
from tests.utils import commit_once_waited_on, second_connection, sign_in, tasks_in_process

pytestmark = pytest.mark.django_db
Status = ReminderSent.Status
DIGEST, EACH = User.ReminderPreference.DIGEST, User.ReminderPreference.IMMEDIATE


@pytest.fixture
def eager(settings):
    """Tasks run in-process; e-mail goes to django.core.mail.outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with tasks_in_process():
        yield


@pytest.fixture
def not_sent(monkeypatch):
    """The sweep claims and builds digests, but no send is queued: they wait, pending."""
    monkeypatch.setattr(reminders, "queue_send", lambda pk: True)
    monkeypatch.setattr(reminders, "queue_sends", lambda pks: len(pks))


def _prefers(user, preference):
    user.reminder_preference = preference
    user.save(update_fields=["reminder_preference"])
    return user


def _hand_over(manager, partnership, owner, successor):
    return people_service.deadlines_hand_over(
        actor=manager, partnership=partnership, owner=owner, successor=successor
    )


def _rows(**filters):
    return sorted(
        ReminderSent.objects.filter(deadline__isnull=False, **filters).values_list(
            "deadline_id", "rule", "recipient_id", "status", "digest_id"
        )
    )


def test_held_reminders_in_a_digest_not_yet_sent_go_to_the_new_owner(
    eager, monkeypatch, client, partnership, people, django_capture_on_commit_callbacks
):
    """Cover for leave, through the page: the officer (a daily digest) keeps their role;
    their digest, built but not yet sent, loses the two reminders, which the colleague
    (each reminder on its own) is sent by the next sweep. No one is told twice."""
    officer = _prefers(people["officer"], DIGEST)
    colleague = _prefers(member(Role.REVIEW_OFFICER, partnership, full_name="Colleague"), EACH)
    first = start_clock(partnership, owner=officer)
    second = start_clock(partnership, owner=officer, key="-2")
    with monkeypatch.context() as m:  # the digest is built, and not sent yet
        m.setattr(reminders, "queue_send", lambda pk: True)
        reminders.reminders_sweep(now=at(30, month=11))
    digest = ReminderSent.objects.get(rule="digest", recipient=officer, status=Status.PENDING)
    assert _rows() == [
        (first.pk, "before_1", officer.pk, Status.HELD, digest.pk),
        (second.pk, "before_1", officer.pk, Status.HELD, digest.pk),
    ]

    sign_in(client, people["manager"])
    hand_over = reverse("safeguarding:deadlines-hand-over", args=[partnership.pk, officer.pk])
    assert client.post(hand_over, {"successor": colleague.pk}).status_code == 302

    # Pending, not queued: the next sweep in office hours sends them.
    assert _rows() == [
        (first.pk, "before_1", colleague.pk, Status.PENDING, None),
        (second.pk, "before_1", colleague.pk, Status.PENDING, None),
    ]
    # (The new owner's e-mail saying the deadlines are theirs now goes at once.)
    assert not ReminderSent.objects.filter(status=Status.PENDING, queued_at__isnull=False).exclude(
        rule__in=["digest", reminders.HAND_OVER]
    )
    assert reminder_mail.reminder_deliver(reminder_id=digest.pk) == Status.SKIPPED
    digest.refresh_from_db()
    assert digest.last_error == "nothing left to send"
    with django_capture_on_commit_callbacks(execute=True):
        later = reminders.reminders_sweep(now=at(30, 10, 10, month=11))
    assert later.claimed_count == 0  # the moved reminders hold the new owner's claims
    assert later.requeued == 2
    assert sorted(m.to[0] for m in mail.outbox) == [colleague.email, colleague.email]
    assert sorted(m.subject for m in mail.outbox) == [
        "Due in 1 working day: Notify the National Panel: BSCP-2026-014",
        "Due in 1 working day: Notify the National Panel: BSCP-2026-014-2",
    ]


def test_a_reminder_held_for_tomorrows_digest_goes_in_the_new_owners_digest(
    eager, partnership, people, django_capture_on_commit_callbacks
):
    """Claimed after the officer's digest of the day went, a reminder waits for the next
    day's. Handed over meanwhile, it is in the colleague's next digest (they chose one
    too), not in the officer's."""
    officer = _prefers(people["officer"], DIGEST)
    colleague = _prefers(member(Role.REVIEW_OFFICER, partnership, full_name="Colleague"), DIGEST)
    start_clock(partnership, owner=officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_sweep(now=at(26, 10, month=11)).digests == 1
    late = start_clock(partnership, owner=officer, key="-2", amount=2)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=at(26, 11, month=11))
    waiting = ReminderSent.objects.get(deadline=late, status=Status.HELD, digest__isnull=True)
    assert waiting.recipient == officer
    mail.outbox.clear()

    assert _hand_over(people["manager"], partnership, officer, colleague) == 2
    waiting.refresh_from_db()
    assert (waiting.recipient, waiting.status) == (colleague, Status.HELD)

    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=at(27, 10, month=11))
    # The manager is told the late clock is overdue (escalation); the officer nothing.
    assert officer.email not in {m.to[0] for m in mail.outbox}
    (digest,) = [m for m in mail.outbox if m.to == [colleague.email]]
    assert digest.subject.startswith("Your deadlines today")
    assert digest.body.count("BSCP-2026-014-2") == 1
    waiting.refresh_from_db()
    assert waiting.status == Status.SENT


def test_a_held_reminder_the_new_owner_already_has_is_dropped(eager, not_sent, partnership, people):
    """The officer was removed by the administrators after the morning's sweep held their
    reminder; the next sweep reminded the partnership's other officer, as the clock was
    no one's; the manager then hands the clocks to that officer. Moving the officer's
    reminder would give the same reminder twice (and break the unique claim): it is
    dropped, and the colleague's digest says it once."""
    officer = _prefers(people["officer"], DIGEST)
    colleague = _prefers(member(Role.REVIEW_OFFICER, partnership, full_name="Colleague"), DIGEST)
    clock = start_clock(partnership, owner=officer)
    reminders.reminders_sweep(now=at(30, 10, month=11))
    Membership.objects.filter(user=officer).delete()  # as the administration site does
    reminders.reminders_sweep(now=at(30, 10, 10, month=11))
    theirs = ReminderSent.objects.get(deadline=clock, recipient=officer)
    ours = ReminderSent.objects.get(deadline=clock, recipient=colleague)
    assert (theirs.rule, theirs.status) == (ours.rule, ours.status) == ("before_1", Status.HELD)

    assert reminders.held_reminders_hand_over(
        deadline_ids=[clock.pk], from_user=officer, to_user=colleague
    ) == (0, 1)
    theirs.refresh_from_db()
    assert (theirs.recipient, theirs.status, theirs.last_error) == (
        officer,
        Status.SKIPPED,
        reminders.TOLD_ALREADY,
    )
    assert ReminderSent.objects.filter(deadline=clock, recipient=colleague).count() == 1

    for digest in ReminderSent.objects.filter(rule="digest").order_by("pk"):
        reminder_mail.reminder_deliver(reminder_id=digest.pk)
    (sent,) = mail.outbox
    assert sent.to == [colleague.email] and sent.body.count("BSCP-2026-014") == 1


def test_the_same_claim_is_dropped_at_a_hand_over_of_someone_still_here(
    eager, not_sent, partnership, people
):
    """Cover for leave: the officer keeps their role and would have been sent their held
    reminder in their digest while the colleague, who already has the same one, is sent
    it too. Through the hand-over service: dropped in the same transaction."""
    officer = _prefers(people["officer"], DIGEST)
    colleague = _prefers(member(Role.REVIEW_OFFICER, partnership, full_name="Colleague"), EACH)
    clock = start_clock(partnership, owner=officer)
    reminders.reminders_sweep(now=at(30, 10, month=11))
    # The colleague had it already (as when the clock was no one's for a while).
    ReminderSent.objects.create(
        deadline=clock,
        recipient=colleague,
        rule="before_1",
        occurrence="2026-12-01",
        status=Status.SENT,
    )
    assert _hand_over(people["manager"], partnership, officer, colleague) == 1
    theirs = ReminderSent.objects.get(deadline=clock, recipient=officer)
    assert (theirs.status, theirs.last_error) == (Status.SKIPPED, reminders.TOLD_ALREADY)
    (digest,) = ReminderSent.objects.filter(rule="digest", recipient=officer)
    assert reminder_mail.reminder_deliver(reminder_id=digest.pk) == Status.SKIPPED
    assert mail.outbox == []


def test_an_escalation_held_for_a_manager_stays_theirs_when_their_clocks_go(
    not_sent, partnership, people
):
    """A manager told of an overdue clock as a manager (escalation), who then covers for
    its owner and later hands the clock on: the owner's "overdue" of that day is not
    theirs as well (the escalation told them); the owner's reminder of the next repeat,
    theirs as the owner, goes on to the next owner; the escalation stays with them (they
    are still a manager)."""
    officer = _prefers(people["officer"], DIGEST)
    manager = _prefers(people["manager"], DIGEST)
    deputy = _prefers(member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Deputy"), DIGEST)
    colleague = _prefers(member(Role.REVIEW_OFFICER, partnership, full_name="Colleague"), DIGEST)
    clock = start_clock(partnership, owner=officer)
    reminders.reminders_sweep(now=at(2, 10))
    assert _rows() == [
        (clock.pk, "escalation", manager.pk, Status.HELD, _digest_of(manager)),
        (clock.pk, "escalation", deputy.pk, Status.HELD, _digest_of(deputy)),
        (clock.pk, "overdue", officer.pk, Status.HELD, _digest_of(officer)),
    ]

    assert _hand_over(manager, partnership, officer, manager) == 1
    assert _rows() == [
        (clock.pk, "escalation", manager.pk, Status.HELD, _digest_of(manager)),
        (clock.pk, "escalation", deputy.pk, Status.HELD, _digest_of(deputy)),
        (clock.pk, "overdue", officer.pk, Status.SKIPPED, _digest_of(officer)),
    ]
    # Nor does the sweep claim the owner's "overdue" of the same day for the manager.
    assert reminders.reminders_sweep(now=at(2, 11)).claimed_count == 0

    # At the next repeat the manager is reminded as the owner, the deputy by escalation.
    reminders.reminders_sweep(now=at(4, 10))
    repeat = ReminderSent.objects.get(deadline=clock, recipient=manager, rule="overdue")
    assert (repeat.occurrence, repeat.status) == ("2026-12-01#1", Status.HELD)
    assert _hand_over(manager, partnership, manager, colleague) == 1
    assert _rows(recipient=manager) == [
        (clock.pk, "escalation", manager.pk, Status.HELD, _digest_of(manager, 2)),
    ]
    assert _rows(recipient=colleague) == [
        (clock.pk, "overdue", colleague.pk, Status.HELD, None),
    ]
    assert ReminderSent.objects.get(recipient=colleague, rule="overdue").pk == repeat.pk


def _digest_of(user, day: int | None = None) -> int:
    digests = ReminderSent.objects.filter(rule="digest", recipient=user)
    if day is not None:
        digests = digests.filter(occurrence=f"2026-12-{day:02d}")
    return digests.get().pk


@pytest.fixture
def next_day(monkeypatch):
    """E-mails written "on" the day after the claims (which are made at the real time:
    they are dated to the day of the sweep that made them)."""
    import datetime as dt

    from django.utils import timezone

    real = timezone.localdate

    def on(day: dt.date):
        monkeypatch.setattr(timezone, "localdate", lambda value=None: real(value) if value else day)

    return on


def _late_clock_held_overnight(partnership, officer, sweep_day: int, month: int):
    """The officer's digest of the day goes at 10:00; a clock started at 11:00 is claimed
    then and held for the next day's digest. Returns the clock and its held reminder."""
    start_clock(partnership, owner=officer)
    reminders.reminders_sweep(now=at(sweep_day, 10, month=month))
    late = start_clock(partnership, owner=officer, key="-2")
    reminders.reminders_sweep(now=at(sweep_day, 11, month=month))
    held = ReminderSent.objects.get(deadline=late, status=Status.HELD, digest__isnull=True)
    ReminderSent.objects.filter(created_at__isnull=False).update(
        created_at=at(sweep_day, 11, month=month)
    )
    return late, held


def test_a_reminder_handed_over_in_the_evening_is_replaced_by_the_next_mornings(
    eager, partnership, people, next_day, django_capture_on_commit_callbacks
):
    """Handed over at 19:00 to someone who has each reminder on its own, yesterday's
    held "due today" would go out next morning beside today's "overdue" of the same
    clock: only today's goes."""
    officer = _prefers(people["officer"], DIGEST)
    colleague = _prefers(member(Role.REVIEW_OFFICER, partnership, full_name="Colleague"), EACH)
    with django_capture_on_commit_callbacks(execute=True):
        late, held = _late_clock_held_overnight(partnership, officer, 1, 12)
    assert held.rule == "due"
    _hand_over(people["manager"], partnership, officer, colleague)
    mail.outbox.clear()
    next_day(at(2).date())
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=at(2))
    about_it = [m for m in mail.outbox if m.to == [colleague.email] and "014-2" in m.subject]
    assert [m.subject for m in about_it] == [
        "Overdue: 1 working day late: Notify the National Panel: BSCP-2026-014-2"
    ]
    held.refresh_from_db()
    assert (held.status, held.last_error) == (Status.SKIPPED, reminder_mail.SUPERSEDED)


def test_a_reminder_handed_over_overnight_says_where_the_clock_stands_when_sent(
    eager, partnership, people, next_day, django_capture_on_commit_callbacks
):
    """The same reminder (overdue, first repeat) is due the next day too: the handed-over
    one goes, once, saying how late the clock is that day."""
    officer = _prefers(people["officer"], DIGEST)
    colleague = _prefers(member(Role.REVIEW_OFFICER, partnership, full_name="Colleague"), EACH)
    with django_capture_on_commit_callbacks(execute=True):
        late, held = _late_clock_held_overnight(partnership, officer, 2, 12)
    assert (held.rule, held.occurrence) == ("overdue", "2026-12-01#0")
    _hand_over(people["manager"], partnership, officer, colleague)
    mail.outbox.clear()
    next_day(at(3).date())
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=at(3))
    about_it = [m for m in mail.outbox if m.to == [colleague.email] and "014-2" in m.subject]
    assert [m.subject for m in about_it] == [
        "Overdue: 2 working days late: Notify the National Panel: BSCP-2026-014-2"
    ]
    held.refresh_from_db()
    assert (held.recipient, held.status) == (colleague, Status.SENT)


# --- A new owner told of the clock already, by its escalation ------------------------


def _to(user) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [user.email]]


def test_a_manager_told_by_the_escalation_is_not_sent_the_overdue_they_take_over(
    eager, partnership, people, django_capture_on_commit_callbacks
):
    """The officer has a daily digest, the manager each reminder on its own. The 10:00
    sweep sends the officer's digest; a clock started later is overdue at 11:00, when its
    "overdue" is held for the officer's digest of tomorrow and the manager is sent its
    escalation. The manager then takes the officer's clocks: the held "overdue" is not
    theirs to be sent (they had the escalation of the same clock and day), nor is a new
    "overdue" of the clock whose escalation went at 10:00."""
    officer = _prefers(people["officer"], DIGEST)
    manager = _prefers(people["manager"], EACH)
    first = start_clock(partnership, owner=officer)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=at(2, 10))
    late = start_clock(partnership, owner=officer, key="-2")
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=at(2, 11))
    held = ReminderSent.objects.get(deadline=late, status=Status.HELD)
    assert (held.recipient, held.rule, held.digest) == (officer, "overdue", None)
    assert [s.startswith("Overdue (escalated to you") for s in _to(manager)] == [True, True]
    mail.outbox.clear()

    assert _hand_over(manager, partnership, officer, manager) == 2
    held.refresh_from_db()
    assert (held.recipient, held.status, held.last_error) == (
        officer,
        Status.SKIPPED,
        reminders.TOLD_BY_ESCALATION,
    )
    with django_capture_on_commit_callbacks(execute=True):
        later = reminders.reminders_sweep(now=at(2, 13))
    assert later.claimed_count == 0
    assert mail.outbox == []
    assert not ReminderSent.objects.filter(recipient=manager, rule="overdue").exists()

    # At the next repeat the manager, owning both clocks now, is reminded as the owner.
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=at(4, 10))
    assert sorted(_to(manager)) == [
        f"Overdue: 3 working days late: {clock.title}" for clock in (first, late)
    ]


@pytest.mark.parametrize("one_statement", [True, False], ids=["sql", "python"])
def test_the_sweep_takes_an_escalation_for_the_new_owners_overdue_both_ways(
    eager, monkeypatch, partnership, people, django_capture_on_commit_callbacks, one_statement
):
    """Nothing was held (everyone takes each reminder on its own): the officer was sent the
    "overdue" and the manager its escalation at 10:00; the manager covers from 12:00. Both
    ways of working out the reminders due (one statement, or Python on SQLite) leave the
    manager's "overdue" of that clock and day unclaimed; the other manager, still told by
    escalation, and a clock whose escalation the manager did not have, are not affected."""
    monkeypatch.setattr(reminders, "claims_in_one_statement", lambda: one_statement)
    officer, manager = people["officer"], people["manager"]
    deputy = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Deputy")
    clock = start_clock(partnership, owner=officer)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=at(2, 10))
    assert _to(officer) == [f"Overdue: 1 working day late: {clock.title}"]
    assert len(_to(manager)) == len(_to(deputy)) == 1
    # A clock started after that sweep: its escalation has not gone to the manager yet.
    late = start_clock(partnership, owner=officer, key="-2")
    mail.outbox.clear()

    _hand_over(manager, partnership, officer, manager)
    with django_capture_on_commit_callbacks(execute=True):
        later = reminders.reminders_sweep(now=at(2, 13))
    assert sorted((r.deadline_id, r.rule, r.recipient_id) for r in later.claimed) == [
        (late.pk, "escalation", deputy.pk),
        (late.pk, "overdue", manager.pk),
    ]
    assert _to(manager) == [f"Overdue: 1 working day late: {late.title}"]
    assert _to(officer) == []


# --- Reminders claimed for the old owner after the hand-over read them --------------


def _claimed_as_a_sweep_did(clock, user, rule="before_1", occurrence="2026-12-01"):
    """The reminder a sweep running at the same moment as the hand-over claimed for the
    owner it had read (the hand-over had read the held reminders already)."""
    return reminders.reminder_claim(
        recipient=user,
        deadline=clock,
        rule=rule,
        occurrence=occurrence,
        context={"working_days": 1, "on": "2026-11-30"},
        queue=False,
    )


def test_a_reminder_claimed_for_the_old_owner_meanwhile_is_not_sent_to_them(
    eager, partnership, people, django_capture_on_commit_callbacks
):
    """Cover for leave: the officer (each reminder on its own) is still in the partnership;
    their reminder, claimed by a sweep that read the clock before the hand-over, is
    skipped when it is sent, and the next sweep reminds the colleague, once."""
    officer, manager = people["officer"], people["manager"]
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague")
    clock = start_clock(partnership, owner=officer)
    _hand_over(manager, partnership, officer, colleague)
    theirs = _claimed_as_a_sweep_did(clock, officer)

    assert reminder_mail.reminder_deliver(reminder_id=theirs.pk) == Status.SKIPPED
    theirs.refresh_from_db()
    assert theirs.last_error == reminder_mail.HANDED_OVER == "the deadline has another owner now"
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=at(30, 10, 10, month=11))
    # (Besides the e-mail telling the colleague the deadline is theirs now.)
    assert [(m.to, m.subject) for m in mail.outbox if "is now yours" not in m.subject] == [
        ([colleague.email], f"Due in 1 working day: {clock.title}")
    ]


def test_a_reminder_held_for_the_old_owner_meanwhile_leaves_their_digest(
    eager, not_sent, partnership, people
):
    """The same with a daily digest: the sweep's digest of the officer takes the reminder
    it claimed; sending it skips that one. Their reminder of a clock they still own is
    sent."""
    officer, manager = _prefers(people["officer"], DIGEST), people["manager"]
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague")
    clock = start_clock(partnership, owner=officer)
    _hand_over(manager, partnership, officer, colleague)
    theirs = _claimed_as_a_sweep_did(clock, officer)
    kept = start_clock(partnership, owner=officer, key="-2")
    reminders.reminders_sweep(now=at(30, 10, month=11))
    digest = ReminderSent.objects.get(rule="digest", recipient=officer)
    assert set(digest.items.values_list("deadline_id", flat=True)) == {clock.pk, kept.pk}

    assert reminder_mail.reminder_deliver(reminder_id=digest.pk) == Status.SENT
    (sent,) = [m for m in mail.outbox if m.to == [officer.email]]
    assert kept.title in sent.body and f"{clock.title}\n" not in sent.body
    assert sent.subject == "Your deadlines today: 1 reminder"
    theirs.refresh_from_db()
    assert (theirs.status, theirs.last_error) == (Status.SKIPPED, reminder_mail.HANDED_OVER)
    assert ReminderSent.objects.filter(deadline=clock, recipient=colleague).count() == 1


@pytest.mark.parametrize("preference", [EACH, DIGEST])
def test_reminders_of_a_clock_nobody_owns_still_go_to_the_officers(
    eager, not_sent, partnership, people, preference
):
    """A clock with no owner, and one whose owner has left, are reminded to the review
    officers; that is not a clock with another owner. Once the leaver's clock is handed to
    one of them, the other's reminder of it is skipped (the owner is reminded); the new
    owner's own is sent."""
    officer, manager = _prefers(people["officer"], preference), people["manager"]
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague")
    _prefers(colleague, preference)
    leaver = member(Role.REVIEW_OFFICER, partnership, full_name="Leaver")
    nobodys = start_clock(partnership)
    leavers = start_clock(partnership, owner=leaver, key="-2")
    Membership.objects.filter(user=leaver).delete()
    reminders.reminders_sweep(now=at(30, 10, month=11))
    assert _rows() == sorted(
        (clock.pk, "before_1", person.pk, ANY, ANY)
        for clock in (nobodys, leavers)
        for person in (officer, colleague)
    )
    _hand_over(manager, partnership, leaver, colleague)

    for row in ReminderSent.objects.filter(status=Status.PENDING).order_by("pk"):
        reminder_mail.reminder_deliver(reminder_id=row.pk)
    told = sorted(
        (m.to[0], title)
        for m in mail.outbox
        for title in (nobodys.title, leavers.title)
        if f"{title}\n" in m.body or m.subject.endswith(title)
    )
    assert told == sorted(
        [
            (officer.email, nobodys.title),
            (colleague.email, nobodys.title),
            (colleague.email, leavers.title),
        ]
    )
    skipped = ReminderSent.objects.get(deadline=leavers, recipient=officer)
    assert (skipped.status, skipped.last_error) == (Status.SKIPPED, reminder_mail.HANDED_OVER)


# --- Races with a sweep --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_digest_built_during_the_hand_over_keeps_its_reminders(eager, partnership, people):
    """The hand-over reads which digests hold the officer's held reminders (none yet), and
    locks those digests and then the reminders. A sweep in another worker builds the
    officer's digest in between, taking the reminder into it: that digest is not locked,
    and its send task may be sending it this moment. The reminder is left in it, not
    moved to the colleague as well. Sent now, the digest skips it (its clock has another
    owner), and the next sweep reminds the colleague."""
    officer = _prefers(people["officer"], DIGEST)
    colleague = _prefers(member(Role.REVIEW_OFFICER, partnership, full_name="Colleague"), EACH)
    clock = start_clock(partnership, owner=officer)
    held = reminders.reminder_claim(
        recipient=officer,
        deadline=clock,
        rule="before_1",
        occurrence="2026-12-01",
        context={"working_days": 1, "on": "2026-11-30"},
    )
    assert (held.status, held.digest_id) == (Status.HELD, None)

    side = second_connection()  # digests_build, as another worker runs it: not committed
    with side.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ReminderSent._meta.db_table}"  # noqa: S608
            " (recipient_id, rule, occurrence, status, context, created_at, attempts,"
            "  last_error)"
            " VALUES (%s, 'digest', '2026-11-30', 'pending', '{}', now(), 0, '') RETURNING id",
            [officer.pk],
        )
        (digest_id,) = cursor.fetchone()
        cursor.execute(
            f"UPDATE {ReminderSent._meta.db_table} SET digest_id = %s"  # noqa: S608
            " WHERE recipient_id = %s AND status = 'held' AND digest_id IS NULL",
            [digest_id, officer.pk],
        )
    connection.ensure_connection()
    thread = commit_once_waited_on(side)
    try:
        assert _hand_over(people["manager"], partnership, officer, colleague) == 1
    finally:
        thread.join()
        side.close()

    held.refresh_from_db()
    assert (held.recipient, held.status, held.digest_id) == (officer, Status.HELD, digest_id)
    assert not ReminderSent.objects.filter(recipient=colleague).exclude(rule="handover").exists()

    assert reminder_mail.reminder_deliver(reminder_id=digest_id) == Status.SKIPPED
    held.refresh_from_db()
    assert (held.status, held.last_error) == (Status.SKIPPED, reminder_mail.HANDED_OVER)
    reminders.reminders_sweep(now=at(30, 10, 10, month=11))
    # (Besides the e-mail telling the colleague the deadline is theirs now.)
    assert [(m.to, m.subject) for m in mail.outbox if "is now yours" not in m.subject] == [
        ([colleague.email], f"Due in 1 working day: {clock.title}")
    ]


def test_a_digest_is_sent_in_as_many_queries_however_many_reminders_it_holds(
    eager, not_sent, partnership, other_partnership, people
):
    """Sending a digest checks its reminders' clocks (another owner now among them) and
    reads the partnerships' closure days once for all of them: a digest of twelve
    reminders, some handed over, of two partnerships, claimed the day before (so each
    says where its clock stands that day), costs what one of two does."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    small = _prefers(people["officer"], DIGEST)
    large = _prefers(member(Role.REVIEW_OFFICER, partnership, full_name="Large"), DIGEST)
    Membership.objects.create(user=large, partnership=other_partnership, role=Role.REVIEW_OFFICER)
    for n in range(2):
        start_clock(partnership, owner=small, key=f"-s{n}")
    clocks = [
        start_clock(place, owner=large, key=f"-{place.code}{n}")
        for n in range(6)
        for place in (partnership, other_partnership)
    ]
    reminders.reminders_sweep(now=at(30, 10, month=11))
    ReminderSent.objects.exclude(rule="digest").update(created_at=at(27, 10, month=11))
    # Handed to the colleague after the sweep claimed them for the officer who had them.
    from safeguarding.models import Deadline

    Deadline.objects.filter(pk__in=[c.pk for c in clocks[:3]]).update(owner=small)
    Membership.objects.create(user=small, partnership=other_partnership, role=Role.REVIEW_OFFICER)

    queries = {}
    for person in (small, large):
        digest = ReminderSent.objects.get(rule="digest", recipient=person)
        with CaptureQueriesContext(db) as sent:
            assert reminder_mail.reminder_deliver(reminder_id=digest.pk) == Status.SENT
        queries[person.pk] = len(sent)
    assert queries[small.pk] == queries[large.pk] <= 14, queries
    assert ReminderSent.objects.filter(last_error=reminder_mail.HANDED_OVER).count() == 3
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.endswith(": 9 reminders")
