"""GOV.UK forms for the local review. One question (or one small group) per page."""

from django import forms

from rapid_reviews.forms import ActionForm, area, text
from safeguarding.dates import full_date
from safeguarding.form_fields import GDSDateField, working_day_checked
from safeguarding.models import Agency, User
from safeguarding.once import OnceFormMixin

from .models import (
    ActionStatus,
    AnonymisationCheck,
    HoldReason,
    LearningTheme,
    PartnerCheck,
    PublicationKind,
)
from .services import actions as action_checks
from .services import briefing as briefing_checks
from .services import publication as publication_checks
from .services import review as review_checks
from .services.briefing import REQUIRED as BRIEFING_REQUIRED


def file_field(label, hint, *, required=False, message="Select a file to upload"):
    return forms.FileField(
        label=label,
        required=required,
        help_text=hint,
        error_messages={"required": message, "empty": "The selected file is empty"},
    )


class ReviewersForm(ActionForm):
    submit_label = "Save the reviewers"
    reviewers = forms.ModelMultipleChoiceField(
        label="Who are the independent reviewers?",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select one or more. Reviewers see only the reviews they are assigned to.",
        error_messages={"required": "Select at least one independent reviewer"},
    )

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reviewers is not None:
            self.fields["reviewers"].queryset = reviewers


class TermsForm(ActionForm):
    submit_label = "Save the terms of reference"
    text = area(
        "Terms of reference", required=True, rows=10, message="Enter the terms of reference"
    )
    document = file_field(
        "Upload the signed terms of reference (optional)",
        "A PDF, Word (.docx), OpenDocument text, PNG or JPEG file, smaller than 10 MB.",
    )
    agreed_on = GDSDateField(
        what="the date the terms were agreed",
        label="Date the partners agreed the terms (leave empty if not yet agreed)",
        required=False,
        help_text="For example, 27 3 2026. Agreeing the terms starts the review.",
    )
    past_dates = ("agreed_on",)

    def case_errors(self, review, data):
        return review_checks.terms_errors(
            review,
            text=data.get("text"),
            agreed_on=data.get("agreed_on"),
            upload=data.get("document"),
        )


class WrittenReplyForm(ActionForm):
    # Checked before it is sent: the check page has the button that sends it.
    submit_label = "Continue"
    text = area(
        "Your reply",
        required=True,
        rows=8,
        message="Enter your reply",
        hint=(
            "The partnership’s business unit is emailed that you have replied, but not "
            "what you wrote: they read your reply when they sign in."
        ),
    )
    document = file_field(
        "Attach a document, such as the draft they asked for (optional)",
        "A PDF, Word (.docx), OpenDocument text, PNG or JPEG file, smaller than 10 MB.",
    )

    def case_errors(self, review, data):
        return review_checks.written_reply_errors(
            text=data.get("text"), upload=data.get("document")
        )


