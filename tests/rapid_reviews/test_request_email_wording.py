"""The information requests' e-mails read as the agency reads them."""

import pytest
from django.utils import timezone

from rapid_reviews import mail as request_mail
from rapid_reviews import services
from rapid_reviews.models import RequestStatus, StatusChange
from safeguarding.calendar import add_working_days

from .conftest import CHILD_NAME, return_and_submit

pytestmark = pytest.mark.django_db


def test_a_return_sent_back_says_to_send_what_more_is_needed(
    sent_requests, contributors, people, mailoutbox
):
    """Asked for more, the contributor is pointed at what more is needed (as the
    reminders of it say), not at writing the return they have sent already."""
    request = sent_requests["police"]
    return_and_submit(request, contributors["police"])
    services.agency_return_send_back(
        information_request=request,
        actor=people["officer"],
        note=f"Add the custody record of {CHILD_NAME}.",
        due_date=add_working_days(timezone.localdate(), 2),
    )
    change = StatusChange.objects.get(
        information_request=request, to_status=RequestStatus.MORE_INFORMATION
    )
    assert request_mail.request_email_deliver(status_change_id=change.pk) == "sent"
    (message,) = mailoutbox
    for text in (message.body, message.alternatives[0][0]):
        assert "Sign in to see what more is needed and send it" in text
        assert "write your agency’s return" not in text.replace("&#x27;", "'")
        assert CHILD_NAME not in text and "custody record" not in text


def test_every_e_mail_to_an_agency_names_the_partnership_and_the_case_in_its_subject(
    sent_requests, contributors, people, partnership, mailoutbox
):
    """An agency (the police, the ICB) answers several partnerships: the subject says
    which one is asking, beside the case reference, before the e-mail is opened."""
    from rapid_reviews import chasing

    from .conftest import decide_and_sign
    from .test_return_reminders import at

    police, health = sent_requests["police"], sent_requests["health"]
    for change in StatusChange.objects.filter(information_request=police):
        request_mail.request_email_deliver(status_change_id=change.pk)
    moved = services.information_request_update(
        information_request=health,
        actor=people["officer"],
        contact=health.contact,
        due_date=add_working_days(health.due_date, 1),
        reason="The panel meeting moved.",
    )
    request_mail.due_date_moved_deliver(request_id=moved.pk)
    chasing.return_reminders_send(now=at(add_working_days(police.due_date, -1)))
    chasing.return_reminders_send(now=at(add_working_days(police.due_date, 1)))
    return_and_submit(police, contributors["police"])
    services.agency_return_send_back(
        information_request=police,
        actor=people["officer"],
        note="Add the custody record.",
        due_date=add_working_days(timezone.localdate(), 2),
    )
    review = decide_and_sign(police.rapid_review, people["officer"])
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=timezone.localdate()
    )
    for change in StatusChange.objects.filter(
        information_request=police, to_status=RequestStatus.MORE_INFORMATION
    ):
        request_mail.request_email_deliver(status_change_id=change.pk)
    for change in StatusChange.objects.filter(to_status=RequestStatus.NOT_NEEDED):
        request_mail.request_email_deliver(status_change_id=change.pk)

    to_agencies = [m for m in mailoutbox if people["officer"].email not in m.to]
    subjects = sorted(m.subject.split(":")[0] for m in to_agencies)
    # The request, the sent-back one, a moved date, the day-before and overdue
    # reminders, and the closing: each kind at least once.
    assert {s.split(" ")[0] for s in subjects} >= {"New", "Overdue", "Reminder"}
    assert len(to_agencies) >= 6
    for message in to_agencies:
        assert partnership.name in message.subject, message.subject
        assert review.reference in message.subject, message.subject
        assert CHILD_NAME not in message.subject
