"""When an agency submits its return, the officer who asked for it is e-mailed: once, with
no child details, and never anyone outside the partnership."""

import datetime as dt

from django.utils import timezone

from rapid_reviews import mail as request_mail
from rapid_reviews import services
from rapid_reviews.models import RequestEmail, RequestStatus, StatusChange
from rapid_reviews.tasks import requeue_request_emails, send_request_email
from safeguarding.models import Membership, Role
from tests.factories import member

from .conftest import CHILD_NAME, return_and_submit


def submit(request, contributor, capture):
    with capture(execute=True):
        return return_and_submit(request, contributor)


def returned_change(request):
    return StatusChange.objects.get(information_request=request, to_status=RequestStatus.RETURNED)


def test_the_officer_who_asked_hears_the_return_is_in(
    sent_requests,
    contributors,
    people,
    mailoutbox,
    eager_tasks,
    django_capture_on_commit_callbacks,
    settings,
):
    request = sent_requests["police"]
    submit(request, contributors["police"], django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    # The officer who sent the request: not the contributors, not the manager, nobody in
    # the other partnership.
    assert mail.to == [people["officer"].email]
    review = request.rapid_review
    assert mail.subject == (
        f"Return received from {request.agency.name} for rapid review {review.reference}"
    )
    link = settings.SITE_URL + f"/rapid-reviews/{review.pk}/requests/{request.pk}/"
    html = mail.alternatives[0][0]
    assert link in mail.body and link in html
    assert "(late)" not in mail.body  # due in 3 working days, returned today
    for text in (mail.subject, mail.body, html):
        assert CHILD_NAME not in text and "Amelia" not in text
        assert "Hidden circumstances" not in text and "Secret Lane" not in text
    assert RequestEmail.objects.get(status_change=returned_change(request)).recipients == 1


def test_a_late_return_says_so(
    sent_requests, contributors, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    request = sent_requests["health"]
    # Asked for by yesterday (the clock cannot be set in the past through the service).
    type(request).objects.filter(pk=request.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    request.refresh_from_db()
    submit(request, contributors["health"], django_capture_on_commit_callbacks)
    (mail,) = mailoutbox
    assert "(late)" in mail.body and "(late)" in mail.alternatives[0][0]


def test_a_manager_who_sent_the_request_is_the_one_told(
    review,
    agencies,
    contributors,
    people,
    mailoutbox,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    (request,) = services.information_requests_create(
        rapid_review=review,
        actor=people["manager"],
        agencies=[agencies["social_care"]],
        due_date=timezone.localdate() + dt.timedelta(days=7),
        send=True,
    )
    submit(request, contributors["social_care"], django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[people["manager"].email]]


def test_when_the_one_who_asked_has_gone_the_review_officers_are_told(
    sent_requests,
    contributors,
    people,
    partnership,
    mailoutbox,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    second = member(Role.REVIEW_OFFICER, partnership, full_name="Officer Two")
    Membership.objects.filter(user=people["officer"]).delete()  # moved on
    submit(sent_requests["police"], contributors["police"], django_capture_on_commit_callbacks)
    (mail,) = mailoutbox
    # The partnership's review officers (the manager is not one); not the other
    # partnership's officer.
    assert mail.to == [second.email]
    assert people["other_officer"].email not in mail.to


def test_with_no_review_officer_left_the_managers_are_told(
    sent_requests,
    contributors,
    people,
    mailoutbox,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    Membership.objects.filter(user=people["officer"]).delete()
    submit(sent_requests["police"], contributors["police"], django_capture_on_commit_callbacks)
    (mail,) = mailoutbox
    assert mail.to == [people["manager"].email]
    assert people["other_manager"].email not in mail.to


def test_a_repeated_task_sends_once_and_a_lost_one_is_sent_by_the_next_run(
    sent_requests, contributors, people, mailoutbox, eager_tasks, monkeypatch
):
    request = sent_requests["police"]
    # No on_commit callbacks run here: as if the broker had refused the task.
    return_and_submit(request, contributors["police"])
    assert mailoutbox == []
    later = timezone.now() + request_mail.REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("rapid_reviews.tasks.timezone.now", lambda: later)
    # The three requests' own e-mails were never sent either (the fixture made them the
    # same way): the re-queue sends those and the return's, each once.
    assert requeue_request_emails() == 4
    returned = [m for m in mailoutbox if m.subject.startswith("Return received")]
    assert [m.to for m in returned] == [[people["officer"].email]]
    assert send_request_email(returned_change(request).pk) == "already sent"
    assert requeue_request_emails() == 0
    assert len([m for m in mailoutbox if m.subject.startswith("Return received")]) == 1


def test_returns_from_before_the_deploy_are_not_e_mailed_by_the_requeue(
    sent_requests, contributors, people, mailoutbox, eager_tasks, monkeypatch
):
    """The data migration marks the week's earlier returns as handled, so that beat's
    re-queue does not e-mail them all at once when this feature is deployed."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "rapid_reviews.migrations.0004_returns_before_the_return_email"
    )
    recent, older = sent_requests["police"], sent_requests["health"]
    return_and_submit(recent, contributors["police"])
    return_and_submit(older, contributors["health"])
    StatusChange.objects.filter(information_request=older, to_status=RequestStatus.RETURNED).update(
        changed_at=timezone.now() - dt.timedelta(days=9)
    )
    migration.mark_handled(apps, None)
    handled = RequestEmail.objects.get(status_change=returned_change(recent))
    assert handled.recipients == 0
    assert not RequestEmail.objects.filter(status_change=returned_change(older)).exists()
    later = timezone.now() + request_mail.REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("rapid_reviews.tasks.timezone.now", lambda: later)
    requeue_request_emails()
    # The requests' own e-mails go; no "return received" for a return from before.
    assert mailoutbox and not [m for m in mailoutbox if m.subject.startswith("Return received")]


def test_an_e_mail_queued_again_after_the_request_moved_on_is_not_sent(
    sent_requests, contributors, people, mailoutbox, eager_tasks, monkeypatch
):
    """A broker outage held back the request's own e-mail and the return's; by the time
    they are queued again, "please send your return" is wrong (it is in), and once the
    officer has sent it back, "a return is in" is wrong too: only the latest goes."""
    request = sent_requests["police"]
    return_and_submit(request, contributors["police"])  # no on_commit: nothing queued
    services.agency_return_send_back(
        information_request=request,
        actor=people["officer"],
        note="The GP letters",
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )
    later = timezone.now() + request_mail.REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("rapid_reviews.tasks.timezone.now", lambda: later)
    requeue_request_emails()
    police = contributors["police"].email
    to_police = [m.subject for m in mailoutbox if police in m.to]
    partnership = request.rapid_review.incident.partnership
    assert to_police == [
        f"{partnership.name} asks Midshire Police for more information for rapid review "
        f"{request.rapid_review.reference}"
    ]
    assert not [m for m in mailoutbox if m.subject.startswith("Return received")]
    # The other agencies' requests never moved on: their e-mails go.
    assert {m.to[0] for m in mailoutbox} >= {
        contributors["health"].email,
        contributors["police"].email,
    }
    sent_first = StatusChange.objects.get(information_request=request, to_status=RequestStatus.SENT)
    assert send_request_email(sent_first.pk) == "already sent"
    assert RequestEmail.objects.get(status_change=sent_first).recipients == 0


def test_the_request_e_mail_asks_for_the_return_in_the_service(
    sent_requests, contributors, mailoutbox, eager_tasks, monkeypatch
):
    later = timezone.now() + request_mail.REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("rapid_reviews.tasks.timezone.now", lambda: later)
    requeue_request_emails()
    mail = next(m for m in mailoutbox if contributors["police"].email in m.to)
    assert "Send your agency’s return in this service by" in mail.body
    assert "Please reply by" not in mail.body and "Please reply by" not in mail.alternatives[0][0]


def test_with_no_contributor_the_request_goes_to_the_agencys_address(
    client,
    review,
    agencies,
    people,
    partnership,
    mailoutbox,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    """An agency with no one who can answer for the partnership still hears of the request,
    at its own address, with what to do; the officer is told where it went."""
    from django.urls import reverse
    from django.utils.html import escape

    from safeguarding.calendar import add_working_days
    from tests.factories import AgencyFactory
    from tests.utils import date_fields, sign_in

    youth = AgencyFactory(
        name="Brookfield Youth Justice",
        partnerships=[partnership],
        contact_email="safeguarding@youth.example.org",
    )
    sign_in(client, people["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("rapid_reviews:requests-new", args=[review.pk]),
            {
                "agencies": [youth.pk],
                **date_fields("due_date", add_working_days(timezone.localdate(), 1)),
                "continue": "",
            },
            follow=True,
        )
    html = response.content.decode()
    assert "No one at Brookfield Youth Justice can see the request yet" in html
    assert escape("The email went to Brookfield Youth Justice’s address") in html
    assert "safeguarding@youth.example.org" in html
    [message] = [m for m in mailoutbox if "safeguarding@youth.example.org" in m.to]
    assert message.to == ["safeguarding@youth.example.org"]
    for text in (message.body, message.alternatives[0][0]):
        assert "No one at Brookfield Youth Justice has an account" in text
        assert partnership.contact_email in text
        assert CHILD_NAME not in text


def test_an_agency_with_contributors_is_never_sent_to_its_address(
    sent_requests, contributors, agencies, mailoutbox, eager_tasks, monkeypatch
):
    agencies["police"].contact_email = "desk@police.example.org"
    agencies["police"].save(update_fields=["contact_email"])
    later = timezone.now() + request_mail.REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("rapid_reviews.tasks.timezone.now", lambda: later)
    requeue_request_emails()
    police = [m for m in mailoutbox if contributors["police"].email in m.to]
    assert police and all("desk@police.example.org" not in m.to for m in mailoutbox)
    assert "has an account to answer" not in police[0].body
