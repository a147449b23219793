"""Someone whose role is taken away (on the People page or by the administrators) is
told by e-mail, once, as someone given a role is; and their home page says they no
longer have a role, and whom to ask, rather than that they are "not yet" part of a
partnership. Mail goes through a real SMTP server (aiosmtpd)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding import mail as shared_mail
from safeguarding.celery import app as celery_app
from safeguarding.models import PastRole
from safeguarding.tasks import requeue_role_ended_notices, send_role_ended_notice
from tests.factories import UserFactory
from tests.mail_server import text_of
from tests.utils import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _remove_on_the_people_page(manager, membership):
    client = Client()
    sign_in(client, manager)
    response = client.post(
        reverse("safeguarding:person-remove", args=[membership.partnership_id, membership.pk])
    )
    assert response.status_code == 302


def test_a_person_whose_role_is_removed_is_told_once_and_their_home_page_says_so(
    people, partnership, smtp
):
    officer = people["reviewer"]
    membership = officer.memberships.get()

    _remove_on_the_people_page(people["manager"], membership)

    (message,) = smtp
    assert message["To"] == officer.email
    assert "removed your role" in message["Subject"]
    body = " ".join(text_of(message).split())
    assert "Independent reviewer, Brookfield SCP" in body
    assert "business manager" in body
    past = PastRole.objects.get(user=officer)
    assert past.untold_since is None
    assert send_role_ended_notice(past.pk) == "already sent" and len(smtp) == 1
    client = Client()
    sign_in(client, officer)
    page = " ".join(client.get(reverse("safeguarding:home")).content.decode().split())
    assert "not yet part of a partnership" not in page
    assert "You no longer have a role in any partnership" in page
    assert "Brookfield SCP" in page


def test_a_role_removed_by_an_administrator_is_told_too(people, partnership, smtp):
    officer = people["reviewer"]
    membership = officer.memberships.get()
    client = Client()
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:safeguarding_membership_delete", args=[membership.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    (message,) = smtp
    assert message["To"] == officer.email and "removed your role" in message["Subject"]


def test_a_notice_the_broker_could_not_take_is_sent_by_beat(people, partnership, smtp, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to the broker")

    with monkeypatch.context() as down:
        down.setattr("safeguarding.tasks.send_role_ended_notice.apply_async", refuse)
        _remove_on_the_people_page(people["manager"], people["reviewer"].memberships.get())
    assert smtp == []
    assert requeue_role_ended_notices() == 0  # the first queueing may still be on its way
    when = timezone.now() + shared_mail.REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("safeguarding.tasks.timezone.now", lambda: when)
    assert requeue_role_ended_notices() == 1 and len(smtp) == 1
    assert requeue_role_ended_notices() == 0 and len(smtp) == 1
    entry = celery_app.conf.beat_schedule["requeue-role-ended-notices"]
    assert entry["task"] == "safeguarding.requeue_role_ended_notices"