class ThemesForm(ActionForm):
    submit_label = "Save the themes"
    themes = forms.ModelMultipleChoiceField(
        label="Which learning themes does the review find?",
        queryset=LearningTheme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, themes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if themes is not None:
            self.fields["themes"].queryset = themes


class MilestoneForm(ActionForm):
    submit_label = "Save the milestone"
    planned = GDSDateField(what="the planned date", label="Planned date")
    reason = area(
        "Reason for moving the planned date",
        rows=3,
        hint="Needed when the planned date changes. It is kept in the milestone’s history.",
    )
    actual = GDSDateField(
        what="the date it happened",
        label="Date it actually happened (leave empty if not yet)",
        required=False,
    )
    past_dates = ("actual",)

    def __init__(self, *args, milestone=None, **kwargs):
        self.milestone = milestone  # its clock: the planned date recorded now
        super().__init__(*args, **kwargs)

    def case_errors(self, review, data):
        if self.milestone is None:
            return {}
        return review_checks.milestone_errors(
            review,
            self.milestone,
            planned=data.get("planned"),
            reason=data.get("reason"),
            actual=data.get("actual"),
        )


class CheckForm(OnceFormMixin, ActionForm):
    submit_label = "Save the check"
    kind = forms.ChoiceField(
        label="What kind of check?",
        choices=PartnerCheck.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of check"},
    )
    checked_on = GDSDateField(what="the date of the check", label="Date")
    note = area(
        "What the partners found or asked for",
        required=True,
        rows=4,
        message="Enter what the partners found or asked for",
        hint="For a written request, what the reviewer was asked to send (information or a draft).",
    )
    respond_by = GDSDateField(
        what="the date the reviewer should reply by",
        label="Reply needed by (written requests only)",
        required=False,
    )
    past_dates = ("checked_on",)

    case_check = review_checks.partner_check_errors
    case_answers = ("kind", "checked_on", "note", "respond_by")


class HoldForm(ActionForm):
    submit_label = "Put the review on hold"
    reason = forms.ChoiceField(
        label="Why is the review on hold?",
        choices=HoldReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the review is on hold"},
    )
    note = area("More detail", rows=3, hint="For example, the trial date or the coroner’s court.")
    held_since = GDSDateField(what="the date it went on hold", label="On hold from")
    look_again_on = GDSDateField(
        what="the date to look at the hold again",
        label="Date to look again",
        help_text="You will be reminded on this date.",
    )
    past_dates = ("held_since",)

    case_check = review_checks.hold_errors
    case_answers = ("reason", "note", "held_since", "look_again_on")


class DecisionDateForm(ActionForm):
    submit_label = "Correct the date"
    decided_on = GDSDateField(
        what="the date of the decision", label="Date the partners decided to hold the review"
    )
    reason = area(
        "Why is the date being corrected?",
        required=True,
        rows=2,
        message="Enter why the date is being corrected",
        hint="Kept in the history of each date that moves and in the audit trail: do not "
        "name anyone.",
    )
    past_dates = ("decided_on",)

    def case_errors(self, review, data):
        return review_checks.decision_date_errors(
            review,
            review.rapid_review,
            decided_on=data.get("decided_on"),
            reason=data.get("reason"),
        )


class HoldUpdateForm(ActionForm):
    submit_label = "Save the new date"
    look_again_on = GDSDateField(
        what="the date to look at the hold again",
        label="Date to look again",
        help_text="You will be reminded on this date.",
    )
    note = area("More detail", rows=3, hint="For example, the new trial date.")
    reason = area(
        "What has changed?",
        required=True,
        rows=2,
        message="Enter what has changed",
        hint="Kept in the history of the date and in the audit trail: do not name anyone.",
    )

    case_check = review_checks.hold_update_errors
    case_answers = ("look_again_on", "note", "reason")


class ResumeForm(ActionForm):
    submit_label = "Resume the review"
    resumed_on = GDSDateField(what="the date the review resumed", label="Resumed on")
    past_dates = ("resumed_on",)


class CloseForm(ActionForm):
    submit_label = "Close the review"
    reason = area(
        "Why is the review closed without publication?",
        required=True,
        rows=4,
        message="Enter why the review is closed without publication",
        hint="For example, the National Panel took a national review of the case. Do not "
        "name the child: it is kept in the review’s history.",
    )
    closed_on = GDSDateField(what="the date the review was closed", label="Date it was closed")
    past_dates = ("closed_on",)

    case_check = review_checks.close_errors
    case_answers = ("closed_on", "reason")


class ReopenForm(ActionForm):
    submit_label = "Reopen the review"
    reason = area(
        "Why is the review being reopened?",
        required=True,
        rows=4,
        message="Enter why the review is being reopened",
        hint="For example, it was closed by mistake. Kept with the review’s history.",
    )


class ApproveForm(ActionForm):
    submit_label = "Record the approval"
    approved_on = GDSDateField(
        what="the date the final report was approved", label="Date the partners approved it"
    )
    past_dates = ("approved_on",)


class NoticeForm(ActionForm):
    submit_label = "Save"
    sent_on = GDSDateField(
        what="the date it was sent to the Panel and DfE",
        label="Date the final report was sent to the National Panel and DfE",
    )
    planned_publication = GDSDateField(
        what="the planned publication date", label="Planned publication date"
    )
    past_dates = ("sent_on",)

    case_check = publication_checks.notice_errors
    case_answers = ("sent_on", "planned_publication")


class PublishForm(ActionForm):
    submit_label = "Publish"
    kind = forms.ChoiceField(
        label="What are you publishing?",
        choices=PublicationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what is being published"},
    )
    report = file_field("The final report (PDF)", "Needed when you publish the full report.")
    improvements = area(
        "The improvements to be made",
        rows=5,
        hint="Needed when the report itself is not published.",
    )
    improvements_reason = area("Why the report itself is not published", rows=3)
    public_title = text(
        "Public title",
        required=True,
        max_length=200,
        message="Enter the public title",
        hint="Often the child’s voice as a question. Never a real name or a case reference.",
    )
    public_summary = area(
        "Public summary",
        required=True,
        rows=5,
        message="Enter the public summary",
        hint="Two or three sentences for the Learning from reviews page, anonymised.",
    )
    checks = forms.MultipleChoiceField(
        label="Anonymisation checklist",
        choices=AnonymisationCheck.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Confirm every check.",
        error_messages={"required": "Confirm every anonymisation check before publishing"},
    )
    published_on = GDSDateField(what="the date of publication", label="Date of publication")
    late_reason = area(
        "Reason it is published after the statutory date",
        rows=3,
        hint="Needed if publication is more than 6 months after the decision to hold the "
        "review, for example criminal proceedings or an inquest.",
    )
    embargo_until = GDSDateField(
        what="the embargo date",
        label="Embargoed until (optional)",
        required=False,
        help_text="Only if the report is to be made public later than the date of "
        "publication, for example with a press release. The public page shows it from this "
        "date, and it counts as published, for the 6 months, on this date.",
    )
    nspcc_sent_on = GDSDateField(
        what="the date it was sent to the NSPCC repository",
        label="Date a copy went to the NSPCC national case review repository (optional)",
        required=False,
    )
    past_dates = ("published_on",)

    case_check = publication_checks.publish_errors
    case_answers = (
        "kind",
        "public_title",
        "public_summary",
        "checks",
        "published_on",
        "report",
        "improvements",
        "improvements_reason",
        "embargo_until",
        "nspcc_sent_on",
        "late_reason",
    )

    def day_warnings(self) -> list[str]:
        """The page's warnings of a day of publication on a weekend or a bank holiday:
        the planned date as the page is opened, with the dates entered once it is shown
        again after saving (`publication_day_warnings`)."""
        if self.is_bound:
            entered = getattr(self, "cleaned_data", None) or {}
        else:  # the date of publication the page suggests (today)
            entered = {"published_on": self.initial.get("published_on")}
        return publication_day_warnings(
            planned=self.review.planned_publication if self.review is not None else None,
            published_on=entered.get("published_on"),
            embargo_until=entered.get("embargo_until"),
        )


def not_a_working_day(day) -> str | None:
    """ "a weekend" or "a bank holiday (Christmas Day)" for a day in England that is one
    (the working-day calendar; a partnership's own closure days do not count here), or
    None."""
    from safeguarding.calendar import non_working_reason

    if day is None:
        return None
    if day.weekday() >= 5:
        return "a weekend"
    reason = non_working_reason(day)
    return f"a bank holiday ({reason})" if reason else None


def publication_day_warnings(*, planned, published_on, embargo_until) -> list[str]:
    """Warnings (never errors: publishing on such a day is allowed) for the day the
    report goes public falling on a weekend or a bank holiday in England: the planned date
    of publication given with the notice, and the date of publication and the end of the
    embargo as entered."""

    def day(value) -> str:
        return f"{value:%A} {full_date(value)}"

    warnings = []
    if planned is not None and planned != published_on and (what := not_a_working_day(planned)):
        warnings.append(
            f"The planned date of publication given to the Panel and DfE, {day(planned)}, "
            f"falls on {what}. You can still publish on that day."
        )
    if what := not_a_working_day(published_on):
        warnings.append(
            f"The date of publication, {day(published_on)}, falls on {what}. You can "
            "still publish on that day."
        )
    if what := not_a_working_day(embargo_until):
        warnings.append(
            f"The embargo ends on {day(embargo_until)}, which falls on {what}: the report "
            "appears on the public pages that day. You can still publish with it."
        )
    return warnings


class NspccForm(ActionForm):
    sent_on = GDSDateField(
        what="the date it was sent to the NSPCC repository",
        label="Date a copy went to the NSPCC national case review repository",
    )
    past_dates = ("sent_on",)


class PublishedUpdateForm(ActionForm):
    """Correct the public copy. Only the fields of what was published are offered: a
    corrected report for a full report, the improvements otherwise."""

    submit_label = "Update the published copy"
    public_title = text(
        "Public title",
        required=True,
        max_length=200,
        message="Enter the public title",
        hint="The page keeps its address if you change it.",
    )
    public_summary = area(
        "Public summary", required=True, rows=5, message="Enter the public summary"
    )
    improvements = area(
        "The improvements to be made",
        required=True,
        rows=5,
        message="Enter the improvements to be made",
    )
    report = file_field(
        "A corrected final report (PDF, optional)",
        "Leave this empty to keep the report as published. It is checked again for anything "
        "that identifies the family.",
    )
    reason = area(
        "What was corrected?",
        required=True,
        rows=3,
        message="Enter what was corrected",
        hint="Kept in the audit trail; not shown to the public.",
    )

    def __init__(self, *args, full_report=True, republish=False, published=None, **kwargs):
        self.published = published  # the public copy: what a field not offered keeps
        super().__init__(*args, **kwargs)
        del self.fields["improvements" if full_report else "report"]
        if republish:
            self.submit_label = "Correct and put back on the public pages"
        self.build_helper()

    def case_errors(self, review, data):
        if self.published is None:
            return {}
        offered = "improvements" in self.fields
        return publication_checks.published_update_errors(
            review,
            reason=data.get("reason"),
            public_title=data.get("public_title"),
            public_summary=data.get("public_summary"),
            improvements=data.get("improvements") if offered else self.published.improvements,
            report=data.get("report"),
        )


class WithdrawForm(ActionForm):
    submit_label = "Withdraw from the public pages"
    submit_class = "govuk-button--warning"
    reason = area(
        "Why is it being withdrawn?",
        required=True,
        rows=3,
        message="Enter why the review is being withdrawn",
        hint="For example, a detail that could identify the family, or a court’s order. "
        "Kept with the record; not shown to the public.",
    )


class RecommendationChecks:
    """A recommendation's wording against the review's others and its child (the
    service's check, with the form's other errors)."""

    #: The recommendation being changed (the others must not say the same), if any.
    recommendation = None

    def case_errors(self, review, data):
        return action_checks.recommendation_errors(
            review,
            data.get("text"),
            data.get("partners_response"),
            other_than=self.recommendation.pk if self.recommendation else None,
        )


class RecommendationForm(RecommendationChecks, OnceFormMixin, ActionForm):
    submit_label = "Add the recommendation"
    text = area(
        "Recommendation",
        required=True,
        rows=4,
        message="Enter the recommendation",
        hint="Published with the review: anonymise it.",
    )
    partners_response = area(
        "The partners’ response (optional)",
        rows=3,
        hint="You can add or change it later, for example after publication.",
    )


class RecommendationEditForm(RecommendationChecks, ActionForm):
    submit_label = "Save the recommendation"
    text = RecommendationForm.base_fields["text"]
    partners_response = area("The partners’ response (optional)", rows=3)

    def __init__(self, *args, recommendation=None, **kwargs):
        self.recommendation = recommendation
        super().__init__(*args, **kwargs)


#: An action's due date: one the owning agency is asked to meet, so a working day (as a
#: return's due date is). Checked by the forms, after the service's checks, so a date
#: before the decision is told as that whatever day it falls on.
DUE_DATE = "the date the action is due"


class ActionAddForm(OnceFormMixin, ActionForm):
    submit_label = "Add the action"
    description = area("Action", required=True, rows=3, message="Enter the action")
    agency = forms.ModelChoiceField(
        label="Owning agency",
        queryset=Agency.objects.none(),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency that owns the action"},
    )
    lead = text(
        "Lead",
        required=True,
        message="Enter the name or role of the lead",
        hint="A name or a role, for example Designated safeguarding lead",
        width=20,
    )
    due_date = GDSDateField(what=DUE_DATE, label="Due date")

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies

    def case_errors(self, review, data):
        errors = action_checks.action_errors(
            review,
            **{name: data.get(name) for name in ("agency", "lead", "description", "due_date")},
        )
        return working_day_checked(
            errors, DUE_DATE, data.get("due_date"), partnership=review.partnership
        )


class ActionUpdateForm(ActionForm):
    submit_label = "Save progress"
    status = forms.ChoiceField(
        # "Progress": the agency's own answer; "Status" is the rating from the due date
        # that the page shows above the form (ADR 0027's addendum, action wording).
        label="Progress",
        choices=[c for c in ActionStatus.choices if c[0] != ActionStatus.SIGNED_OFF],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the progress of the action"},
    )
    due_date = GDSDateField(what=DUE_DATE, label="Due date")
    reason = area(
        "Reason for moving the due date",
        rows=2,
        hint="Needed when the due date changes. The agency is emailed the new date, "
        "not the reason.",
    )
    note = area("Progress note (optional)", rows=3)
    evidence_of_impact = area(
        "Evidence of impact",
        rows=4,
        hint="What has changed for children? Needed before the action is marked complete.",
    )

    def __init__(self, *args, action=None, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)

    def case_errors(self, review, data):
        if self.action is None:
            return {}
        # The owning agency's form does not offer the due date: it stays as it is.
        moves = "due_date" in self.fields
        due_date = data.get("due_date") if moves else self.action.due_date
        errors = action_checks.action_update_errors(
            review,
            self.action,
            status=data.get("status"),
            due_date=due_date,
            reason=data.get("reason"),
            evidence_of_impact=data.get("evidence_of_impact"),
        )
        # A date kept as it was is not refused (one set before this check, say).
        return working_day_checked(
            errors,
            DUE_DATE,
            due_date,
            partnership=review.partnership,
            was=self.action.due_date,
        )


class AgencyActionForm(ActionUpdateForm):
    """The owning agency's update: progress, evidence and status, not the due date."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["due_date"], self.fields["reason"]
        self.build_helper()


class ActionAgencyForm(ActionForm):
    """The business unit gives an action to another of the partnership's agencies."""

    submit_label = "Change the agency"
    agency = forms.ModelChoiceField(
        label="Which agency now owns the action?",
        queryset=Agency.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the agency that now owns the action",
            "invalid_choice": "Select the agency that now owns the action",
        },
    )
    reason = area(
        "Reason for changing the agency",
        required=True,
        rows=2,
        message="Enter the reason for changing the agency",
        hint="The new agency is emailed that it owns the action, not the reason. The "
        "agency that owned it is not emailed: tell it yourself if it needs to know.",
    )

    def __init__(self, *args, action=None, agencies=None, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies

    def case_errors(self, review, data):
        if self.action is None:
            return {}
        # A field with its own error keeps it: an agency not offered is not checked again.
        return action_checks.action_agency_errors(
            review, self.action, agency=data.get("agency"), reason=data.get("reason")
        )


class BriefingForm(ActionForm):
    submit_label = "Save and make the PDF and presentation"
    title = text(
        "Title",
        required=True,
        message=BRIEFING_REQUIRED["title"],
        max_length=150,
        hint="Often the child’s voice as a question, for example ‘Are you listening to me?’",
    )
    background = area(
        "Background of the case",
        required=True,
        message=BRIEFING_REQUIRED["background"],
        rows=6,
    )
    key_learning = area(
        "Key learning",
        required=True,
        message=BRIEFING_REQUIRED["key_learning"],
        rows=6,
        hint="One point per line.",
    )
    practice_improvement = area(
        "Areas for practice improvement",
        required=True,
        message=BRIEFING_REQUIRED["practice_improvement"],
        rows=5,
        hint="One area per line.",
    )
    discussion_questions = area(
        "Questions for team discussion",
        required=True,
        message=BRIEFING_REQUIRED["discussion_questions"],
        rows=5,
        hint="One question per line.",
    )
    links = area(
        "Links (optional)",
        rows=3,
        hint="One per line: title | address, for example "
        "‘Working Together 2023 | https://www.gov.uk/…’",
    )

    def case_errors(self, review, data):
        # The briefing's anonymisation is about all of it: at the top of the summary.
        return briefing_checks.briefing_errors(
            review, {f: data.get(f) for f in briefing_checks.BRIEFING_FIELDS}
        )
