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
        assert "write your agency's return" not in text.replace("&#x27;", "'")
        assert CHILD_NAME not in text and "custody record" not in text
