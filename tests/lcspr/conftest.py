import datetime as dt
import functools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lcspr import services
from lcspr.models import AnonymisationCheck, Review
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    CHILD_NAME,
    agencies,
    contributors,
    make_review,
    review,
)

TODAY = timezone.localdate


def days_ago(n: int) -> dt.date:
    return TODAY() - dt.timedelta(days=n)


BRIEFING = {
    "title": "Are you listening to me?",
    "background": (
        "Child A was 14 and lived with her mother and younger brothers. Over two years she "
        "told teachers, a school nurse and a youth worker that home was 'hard', and missed "
        "school more and more. Each contact was handled on its own and nobody asked her what "
        "life at home was like."
    ),
    "key_learning": (
        "Children tell us in pieces: the whole picture needs every agency’s piece.\n"
        "Absence from school is a safeguarding signal, not only an attendance issue.\n"
        "Ask the child directly, and record their words, not our summary."
    ),
    "practice_improvement": (
        "Record the child’s own words in every assessment.\n"
        "Share concerns about repeated absence with children’s social care early."
    ),
    "discussion_questions": (
        "When did you last ask a child what a typical day at home is like?\n"
        "How do you make sure the child’s words reach the next professional?\n"
        "What stops you escalating when a child’s story does not add up?"
    ),
    "links": "Working Together to Safeguard Children | https://www.gov.uk/government/publications/working-together-to-safeguard-children--2",
}


def open_review(make_review, people, *, decided_days_ago=60, **kwargs) -> Review:  # noqa: F811
    rapid = make_review(**kwargs)
    return services.review_open(
        rapid_review=rapid, decision_date=days_ago(decided_days_ago), actor=people["officer"]
    )


@pytest.fixture
def local_review(make_review, people):  # noqa: F811
    return open_review(make_review, people)


@functools.cache
def report_pdf_bytes() -> bytes:
    """A real one-page final report (publication reads it to check it is anonymised)."""
    from weasyprint import HTML

    return HTML(
        string="<title>Final report</title><h1>Local review</h1><p>Child A was 14.</p>"
    ).write_pdf()


def pdf_upload(name="final-report.pdf"):
    return SimpleUploadedFile(name, report_pdf_bytes(), content_type="application/pdf")


def to_notice_sent(local, actor, *, notice_days_ago=15):
    """Terms agreed, final report approved, notice sent: ready to publish today."""
    local = services.review_save_terms(
        review=local, actor=actor, text="Terms.", agreed_on=days_ago(50)
    )
    local = services.review_approve_final(
        review=local, actor=actor, approved_on=days_ago(notice_days_ago + 2)
    )
    sent = days_ago(notice_days_ago)
    local = services.review_send_notice(
        review=local,
        actor=actor,
        sent_on=sent,
        planned_publication=services.earliest_publication(local, sent).due,
    )
    return local


def publish(local, actor, **overrides):
    if not hasattr(local, "briefing"):
        services.briefing_save(review=local, actor=actor, values=BRIEFING)
    values = {
        "kind": "full_report",
        "report": pdf_upload(),
        "public_title": "Are you listening to me?",
        "public_summary": "A teenager's repeated hints about home life were not put together.",
        "checks": list(AnonymisationCheck.values),
        "published_on": TODAY(),
    }
    values.update(overrides)
    return services.review_publish(review=local, actor=actor, **values)
