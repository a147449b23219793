"""The local review's form views for tests/bad_input/test_generated_posts.py: for each, a
review in the state the form needs and a post the view accepts."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from lcspr import forms as lcspr_forms
from lcspr import services
from lcspr.models import HoldReason

from .conftest import BRIEFING, open_review, publish, to_notice_sent

NOT_FORMS = {
    "lcspr:list": "GET only",
    "lcspr:agency-actions": "GET only",
    "lcspr:detail": "GET only",
    "lcspr:terms-document": "GET only: a download",
    "lcspr:report": "GET only: a download",
    "lcspr:action-sign-off": "a POST with no fields",
    "lcspr:action-plan-pdf": "GET only: a download",
    "lcspr:action-plan-csv": "GET only: a download",
    "lcspr:briefing-file": "GET only: a download",
    "lcspr:written-reply-document": "GET only: a download",
    "lcspr:written-reply-check": "a confirmation POST: only the checked reply's fingerprint",
    "lcspr:written-reply-sent": "GET only",
    "learning:index": "public: a GET search form, nothing is written",
    "learning:partnership": "public: a GET search form, nothing is written",
    "learning:review": "public: GET only",
    "learning:download": "public: GET only, a download",
    "learning:contrast": "public: GET only, sets a cookie",
    "learning:accessibility": "public: a page of text, no form",
    "learning:cookies": "public: a page of text, no form",
    "learning:privacy": "public: a page of text, no form",
}
FORM_VIEWS = [
    "lcspr:reviewers",
    "lcspr:terms",
    "lcspr:themes",
    "lcspr:milestone",
    "lcspr:check-add",
    "lcspr:hold",
    "lcspr:resume",
    "lcspr:hold-change",
    "lcspr:decision-date",
    "lcspr:close",
    "lcspr:reopen",
    "lcspr:approve",
    "lcspr:notice",
    "lcspr:publish",
    "lcspr:nspcc",
    "lcspr:published-update",
    "lcspr:published-withdraw",
    "lcspr:recommendation-add",
    "lcspr:recommendation-edit",
    "lcspr:action-add",
    "lcspr:action",
    "lcspr:action-agency",
    "lcspr:agency-action",
    "lcspr:briefing",
    "lcspr:written-reply",
]


def _held(review, officer):
    """The review on hold since 5 days ago, to look again in 5 days."""
    return services.review_put_on_hold(
        review=review,
        actor=officer,
        reason=HoldReason.INQUEST,
        note="",
        held_since=timezone.localdate() - dt.timedelta(days=5),
        look_again_on=timezone.localdate() + dt.timedelta(days=5),
    )


def _health_audit_action(rec, officer, agencies):
    """An open action for health, due in 42 working days: the business unit's forms about
    one action post against it."""
    from safeguarding.calendar import add_working_days

    return services.action_add(
        recommendation=rec,
        actor=officer,
        description="Audit",
        agency=agencies["health"],
        lead="Lead",
        due_date=add_working_days(timezone.localdate(), 42),
    )


def lcspr_target(name, people, agencies, make_review):
    from tests.bad_input.test_generated_posts import Target, date_post, good_date, working_date

    officer = people["officer"]
    review = open_review(make_review, people)
    nested = (
        "lcspr:milestone",
        "lcspr:action-add",
        "lcspr:action",
        "lcspr:action-agency",
        "lcspr:agency-action",
        "lcspr:recommendation-edit",
        "lcspr:written-reply",
    )
    url = None if name in nested else reverse(name, args=[review.pk])
    version = {"version": str(review.version)}
    if name == "lcspr:reviewers":
        return Target(
            url,
            officer,
            lcspr_forms.ReviewersForm,
            {"reviewers": [str(people["reviewer"].pk)]},
            records=[review],
            ids=[str(people["reviewer"].pk), str(people["other_manager"].pk), "x", "-1"],
        )
    if name == "lcspr:terms":
        return Target(
            url,
            officer,
            lcspr_forms.TermsForm,
            {"text": "Scope.", **date_post("agreed_on", good_date(5)), **version},
            records=[review],
        )
    if name == "lcspr:themes":
        from lcspr.models import LearningTheme

        theme = str(LearningTheme.objects.first().pk)
        return Target(
            url, officer, lcspr_forms.ThemesForm, {"themes": [theme]}, ids=[theme, "x", "-1"]
        )
    if name == "lcspr:milestone":
        deadline = services.review.milestone_deadline(review, "draft_report")
        planned = deadline.due_date + dt.timedelta(days=7)
        return Target(
            reverse(name, args=[review.pk, "draft_report"]),
            officer,
            lcspr_forms.MilestoneForm,
            {
                **date_post("planned", (str(planned.day), str(planned.month), str(planned.year))),
                "reason": "Reviewer ill",
            },
            records=[review, deadline],
        )
    if name == "lcspr:check-add":
        return Target(
            url,
            officer,
            lcspr_forms.CheckForm,
            {"kind": "time", **date_post("checked_on", good_date(1)), "note": "On track."},
        )
    if name == "lcspr:hold":
        return Target(
            url,
            officer,
            lcspr_forms.HoldForm,
            {
                "reason": "inquest",
                **date_post("held_since", good_date(1)),
                **date_post("look_again_on", good_date(-30)),
                **version,
            },
            records=[review],
        )
    if name == "lcspr:decision-date":
        return Target(
            url,
            people["manager"],
            lcspr_forms.DecisionDateForm,
            {
                **date_post("decided_on", good_date(59)),
                "reason": "Typed the wrong day.",
                **version,
            },
            records=[review],
        )
    if name == "lcspr:hold-change":
        review = _held(review, officer)
        return Target(
            url,
            officer,
            lcspr_forms.HoldUpdateForm,
            {
                **date_post("look_again_on", good_date(-40)),
                "note": "Adjourned.",
                "reason": "The inquest was adjourned.",
                "version": str(review.version),
            },
            records=[review],
        )
    if name == "lcspr:resume":
        review = _held(review, officer)
        return Target(
            url,
            officer,
            lcspr_forms.ResumeForm,
            {**date_post("resumed_on", good_date(0))},
            records=[review],
        )
    if name == "lcspr:close":
        return Target(
            url,
            people["manager"],
            lcspr_forms.CloseForm,
            {
                "reason": "The National Panel took a national review.",
                **date_post("closed_on", good_date(0)),
                **version,
            },
            records=[review],
        )
    if name == "lcspr:reopen":
        review = services.review_close(
            review=review,
            actor=people["manager"],
            reason="Closed in error.",
            closed_on=timezone.localdate(),
        )
        return Target(
            url,
            people["manager"],
            lcspr_forms.ReopenForm,
            {"reason": "It was closed by mistake.", "version": str(review.version)},
            records=[review],
        )
    review = services.review_save_terms(
        review=review, actor=officer, text="T", agreed_on=timezone.localdate() - dt.timedelta(50)
    )
    if name == "lcspr:approve":
        return Target(
            url,
            officer,
            lcspr_forms.ApproveForm,
            {**date_post("approved_on", good_date(3))},
            records=[review],
        )
    if name == "lcspr:notice":
        review = services.review_approve_final(
            review=review, actor=officer, approved_on=timezone.localdate() - dt.timedelta(20)
        )
        return Target(
            url,
            officer,
            lcspr_forms.NoticeForm,
            {
                **date_post("sent_on", good_date(1)),
                **date_post("planned_publication", good_date(-30)),
            },
            records=[review],
        )
    if name in ("lcspr:published-update", "lcspr:published-withdraw"):
        review = publish(to_notice_sent(review, officer), officer)
        if name == "lcspr:published-update":
            return Target(
                url,
                officer,
                lcspr_forms.PublishedUpdateForm,
                {
                    "public_title": "Are you listening to me?",
                    "public_summary": "A corrected summary.",
                    "reason": "Reworded.",
                },
                records=[review],
            )
        return Target(
            url,
            people["manager"],
            lcspr_forms.WithdrawForm,
            {"reason": "A detail could identify the family."},
            records=[review],
        )
    if name in ("lcspr:publish", "lcspr:nspcc"):
        review = to_notice_sent(review, officer)
        if name == "lcspr:nspcc":
            review = publish(review, officer)
            return Target(
                url,
                officer,
                lcspr_forms.NspccForm,
                {**date_post("sent_on", good_date(0)), "version": str(review.version)},
                records=[review],
            )
        services.briefing_save(review=review, actor=officer, values=BRIEFING)
        return Target(
            url,
            officer,
            lcspr_forms.PublishForm,
            {
                "kind": "improvements",
                "improvements": "Record the child’s words.",
                "improvements_reason": "The siblings would be identified.",
                "public_title": "Are you listening to me?",
                "public_summary": "Summary.",
                "checks": ["pseudonyms", "no_references", "practitioners", "family_seen", "jigsaw"],
                **date_post("published_on", good_date(0)),
            },
            records=[review],
        )
    if name == "lcspr:written-reply":
        from lcspr.models import PartnerCheck

        services.review_set_reviewers(review=review, actor=officer, reviewers=[people["reviewer"]])
        check = services.partner_check_add(
            review=review,
            actor=officer,
            kind=PartnerCheck.Kind.WRITTEN_REQUEST,
            checked_on=timezone.localdate(),
            note="Please send the draft.",
            respond_by=timezone.localdate() + dt.timedelta(days=10),
        )
        return Target(
            reverse(name, args=[review.pk, check.pk]),
            people["reviewer"],
            lcspr_forms.WrittenReplyForm,
            {"text": "The draft is attached."},
            records=[check],
        )
    if name == "lcspr:recommendation-add":
        return Target(url, officer, lcspr_forms.RecommendationForm, {"text": "Share sooner."})
    rec = services.recommendation_add(review=review, actor=officer, text="Share sooner.")
    ids = [str(agencies["health"].pk), str(agencies["police"].pk), "abc", "-1", ""]
    if name == "lcspr:recommendation-edit":
        return Target(
            reverse(name, args=[review.pk, rec.pk]),
            officer,
            lcspr_forms.RecommendationEditForm,
            {
                "text": "Share sooner, in writing.",
                "partners_response": "Agreed.",
                "version": str(rec.version),
            },
            records=[rec],
        )
    if name == "lcspr:action-add":
        return Target(
            reverse(name, args=[review.pk, rec.pk]),
            officer,
            lcspr_forms.ActionAddForm,
            {
                "description": "Audit",
                "agency": str(agencies["health"].pk),
                "lead": "Named nurse",
                # A working day: the agency is asked to meet it.
                **date_post("due_date", working_date(42)),
            },
            ids=ids,
        )
    if name == "lcspr:agency-action":
        action = services.action_add(
            recommendation=rec,
            actor=officer,
            description="Audit",
            agency=people["agency"].memberships.get().agency,
            lead="Lead",
            due_date=timezone.localdate() + dt.timedelta(days=60),
        )
        return Target(
            reverse(name, args=[action.pk]),
            people["agency"],
            lcspr_forms.AgencyActionForm,
            {"status": "in_progress", "note": "Started.", "version": str(action.version)},
            records=[action],
        )
    if name == "lcspr:action":
        action = _health_audit_action(rec, officer, agencies)
        return Target(
            reverse(name, args=[review.pk, action.pk]),
            officer,
            lcspr_forms.ActionUpdateForm,
            {
                "status": "in_progress",
                **date_post("due_date", working_date(42)),
                "note": "Started.",
                "version": str(action.version),
            },
            records=[action],
        )
    if name == "lcspr:action-agency":
        action = _health_audit_action(rec, officer, agencies)
        return Target(
            reverse(name, args=[review.pk, action.pk]),
            officer,
            lcspr_forms.ActionAgencyForm,
            {
                # The agency owning it (health) is among the ids, and refused.
                "agency": str(agencies["police"].pk),
                "reason": "Given to the wrong agency.",
                "version": str(action.version),
            },
            records=[action],
            ids=ids,
        )
    assert name == "lcspr:briefing"
    return Target(url, officer, lcspr_forms.BriefingForm, dict(BRIEFING))
