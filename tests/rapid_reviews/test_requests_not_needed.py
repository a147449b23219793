"""Returns still awaited when the rapid review goes to the National Panel: the requests
close as "no longer needed", their agencies are told, and nothing more can be written to
them (the agency's draft is kept, unseen)."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from rapid_reviews import services
from rapid_reviews.models import RapidReview, RequestStatus, StatusChange
from rapid_reviews.services.common import locked_request
from rapid_reviews.services.requests import NOT_NEEDED_MESSAGE
from safeguarding.audit import Action
from safeguarding.models import AuditEvent
from tests.mail_server import subject_of, text_of
from tests.utils import sign_in

from .conftest import CHILD_NAME, decide_and_sign, return_and_submit, rows, values_for_return

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def send_with_police_returned(sent_requests, contributors, people, capture, *, mail=False):
    """The police return in, a draft from health, nothing from social care; then the
    review goes to the Panel (with `mail`, its e-mails are sent once the send commits)."""
    return_and_submit(sent_requests["police"], contributors["police"])
    services.agency_return_save_draft(
        information_request=sent_requests["health"],
        actor=contributors["health"],
        values=values_for_return(),
        rows=rows(TODAY()),
    )
    review = decide_and_sign(sent_requests["police"].rapid_review, people["officer"])
    with capture(execute=mail):
        services.rapid_review_send_to_panel(
            rapid_review=review, actor=people["officer"], sent_on=TODAY()
        )
    for request in sent_requests.values():
        request.refresh_from_db()
    return review


def test_returns_still_awaited_close_and_their_agencies_are_told(
    sent_requests, contributors, people, smtp, django_capture_on_commit_callbacks, settings
):
    review = send_with_police_returned(
        sent_requests, contributors, people, django_capture_on_commit_callbacks, mail=True
    )
    assert sent_requests["police"].status == RequestStatus.RETURNED
    for key in ("health", "social_care"):
        request = sent_requests[key]
        assert request.status == RequestStatus.NOT_NEEDED
        assert not request.is_awaiting_return and not request.overdue
        change = StatusChange.objects.get(information_request=request, to_status="not_needed")
        assert change.actor == people["officer"] and "National Panel" in change.note
        assert AuditEvent.objects.filter(
            action=Action.STATUS_CHANGE,
            object_id=str(request.pk),
            changes__status__new="not_needed",
        ).exists()

    # Each agency still waited on hears once, by a real SMTP server; the police do not.
    assert sorted(m["To"] for m in smtp) == sorted(
        [contributors["health"].email, contributors["social_care"].email]
    )
    for message in smtp:
        agency = next(
            sent_requests[key].agency.name
            for key in ("health", "social_care")
            if contributors[key].email == message["To"]
        )
        assert subject_of(message) == (
            f"{review.incident.partnership.name} no longer needs {agency}’s information for "
            f"rapid review {review.reference}: it has gone to the National Panel"
        )
        body = text_of(message)
        assert "no longer needed" in body
        assert settings.SITE_URL + "/rapid-reviews/requests/" in body
        assert CHILD_NAME not in body and "Secret Lane" not in body


def test_a_closed_request_takes_no_more_writes(
    sent_requests, contributors, people, django_capture_on_commit_callbacks
):
    send_with_police_returned(
        sent_requests, contributors, people, django_capture_on_commit_callbacks
    )
    health = sent_requests["health"]
    with pytest.raises(services.TransitionError, match="no longer needed"):
        services.agency_return_save_draft(
            information_request=health,
            actor=contributors["health"],
            values=values_for_return(),
            rows=rows(TODAY()),
        )
    with pytest.raises(services.TransitionError) as error:
        services.agency_return_submit(information_request=health, actor=contributors["health"])
    assert str(error.value) == NOT_NEEDED_MESSAGE
    with pytest.raises(services.TransitionError, match="National Panel"):
        services.information_request_update(
            information_request=health,
            actor=people["officer"],
            contact="Someone else",
            due_date=health.due_date,
        )
    health.refresh_from_db()
    assert health.status == RequestStatus.NOT_NEEDED and health.returned_on is None
    # The draft is kept, never submitted.
    assert health.agency_return.submitted_at is None


def test_the_contributor_sees_the_request_closed_and_cannot_write_to_it(
    client, sent_requests, contributors, people, django_capture_on_commit_callbacks
):
    send_with_police_returned(
        sent_requests, contributors, people, django_capture_on_commit_callbacks
    )
    health = sent_requests["health"]
    sign_in(client, contributors["health"])

    listing = client.get(reverse("rapid_reviews:contributor-list")).content.decode()
    assert "No longer needed" in listing
    assert "Nothing is waiting for your agency." in listing

    page = client.get(reverse("rapid_reviews:contributor-request", args=[health.pk]))
    html = page.content.decode()
    assert "This request is closed." in html
    assert "draft return was not submitted" in html
    # Who to tell of anything more: the business unit, whose address the page gives.
    assert "contact the partnership’s business unit." in html
    assert f'href="mailto:{health.rapid_review.incident.partnership.contact_email}"' in html
    # Nothing left to search for: the child's details are no longer shown.
    assert CHILD_NAME not in html and "Who to search for" not in html
    assert reverse("rapid_reviews:contributor-return", args=[health.pk]) not in html

    for name in ("contributor-return", "contributor-submit"):
        url = reverse(f"rapid_reviews:{name}", args=[health.pk])
        response = client.post(url, {"version": "1"}, follow=True)
        assert response.status_code == 200
        assert NOT_NEEDED_MESSAGE in response.content.decode()
    health.refresh_from_db()
    assert health.status == RequestStatus.NOT_NEEDED


def test_the_officer_sees_it_closed_with_no_actions_left(
    client, sent_requests, contributors, people, django_capture_on_commit_callbacks
):
    review = send_with_police_returned(
        sent_requests, contributors, people, django_capture_on_commit_callbacks
    )
    sign_in(client, people["officer"])
    health = sent_requests["health"]
    html = client.get(
        reverse("rapid_reviews:request", args=[review.pk, health.pk])
    ).content.decode()
    assert "No longer needed" in html and "The request closed when the rapid review" in html
    assert reverse("rapid_reviews:request-change", args=[review.pk, health.pk]) not in html
    police = sent_requests["police"]
    html = client.get(
        reverse("rapid_reviews:request", args=[review.pk, police.pk])
    ).content.decode()
    # Returns can be sent back only before the decision: the button has gone too.
    assert reverse("rapid_reviews:request-send-back", args=[review.pk, police.pk]) not in html
    detail = client.get(review.get_absolute_url()).content.decode()
    assert "Outstanding:" not in detail
    # Not "every agency has returned": those that did not are named.
    assert "Every agency has returned its information." not in detail
    closed = detail.split("closed without a return when the review went", 1)[1].split("</p>")[0]
    assert "Brookfield Hospitals" in closed and "Midshire Police" not in closed
    # The timetable's "Agency returns due" step was never met: it says so, not a date.
    timetable = detail[detail.index('id="timetable"') : detail.index('id="requests"')]
    returns_row = timetable[timetable.index("Agency returns due") :].split("</tr>")[0]
    assert "No longer needed" in returns_row and "govuk-tag--green" not in returns_row


@pytest.mark.django_db(transaction=True)
def test_a_request_is_locked_after_its_review(sent_requests):
    """One lock order for every write (the review, then its request): a contributor's
    submit holds the review while the officer's sending it to the Panel waits, or the
    other way round, and neither deadlocks."""
    request = sent_requests["health"]
    held, release, seen = threading.Event(), threading.Event(), {}

    def contributor():
        try:
            with transaction.atomic():
                locked_request(request)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=contributor)
    thread.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            try:
                RapidReview.objects.select_for_update(nowait=True).get(pk=request.rapid_review_id)
            except DatabaseError:
                seen["review"] = "locked"
    finally:
        release.set()
        thread.join()
    assert seen == {"review": "locked"}


def test_sending_it_says_what_else_happened(client, sent_requests, contributors, people):
    """The officer is told that the returns still awaited closed and that the local
    review opened."""
    from tests.utils import date_fields

    review = decide_and_sign(sent_requests["police"].rapid_review, people["officer"])
    sign_in(client, people["officer"])
    # Said before the send, too: which agencies' requests it will close.
    form = client.get(reverse("rapid_reviews:send-to-panel", args=[review.pk])).content.decode()
    assert "Returns are still awaited from:" in form and "closes their requests" in form
    response = client.post(
        reverse("rapid_reviews:send-to-panel", args=[review.pk]),
        date_fields("sent_on", TODAY()),
        follow=True,
    )
    html = response.content.decode()
    assert "is recorded as sent to the National Panel." in html
    assert "Requests still awaited are closed, and their agencies told." in html
    assert "Its local review is now open" in html


def test_a_return_sent_back_then_closed_shows_what_the_partnership_has(
    client, sent_requests, contributors, people, django_capture_on_commit_callbacks
):
    """Submitted, sent back for more, changed but not submitted again when the review
    went: the partnership has the submitted return, and the page says so."""
    police, officer = sent_requests["police"], people["officer"]
    return_and_submit(police, contributors["police"])
    services.agency_return_send_back(
        information_request=police, actor=officer, note="More on May", due_date=TODAY()
    )
    services.agency_return_save_draft(
        information_request=police,
        actor=contributors["police"],
        values=values_for_return(involvement_summary="A later change, never submitted."),
        rows=rows(TODAY()),
    )
    review = decide_and_sign(police.rapid_review, officer)
    with django_capture_on_commit_callbacks(execute=False):
        services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())
    police.refresh_from_db()
    assert police.status == RequestStatus.NOT_NEEDED
    sign_in(client, contributors["police"])
    html = client.get(reverse("rapid_reviews:contributor-request", args=[police.pk])).content
    html = html.decode()
    assert "Your agency submitted its return on" in html
    assert "A later change, never submitted." not in html
    assert f"went to the National Panel on {TODAY():%-d %B %Y}" in html


def pdf_text(client, review) -> str:
    import io

    from pypdf import PdfReader

    pdf = client.get(reverse("rapid_reviews:report-pdf", args=[review.pk]))
    assert pdf.status_code == 200
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_the_report_names_the_agencies_asked_that_did_not_return(
    client, sent_requests, contributors, people, django_capture_on_commit_callbacks
):
    """The Panel sees who was asked, not only who answered: an agency whose request
    closed unanswered is listed under agency involvement, saying so."""
    review = send_with_police_returned(
        sent_requests, contributors, people, django_capture_on_commit_callbacks
    )
    sign_in(client, people["officer"])
    text = pdf_text(client, review)
    involvement = text.split("2. Agency involvement", 1)[1].split("Merged chronology", 1)[0]
    assert "Midshire Police Involved. Police attended twice." in involvement
    closed = "No return: the request closed when the review went to the National Panel."
    for name in ("Brookfield Hospitals", "Brookfield Children’s Services"):
        assert f"{name} {closed}" in involvement, involvement
    # The draft report page says the same.
    html = client.get(reverse("rapid_reviews:draft-report", args=[review.pk])).content.decode()
    assert html.count(closed) == 2


def test_the_draft_report_names_the_agencies_still_awaited(
    client, sent_requests, contributors, people
):
    return_and_submit(sent_requests["police"], contributors["police"])
    review = sent_requests["police"].rapid_review
    sign_in(client, people["officer"])
    text = pdf_text(client, review)
    involvement = text.split("2. Agency involvement", 1)[1].split("Merged chronology", 1)[0]
    due = f"{sent_requests['health'].due_date:%-d %B %Y}"
    assert f"Brookfield Hospitals No return yet: due {due}." in involvement, involvement


def test_a_return_sent_back_then_closed_is_not_called_unanswered(
    client, sent_requests, contributors, people, django_capture_on_commit_callbacks
):
    """The police returned, were asked for more and had not answered when the review
    went: the partnership has their return, so the page does not say they never
    returned, and the report shows what they said."""
    police, officer = sent_requests["police"], people["officer"]
    return_and_submit(police, contributors["police"])
    services.agency_return_send_back(
        information_request=police, actor=officer, note="More on May", due_date=TODAY()
    )
    review = decide_and_sign(police.rapid_review, officer)
    with django_capture_on_commit_callbacks(execute=False):
        services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())
    sign_in(client, officer)
    detail = client.get(review.get_absolute_url()).content.decode()
    closed = detail.split("closed without a return when the review went", 1)[1].split("</p>")[0]
    assert "Brookfield Hospitals" in closed and "Midshire Police" not in closed
    assert "2 requests were closed" in detail
    involvement = pdf_text(client, review).split("2. Agency involvement", 1)[1]
    assert involvement.lstrip().startswith("Brookfield Children")
    assert "Midshire Police Involved. Police attended twice." in involvement
