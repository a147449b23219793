"""The independent reviewers are told, once and through a real SMTP server, when the
review they work on goes on hold, resumes or is closed; the e-mail names the partnership,
the review's reference and the date, never the child nor why (the hold's detail and the
reason for closing may name people in the proceedings)."""

import datetime as dt

import pytest
from django.utils import timezone

from lcspr import services
from lcspr.mail import REQUEUE_AFTER, TELL_REVIEWERS_WITHIN, reviewer_notice_deliver
from lcspr.models import HoldReason, ReviewerAssignment, ReviewerNotice, StatusChange
from safeguarding.models import Membership
from tests.mail_server import text_of

from .conftest import TODAY, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(local_review, people):
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    # Told they were assigned (test_reviewer_assigned.py): only the moves are e-mailed here.
    ReviewerAssignment.objects.filter(review=local_review).update(told_at=timezone.now())
    return local_review


def hold(review, actor, capture, *, mail=True, since=None):
    with capture(execute=mail):
        return services.review_put_on_hold(
            review=review,
            actor=actor,
            reason=HoldReason.CRIMINAL_PROCEEDINGS,
            note="Trial of Mr Example in March.",
            held_since=since or days_ago(3),
            look_again_on=TODAY() + dt.timedelta(days=30),
        )


def test_reviewers_hear_of_a_hold_its_end_and_a_closing_once_each(
    assigned, people, smtp, django_capture_on_commit_callbacks, settings
):
    reviewer, officer = people["reviewer"], people["officer"]
    review = hold(assigned, officer, django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp] == [reviewer.email]
    subject = " ".join(smtp[0]["Subject"].split())
    assert subject == f"{review.partnership.name}: local review {review.reference} is on hold"
    body = " ".join(text_of(smtp[0]).split())
    assert f"It is on hold from {days_ago(3):%A %-d %B %Y}." in body
    look_again = TODAY() + dt.timedelta(days=30)
    assert f"will look at the hold again on {look_again:%A %-d %B %Y}" in body
    assert settings.SITE_URL + review.get_absolute_url() in body
    # Neither the reason nor the detail: they may name people in the proceedings.
    assert "Example" not in body and "riminal" not in body
    change = StatusChange.objects.filter(review=review).latest("changed_at", "id")
    assert reviewer_notice_deliver(status_change_id=change.pk) == "already sent"
    assert len(smtp) == 1

    with django_capture_on_commit_callbacks(execute=True):
        review = services.review_resume(review=review, actor=officer, resumed_on=TODAY())
    assert len(smtp) == 2
    assert " ".join(smtp[1]["Subject"].split()).endswith("has resumed")
    assert f"It resumed on {TODAY():%A %-d %B %Y}." in " ".join(text_of(smtp[1]).split())

    review = hold(review, officer, django_capture_on_commit_callbacks, mail=False, since=TODAY())
    with django_capture_on_commit_callbacks(execute=True):
        services.review_close(
            review=review,
            actor=people["manager"],
            closed_on=TODAY(),
            reason="The National Panel took a national review of Mr Example's case.",
        )
    assert len(smtp) == 3  # the hold queued with the broker down was not sent
    closed = " ".join(text_of(smtp[2]).split())
    assert " ".join(smtp[2]["Subject"].split()).endswith("is closed")
    assert f"It closed on {TODAY():%A %-d %B %Y}." in closed and "Example" not in closed
    # The hold that was never e-mailed is not sent after the closing.
    untold = StatusChange.objects.get(review=review, reviewer_notice__isnull=True)
    assert reviewer_notice_deliver(status_change_id=untold.pk) == "review closed"
    assert len(smtp) == 3


def test_only_the_moves_reviewers_need_are_e_mailed(
    local_review, people, smtp, django_capture_on_commit_callbacks
):
    """No reviewer yet: nothing is queued. A reviewer who lost the role is not told."""
    officer, reviewer = people["officer"], people["reviewer"]
    review = hold(local_review, officer, django_capture_on_commit_callbacks)
    assert smtp == [] and not ReviewerNotice.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        review = services.review_resume(review=review, actor=officer, resumed_on=TODAY())
        services.review_set_reviewers(review=review, actor=officer, reviewers=[reviewer])
    # Only the e-mail saying they are assigned: not the resumption of a review that was
    # not theirs yet.
    assert [" ".join(m["Subject"].split()).split(": ", 1)[1] for m in smtp] == [
        f"you are the independent reviewer of local review {review.reference}"
    ]
    Membership.objects.filter(user=reviewer).delete()
    review.refresh_from_db()
    hold(review, officer, django_capture_on_commit_callbacks, since=TODAY())
    assert len(smtp) == 1
    assert ReviewerNotice.objects.get().recipients == 0


def test_a_notice_not_sent_goes_with_the_next_sweep_and_old_ones_never(
    assigned, people, smtp, django_capture_on_commit_callbacks, monkeypatch
):
    from lcspr.tasks import requeue_reviewer_notices
    from safeguarding.celery import app as celery_app

    assert celery_app.conf.beat_schedule["requeue-reviewer-notices"]["task"] == (
        "lcspr.requeue_reviewer_notices"
    )
    # The broker was down when the review went on hold.
    hold(assigned, people["officer"], django_capture_on_commit_callbacks, mail=False)
    assert requeue_reviewer_notices() == 0  # too recent: its own queueing may be on its way
    later = timezone.now() + REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("lcspr.tasks.timezone.now", lambda: later)
    assert requeue_reviewer_notices() == 1
    assert [m["To"] for m in smtp] == [people["reviewer"].email]
    assert requeue_reviewer_notices() == 0 and len(smtp) == 1
    # A move long past is left alone.
    review = assigned
    review.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        services.review_resume(review=review, actor=people["officer"], resumed_on=TODAY())
    much_later = timezone.now() + TELL_REVIEWERS_WITHIN + dt.timedelta(days=1)
    monkeypatch.setattr("lcspr.tasks.timezone.now", lambda: much_later)
    assert requeue_reviewer_notices() == 0 and len(smtp) == 1
