"""The business unit's pages (and an assigned reviewer's read-only view) of a local review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from safeguarding import form_pages
from safeguarding.audit import Action, audit_record
from safeguarding.calendar import closure_on, on_closure_days
from safeguarding.dates import full_date
from safeguarding.forms import RefusedForm

from .. import selectors, services
from ..documents import action_plan_csv, action_plan_pdf
from ..forms import (
    ActionAddForm,
    ActionAgencyForm,
    ActionUpdateForm,
    ApproveForm,
    BriefingForm,
    CheckForm,
    CloseForm,
    DecisionDateForm,
    HoldForm,
    HoldUpdateForm,
    MilestoneForm,
    NoticeForm,
    NspccForm,
    PublishedUpdateForm,
    PublishForm,
    RecommendationEditForm,
    RecommendationForm,
    ReopenForm,
    ResumeForm,
    ReviewersForm,
    TermsForm,
    ThemesForm,
    WithdrawForm,
)
from ..history import review_history
from ..mail import (
    ACTION_OPEN,
    REVIEWER_WORK_DONE,
    agency_to_tell,
    reviewers_to_tell,
    written_request_still_open,
)
from ..models import TRANSITIONS, ActionStatus, Milestone, PartnerCheck, PublicationKind, Status
from ..selectors import review_get_for
from ..services.briefing import BRIEFING_FIELDS
from ..services.common import CLOSED_MESSAGE
from .common import action_heading, audited_download, form_page, officer_view, review_view

#: What each late step needs first, said before its form is filled in (the service
#: refuses it anyway): the status it is taken from, and what to do first.
#: Each step: the statuses it can be taken from, what to do first otherwise, and the
#: statuses at which it is done already.
NEEDS = {
    "approve": (
        (Status.IN_PROGRESS,),
        "Agree the terms of reference before the final report.",
        (Status.FINAL_APPROVED, Status.NOTICE_SENT, Status.PUBLISHED),
    ),
    "notice": (
        # Recorded again from NOTICE_SENT: a revised report, or a new planned date.
        (Status.FINAL_APPROVED, Status.NOTICE_SENT),
        "Record that the partners approved the final report first.",
        (Status.PUBLISHED,),
    ),
    "publish": (
        (Status.NOTICE_SENT,),
        "Record the notice to the Panel and DfE before publishing.",
        (Status.PUBLISHED,),
    ),
    # A review closed in error is reopened first; one on hold has its own page.
    "hold": (
        tuple(s for s, to in TRANSITIONS.items() if Status.ON_HOLD in to),
        "Only a review not yet published can be put on hold.",
    ),
    "close": (
        tuple(s for s, to in TRANSITIONS.items() if Status.CLOSED in to),
        "Only a review not yet published can be closed without publication.",
    ),
}


def _warn_if_not_ready(request, review, step: str) -> None:
    form_pages.warn_if_not_ready(request, review, review.reference, *NEEDS[step])


def _editable(request, pk):
    return _may_change(request, review_get_for(request.user, pk))


def _may_change(request, review):
    """`review` (read through the scoped accessor), or 403 if it is closed or the user is
    not of its business unit."""
    if review.status == Status.CLOSED:
        raise PermissionDenied(CLOSED_MESSAGE)
    if not selectors.can_edit(request.user, review):
        raise PermissionDenied("Only the partnership’s business unit changes a review.")
    return review


def _managed(request, pk, refused: str):
    """`_editable`, then 403 (with `refused`) unless the user manages its partnership."""
    review = _editable(request, pk)
    if not selectors.is_manager(request.user, review):
        raise PermissionDenied(refused)
    return review


@review_view
def review_list(request):
    # Those still running first (by their target), then published, then closed.
    finished = Case(
        When(status=Status.PUBLISHED, then=Value(1)),
        When(status=Status.CLOSED, then=Value(2)),
        default=Value(0),
    )
    reviews = selectors.reviews_visible_to(request.user).order_by(
        finished, "target_publication", "id"
    )
    return render(request, "lcspr/list.html", {"reviews": reviews, "today": timezone.localdate()})


@review_view
def review_detail(request, pk):
    review = review_get_for(request.user, pk)
    audit_record(actor=request.user, action=Action.VIEW, obj=review, partnership=review.partnership)
    context = selectors.review_for_page(review)
    context.update(
        {
            "review": review,
            "can_edit": selectors.can_edit(request.user, review),
            "business_unit": selectors.is_business_unit(request.user, review),
            "panel_takes_national_review": selectors.panel_takes_national_review(review),
            "is_manager": selectors.is_manager(request.user, review),
            # Published or closed: nothing more is asked of its reviewer, or answered.
            "reviewer_work_done": review.status in REVIEWER_WORK_DONE,
            "is_assigned_reviewer": selectors.is_assigned_reviewer(request.user, review),
            "today": timezone.localdate(),
            "not_reopenable": selectors.NOT_REOPENABLE,
        }
    )
    # The review's story, as far as the reader may see it on this page.
    context["history"] = review_history(
        review,
        checks=context["checks"],
        recommendations=context["recommendations"],
        milestones=context["milestones"],
        briefing=context["briefing"],
        business_unit=context["business_unit"],
    )
    # Open actions whose typed due date a closure day added since falls on: marked.
    context["actions_on_closure_days"] = on_closure_days(
        (
            action
            for rec in context["recommendations"]
            for action in rec.actions.all()
            if action.status in ACTION_OPEN and review.status != Status.CLOSED
        ),
        review.partnership,
    )
    # The entry to copy into the NSPCC repository is the business unit's work: the
    # reviewer (and anyone else who reads the review) is not told to copy it.
    copy = context["published_copy"]
    if copy is not None and copy.withdrawn_on is None and context["business_unit"]:
        context["nspcc_entry"] = selectors.nspcc_entry(
            context["published_copy"], review.partnership.local_authority
        )
    return render(request, "lcspr/detail.html", context)


@officer_view
def reviewers(request, pk):
    review = _editable(request, pk)

    before = list(review.reviewers.all())

    def run(form):
        chosen = list(form.cleaned_data["reviewers"])
        services.review_set_reviewers(review=review, actor=request.user, reviewers=chosen)
        # The service e-mails each reviewer newly assigned (lcspr/mail.py): the officer
        # need not write to them too.
        added = [r.full_name for r in chosen if r not in before]
        told = f" We will email {' and '.join(added)} to tell them." if added else ""
        messages.success(request, f"The reviewers are saved.{told}")

    return form_page(
        request,
        review,
        ReviewersForm,
        "Assign the independent reviewers",
        run,
        initial={"reviewers": before},
        form_kwargs={"reviewers": services.eligible_reviewers(review)},
    )


@officer_view
def terms(request, pk):
    review = _editable(request, pk)

    def run(form):
        data = form.cleaned_data
        services.review_save_terms(
            review=review,
            actor=request.user,
            text=data["text"],
            upload=data.get("document"),
            agreed_on=data.get("agreed_on"),
            expected_version=data.get("version"),
        )
        messages.success(request, "The terms of reference are saved.")

    return form_page(
        request,
        review,
        TermsForm,
        "Terms of reference",
        run,
        initial={
            "text": review.terms_of_reference,
            "agreed_on": review.terms_agreed_on,
            "version": review.version,
        },
    )


@review_view
def terms_document(request, pk):
    review = review_get_for(request.user, pk)
    return audited_download(
        request,
        review,
        review.terms_document,
        what="terms of reference",
        filename=review.terms_document_name or "terms-of-reference",
        content_type=review.terms_document_type,
    )


@officer_view
def themes(request, pk):
    review = _editable(request, pk)

    def run(form):
        services.review_set_themes(
            review=review, actor=request.user, themes=list(form.cleaned_data["themes"])
        )
        messages.success(request, "The learning themes are saved.")

    return form_page(
        request,
        review,
        ThemesForm,
        "Learning themes",
        run,
        initial={"themes": list(review.themes.all())},
        form_kwargs={"themes": selectors.active_themes()},
    )


@officer_view
def milestone(request, pk, key):
    review = _editable(request, pk)
    if key not in Milestone.values:
        raise Http404("No such milestone")
    row = next(m for m in selectors.milestones_of(review) if m.key == key)

    def run(form):
        data = form.cleaned_data
        services.milestone_update(
            review=review,
            actor=request.user,
            key=key,
            planned=data["planned"],
            reason=data["reason"],
            actual=data.get("actual"),
            expected_version=data.get("version"),
        )
        messages.success(request, f"{row.label}: saved.")
        planned, expected = data["planned"], review.expected_publication
        if planned and not data.get("actual") and expected and planned > expected:
            messages.warning(
                request,
                f"{row.label} is now planned for {planned:%-d %B %Y}, after the date the "
                f"report is expected to be published ({expected:%-d %B %Y}). If the review "
                "is waiting for criminal proceedings or an inquest, put it on hold with the "
                "reason; otherwise the statutory date will be missed.",
            )

    return form_page(
        request,
        review,
        MilestoneForm,
        row.label,
        run,
        initial={"planned": row.planned, "actual": row.actual, "version": review.version},
        form_kwargs={"milestone": row.deadline},
        extra={"history": row.changes},
    )


@officer_view
def check_add(request, pk):
    review = _editable(request, pk)

    def run(form):
        data = form.cleaned_data
        check = services.partner_check_add(
            review=review,
            actor=request.user,
            kind=data["kind"],
            checked_on=data["checked_on"],
            note=data["note"],
            respond_by=data.get("respond_by"),
        )
        said = "The partners’ check is recorded."
        if check.kind == PartnerCheck.Kind.WRITTEN_REQUEST:
            if not review.reviewers.exists():
                said = (
                    "The written request is recorded. No reviewer is assigned yet: they are "
                    "emailed once one is."
                )
            elif written_request_still_open(check):
                said = "The written request is recorded and the reviewer is emailed."
            else:
                said = "The written request is recorded for the record: nobody is emailed."
        messages.success(request, said)

    return form_page(
        request,
        review,
        CheckForm,
        "Record a partners’ check (regulation 14)",
        run,
        initial={"checked_on": timezone.localdate()},
        once=True,
    )


@officer_view
def hold(request, pk):
    review = _editable(request, pk)
    if review.status == Status.ON_HOLD:
        return _on_hold_already(request, review)
    _warn_if_not_ready(request, review, "hold")

    def run(form):
        data = form.cleaned_data
        services.review_put_on_hold(
            review=review,
            actor=request.user,
            reason=data["reason"],
            note=data["note"],
            held_since=data["held_since"],
            look_again_on=data["look_again_on"],
            expected_version=data.get("version"),
        )
        messages.success(request, "The review is on hold. Its clocks are paused.")

    return form_page(
        request,
        review,
        HoldForm,
        "Put the review on hold",
        run,
        intro="While the review is on hold its clocks are paused. When it resumes, the "
        "milestones still to come move later by the number of days it was on hold. The "
        "statutory publication date (6 months after the decision) does not move.",
        initial={"held_since": timezone.localdate(), "version": review.version},
    )


def _on_hold_already(request, review):
    """The hold page of a review on hold already (a colleague put it on hold since the
    page was opened, or an old tab): since when and why, and links to change the hold or
    resume the review; a hold form sent now is refused, linking to "Change the hold"."""
    return _refused_page(
        request,
        review,
        "lcspr/on_hold_already.html",
        "Put the review on hold",
        services.already_on_hold(review),
        error_target="change-hold",
    )


def _refused_page(request, review, template, title, message, *, error_target, **context):
    """A step's page when the review's state rules the step out: no form to fill in for
    nothing, but the template's explanation; a form sent to it anyway (an old tab) gets
    `message` in the error summary, linked to `error_target`, the element saying what to
    do instead (ADR 0021 addendum). Nothing is saved."""
    return render(
        request,
        template,
        {
            "form": RefusedForm(message, error_target=error_target)
            if request.method == "POST"
            else None,
            "review": review,
            "title": title,
            "caption": f"Local review {review.reference}",
            "back": review.get_absolute_url(),
            "read_only": True,
            **context,
        },
    )


@officer_view
def decision_date(request, pk):
    review = _managed(request, pk, "Only the partnership manager corrects the decision date.")

    def run(form):
        data = form.cleaned_data
        services.review_correct_decision_date(
            review=review,
            actor=request.user,
            decided_on=data["decided_on"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        messages.success(request, "The decision date and the dates counted from it are corrected.")

    return form_page(
        request,
        review,
        DecisionDateForm,
        "Correct the date of the decision to hold the review",
        run,
        intro=f"Recorded now: {review.decision_date:%-d %B %Y}. The statutory publication "
        "date (6 calendar months after the decision) and the milestones still counted from "
        "it move with it; milestones already met or moved by hand stay as they are.",
        initial={"decided_on": review.decision_date, "version": review.version},
    )


@officer_view
def hold_change(request, pk):
    review = _editable(request, pk)
    if review.status != Status.ON_HOLD:
        messages.info(request, f"{review.reference} is not on hold.")
        return redirect(review.get_absolute_url())

    def run(form):
        data = form.cleaned_data
        services.review_update_hold(
            review=review,
            actor=request.user,
            look_again_on=data["look_again_on"],
            note=data["note"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        messages.success(request, "The hold is updated.")

    return form_page(
        request,
        review,
        HoldUpdateForm,
        "Change the date to look again at the hold",
        run,
        intro=f"On hold since {review.held_since:%-d %B %Y}: "
        f"{review.get_hold_reason_display()}. The clocks stay paused.",
        initial={
            "look_again_on": review.hold_review_on,
            "note": review.hold_note,
            "version": review.version,
        },
    )


@officer_view
def resume(request, pk):
    review = _editable(request, pk)

    def run(form):
        data = form.cleaned_data
        services.review_resume(
            review=review,
            actor=request.user,
            resumed_on=data["resumed_on"],
            expected_version=data.get("version"),
        )
        messages.success(
            request,
            "The review has resumed. Its milestones moved by the time on hold; the "
            "statutory publication date stands.",
        )

    return form_page(
        request,
        review,
        ResumeForm,
        "Resume the review",
        run,
        intro=(
            f"On hold since {review.held_since:%-d %B %Y}. The milestones still to come move "
            "later by the days on hold; the statutory publication date does not move."
            if review.held_since
            else ""
        ),
        initial={"resumed_on": timezone.localdate(), "version": review.version},
    )


@officer_view
def close(request, pk):
    review = _managed(request, pk, "Only the partnership manager closes a review.")
    _warn_if_not_ready(request, review, "close")

    def run(form):
        data = form.cleaned_data
        services.review_close(
            review=review,
            actor=request.user,
            reason=data["reason"],
            closed_on=data["closed_on"],
            expected_version=data.get("version"),
        )
        messages.success(request, "The review is closed. Its clocks have stopped.")

    return form_page(
        request,
        review,
        CloseForm,
        "Close the review without publication",
        run,
        intro="Its clocks stop and it leaves the dashboard and the timeliness figures. "
        "Its record and history are kept. If it was closed in error, a partnership "
        "manager can reopen it from its page.",
        initial={
            "closed_on": timezone.localdate(),
            "version": review.version,
            **(
                {"reason": "The National Panel took a national review of the case."}
                if selectors.panel_takes_national_review(review)
                else {}
            ),
        },
    )


@officer_view
def reopen(request, pk):
    """Reopen a review closed without publication in error: its manager, with a reason,
    on a page that says first what comes back and which clocks are overdue (ADR 0019)."""
    review = review_get_for(request.user, pk)
    if not selectors.is_manager(request.user, review):
        raise PermissionDenied("Only the partnership manager reopens a review.")
    plan = selectors.reopen_plan(review)
    if plan.refused:
        return _refused_page(
            request,
            review,
            "lcspr/reopen.html",
            "Reopen this review",
            plan.refused,
            error_target="refused",
            refused=plan.refused,
        )

    def run(form):
        reopened = services.review_reopen(
            review=review,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data.get("version"),
        )
        messages.success(
            request,
            "The review is reopened and back on hold: its paused clocks start again when it "
            "resumes."
            if reopened.status == Status.ON_HOLD
            else f"The review is reopened: it is ‘{reopened.get_status_display()}’ again and "
            "its clocks are running as they were.",
        )

    return form_page(
        request,
        review,
        ReopenForm,
        "Reopen this review",
        run,
        template="lcspr/reopen.html",
        extra={
            "plan": plan,
            "reviewers_told": bool(reviewers_to_tell(review)),
        },
        initial={"version": review.version},
    )


@officer_view
def approve(request, pk):
    review = _editable(request, pk)
    _warn_if_not_ready(request, review, "approve")

    def run(form):
        services.review_approve_final(
            review=review,
            actor=request.user,
            approved_on=form.cleaned_data["approved_on"],
            expected_version=form.cleaned_data.get("version"),
        )
        messages.success(request, "The final report is approved.")

    # Steps still without a date stop with the approval (they would otherwise fall
    # overdue): said before, so it is no surprise that the timetable shows them as not
    # recorded. Their dates can still be recorded afterwards.
    undated = [
        m.label
        for m in selectors.milestones_of(review)
        if m.key != Milestone.FINAL_APPROVED and m.deadline.is_open
    ]
    intro = ""
    if undated:
        intro = (
            f"No date is recorded yet for: {', '.join(undated)}. Once the final report is "
            "approved, the timetable shows these steps as not recorded and they are no "
            "longer counted as deadlines. You can still record their dates afterwards."
        )
    return form_page(
        request,
        review,
        ApproveForm,
        "Final report approved",
        run,
        intro=intro,
        initial={"approved_on": timezone.localdate(), "version": review.version},
    )


@officer_view
def notice(request, pk):
    review = _editable(request, pk)
    _warn_if_not_ready(request, review, "notice")
    sent_on = None
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid() or "sent_on" in form.cleaned_data:
            sent_on = form.cleaned_data.get("sent_on")
    explanation = services.earliest_publication(review, sent_on or timezone.localdate())

    def run(form):
        services.review_send_notice(
            review=review,
            actor=request.user,
            sent_on=form.cleaned_data["sent_on"],
            planned_publication=form.cleaned_data["planned_publication"],
            expected_version=form.cleaned_data.get("version"),
        )
        told = "The notice to the Panel and DfE is recorded."
        planned, target = form.cleaned_data["planned_publication"], review.target_publication
        if target and planned > target:
            # A plan, not yet late: the reason is asked for when the review is published.
            told += (
                f" The planned date is after the statutory date ({target:%-d %B %Y}, 6 months"
                " after the decision): when you publish, you will be asked why it is late."
            )
        messages.success(request, told)

    return form_page(
        request,
        review,
        NoticeForm,
        "Send the final report to the National Panel and DfE",
        run,
        initial={
            "sent_on": timezone.localdate(),
            "planned_publication": explanation.due,
            "version": review.version,
        },
        intro=(
            f"Recorded already: sent on {review.notice_sent_on:%-d %B %Y}, publication "
            f"planned for {review.planned_publication:%-d %B %Y}. Record it again if a "
            "revised report went to them, or to change the planned date: the 7 working "
            "days count from the latest notice."
        )
        if review.status == Status.NOTICE_SENT and review.notice_sent_on
        else "",
        extra={"explanation": explanation, "explained_from": sent_on or timezone.localdate()},
    )


@officer_view
def publish(request, pk):
    review = _editable(request, pk)
    _warn_if_not_ready(request, review, "publish")
    briefing = selectors.briefing_of(review)
    if briefing is None:
        # Not a form to fill in, then refused for the briefing (its error linked to a
        # radio button): what to do first.
        return _refused_page(
            request,
            review,
            "lcspr/publish_needs_briefing.html",
            "Publish the review",
            "Write the learning briefing before publishing",
            error_target="write-briefing",
        )

    def run(form):
        data = form.cleaned_data
        services.review_publish(
            review=review,
            actor=request.user,
            kind=data["kind"],
            report=data.get("report"),
            improvements=data["improvements"],
            improvements_reason=data["improvements_reason"],
            public_title=data["public_title"],
            public_summary=data["public_summary"],
            checks=data["checks"],
            published_on=data["published_on"],
            embargo_until=data.get("embargo_until"),
            nspcc_sent_on=data.get("nspcc_sent_on"),
            late_reason=data["late_reason"],
            expected_version=data.get("version"),
        )
        embargo = data.get("embargo_until")
        if embargo and embargo > timezone.localdate():
            messages.success(
                request,
                "The review is published. It will appear on Learning from reviews on "
                f"{embargo:%-d %B %Y}, when its embargo ends.",
            )
        else:
            messages.success(request, "The review is published on Learning from reviews.")

    earliest = (
        services.earliest_publication(review, review.notice_sent_on).due
        if review.notice_sent_on
        else None
    )
    today = timezone.localdate()
    if earliest and earliest > today:
        # The date of publication cannot be in the future, so it is never filled in with
        # the earliest day: before it, the report can go up only under an embargo.
        intro = (
            f"The earliest allowed date of publication is {full_date(earliest)}. "
            "To put the report up before then, set an embargo that ends on or after it."
        )
    elif earliest:
        intro = f"The earliest allowed date of publication is {full_date(earliest)}."
    else:
        intro = ""
    unanswered = [
        f"The reviewer has not answered the written request of {full_date(check.checked_on)}"
        + (f" (reply by {full_date(check.respond_by)})" if check.respond_by else "")
        + ": once the review is published, it can no longer be answered."
        for check in selectors.written_requests_unanswered(review)
    ]
    return form_page(
        request,
        review,
        PublishForm,
        "Publish the review",
        run,
        extra={"warnings": unanswered},
        intro=intro,
        initial={
            "public_title": briefing.title if briefing else "",
            "published_on": today if earliest else None,
            "version": review.version,
        },
    )


@officer_view
def published_update(request, pk):
    review = _editable(request, pk)
    copy = selectors.published_copy_of(review)
    if copy is None:
        raise Http404("This review has no public copy.")
    withdrawn = copy.withdrawn_on is not None
    if withdrawn and not selectors.is_manager(request.user, review):
        raise PermissionDenied("Only a partnership manager can put a withdrawn review back.")
    full_report = review.publication_kind == PublicationKind.FULL_REPORT

    def run(form):
        data = form.cleaned_data
        services.published_update(
            review=review,
            actor=request.user,
            reason=data["reason"],
            public_title=data["public_title"],
            public_summary=data["public_summary"],
            improvements=data.get("improvements"),
            report=data.get("report"),
            expected_version=data.get("version"),
        )
        messages.success(
            request,
            "The review is back on the public pages."
            if withdrawn
            else "The public pages now show the corrected copy.",
        )

    return form_page(
        request,
        review,
        PublishedUpdateForm,
        "Correct and put back on the public pages" if withdrawn else "Update the published copy",
        run,
        intro=_update_intro(review, copy),
        initial={
            "public_title": copy.title,
            "public_summary": copy.summary,
            "improvements": copy.improvements,
            "version": review.version,
        },
        form_kwargs={"full_report": full_report, "republish": withdrawn, "published": copy},
    )


def _update_intro(review, copy) -> str:
    intro = (
        "The public pages get what you correct here, with the current learning briefing "
        "(its PDF and presentation), recommendations and themes, all checked again for "
        "anything that identifies the family. A title with different words (not only "
        "capitals or punctuation) gives the public page a new address, made from it (the "
        "old address stops working)."
    )
    if copy.withdrawn_on is not None:
        intro = (
            f"It was withdrawn on {copy.withdrawn_on:%-d %B %Y}: {copy.withdrawn_reason} "
            "Correct what must change first. " + intro
        )
    briefing = selectors.briefing_of(review)
    if briefing is not None and briefing.title != copy.title:
        intro += (
            f" The briefing’s title is now ‘{briefing.title}’; the public page’s title is "
            f"‘{copy.title}’ unless you change it below."
        )
    return intro


@officer_view
def published_withdraw(request, pk):
    review = _managed(request, pk, "Only a partnership manager can withdraw a published review.")

    def run(form):
        services.published_withdraw(
            review=review, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "The review is no longer on the public pages.")

    return form_page(
        request,
        review,
        WithdrawForm,
        "Withdraw the review from the public pages",
        run,
        intro="It goes from every list, page and download at once. The case record, "
        "the report and the briefing stay here. Once what was wrong is corrected, a "
        "partnership manager can put it back on the public pages from the review’s page."
        + (
            f" A copy went to the NSPCC national case review repository on "
            f"{review.nspcc_sent_on:%-d %B %Y}: ask the NSPCC to take it down too."
            if review.nspcc_sent_on
            else ""
        ),
    )


@officer_view
def nspcc(request, pk):
    review = _editable(request, pk)

    def run(form):
        services.review_record_nspcc(
            review=review,
            actor=request.user,
            sent_on=form.cleaned_data["sent_on"],
            expected_version=form.cleaned_data.get("version"),
        )
        messages.success(request, "The NSPCC repository copy is recorded.")

    return form_page(
        request,
        review,
        NspccForm,
        "Copy sent to the NSPCC repository",
        run,
        initial={
            "sent_on": review.nspcc_sent_on or timezone.localdate(),
            "version": review.version,
        },
    )


# --- recommendations and the action plan ----------------------------------------------------


@officer_view
def recommendation_add(request, pk):
    review = _editable(request, pk)

    def run(form):
        data = form.cleaned_data
        rec = services.recommendation_add(
            review=review,
            actor=request.user,
            text=data["text"],
            partners_response=data["partners_response"],
        )
        messages.success(request, f"Recommendation {rec.number} is added.")
        return redirect(review.get_absolute_url() + "#action-plan")

    return form_page(request, review, RecommendationForm, "Add a recommendation", run, once=True)


@officer_view
def recommendation_edit(request, pk, rec_pk):
    review = _editable(request, pk)
    rec = selectors.recommendation_get_for(review, rec_pk)

    def run(form):
        data = form.cleaned_data
        services.recommendation_update(
            recommendation=rec,
            actor=request.user,
            text=data["text"],
            partners_response=data["partners_response"],
            expected_version=data.get("version"),
        )
        messages.success(request, f"Recommendation {rec.number} is saved.")
        if review.status == Status.PUBLISHED:
            messages.info(
                request,
                "The public page shows the recommendations as they were when it was last "
                "published: update the published copy (under ‘On the public pages’) to "
                "show the new wording.",
            )
        return redirect(review.get_absolute_url() + "#action-plan")

    return form_page(
        request,
        review,
        RecommendationEditForm,
        f"Recommendation {rec.number}",
        run,
        initial={
            "text": rec.text,
            "partners_response": rec.partners_response,
            "version": rec.version,
        },
        form_kwargs={"recommendation": rec},
        versioned=rec,
    )


@officer_view
def action_add(request, pk, rec_pk):
    review = _editable(request, pk)
    rec = selectors.recommendation_get_for(review, rec_pk)

    def run(form):
        data = form.cleaned_data
        services.action_add(
            recommendation=rec,
            actor=request.user,
            description=data["description"],
            agency=data["agency"],
            lead=data["lead"],
            due_date=data["due_date"],
        )
        messages.success(request, "The action is added to the action plan.")
        return redirect(review.get_absolute_url() + "#action-plan")

    return form_page(
        request,
        review,
        ActionAddForm,
        f"Add an action for recommendation {rec.number}",
        run,
        intro=rec.text,
        form_kwargs={"agencies": review.partnership.agencies.order_by("name")},
        once=True,
    )


@officer_view
def action_detail(request, pk, action_pk):
    # A closed review's actions are kept as they were: the business unit reads them (with
    # their progress notes and history), and nothing on the page can change them.
    review = review_get_for(request.user, pk)
    closed = request.method == "GET" and review.status == Status.CLOSED
    (_may_read_plan if closed else _may_change)(request, review)
    action = selectors.action_get_for(review, action_pk)

    def run(form):
        data = form.cleaned_data
        was_due = action.due_date
        updated = services.action_update(
            action=action,
            actor=request.user,
            status=data["status"],
            due_date=data["due_date"],
            reason=data["reason"],
            note=data["note"],
            evidence_of_impact=data["evidence_of_impact"],
            expected_version=data.get("version"),
        )
        # The service e-mails the owning agency a due date it moved (lcspr/mail.py).
        told = updated.due_date != was_due and updated.due_date_moved_at is not None
        told = f" We will email {action.agency.name} the new due date." if told else ""
        messages.success(request, f"The action is updated.{told}")
        return redirect(review.get_absolute_url() + "#action-plan")

    from safeguarding.deadlines import Kind, get_deadline

    heading = action_heading(action)
    deadline = get_deadline(action, Kind.ACTION)
    return form_page(
        request,
        review,
        ActionUpdateForm,
        heading["title"],
        run,
        caption=heading["caption"],
        intro=heading["intro"],
        initial={
            "status": action.status,
            "due_date": action.due_date,
            "evidence_of_impact": action.evidence_of_impact,
            "version": action.version,
        },
        form_kwargs={"action": action},
        versioned=action,
        extra={
            "action": action,
            "notes": list(action.notes.select_related("author")),
            "history": list(deadline.changes.select_related("actor")) if deadline else [],
            "history_of": "due",
            "agency_history": selectors.agency_changes_of(action),
            "can_change_agency": not closed and action.status in ACTION_OPEN,
            "can_sign_off": not closed and selectors.is_manager(request.user, review),
            "read_only": closed or action.status == ActionStatus.SIGNED_OFF,
            "closed": closed,
            # A typed due date a closure day added since falls on: marked, not moved.
            "on_closure_day": closure_on(review.partnership, action.due_date)
            if action.status in ACTION_OPEN and not closed
            else None,
        },
        template="lcspr/action.html",
    )


@officer_view
def action_agency(request, pk, action_pk):
    """Give the action to another of the partnership's agencies (ADR 0028's addendum)."""
    review = _editable(request, pk)
    action = selectors.action_get_for(review, action_pk)
    page = f"{review.get_absolute_url()}actions/{action.pk}/"

    def run(form):
        data = form.cleaned_data
        updated = services.action_agency_change(
            action=action,
            actor=request.user,
            agency=data["agency"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        new, old = updated.agency.name, action.agency.name
        told = (
            f"We will email {new} that it is theirs"
            if agency_to_tell(updated)[0]
            else f"No one at {new} has an account and it has no email address here, so "
            "nobody is emailed: tell them yourself"
        )
        messages.success(request, f"{new} now owns the action. {told}. {old} is not emailed.")
        return redirect(page)

    return form_page(
        request,
        review,
        ActionAgencyForm,
        f"Change the agency that owns the action: {action.agency.name}",
        run,
        intro=action.description,
        initial={"version": action.version},
        form_kwargs={
            "action": action,
            "agencies": selectors.agencies_to_own(review, instead_of=action),
        },
        versioned=action,
        back=page,
    )


@officer_view
@require_POST
def action_sign_off(request, pk, action_pk):
    review = _editable(request, pk)
    action = selectors.action_get_for(review, action_pk)
    try:
        services.action_sign_off(action=action, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The action is signed off as complete.")
    return redirect(review.get_absolute_url() + "#action-plan")


def _audit_export(request, review, what):
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        obj=review,
        partnership=review.partnership,
        object_repr=f"{review.reference} {what}",
    )


def _readable_plan(request, pk):
    """A review whose action plan the user downloads: the partnership's business unit,
    a closed review's too (it is kept as it was, to read, not to change)."""
    return _may_read_plan(request, review_get_for(request.user, pk))


