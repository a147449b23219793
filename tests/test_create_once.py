"""A form that creates something is taken once: posting the same page again (a double
click, the back button and Continue, two requests at the same moment) makes nothing
more and shows what the first post made. A post refused for errors can be corrected
and sent."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lcspr.models import Action, PartnerCheck, Recommendation
from notifications.models import Incident
from safeguarding.calendar import add_working_days
from safeguarding.models import Deadline, FormSubmission
from safeguarding.once import ALREADY
from tests.lcspr.conftest import open_review
from tests.rapid_reviews.conftest import agencies, make_review  # noqa: F401 - fixtures
from tests.utils import date_fields, posts_at_once, sign_in


def token_of(html: str) -> str:
    return re.search(r'name="once" value="([0-9a-f]{32})"', html).group(1)


@pytest.mark.django_db
def test_logging_an_incident_twice_from_the_same_page_logs_it_once(client, people, partnership):
    sign_in(client, people["officer"])
    url = reverse("notifications:new")
    token = token_of(client.get(url).content.decode())
    today = timezone.localdate()
    post = {**date_fields("awareness_date", today), "incident_place": "Home", "once": token}
    first = client.post(url, post)
    assert first.status_code == 302
    incident = Incident.objects.get()
    second = client.post(url, post, follow=True)
    assert Incident.objects.count() == 1
    assert Deadline.objects.filter(kind=Deadline.Kind.NOTIFICATION).count() == 1
    assert second.redirect_chain[-1][0] == incident.get_absolute_url()
    assert ALREADY in second.content.decode()
    # A new visit to the page is a new form.
    assert token_of(client.get(url).content.decode()) != token


@pytest.mark.django_db
def test_a_corrected_post_after_errors_is_saved(
    client,
    people,
    make_review,  # noqa: F811
):
    review = open_review(make_review, people)
    sign_in(client, people["officer"])
    url = reverse("lcspr:recommendation-add", args=[review.pk])
    token = token_of(client.get(url).content.decode())
    refused = client.post(url, {"text": "", "once": token})
    assert refused.status_code == 200 and "Enter the recommendation" in refused.content.decode()
    assert token_of(refused.content.decode()) == token
    assert client.post(url, {"text": "Share sooner.", "once": token}).status_code == 302
    assert client.post(url, {"text": "Share sooner.", "once": token}).status_code == 302
    assert Recommendation.objects.filter(review=review).count() == 1


@pytest.mark.django_db
def test_actions_and_checks_are_added_once(
    client,
    people,
    make_review,  # noqa: F811
    agencies,  # noqa: F811
):
    from lcspr import services

    review = open_review(make_review, people)
    rec = services.recommendation_add(review=review, actor=people["officer"], text="Share.")
    sign_in(client, people["officer"])
    due = add_working_days(timezone.localdate(), 20)
    add_action = reverse("lcspr:action-add", args=[review.pk, rec.pk])
    post = {
        "description": "Train the front door team",
        "agency": agencies["health"].pk,
        "lead": "Head of safeguarding",
        **date_fields("due_date", due),
        "once": token_of(client.get(add_action).content.decode()),
    }
    for _ in range(3):
        assert client.post(add_action, post).status_code == 302
    assert Action.objects.filter(recommendation=rec).count() == 1
    assert Deadline.objects.filter(kind=Deadline.Kind.ACTION).count() == 1

    add_check = reverse("lcspr:check-add", args=[review.pk])
    post = {
        "kind": "time",
        **date_fields("checked_on", timezone.localdate()),
        "note": "On track.",
        "once": token_of(client.get(add_check).content.decode()),
    }
    for _ in range(2):
        assert client.post(add_check, post).status_code == 302
    assert PartnerCheck.objects.filter(review=review).count() == 1


@pytest.mark.django_db(transaction=True)
def test_posts_racing_each_other_make_one_recommendation(
    people,
    make_review,  # noqa: F811
):
    """Three requests at the same moment, each on its own database connection: the unique
    token lets one through; the others wait for it, then find the token taken."""
    review = open_review(make_review, people)
    url = reverse("lcspr:recommendation-add", args=[review.pk])
    browser = Client()
    sign_in(browser, people["officer"])
    token = token_of(browser.get(url).content.decode())
    responses = posts_at_once(browser.cookies, url, {"text": "Share sooner.", "once": token}, 3)
    codes = [response.status_code for response in responses]
    assert codes == [302, 302, 302]
    assert Recommendation.objects.filter(review=review).count() == 1
    assert FormSubmission.objects.filter(token=token).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("once", ["\x00", "not-a-token", "x" * 40])
def test_a_token_the_service_did_not_write_is_not_looked_up(
    client,
    people,
    make_review,  # noqa: F811
    once,
):
    """A page sent twice is looked up by its token before the answers are checked; a
    token that is not one the service wrote (a NUL byte, which PostgreSQL refuses in
    text, found by the bad-input fuzzing) gets the form's own errors, not a 500."""
    review = open_review(make_review, people)
    sign_in(client, people["officer"])
    url = reverse("lcspr:recommendation-add", args=[review.pk])
    response = client.post(url, {"text": "", "once": once})
    assert response.status_code == 200
    assert "Enter the recommendation" in response.content.decode()
    assert Recommendation.objects.filter(review=review).count() == 0


@pytest.mark.django_db
def test_a_post_whose_twin_saved_while_it_was_checked_goes_to_the_twins_record(
    client,
    people,
    make_review,  # noqa: F811
    monkeypatch,
):
    """The race the test above can hit under load: this post looked for its token before
    its twin committed (and found nothing), then its answers were checked against the
    case after (the same recommendation twice: refused). It is sent to the twin's
    record, as a post that found the token at once is, not shown an error."""
    from safeguarding import form_pages, once

    review = open_review(make_review, people)
    url = reverse("lcspr:recommendation-add", args=[review.pk])
    sign_in(client, people["officer"])
    token = token_of(client.get(url).content.decode())
    assert client.post(url, {"text": "Share sooner.", "once": token}).status_code == 302
    looks = []

    def first_look_before_the_twin_committed(request):
        looks.append(request)
        return None if len(looks) == 1 else once.sent_before(request)

    monkeypatch.setattr(form_pages, "sent_before", first_look_before_the_twin_committed)
    response = client.post(url, {"text": "Share sooner.", "once": token})
    assert len(looks) == 2  # refused by the check against the case, then looked again
    assert response.status_code == 302
    assert Recommendation.objects.filter(review=review).count() == 1
