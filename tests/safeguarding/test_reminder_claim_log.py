"""The claim table is a log without foreign-key constraints (ADR 0010): what still holds.

- exactly once: the unique key is still the database's;
- a reminder whose clock or person has gone is skipped, never sent and never retried;
- deleting a person through Django deletes their reminders (the ORM's cascade);
- a digest whose items are deleted, or an item whose digest is, leaves no dangling link.
"""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction

from safeguarding import reminder_mail, reminders
from safeguarding.models import ReminderSent, Role, User
from tests.factories import UserFactory, member
from tests.safeguarding.report_helpers import make_deadline

Status = ReminderSent.Status
DUE = dt.date(2026, 11, 30)


def claim(deadline, user, occurrence="2026-11-30#3"):
    return reminders.reminder_claim(
        recipient=user, deadline=deadline, rule="before", occurrence=occurrence, queue=False
    )


def raw_delete(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


@pytest.mark.django_db
def test_the_table_has_its_unique_keys_and_no_foreign_keys():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contype, conname FROM pg_constraint"
            " WHERE conrelid = 'safeguarding_remindersent'::regclass"
        )
        kinds = {kind for kind, _name in cursor.fetchall()}
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'safeguarding_remindersent'"
        )
        indexes = {name for (name,) in cursor.fetchall()}
    assert "f" not in kinds  # no foreign keys
    assert {"reminder_once_per_occurrence", "reminder_digest_once_per_day"} <= indexes


def test_a_second_claim_of_the_same_reminder_is_refused_by_the_database(partnership, people):
    deadline = make_deadline(partnership, due=DUE, owner=people["officer"])
    assert claim(deadline, people["officer"]) is not None
    assert claim(deadline, people["officer"]) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(
            deadline=deadline,
            recipient=people["officer"],
            rule="before",
            occurrence="2026-11-30#3",
        )


def test_a_reminder_whose_clock_has_gone_is_skipped_not_sent(partnership, people):
    deadline = make_deadline(partnership, due=DUE, owner=people["officer"])
    row = claim(deadline, people["officer"])
    raw_delete("safeguarding_deadline", deadline.pk)
    assert reminder_mail.reminder_deliver(reminder_id=row.pk) == Status.SKIPPED
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.SKIPPED, "deadline gone")
    assert mail.outbox == []
    assert reminders.requeue_stale() == 0  # not pending: never tried again


def test_a_reminder_whose_person_has_gone_is_skipped_not_sent(partnership, people):
    deadline = make_deadline(partnership, due=DUE, owner=people["officer"])
    gone = UserFactory()
    row = claim(deadline, gone)
    raw_delete("safeguarding_user", gone.pk)
    assert reminder_mail.reminder_deliver(reminder_id=row.pk) == Status.SKIPPED
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.SKIPPED, "recipient gone")
    assert mail.outbox == []


def test_the_same_reminder_with_everyone_present_is_sent(partnership, people):
    deadline = make_deadline(partnership, due=DUE, owner=people["officer"])
    row = claim(deadline, people["officer"])
    assert reminder_mail.reminder_deliver(reminder_id=row.pk) == Status.SENT
    assert [m.to for m in mail.outbox] == [[people["officer"].email]]


def test_deleting_a_person_through_django_deletes_their_reminders(partnership, people):
    deadline = make_deadline(partnership, due=DUE, owner=people["officer"])
    leaving = UserFactory()
    claim(deadline, leaving)
    kept = claim(deadline, people["officer"])
    User.objects.filter(pk=leaving.pk).delete()
    assert list(ReminderSent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_deleting_a_digest_through_django_unlinks_its_items(partnership, people):
    officer = people["officer"]
    deadline = make_deadline(partnership, due=DUE, owner=officer)
    item = claim(deadline, officer)
    digest = reminders.reminder_claim(
        recipient=officer, rule="digest", occurrence="2026-11-30", queue=False
    )
    ReminderSent.objects.filter(pk=item.pk).update(digest=digest)
    ReminderSent.objects.filter(pk=digest.pk).delete()
    item.refresh_from_db()
    assert item.digest_id is None


def digest_user(partnership):
    """A review officer of the partnership (reminders go only to its business unit) who
    takes them in one daily e-mail."""
    return member(
        Role.REVIEW_OFFICER, partnership, reminder_preference=User.ReminderPreference.DIGEST
    )


def test_a_digest_whose_clocks_have_all_gone_is_skipped(partnership):
    person = digest_user(partnership)
    clocks = [make_deadline(partnership, due=DUE) for _ in range(2)]
    held = [claim(clock, person) for clock in clocks]
    assert {row.status for row in held} == {Status.HELD}
    assert reminders.digests_build(today=DUE) == 1
    digest = ReminderSent.objects.get(rule="digest", recipient=person)
    for clock in clocks:
        raw_delete("safeguarding_deadline", clock.pk)
    assert reminder_mail.reminder_deliver(reminder_id=digest.pk) == Status.SKIPPED
    digest.refresh_from_db()
    assert digest.last_error == "nothing left to send"
    assert set(ReminderSent.objects.filter(digest=digest).values_list("status", "last_error")) == {
        (Status.SKIPPED, "deadline gone")
    }
    assert mail.outbox == []


def test_a_digest_sends_what_is_left_when_one_clock_has_gone(partnership):
    person = digest_user(partnership)
    kept, gone = (make_deadline(partnership, due=DUE, title=t) for t in ("Kept", "Gone"))
    claim(kept, person)
    claim(gone, person)
    reminders.digests_build(today=DUE)
    digest = ReminderSent.objects.get(rule="digest", recipient=person)
    raw_delete("safeguarding_deadline", gone.pk)
    assert reminder_mail.reminder_deliver(reminder_id=digest.pk) == Status.SENT
    (message,) = mail.outbox
    assert message.subject == "Your deadlines today: 1 reminder"
    assert "Kept" in message.body and "Gone" not in message.body
    statuses = dict(ReminderSent.objects.filter(digest=digest).values_list("deadline_id", "status"))
    assert statuses == {kept.pk: Status.SENT, gone.pk: Status.SKIPPED}


def test_held_reminders_of_a_person_who_has_gone_are_skipped(partnership):
    # Deleted outright below (not through Django): no role to delete with them.
    person = UserFactory(reminder_preference=User.ReminderPreference.DIGEST)
    row = claim(make_deadline(partnership, due=DUE), person)
    raw_delete("safeguarding_user", person.pk)
    assert reminders.digests_build(today=DUE) == 0
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.SKIPPED, "recipient gone")


def test_the_admin_lists_a_claim_whose_person_has_gone(client, partnership, people):
    from django.urls import reverse

    from tests.utils import sign_in

    deadline = make_deadline(partnership, due=DUE, owner=people["officer"])
    gone = UserFactory()
    claim(deadline, people["officer"])
    orphan = claim(deadline, gone)
    raw_delete("safeguarding_user", gone.pk)
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:safeguarding_remindersent_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert people["officer"].email in html
    assert f"(gone: user {orphan.recipient_id})" in html
    assert (
        client.get(reverse("admin:safeguarding_remindersent_change", args=[orphan.pk])).status_code
        == 200
    )
