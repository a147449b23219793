"""The local review's forms report every mistake in one go: a date that must not be before
the decision (the service's own check, run by the form with the review) appears with
what else is missing, each in the error summary linking to its field."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from lcspr import services
from lcspr.models import AnonymisationCheck
from safeguarding.calendar import add_working_days
from tests.utils import assert_errors_reported, date_fields, sign_in

from .conftest import BRIEFING, CHILD_NAME, TODAY, days_ago, publish, to_notice_sent

pytestmark = pytest.mark.django_db


def test_a_check_before_the_decision_is_reported_with_what_a_written_request_needs(
    client, local_review, people
):
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:check-add", args=[local_review.pk]),
        {
            "kind": "written_request",
            **date_fields("checked_on", local_review.decision_date - dt.timedelta(days=2)),
            "note": "",
        },
    )
    assert_errors_reported(
        response,
        {
            "checked_on": (
                "id_checked_on_0",
                "must be the same as or after the decision to hold the review",
            ),
            "note": ("id_note", "Enter what"),
            "respond_by": ("id_respond_by_0", "Enter the date the reviewer should reply by"),
        },
    )


def test_a_hold_before_the_decision_is_reported_with_its_detail_and_date_to_look_again(
    client, local_review, people
):
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:hold", args=[local_review.pk]),
        {
            "reason": "other",
            "note": "",
            **date_fields("held_since", local_review.decision_date - dt.timedelta(days=2)),
            **date_fields("look_again_on", timezone.localdate() - dt.timedelta(days=1)),
            "version": local_review.version,
        },
    )
    assert_errors_reported(
        response,
        {
            "held_since": (
                "id_held_since_0",
                "must be the same as or after the decision to hold the review",
            ),
            "note": ("id_note", "Enter why the review is on hold"),
            "look_again_on": ("id_look_again_on_0", "The date to look again must be in the future"),
        },
    )


def test_closing_before_the_decision_is_reported_with_the_missing_reason(
    client, local_review, people
):
    sign_in(client, people["manager"])
    response = client.post(
        reverse("lcspr:close", args=[local_review.pk]),
        {
            "reason": "",
            **date_fields("closed_on", local_review.decision_date - dt.timedelta(days=1)),
            "version": local_review.version,
        },
    )
    assert_errors_reported(
        response,
        {
            "closed_on": (
                "id_closed_on_0",
                "must be the same as or after the decision to hold the review",
            ),
            "reason": ("id_reason", "Enter why the review is closed without publication"),
        },
    )


def test_a_hold_form_opened_before_a_colleagues_change_says_so_with_its_other_errors(
    client, local_review, people
):
    """The hold form's service checks the version itself: a page opened before a
    colleague saved the review says so beside its other errors, with the links of the
    summary going to the first radio (the form's first question)."""
    from lcspr.models import Review

    opened_at = local_review.version
    Review.objects.filter(pk=local_review.pk).update(version=opened_at + 1)
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:hold", args=[local_review.pk]),
        {"note": "", "version": str(opened_at), **date_fields("held_since", timezone.localdate())},
    )
    html = response.content.decode()
    assert response.status_code == 200
    summary = html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert "Select why the review is on hold" in summary
    assert "was changed after you opened this page" in summary
    assert 'href="#id_reason_1"' in summary and 'id="id_reason_1"' in html
    # Saving again is now against the version saved: the hidden field moved on.
    assert f'name="version" value="{opened_at + 1}"' in html


# --- the milestones, the notice, publishing and the action plan --------------------------------
# Each form runs its service's checks against the case with its own; the service, called on
# its own, still refuses the same answers with the same words.


def _refused(call, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as error:
        call()
    assert words in " ".join(error.value.message_dict[field]), error.value.message_dict


def test_a_milestone_planned_before_the_decision_is_reported_with_a_future_actual_date(
    client, local_review, people
):
    before = local_review.decision_date - dt.timedelta(days=1)
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:milestone", args=[local_review.pk, "draft_report"]),
        {
            **date_fields("planned", before),
            "reason": "Moved.",
            **date_fields("actual", timezone.localdate() + dt.timedelta(days=3)),
        },
    )
    assert_errors_reported(
        response,
        {
            "planned": ("id_planned_0", "must be the same as or after the decision to hold"),
            "actual": ("id_actual_0", "The date it happened must be today or in the past"),
        },
    )
    _refused(
        lambda: services.milestone_update(
            review=local_review,
            actor=people["officer"],
            key="draft_report",
            planned=before,
            reason="Moved.",
        ),
        "planned",
        "must be the same as or after the decision to hold",
    )


