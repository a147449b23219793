"""The e-mails an agency with no account gets at its own address, read as the person at
that mailbox reads them: nobody there can sign in yet, so no e-mail tells them to "Sign
in to …" as if they could. The link is given for whoever gets an account; a request
closed unanswered needs no link at all."""

import pytest
from django.utils import timezone

from rapid_reviews import chasing, services
from rapid_reviews import mail as request_mail
from rapid_reviews.models import StatusChange
from safeguarding.calendar import add_working_days
from safeguarding.models import Membership, Role

from .conftest import CHILD_NAME, decide_and_sign, send_requests
from .test_return_reminders import at

pytestmark = pytest.mark.django_db
DESK = "desk@police.example.org"


@pytest.fixture
def police_request(review, agencies, people, partnership):
    """Requests sent while no one at any agency has an account; the police have an
    address of their own."""
    Membership.objects.filter(partnership=partnership, role=Role.AGENCY_CONTRIBUTOR).delete()
    police = agencies["police"]
    police.contact_email = DESK
    police.save(update_fields=["contact_email"])
    return send_requests(review, agencies, people["officer"])["police"]


def told(mailoutbox):
    (message,) = [m for m in mailoutbox if m.to == [DESK]]
    mailoutbox.clear()
    return message


def texts(message):
    return [" ".join(message.body.split()), " ".join(message.alternatives[0][0].split())]


def deliver_changes(request):
    for change in StatusChange.objects.filter(information_request=request).order_by("pk"):
        request_mail.request_email_deliver(status_change_id=change.pk)


def assert_link_for_whoever_gets_an_account(message, request):
    for text in texts(message):
        assert "No one at Midshire Police has an account" in text
        assert "Sign in to" not in text
        assert "Once someone at Midshire Police has an account, they can sign in" in text
        assert f"/rapid-reviews/requests/{request.pk}/" in text
        assert CHILD_NAME not in text


def test_the_request_and_its_reminder_give_the_link_for_whoever_gets_an_account(
    police_request, partnership, mailoutbox
):
    deliver_changes(police_request)
    assert_link_for_whoever_gets_an_account(told(mailoutbox), police_request)

    before = add_working_days(police_request.due_date, -1, partnership=partnership)
    assert chasing.return_reminders_send(now=at(before)) == 1
    assert_link_for_whoever_gets_an_account(told(mailoutbox), police_request)


def test_a_moved_due_date_gives_the_link_for_whoever_gets_an_account(
    police_request, people, mailoutbox
):
    moved = services.information_request_update(
        information_request=police_request,
        actor=people["officer"],
        contact=police_request.contact,
        due_date=add_working_days(police_request.due_date, 2),
        reason="The panel meeting moved.",
    )
    assert request_mail.due_date_moved_deliver(request_id=moved.pk) == "sent"
    assert_link_for_whoever_gets_an_account(told(mailoutbox), police_request)


def test_a_request_closed_unanswered_asks_the_mailbox_to_sign_in_to_nothing(
    police_request, people, mailoutbox
):
    review = decide_and_sign(police_request.rapid_review, people["officer"])
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=timezone.localdate()
    )
    mailoutbox.clear()
    deliver_changes(police_request)
    message = [m for m in mailoutbox if m.to == [DESK]][-1]
    assert "no longer needed" in message.body
    for text in texts(message):
        assert "Sign in" not in text and f"/requests/{police_request.pk}/" not in text