def _may_read_plan(request, review):
    if not selectors.is_business_unit(request.user, review):
        raise PermissionDenied("Only the partnership’s business unit downloads the action plan.")
    return review


@officer_view
def action_plan_pdf_view(request, pk):
    review = _readable_plan(request, pk)
    with transaction.atomic():  # a file that fails to be made is not audited as exported
        _audit_export(request, review, "action plan PDF")
        body = action_plan_pdf(review)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{review.reference}-action-plan.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@officer_view
def action_plan_csv_view(request, pk):
    review = _readable_plan(request, pk)
    with transaction.atomic():
        _audit_export(request, review, "action plan CSV")
        body = action_plan_csv(review)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{review.reference}-action-plan.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the learning briefing --------------------------------------------------------------------


@officer_view
def briefing(request, pk):
    review = _editable(request, pk)
    current = selectors.briefing_of(review)

    def run(form):
        data = form.cleaned_data
        saved = services.briefing_save(
            review=review,
            actor=request.user,
            values={f: data[f] for f in BRIEFING_FIELDS},
            expected_version=data.get("version"),
        )
        if saved.fits_one_page:
            messages.success(request, "The briefing is saved; its PDF and presentation are ready.")
        copy = selectors.published_copy_of(review)
        if (
            copy is not None
            and copy.withdrawn_on is None
            and copy.briefing_hash != saved.content_hash
        ):
            messages.info(
                request,
                "The public pages still show the earlier version: update the published copy "
                "from the review’s page when this one is ready.",
            )
        return redirect("lcspr:briefing", pk=review.pk)

    initial = {f: getattr(current, f) for f in BRIEFING_FIELDS} if current else {}
    if current:
        initial["version"] = current.version
    return form_page(
        request,
        review,
        BriefingForm,
        "Learning briefing",
        run,
        initial=initial,
        extra={"briefing": current},
        versioned=current,
        template="lcspr/briefing_form.html",
    )


@review_view
def briefing_download(request, pk, kind):
    review = review_get_for(request.user, pk)
    current = selectors.briefing_of(review)
    if current is None or kind not in ("pdf", "pptx"):
        raise Http404("No briefing")
    content_type = {
        "pdf": "application/pdf",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }[kind]
    name = slugify(current.title)[:60].strip("-") or "learning"
    return audited_download(
        request,
        review,
        getattr(current, kind),
        what=f"learning briefing {kind}",
        filename=f"{name}-briefing.{kind}",
        content_type=content_type,
    )


@review_view
def report_download(request, pk):
    review = review_get_for(request.user, pk)
    return audited_download(
        request,
        review,
        review.report_file,
        what="final report",
        # Named by the case, as the notification and the rapid review downloads are.
        filename=f"{review.reference}-final-report.pdf",
        content_type="application/pdf",
    )