def test_a_moved_milestone_without_its_reason_is_reported_with_a_mistyped_actual_date(
    client, local_review, people
):
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:milestone", args=[local_review.pk, "draft_report"]),
        {
            **date_fields("planned", timezone.localdate() + dt.timedelta(days=40)),
            "reason": "",
            "actual_0": "31",
            "actual_1": "2",
            "actual_2": "2026",
        },
    )
    assert_errors_reported(
        response,
        {
            "reason": ("id_reason", "Enter the reason for moving the planned date"),
            "actual": ("id_actual_0", "must be a real date"),
        },
    )


def test_a_notice_before_the_approval_is_reported_with_the_missing_planned_date(
    client, local_review, people
):
    officer = people["officer"]
    review = services.review_save_terms(
        review=local_review, actor=officer, text="Terms.", agreed_on=days_ago(50)
    )
    review = services.review_approve_final(review=review, actor=officer, approved_on=days_ago(20))
    sign_in(client, officer)
    response = client.post(
        reverse("lcspr:notice", args=[review.pk]),
        {**date_fields("sent_on", days_ago(25)), "version": review.version},
    )
    assert_errors_reported(
        response,
        {
            "sent_on": (
                "id_sent_on_0",
                "must be the same as or after the date the final report was approved",
            ),
            "planned_publication": (
                "id_planned_publication_0",
                "Enter the planned publication date",
            ),
        },
    )
    _refused(
        lambda: services.review_send_notice(
            review=review, actor=officer, sent_on=days_ago(25), planned_publication=TODAY()
        ),
        "sent_on",
        "must be the same as or after the date the final report was approved",
    )


def test_publishing_reports_what_its_kind_needs_a_named_child_and_the_briefing_with_the_rest(
    client, local_review, people
):
    """With no report for a full report and a title naming the child, beside a missing
    summary and unticked checks. (Without a briefing the page offers no form: below.)"""
    officer = people["officer"]
    review = to_notice_sent(local_review, officer)
    services.briefing_save(review=review, actor=officer, values=BRIEFING)
    sign_in(client, officer)
    response = client.post(
        reverse("lcspr:publish", args=[review.pk]),
        {
            "kind": "full_report",
            "public_title": f"What happened to {CHILD_NAME}",
            "public_summary": "",
            **date_fields("published_on", TODAY()),
            "version": review.version,
        },
    )
    assert_errors_reported(
        response,
        {
            "report": ("id_report", "Select the final report (PDF)"),
            "public_title": ("id_public_title", "must be anonymised: remove"),
            "public_summary": ("id_public_summary", "Enter the public summary"),
            "checks": ("id_checks_1", "Confirm every anonymisation check before publishing"),
        },
    )
    review.refresh_from_db()
    assert review.status == "notice_sent"
    _refused(
        lambda: services.review_publish(
            review=review,
            actor=officer,
            kind="full_report",
            public_title="Are you listening?",
            public_summary="A summary.",
            checks=list(AnonymisationCheck.values),
            published_on=TODAY(),
        ),
        "report",
        "Select the final report (PDF)",
    )


def test_publishing_without_a_briefing_says_to_write_it_first_not_a_form(
    client, local_review, people
):
    """A walk filled in the whole form, to be told then that the briefing was missing,
    by an error linked to a radio button. The page now says what to do first; a form
    sent from an old tab gets that one error, linked to the briefing."""
    officer = people["officer"]
    review = to_notice_sent(local_review, officer)
    sign_in(client, officer)
    url = reverse("lcspr:publish", args=[review.pk])
    page = client.get(url).content.decode()
    briefing = reverse("lcspr:briefing", args=[review.pk])
    assert f'id="write-briefing" href="{briefing}"' in page
    assert 'name="public_title"' not in page
    sent = client.post(url, {"kind": "full_report", "version": review.version})
    summary = sent.content.decode().partition('class="govuk-error-summary"')[2]
    assert (
        '<a href="#write-briefing">Write the learning briefing before publishing</a>'
        in summary.partition("</ul>")[0]
    )
    review.refresh_from_db()
    assert review.status == "notice_sent"


