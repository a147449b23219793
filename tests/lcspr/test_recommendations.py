"""Recommendations: anonymised when written (they are published with the review), changed
later (the partners' response often comes after publication), numbered once each."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from lcspr import services
from lcspr.models import Recommendation, Status
from safeguarding.audit import SECRET_TEXT
from safeguarding.models import AuditEvent
from safeguarding.workflow import ConcurrentEditError, TransitionError
from tests.utils import sign_in

from .conftest import publish, to_notice_sent

pytestmark = pytest.mark.django_db


def audit_for(rec):
    return AuditEvent.objects.filter(object_type="lcspr.recommendation", object_id=str(rec.pk))


@pytest.mark.parametrize("field", ["text", "partners_response"])
def test_a_recommendation_that_names_the_child_is_refused_when_added(local_review, people, field):
    values = {"text": "Share sooner.", "partners_response": "", field: "Amelia's school knew."}
    with pytest.raises(ValidationError) as error:
        services.recommendation_add(review=local_review, actor=people["officer"], **values)
    message = error.value.message_dict[field][0]
    assert "must be anonymised" in message and "‘Amelia’" in message
    assert not local_review.recommendations.exists()


def test_a_recommendation_is_changed_and_the_trail_says_what_changed_not_to_what(
    local_review, people
):
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    changed = services.recommendation_update(
        recommendation=rec,
        actor=officer,
        text="Share sooner, in writing.",
        partners_response="Agreed: a new protocol by March.",
        expected_version=rec.version,
    )
    rec.refresh_from_db()
    assert (rec.text, rec.partners_response, rec.version) == (
        "Share sooner, in writing.",
        "Agreed: a new protocol by March.",
        2,
    )
    assert changed.number == 1
    event = audit_for(rec).get(action="update")
    assert event.changes == {"partners_response": SECRET_TEXT, "text": SECRET_TEXT}
    # Saving it unchanged writes nothing more.
    services.recommendation_update(
        recommendation=rec,
        actor=officer,
        text=rec.text,
        partners_response=rec.partners_response,
        expected_version=2,
    )
    rec.refresh_from_db()
    assert rec.version == 2 and audit_for(rec).filter(action="update").count() == 1


def test_a_change_is_refused_when_stale_naming_or_repeating_another(local_review, people):
    officer = people["officer"]
    first = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    second = services.recommendation_add(review=local_review, actor=officer, text="Meet monthly.")
    args = dict(recommendation=second, actor=officer, partners_response="")
    with pytest.raises(ConcurrentEditError):
        services.recommendation_update(**args, text="Meet weekly.", expected_version=7)
    with pytest.raises(ValidationError) as error:
        services.recommendation_update(**args, text="Ask Amelia.", expected_version=1)
    assert "‘Amelia’" in error.value.message_dict["text"][0]
    with pytest.raises(ValidationError) as error:
        services.recommendation_update(**args, text=" share SOONER. ", expected_version=1)
    assert "Recommendation 1 already says this" in error.value.message_dict["text"][0]
    second.refresh_from_db()
    assert (second.text, second.version) == ("Meet monthly.", 1)
    assert first.text == "Share sooner."


def test_a_closed_review_keeps_its_recommendations_as_they_are(local_review, people):
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    services.review_close(
        review=local_review,
        actor=people["manager"],
        reason="The National Panel took a national review.",
        closed_on=local_review.decision_date,
    )
    with pytest.raises(TransitionError):
        services.recommendation_update(
            recommendation=rec, actor=officer, text="Other.", partners_response=""
        )


def test_two_recommendations_cannot_share_a_number(local_review):
    Recommendation.objects.create(review=local_review, number=1, text="One.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.objects.create(review=local_review, number=1, text="Two.")


def test_a_named_recommendation_from_before_is_named_at_publication_and_can_be_mended(
    local_review, people
):
    """A recommendation written before the check (or brought in from elsewhere) used to
    block publication for good, with the error against the summary: now the error says
    where it is, and the recommendation can be changed."""
    officer = people["officer"]
    rec = Recommendation.objects.create(review=local_review, number=1, text="Amelia's GP.")
    to_notice_sent(local_review, officer)
    local_review.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        publish(local_review, officer)
    errors = error.value.message_dict
    assert "public_summary" not in errors
    assert "‘Amelia’ from the recommendations" in " ".join(errors["__all__"])
    services.recommendation_update(
        recommendation=rec, actor=officer, text="The GP's records.", partners_response=""
    )
    local_review.refresh_from_db()
    published = publish(local_review, officer)
    assert published.status == Status.PUBLISHED


def test_the_officer_changes_a_recommendation_on_its_page(client, local_review, people):
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    sign_in(client, officer)
    detail = client.get(local_review.get_absolute_url()).content.decode()
    url = reverse("lcspr:recommendation-edit", args=[local_review.pk, rec.pk])
    assert url in detail
    page = client.get(url).content.decode()
    assert "Share sooner." in page and "Recommendation 1" in page
    bad = client.post(url, {"text": "Tell Amelia.", "partners_response": "", "version": "1"})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    response = client.post(
        url, {"text": "Share sooner.", "partners_response": "Agreed.", "version": "1"}
    )
    assert response.status_code == 302
    detail = client.get(local_review.get_absolute_url()).content.decode()
    assert "Partners’ response:</strong> Agreed." in detail


def test_after_publication_the_officer_is_told_how_the_public_page_changes(
    client, local_review, people
):
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    to_notice_sent(local_review, officer)
    local_review.refresh_from_db()
    publish(local_review, officer)
    sign_in(client, officer)
    url = reverse("lcspr:recommendation-edit", args=[local_review.pk, rec.pk])
    response = client.post(
        url,
        {"text": "Share sooner.", "partners_response": "Agreed.", "version": "1"},
        follow=True,
    )
    assert "update the published copy" in response.content.decode()


def test_an_action_that_names_the_child_is_refused(local_review, people, agencies):
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    with pytest.raises(ValidationError) as error:
        services.action_add(
            recommendation=rec,
            actor=officer,
            description="Brief officers on Amelia's case",
            agency=agencies["police"],
            lead="Lead",
            due_date=local_review.decision_date,
        )
    assert "‘Amelia’" in error.value.message_dict["description"][0]
    assert not rec.actions.exists()


def test_an_error_on_a_recommendation_or_action_form_is_not_called_a_colleagues_change(
    client, local_review, people, agencies
):
    """These pages belong to the review but their forms carry the recommendation's or the
    action's version: a form with an error was compared with the review's version, so it
    also said the page was out of date and moved the form on to the wrong version."""
    import datetime as dt

    from django.utils import timezone

    from lcspr.models import Review

    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    action = services.action_add(
        recommendation=rec,
        actor=officer,
        description="Brief every team",
        agency=agencies["police"],
        lead="Lead",
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    Review.objects.filter(pk=local_review.pk).update(version=9)
    sign_in(client, officer)
    pages = [
        (
            reverse("lcspr:recommendation-edit", args=[local_review.pk, rec.pk]),
            {"text": "", "version": rec.version},
        ),
        (
            reverse("lcspr:action", args=[local_review.pk, action.pk]),
            {"status": "complete", "version": action.version},
        ),
    ]
    for url, posted in pages:
        html = client.post(url, posted).content.decode()
        assert "govuk-error-summary" in html, url
        assert "changed after you opened this page" not in html, url
        assert f'name="version" value="{posted["version"]}"' in html, url
