"""Publication checks everything it makes public, as a correction does: the learning
briefing too, even one saved before the checks grew (ADR 0012's addenda), so nothing
written earlier reaches the public pages unchecked."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lcspr import services
from lcspr.models import AnonymisationCheck, LearningBriefing, PublishedReview
from tests.utils import date_fields

from .conftest import BRIEFING, TODAY, pdf_upload, publish, to_notice_sent

pytestmark = pytest.mark.django_db


def _briefing_saved_before_the_checks_grew(review, officer):
    """A briefing that passed the check of its day, as a half of a double-barrelled name
    did before session 11: its words now name the child (Amelia Zephyrine)."""
    services.briefing_save(review=review, actor=officer, values=BRIEFING)
    LearningBriefing.objects.filter(review=review).update(
        background="Zephyrine was 14 and lived with her mother."
    )


def publish_form(review):
    """The publish page's answers as posted: the full report, today, every check."""
    return {
        "kind": "full_report",
        "report": pdf_upload(),
        "public_title": "Are you listening to me?",
        "public_summary": "A teenager's hints about home were not joined up.",
        "checks": list(AnonymisationCheck.values),
        **date_fields("published_on", TODAY()),
        "version": review.version,
    }


def test_publishing_checks_the_briefing_again(local_review, people):
    officer = people["officer"]
    review = to_notice_sent(local_review, officer)
    _briefing_saved_before_the_checks_grew(review, officer)
    with pytest.raises(ValidationError) as refused:
        publish(review, officer)
    assert "Zephyrine" in str(refused.value)
    assert not PublishedReview.objects.exists()


def test_the_publish_form_says_the_briefing_names_the_child(client, local_review, people):
    from tests.utils import sign_in

    officer = people["officer"]
    review = to_notice_sent(local_review, officer)
    _briefing_saved_before_the_checks_grew(review, officer)
    sign_in(client, officer)
    response = client.post(
        reverse("lcspr:publish", args=[review.pk]),
        publish_form(review),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Zephyrine" in html
    assert not PublishedReview.objects.exists()


def test_an_embargoed_review_is_public_and_dated_from_the_end_of_its_embargo(
    client, local_review, people
):
    """The form says an embargoed review "counts as published on this date": the public
    page says so too, and lists it by that date (not the earlier day it was recorded)."""
    officer = people["officer"]
    review = to_notice_sent(local_review, officer)
    recorded = services.earliest_publication(review, review.notice_sent_on).due
    assert recorded < TODAY()
    publish(review, officer, published_on=recorded, embargo_until=TODAY())
    item = PublishedReview.objects.get()
    assert (item.published_on, item.year) == (TODAY(), TODAY().year)
    html = client.get(item.get_absolute_url()).content.decode()
    assert f"Published {TODAY():%-d %B %Y}." in html


@pytest.mark.parametrize(("notice_days_ago", "embargo_hint"), [(15, False), (1, True)])
def test_the_publish_form_starts_from_a_date_it_accepts(
    client, local_review, people, notice_days_ago, embargo_hint
):
    """The date of publication is filled in with today, never with an earliest day still
    to come (the form refuses a date in the future); before that day the page says the
    report can go up only under an embargo."""
    from tests.utils import sign_in

    from .conftest import BRIEFING

    officer = people["officer"]
    review = to_notice_sent(local_review, officer, notice_days_ago=notice_days_ago)
    services.briefing_save(review=review, actor=officer, values=BRIEFING)  # ready to publish
    earliest = services.earliest_publication(review, review.notice_sent_on).due
    assert (earliest > TODAY()) is embargo_hint
    sign_in(client, officer)
    response = client.get(reverse("lcspr:publish", args=[review.pk]))
    assert response.context["form"].initial["published_on"] == TODAY()
    html = response.content.decode()
    assert ("set an embargo that ends on or after it" in html) is embargo_hint


def test_the_review_page_says_when_the_report_can_be_made_public(client, local_review, people):
    """The "before publishing" list gives the earliest day the public may read the report,
    and that an embargo ending on or after it lets it go up sooner."""
    from safeguarding.dates import full_date
    from tests.utils import sign_in

    officer = people["officer"]
    review = to_notice_sent(local_review, officer, notice_days_ago=1)
    earliest = services.earliest_publication(review, review.notice_sent_on).due
    sign_in(client, officer)
    html = client.get(review.get_absolute_url()).content.decode()
    assert f"Made public on or after {full_date(earliest)}, 7 working days after" in html
    assert "only under an embargo that ends on or after that day" in html


@pytest.mark.parametrize("embargoed", [True, False])
def test_publishing_says_when_the_public_can_read_the_review(
    client, local_review, people, embargoed
):
    """Published under an embargo still to end, the review is not on the public pages yet:
    the confirmation says the day it appears, not that it is there now."""
    from tests.utils import sign_in

    officer = people["officer"]
    review = to_notice_sent(local_review, officer, notice_days_ago=1 if embargoed else 15)
    earliest = services.earliest_publication(review, review.notice_sent_on).due
    services.briefing_save(review=review, actor=officer, values=BRIEFING)
    sign_in(client, officer)
    form = publish_form(review)
    if embargoed:
        form |= {
            "embargo_until_0": earliest.day,
            "embargo_until_1": earliest.month,
            "embargo_until_2": earliest.year,
        }
    response = client.post(reverse("lcspr:publish", args=[review.pk]), form, follow=True)
    assert PublishedReview.objects.filter(source_review_id=review.pk).exists()
    told = [str(m) for m in response.context["messages"]]
    if embargoed:
        assert told == [
            "The review is published. It will appear on Learning from reviews on "
            f"{earliest:%-d %B %Y}, when its embargo ends."
        ]
        assert client.get(PublishedReview.objects.get().get_absolute_url()).status_code == 404
    else:
        assert told == ["The review is published on Learning from reviews."]


@pytest.mark.parametrize("late", [True, False])
def test_a_planned_publication_after_the_statutory_date_is_pointed_out(
    client, local_review, people, late
):
    """The notice takes a planned date after the 6 months (it is a plan, and the reason is
    asked for at publication), but says so, rather than saving it without a word."""
    import datetime as dt

    from tests.utils import sign_in

    officer = people["officer"]
    review = services.review_save_terms(
        review=local_review, actor=officer, text="Terms.", agreed_on=TODAY()
    )
    review = services.review_approve_final(review=review, actor=officer, approved_on=TODAY())
    target = review.target_publication
    planned = target + dt.timedelta(days=60) if late else target
    sign_in(client, officer)
    response = client.post(
        reverse("lcspr:notice", args=[review.pk]),
        {
            "sent_on_0": TODAY().day,
            "sent_on_1": TODAY().month,
            "sent_on_2": TODAY().year,
            "planned_publication_0": planned.day,
            "planned_publication_1": planned.month,
            "planned_publication_2": planned.year,
            "version": review.version,
        },
        follow=True,
    )
    review.refresh_from_db()
    assert review.planned_publication == planned
    told = [str(m) for m in response.context["messages"]]
    if late:
        assert told == [
            "The notice to the Panel and DfE is recorded. The planned date is after the "
            f"statutory date ({target:%-d %B %Y}, 6 months after the decision): when you "
            "publish, you will be asked why it is late."
        ]
    else:
        assert told == ["The notice to the Panel and DfE is recorded."]
