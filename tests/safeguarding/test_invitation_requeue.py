"""The e-mail about a new role reaches the person even if the broker was down when the
manager gave it: beat's re-queue (`safeguarding.requeue_invitations`) sends it later,
once. Mail goes through a real SMTP server (aiosmtpd)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding import mail as shared_mail
from safeguarding.celery import app as celery_app
from safeguarding.models import Membership, Role, User
from safeguarding.tasks import requeue_invitations, send_invitation
from tests.mail_server import text_of
from tests.utils import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to the broker")

    monkeypatch.setattr("safeguarding.tasks.send_invitation.apply_async", refuse)


def add_person(manager, partnership, email="sam.lee@example.org", role=Role.REVIEW_OFFICER):
    client = Client()
    sign_in(client, manager)
    response = client.post(
        reverse("safeguarding:person-add", args=[partnership.pk]),
        {"full_name": "Sam Lee", "email": email, "role": role},
    )
    assert response.status_code == 302
    return Membership.objects.get(user__email=email, partnership=partnership, role=role)


def later(monkeypatch, minutes=0):
    """Beat's next run, once the first queueing has had its chance."""
    when = timezone.now() + shared_mail.REQUEUE_AFTER + dt.timedelta(minutes=minutes, seconds=1)
    monkeypatch.setattr("safeguarding.tasks.timezone.now", lambda: when)


def test_a_role_given_while_the_broker_was_down_is_e_mailed_once_by_beat(
    people, partnership, smtp, monkeypatch
):
    with monkeypatch.context() as down:
        broker_down(down)
        role = add_person(people["manager"], partnership)
    assert smtp == [] and role.invitation_untold_since is not None
    assert requeue_invitations() == 0  # not yet: the first queueing may still be on its way
    later(monkeypatch)
    assert requeue_invitations() == 1
    (message,) = smtp
    assert message["To"] == "sam.lee@example.org"
    body = text_of(message)
    assert "Review officer, Brookfield SCP" in " ".join(body.split())
    # A new account: the e-mail lets them choose a password, and the link works.
    link = re.search(r"http\S+/password-reset/\S+/\S+/", body).group(0)
    page = Client().get(link.split("8000", 1)[-1], follow=True)
    assert 'name="new_password1"' in page.content.decode()
    # Once: the next run finds nothing, and the first task arriving late sends nothing.
    assert requeue_invitations() == 0
    assert send_invitation(role.pk, True) == "already sent"
    assert len(smtp) == 1
    role.refresh_from_db()
    assert role.invitation_untold_since is None


def test_whether_to_choose_a_password_is_decided_when_the_e_mail_goes(
    people, partnership, smtp, monkeypatch
):
    """The task no longer says whether the account is new: the e-mail asks for a password
    only if the person still needs one when it goes. A task queued by the old code (with
    new_account=True) for someone who has signed in since tells them to sign in as usual."""
    with monkeypatch.context() as down:
        broker_down(down)
        role = add_person(people["manager"], partnership)
    User.objects.filter(pk=role.user_id).update(last_login=timezone.now())
    assert send_invitation(role.pk, True) == "sent"
    (message,) = smtp
    body = text_of(message)
    assert "Sign in as usual" in body and "Choose your password" not in body


def test_a_role_e_mailed_when_it_was_given_is_not_e_mailed_again(
    people, partnership, smtp, monkeypatch
):
    role = add_person(people["manager"], partnership)
    assert len(smtp) == 1
    role.refresh_from_db()
    assert role.invitation_untold_since is None
    later(monkeypatch)
    assert requeue_invitations() == 0 and len(smtp) == 1


def test_an_existing_account_is_told_to_sign_in_as_usual_when_the_e_mail_goes_late(
    people, partnership, smtp, monkeypatch
):
    someone = people["reviewer"]
    User.objects.filter(pk=someone.pk).update(last_login=timezone.now())
    with monkeypatch.context() as down:
        broker_down(down)
        add_person(people["manager"], partnership, someone.email, Role.REVIEW_OFFICER)
    later(monkeypatch)
    assert requeue_invitations() == 1
    (message,) = smtp
    body = text_of(message)
    assert "Sign in as usual" in body and "/password-reset/" not in body.split("ask for")[0]


def test_no_e_mail_goes_late_for_a_role_taken_away_or_an_account_turned_off(
    people, partnership, smtp, monkeypatch
):
    with monkeypatch.context() as down:
        broker_down(down)
        gone = add_person(people["manager"], partnership, "gone@example.org")
        off = add_person(people["manager"], partnership, "off@example.org")
    gone.delete()
    User.objects.filter(pk=off.user_id).update(is_active=False)
    later(monkeypatch)
    assert requeue_invitations() == 1  # the turned-off account's role: sent nothing
    assert smtp == []
    off.refresh_from_db()
    assert off.invitation_untold_since is None  # and not queued again
    assert requeue_invitations() == 0


def test_a_role_untold_for_more_than_a_week_is_not_e_mailed(people, partnership, smtp, monkeypatch):
    """Someone has noticed by then (the person can ask for a password link)."""
    with monkeypatch.context() as down:
        broker_down(down)
        add_person(people["manager"], partnership)
    later(monkeypatch, minutes=7 * 24 * 60)
    assert requeue_invitations() == 0 and smtp == []


def test_roles_no_one_asked_to_e_mail_are_never_e_mailed(people, smtp, monkeypatch):
    """Roles given in the admin, by the demo or before this was recorded have no mark."""
    later(monkeypatch)
    assert Membership.objects.exists()
    assert requeue_invitations() == 0 and smtp == []


def test_a_failed_send_keeps_the_mark_for_the_next_run(people, partnership, smtp, monkeypatch):
    with monkeypatch.context() as down:
        broker_down(down)
        role = add_person(people["manager"], partnership)

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("the mail server is down")

    with monkeypatch.context() as mail_down:
        mail_down.setattr("safeguarding.people.send_templated", smtp_down)
        with pytest.raises(ConnectionRefusedError):
            send_invitation.run(role.pk)
    role.refresh_from_db()
    assert role.invitation_untold_since is not None
    later(monkeypatch)
    assert requeue_invitations() == 1 and len(smtp) == 1


def test_the_beat_queues_them_again_every_ten_minutes():
    entry = celery_app.conf.beat_schedule["requeue-invitations"]
    assert entry["task"] == "safeguarding.requeue_invitations"
    assert entry["schedule"] == 10 * 60


def test_one_untold_row_is_claimed_once_and_a_failed_send_gives_it_back(people, partnership):
    """`mail.claim_untold` (the role given's invitation, the role taken away's e-mail):
    the row locked, its mark cleared in the sender's transaction; told already, or gone,
    is None; a send that fails rolls the clearing back, for the retry."""
    from django.db import transaction

    from safeguarding.models import PastRole

    now = timezone.now()
    past = PastRole.objects.create(
        user=people["officer"], partnership=partnership, role=Role.REVIEW_OFFICER, untold_since=now
    )

    def claim():
        return shared_mail.claim_untold(
            PastRole.objects.select_related("user"), past.pk, "untold_since"
        )

    with pytest.raises(RuntimeError), transaction.atomic():
        claimed = claim()
        assert claimed.pk == past.pk and claimed.untold_since is None
        raise RuntimeError("the mail server refused it")
    past.refresh_from_db()
    assert past.untold_since == now
    with transaction.atomic():
        assert claim().user == people["officer"]
    with transaction.atomic():
        assert claim() is None
    past.refresh_from_db()
    assert past.untold_since is None
    with transaction.atomic():
        assert shared_mail.claim_untold(PastRole.objects, 0, "untold_since") is None