def test_correcting_the_public_copy_reports_a_named_child_with_the_missing_reason(
    client, local_review, people, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    officer = people["officer"]
    review = publish(to_notice_sent(local_review, officer), officer)
    sign_in(client, officer)
    response = client.post(
        reverse("lcspr:published-update", args=[review.pk]),
        {
            "public_title": "Are you listening to me?",
            "public_summary": f"{CHILD_NAME} told teachers home was hard.",
            "reason": "",
            "version": review.version,
        },
    )
    assert_errors_reported(
        response,
        {
            "public_summary": ("id_public_summary", "must be anonymised: remove"),
            "reason": ("id_reason", "Enter what was corrected"),
        },
    )
    _refused(
        lambda: services.published_update(
            review=review,
            actor=officer,
            reason="A typo.",
            public_summary=f"{CHILD_NAME} told teachers home was hard.",
        ),
        "public_summary",
        "must be anonymised: remove",
    )


@pytest.mark.parametrize("editing", [False, True])
def test_a_recommendation_reports_a_response_naming_the_child_with_its_missing_wording(
    client, local_review, people, editing
):
    officer = people["officer"]
    url = reverse("lcspr:recommendation-add", args=[local_review.pk])
    data = {"text": "", "partners_response": f"Agreed, for {CHILD_NAME}."}
    if editing:
        rec = services.recommendation_add(
            review=local_review, actor=officer, text="Ask the child directly."
        )
        url = reverse("lcspr:recommendation-edit", args=[local_review.pk, rec.pk])
        data["version"] = rec.version
    sign_in(client, officer)
    response = client.post(url, data)
    assert_errors_reported(
        response,
        {
            "text": ("id_text", "Enter the recommendation"),
            "partners_response": ("id_partners_response", "must be anonymised: remove"),
        },
    )
    _refused(
        lambda: services.recommendation_add(
            review=local_review,
            actor=officer,
            text="Share concerns early.",
            partners_response=f"Agreed, for {CHILD_NAME}.",
        ),
        "partners_response",
        "must be anonymised: remove",
    )


def test_an_action_due_before_the_decision_is_reported_with_its_missing_wording(
    client, local_review, people
):
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Ask the child.")
    agency = local_review.partnership.agencies.order_by("pk").first()
    before = local_review.decision_date - dt.timedelta(days=1)
    sign_in(client, officer)
    response = client.post(
        reverse("lcspr:action-add", args=[local_review.pk, rec.pk]),
        {
            "description": "",
            "agency": agency.pk,
            "lead": "Head of service",
            **date_fields("due_date", before),
        },
    )
    assert_errors_reported(
        response,
        {
            "description": ("id_description", "Enter the action"),
            "due_date": (
                "id_due_date_0",
                "The due date must be the same as or after the decision to hold the review "
                f"({local_review.decision_date:%-d %B %Y})",
            ),
        },
    )
    _refused(
        lambda: services.action_add(
            recommendation=rec,
            actor=officer,
            description="Train staff.",
            agency=agency,
            lead="Head of service",
            due_date=before,
        ),
        "due_date",
        "The due date must be the same as or after the decision to hold",
    )


def test_an_action_moved_without_a_reason_is_reported_with_the_missing_status(
    client, local_review, people
):
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Ask the child.")
    action = services.action_add(
        recommendation=rec,
        actor=officer,
        description="Train staff.",
        agency=local_review.partnership.agencies.order_by("pk").first(),
        lead="Head of service",
        due_date=TODAY() + dt.timedelta(days=30),
    )
    later = add_working_days(action.due_date, 10)
    sign_in(client, officer)
    response = client.post(
        reverse("lcspr:action", args=[local_review.pk, action.pk]),
        {"status": "", **date_fields("due_date", later), "reason": "", "version": action.version},
    )
    assert_errors_reported(
        response,
        {
            "status": ("id_status_1", "Select the progress of the action"),
            "reason": ("id_reason", "Enter the reason for moving the due date"),
        },
    )
    _refused(
        lambda: services.action_update(
            action=action, actor=officer, status="in_progress", due_date=later
        ),
        "reason",
        "Enter the reason for moving the due date",
    )


# --- the terms of reference, the written reply and the learning briefing -----------------------


def _not_a_document(name: str = "terms.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"Just some words, not a PDF.", content_type="application/pdf")


def test_terms_agreed_before_the_decision_and_a_document_that_is_not_one_are_reported_with_the_missing_words(  # noqa: E501
    client, local_review, people
):
    officer = people["officer"]
    before = local_review.decision_date - dt.timedelta(days=1)
    sign_in(client, officer)
    response = client.post(
        reverse("lcspr:terms", args=[local_review.pk]),
        {
            "text": "",
            "document": _not_a_document(),
            **date_fields("agreed_on", before),
            "version": local_review.version,
        },
    )
    assert_errors_reported(
        response,
        {
            "text": ("id_text", "Enter the terms of reference"),
            "agreed_on": ("id_agreed_on_0", "must be the same as or after the decision to hold"),
            "document": ("id_document", "The selected file must be a PDF, Word (.docx)"),
        },
    )
    local_review.refresh_from_db()
    assert local_review.terms_agreed_on is None and local_review.status == "open"
    _refused(
        lambda: services.review_save_terms(
            review=local_review, actor=officer, text="Scope.", agreed_on=before
        ),
        "agreed_on",
        "must be the same as or after the decision to hold",
    )
    _refused(
        lambda: services.review_save_terms(
            review=local_review, actor=officer, text="Scope.", upload=_not_a_document()
        ),
        "document",
        "The selected file must be a PDF, Word (.docx)",
    )


def test_a_reply_whose_document_is_not_one_is_reported_with_the_missing_words(
    client, local_review, people
):
    from lcspr.models import PartnerCheck

    reviewer = people["reviewer"]
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[reviewer]
    )
    check = services.partner_check_add(
        review=local_review,
        actor=people["manager"],
        kind=PartnerCheck.Kind.WRITTEN_REQUEST,
        checked_on=TODAY(),
        note="Please send the draft.",
        respond_by=TODAY() + dt.timedelta(days=10),
    )
    sign_in(client, reviewer)
    response = client.post(
        reverse("lcspr:written-reply", args=[local_review.pk, check.pk]),
        {"text": "", "document": _not_a_document("draft.pdf")},
    )
    assert_errors_reported(
        response,
        {
            "text": ("id_text", "Enter your reply"),
            "document": ("id_document", "The selected file must be a PDF, Word (.docx)"),
        },
    )
    check.refresh_from_db()
    assert check.replied_at is None
    _refused(
        lambda: services.written_request_reply(
            check=check, actor=reviewer, text="Attached.", upload=_not_a_document("draft.pdf")
        ),
        "document",
        "The selected file must be a PDF, Word (.docx)",
    )


def test_a_briefing_naming_the_child_with_a_bad_link_is_reported_with_its_missing_title(
    client, local_review, people
):
    """The link and the name (said of the whole briefing, at the top of the summary)
    beside the title the form itself asks for."""
    from .conftest import BRIEFING

    officer = people["officer"]
    bad_link = "Working Together | javascript:alert(1)"
    sign_in(client, officer)
    response = client.post(
        reverse("lcspr:briefing", args=[local_review.pk]),
        {
            **BRIEFING,
            "title": "",
            "background": f"{CHILD_NAME} was 14.",
            "links": bad_link,
        },
    )
    assert_errors_reported(
        response,
        {
            "title": ("id_title", "Enter the title of the briefing"),
            "links": ("id_links", "Link 1 must end with a web address starting https://"),
        },
    )
    summary = response.content.decode().partition('class="govuk-error-summary"')[2]
    assert "The briefing must be anonymised: remove" in summary.partition("</ul>")[0]
    from lcspr.models import LearningBriefing

    assert not LearningBriefing.objects.filter(review=local_review).exists()
    _refused(
        lambda: services.briefing_save(
            review=local_review, actor=officer, values={**BRIEFING, "links": bad_link}
        ),
        "links",
        "Link 1 must end with a web address starting https://",
    )


def test_every_bad_link_of_a_briefing_is_reported_at_once(client, local_review, people):
    """Links 2 and 3 wrong: both are said, each its own error in the summary, both going
    to the links box (only link 2 was said, then link 3 on the next try)."""
    from lcspr.models import LearningBriefing

    from .conftest import BRIEFING

    links = (
        "Working Together | https://www.gov.uk/government/publications/working-together\n"
        "NSPCC repository | www.nspcc.org.uk/case-reviews\n"
        "\n"
        "Our procedures | javascript:alert(1)\n"
    )
    expected = [
        f"Link {n} must end with a web address starting https://, for example "
        "‘Working Together 2023 | https://www.gov.uk/government/publications/…’"
        for n in (2, 3)
    ]
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:briefing", args=[local_review.pk]), {**BRIEFING, "links": links}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["links"] == expected
    summary = (
        response.content.decode().partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    )
    for message in expected:
        assert f'<li><a href="#id_links">{message}</a></li>' in summary, summary
    assert not LearningBriefing.objects.filter(review=local_review).exists()
    with pytest.raises(ValidationError) as error:
        services.briefing_save(
            review=local_review, actor=people["officer"], values={**BRIEFING, "links": links}
        )
    assert error.value.message_dict == {"links": expected}
