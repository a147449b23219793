"""An independent reviewer is e-mailed, once and through a real SMTP server, when they
are assigned to a local review: the first time the review is given a reviewer and when
the reviewer is changed. The e-mail names the partnership and the review's reference,
never the child, and links to the review. A reviewer kept on the review is not told
again when the reviewers are saved again; one taken off is not e-mailed."""

import datetime as dt

import pytest
from django.utils import timezone

from lcspr import services
from lcspr.mail import REQUEUE_AFTER, TELL_REVIEWERS_WITHIN, reviewer_assigned_deliver
from lcspr.models import HoldReason, ReviewerAssignment
from safeguarding.models import Membership, Role
from tests.factories import member
from tests.mail_server import text_of

from .conftest import CHILD_NAME, TODAY

pytestmark = pytest.mark.django_db


def html_of(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/html")
    return part.get_payload(decode=True).decode()


def assign(review, actor, reviewers, capture, *, mail=True):
    with capture(execute=mail):
        return services.review_set_reviewers(review=review, actor=actor, reviewers=reviewers)


@pytest.fixture
def second_reviewer(partnership):
    return member(Role.INDEPENDENT_REVIEWER, partnership, full_name="Reviewer Two")


def test_the_reviewer_is_told_once_when_first_assigned(
    local_review, people, smtp, django_capture_on_commit_callbacks, settings
):
    reviewer, officer = people["reviewer"], people["officer"]
    assign(local_review, officer, [reviewer], django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp] == [reviewer.email]
    subject = " ".join(smtp[0]["Subject"].split())
    partnership = local_review.partnership.name
    assert subject == (
        f"{partnership}: you are the independent reviewer of local review {local_review.reference}"
    )
    for text in (text_of(smtp[0]), html_of(smtp[0])):
        text = " ".join(text.split())
        assert partnership in text and local_review.reference in text
        assert settings.SITE_URL + local_review.get_absolute_url() in text
        assert CHILD_NAME not in text and CHILD_NAME.split()[0] not in text
    body = " ".join(text_of(smtp[0]).split())
    assert "Sign in to read the terms of reference and to see the review" in body
    assignment = ReviewerAssignment.objects.get(review=local_review, user=reviewer)
    assert assignment.told_at is not None
    # The task run again (a retry, beat's re-queue) sends nothing more.
    assert reviewer_assigned_deliver(assignment_id=assignment.pk) == "already sent"
    assert len(smtp) == 1
    # The same reviewers saved again: nobody is newly assigned, nobody is e-mailed.
    local_review.refresh_from_db()
    assign(local_review, officer, [reviewer], django_capture_on_commit_callbacks)
    assert len(smtp) == 1


def test_a_changed_reviewer_tells_only_the_new_one(
    local_review, people, second_reviewer, smtp, django_capture_on_commit_callbacks
):
    officer, first = people["officer"], people["reviewer"]
    assign(local_review, officer, [first], django_capture_on_commit_callbacks, mail=False)
    assign(local_review, officer, [second_reviewer], django_capture_on_commit_callbacks)
    # The one taken off is not e-mailed (the business unit tells them, as it tells the
    # new one why); their e-mail queued when the broker was down is not sent late either.
    assert [m["To"] for m in smtp] == [second_reviewer.email]
    assert not ReviewerAssignment.objects.filter(review=local_review, user=first).exists()
    # A second reviewer added beside the first: only the one added is told.
    assign(local_review, officer, [second_reviewer, first], django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp] == [second_reviewer.email, first.email]


def test_a_reviewer_taken_off_before_the_e_mail_went_is_not_told(
    local_review, people, second_reviewer, smtp, django_capture_on_commit_callbacks
):
    officer, first = people["officer"], people["reviewer"]
    assign(local_review, officer, [first], django_capture_on_commit_callbacks, mail=False)
    was = ReviewerAssignment.objects.get(review=local_review, user=first).pk
    assign(local_review, officer, [second_reviewer], django_capture_on_commit_callbacks)
    assert reviewer_assigned_deliver(assignment_id=was) == "no longer assigned"
    assert [m["To"] for m in smtp] == [second_reviewer.email]


def test_a_reviewer_assigned_to_a_review_on_hold_is_told_to_wait(
    local_review, people, smtp, django_capture_on_commit_callbacks
):
    officer = people["officer"]
    review = services.review_put_on_hold(
        review=local_review,
        actor=officer,
        reason=HoldReason.CRIMINAL_PROCEEDINGS,
        note="Trial of Mr Example in March.",
        held_since=TODAY(),
        look_again_on=TODAY() + dt.timedelta(days=30),
    )
    assign(review, officer, [people["reviewer"]], django_capture_on_commit_callbacks)
    body = " ".join(text_of(smtp[0]).split())
    assert "The review is on hold: please do not start work until you hear" in body
    assert "Example" not in body and "riminal" not in body


def test_a_reviewer_who_lost_the_role_is_not_told(
    local_review, people, smtp, django_capture_on_commit_callbacks
):
    reviewer = people["reviewer"]
    assign(
        local_review, people["officer"], [reviewer], django_capture_on_commit_callbacks, mail=False
    )
    Membership.objects.filter(user=reviewer).delete()
    assignment = ReviewerAssignment.objects.get(review=local_review, user=reviewer)
    assert reviewer_assigned_deliver(assignment_id=assignment.pk) == "no reviewer"
    assert smtp == []


def test_an_assignment_not_told_goes_with_the_next_sweep_and_old_ones_never(
    local_review,
    people,
    second_reviewer,
    smtp,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    from lcspr.tasks import requeue_reviewer_notices
    from safeguarding.celery import app as celery_app

    assert celery_app.conf.beat_schedule["requeue-reviewer-notices"]["task"] == (
        "lcspr.requeue_reviewer_notices"
    )
    officer, reviewer = people["officer"], people["reviewer"]
    # The broker was down when the reviewer was assigned.
    assign(local_review, officer, [reviewer], django_capture_on_commit_callbacks, mail=False)
    # A reviewer assigned before the e-mail existed (no time it was made) is never told.
    assign(
        local_review,
        officer,
        [reviewer, second_reviewer],
        django_capture_on_commit_callbacks,
        mail=False,
    )
    ReviewerAssignment.objects.filter(user=second_reviewer).update(assigned_at=None)
    assert requeue_reviewer_notices() == 0  # too recent: its own queueing may be on its way
    later = timezone.now() + REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("lcspr.tasks.timezone.now", lambda: later)
    assert requeue_reviewer_notices() == 1
    assert [m["To"] for m in smtp] == [reviewer.email]
    assert requeue_reviewer_notices() == 0 and len(smtp) == 1
    # Long after, an assignment never told is left: someone has noticed by then.
    ReviewerAssignment.objects.filter(user=second_reviewer).update(
        assigned_at=timezone.now(), told_at=None
    )
    much_later = timezone.now() + TELL_REVIEWERS_WITHIN + dt.timedelta(days=1)
    monkeypatch.setattr("lcspr.tasks.timezone.now", lambda: much_later)
    assert requeue_reviewer_notices() == 0 and len(smtp) == 1


def test_choosing_the_reviewer_on_its_page_e_mails_them_and_says_so(
    client, local_review, people, smtp, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.utils import sign_in

    sign_in(client, people["officer"])
    url = reverse("lcspr:reviewers", args=[local_review.pk])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"reviewers": [people["reviewer"].pk]}, follow=True)
    assert [m["To"] for m in smtp] == [people["reviewer"].email]
    said = " ".join(page.content.decode().split())
    name = people["reviewer"].full_name
    assert f"The reviewers are saved. We will email {name} to tell them." in said
    # The same again: saved, nobody newly assigned, nobody e-mailed.
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"reviewers": [people["reviewer"].pk]}, follow=True)
    said = " ".join(page.content.decode().split())
    assert "The reviewers are saved." in said and "We will email" not in said
    assert len(smtp) == 1
