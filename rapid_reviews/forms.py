"""GOV.UK forms for the rapid review: requests, returns, the meeting, decision and Panel."""

from collections.abc import Callable

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from safeguarding.drafts import KeptValuesShownQuietly
from safeguarding.form_fields import GDSDateField, on_a_working_day, working_day_checked
from safeguarding.forms import GDSFormHelper, StepForm, drop_maxlength
from safeguarding.forms import area_field as area
from safeguarding.forms import text_field as text
from safeguarding.models import Agency
from safeguarding.opened import OpenedValues, opened_field

from .models import Criterion, Decision, PanelResponse
from .services import requests as request_checks
from .services import review as review_checks

#: A return's due date: one the agency is asked to meet, so a working day of the
#: partnership (its closure days checked against the review, in the forms' `clean`).
RETURN_DUE = "the date the return is due"


class ActionForm(StepForm):
    """A one-page decision form: one button, no "come back later". Dates named in
    `past_dates` must be today or in the past. Given the review, the form also runs its
    service's checks against it (`case_errors`: a date not before an earlier step's,
    what an answer needs), so they are reported with every other error at once."""

    submit_label = "Save"
    later_label = None
    past_dates: tuple[str, ...] = ()
    # The service's check of the step against the record, `case_check(review, **answers)`,
    # and the fields it takes as its answers; a form whose check needs more than its
    # answers overrides `case_errors` instead.
    case_check: Callable[..., dict[str, str]] | None = None
    case_answers: tuple[str, ...] = ()

    def __init__(self, *args, review=None, **kwargs):
        self.review = review
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in self.past_dates:
            if data.get(name) and data[name] > today:
                what = self.fields[name].what
                self.add_error(name, f"{what[0].upper()}{what[1:]} must be today or in the past")
        if self.review is not None:
            errors = self.case_errors(self.review, data)
            # A field with an error of its own keeps it (add_check_errors); a check about
            # something not on this page (the partner, from the address) is the service's.
            # One about the whole step (the briefing publishing needs) goes at the top.
            self.add_check_errors(
                {
                    field: message
                    for field, message in errors.items()
                    if field in self.fields or field == NON_FIELD_ERRORS
                }
            )
        return data

    def case_errors(self, review, data) -> dict[str, str]:
        check = type(self).case_check  # a plain function, not bound to the form
        if check is None:
            return {}
        return check(review, **{name: data.get(name) for name in self.case_answers})


class RequestsForm(StepForm):
    submit_label = "Send the requests"
    later_label = "Save without sending"
    later_is_draft = False  # it makes the requests (unsent): not for a timer to press

    agencies = forms.ModelMultipleChoiceField(
        label="Which agencies were involved with the child or family?",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Each agency’s contributors are emailed a link to the request. The email "
        "does not name the child.",
        error_messages={"required": "Select at least one agency"},
    )
    due_date = GDSDateField(
        what=RETURN_DUE,
        validators=[on_a_working_day(RETURN_DUE)],
        label="Returns due by",
        help_text="The local timetable suggests this date.",
    )

    def __init__(self, *args, agencies=None, answered_by=(), review=None, **kwargs):
        """`answered_by`: the ids of the agencies with an active contributor in the
        partnership. The others are marked before anything is sent. Given the `review`,
        the service's check of the due date against it is reported with the other errors."""
        self.review = review
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agencies"].queryset = agencies
        answered_by = set(answered_by)

        def label(agency) -> str:
            if agency.pk in answered_by:
                return agency.name
            if agency.contact_email:
                return (
                    f"{agency.name} (no one there has an account: the request goes to "
                    f"{agency.contact_email}, asking for one)"
                )
            return (
                f"{agency.name} (no one there has an account and it has no address: "
                "contact them another way)"
            )

        self.fields["agencies"].label_from_instance = label

    def clean(self):
        data = super().clean()
        if self.review is not None:
            errors = request_checks.request_due_errors(self.review, data.get("due_date"))
            self.add_check_errors(
                working_day_checked(
                    errors, RETURN_DUE, data.get("due_date"), partnership=self.review.partnership
                )
            )
        return data


class RequestActionForm(ActionForm):
    """A form about one information request: given it, the service's checks of the
    answers against it are reported with the other errors."""

    def __init__(self, *args, information_request=None, **kwargs):
        self.information_request = information_request
        super().__init__(*args, **kwargs)

    def case_errors(self, review, data):
        if self.information_request is None:
            return {}
        errors = self.request_errors(self.information_request, data)
        if "due_date" not in self.fields:
            return errors
        # A new due date is not on one of the partnership's closure days either.
        return working_day_checked(
            errors,
            RETURN_DUE,
            data.get("due_date"),
            partnership=review.partnership,
            was=self.information_request.due_date,
        )

    def request_errors(self, information_request, data) -> dict[str, str]:
        raise NotImplementedError


class RequestChangeForm(RequestActionForm):
    submit_label = "Save changes"

    contact = text(
        "Contact at the agency", hint="Name, email address or telephone number", width=20
    )
    due_date = GDSDateField(
        what=RETURN_DUE,
        validators=[on_a_working_day(RETURN_DUE)],
        label="Return due by",
    )
    reason = area(
        "Reason for changing the due date",
        rows=2,
        hint="Needed only when a sent request’s due date changes. The agency is emailed "
        "the new date, not the reason.",
    )

    def request_errors(self, information_request, data):
        return request_checks.request_change_errors(
            information_request, due_date=data.get("due_date"), reason=data.get("reason")
        )


class SendBackForm(RequestActionForm):
    submit_label = "Send it back"

    note = area(
        "What more do you need from the agency?",
        name="What more you need",
        required=True,
        rows=4,
        message="Enter what more the agency needs to tell you",
        hint="The agency’s contributors see this note when they sign in. The email "
        "only tells them more is needed.",
    )
    due_date = GDSDateField(
        what=RETURN_DUE,
        validators=[on_a_working_day(RETURN_DUE)],
        label="New due date",
    )

    def request_errors(self, information_request, data):
        return request_checks.send_back_errors(
            information_request, note=data.get("note"), due_date=data.get("due_date")
        )


class MeetingForm(ActionForm):
    past_dates = ("meeting_date",)
    submit_label = "Save the meeting and findings"

    meeting_date = GDSDateField(
        what="the date of the meeting",
        label="Date of the meeting",
        help_text="For example, 27 3 2026",
    )
    attendees = area(
        "Who attended",
        required=True,
        rows=3,
        message="Enter who attended the meeting",
        hint="Name, role and agency of each person.",
    )
    key_practice_episodes = area("Key practice episodes", rows=6)
    immediate_actions = area(
        "Immediate safeguarding actions",
        rows=4,
        hint="For the child, siblings and other children at risk.",
    )
    learning_local = area("Learning for the partnership", rows=5)
    learning_national = area(
        "Learning for the National Panel", rows=4, hint="Learning of national relevance."
    )
    equality_and_diversity = area(
        "How race, ethnicity, culture, inequality and disability shaped the family’s "
        "experience and the practice they received",
        name="The answer on equality and diversity",
        rows=5,
    )

    def case_errors(self, review, data):
        return review_checks.findings_errors(review, data)


class DecisionForm(ActionForm):
    past_dates = ("decided_on",)
    # Its boxes start with the meeting's date (`views.panel.decision`), not a decision's.
    suggested_dates = ("decided_on",)
    submit_label = "Record the decision"

    decision = forms.ChoiceField(
        label="What did the partners decide?",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision"},
    )
    criteria = forms.MultipleChoiceField(
        label="Which criteria for a local review does the case meet?",
        required=False,
        choices=Criterion.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Regulation 11 of the Child Safeguarding Practice Review and Relevant Agency "
        "(England) Regulations 2018. Meeting a criterion does not make a review "
        "automatic.",
    )
    rationale = area(
        "Rationale",
        required=True,
        rows=6,
        message="Enter the rationale for the decision",
        hint="Explain the decision against each criterion.",
    )
    decided_on = GDSDateField(what="the date of the decision", label="Date of the decision")

    def case_errors(self, review, data):
        return review_checks.decision_errors(
            review,
            decided_on=data.get("decided_on"),
            decision=data.get("decision"),
            criteria=data.get("criteria") or [],
            rationale=data.get("rationale"),
        )


class NoteForm(ActionForm):
    submit_label = "Withdraw the decision"

    note = area(
        "Why is the decision being withdrawn?",
        name="The reason",
        required=True,
        rows=3,
        message="Enter why the decision is being withdrawn",
    )


class SignOffForm(ActionForm):
    past_dates = ("signed_on",)
    submit_label = "Record the sign-off"

    name = text(
        "Name of the person signing off",
        required=True,
        width=20,
        max_length=150,
        message="Enter the name of the person signing off",
    )
    role = text("Their job title", width=20, max_length=150)
    signed_on = GDSDateField(what="the date of the sign-off", label="Date of the sign-off")

    def case_errors(self, review, data):
        return review_checks.sign_off_errors(
            review, signed_on=data.get("signed_on"), partner=None, name=data.get("name")
        )


class SendToPanelForm(ActionForm):
    past_dates = ("sent_on",)
    submit_label = "Record that it was sent"

    sent_on = GDSDateField(what="the date it was sent", label="Date sent to the National Panel")
    late_reason = area(
        "Reason it was sent late",
        rows=3,
        hint="Needed if it was sent after its due date (15 working days after the notification).",
    )

    case_check = review_checks.sent_to_panel_errors
    case_answers = ("sent_on", "late_reason")


class CorrectSentToPanelForm(SendToPanelForm):
    """The day the review was recorded as sent to the Panel, corrected (typed wrong)."""

    submit_label = "Correct the date"

    reason = area(
        "Why are you correcting the date?",
        name="The reason",
        required=True,
        rows=3,
        message="Enter why the date is being corrected",
        hint="Kept in the audit trail.",
    )

    case_check = review_checks.sent_correction_errors
    case_answers = ("sent_on", "late_reason", "reason")


class PanelResponseForm(ActionForm):
    past_dates = ("responded_on",)
    submit_label = "Record the response"

    response = forms.ChoiceField(
        label="What did the National Panel say?",
        choices=PanelResponse.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the National Panel’s response"},
    )
    responded_on = GDSDateField(what="the date of the Panel’s reply", label="Date of the reply")
    note = area(
        "The Panel’s words: what it disagrees with, or what more it asks for",
        name="The Panel’s words",
        rows=4,
        hint="Needed if the Panel disagrees or asks for more information.",
    )
    more_information_by = GDSDateField(
        what="the date the Panel wants it by",
        required=False,
        label="If the Panel asks for more information: the date it wants it by",
    )
    correction_reason = area("Why are you correcting the response?", rows=3, name="The reason")

    def __init__(self, *args, correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        if correcting:
            self.submit_label = "Correct the response"
            self.fields["correction_reason"].required = True
            self.fields["correction_reason"].error_messages["required"] = (
                "Enter why the response is being corrected"
            )
            self.fields["correction_reason"].help_text = "Kept in the audit trail."
        else:
            del self.fields["correction_reason"]
        self.build_helper()

    # What each answer needs and the reply's dates, as the service checks them.
    case_check = review_checks.panel_response_errors
    case_answers = ("response", "responded_on", "note", "more_information_by")


class LocalReviewAfterPanelForm(ActionForm):
    past_dates = ("decided_on",)
    submit_label = "Record the decision and open the local review"

    decided_on = GDSDateField(
        what="the date of the decision", label="Date the partners decided to hold it"
    )
    rationale = area(
        "Why did the partners decide to hold a local review?",
        name="The rationale",
        required=True,
        rows=5,
        message="Enter why the partners decided to hold a local review",
        hint="For example, what the National Panel said and which criteria the case meets.",
    )

    case_check = review_checks.after_panel_errors
    case_answers = ("decided_on", "rationale")


# --- the agency's return --------------------------------------------------------------------


def _inner_helper(form) -> FormHelper:
    """A crispy helper for a form drawn inside another <form> (no tag, no token)."""
    helper = GDSFormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    return helper


class ReturnForm(OpenedValues, KeptValuesShownQuietly, forms.Form):
    """The agency's answers. Rendered without its own <form> or buttons: the chronology
    formset and the buttons sit in the same form (see return_form.html). It carries the
    version and what it was opened with (a stale save is merged three ways: opened.py);
    the chronology rows are not merged (kept as typed)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    opened = opened_field()
    #: The chronology's rows as the page was opened (initial["chronology"]): merged by
    #: the page as a whole (views/contributor.py, _merge_rows).
    opened_extras = ("chronology",)
    involved = forms.TypedChoiceField(
        label="Was your agency involved with the child or family?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )
    involvement_summary = area(
        "Summary of your agency’s involvement", rows=6, hint="Who was involved, when and why."
    )
    analysis = area("Analysis", rows=5, hint="What went well, and what could have gone better.")
    immediate_actions = area("Immediate actions your agency has taken", rows=4)
    learning = area("Learning identified", rows=4)
    criteria_view = forms.MultipleChoiceField(
        label="In your agency’s view, which criteria for a local review does the case meet?",
        required=False,
        choices=Criterion.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    criteria_comment = area(
        "Your agency’s view on a local review", rows=3, name="Your agency’s view"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drop_maxlength(self)
        self.helper = _inner_helper(self)

    def add_service_errors(self, error) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)


class ChronologyRowForm(KeptValuesShownQuietly, forms.Form):
    # A chronology goes back through the child's life, and before it.
    date = GDSDateField(what="the date of the contact", required=False, earliest=None, label="Date")
    contact_type = text(
        "Type of contact", hint="For example, home visit, A&E attendance", max_length=150
    )
    what_happened = area("What happened", rows=3)
    practitioner_role = text("Practitioner’s role", max_length=150, width=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drop_maxlength(self)
        self.helper = _inner_helper(self)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (
            data.get("date")
            or data.get("contact_type", "").strip()
            or data.get("what_happened", "").strip()
            or data.get("practitioner_role", "").strip()
        )

    def clean(self):
        data = super().clean()
        if self.errors or self.is_blank() or data.get("DELETE"):
            return data
        if not data.get("date"):
            self.add_error("date", "Enter the date of the contact")
        elif data["date"] > timezone.localdate():
            # Shown at the row's date (the service checks again, for the whole return).
            self.add_error("date", "The date of the contact must be today or in the past")
        if not data.get("what_happened", "").strip():
            self.add_error("what_happened", "Enter what happened")
        return data


class BaseChronologyFormSet(KeptValuesShownQuietly, forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this row"
            # The row's helper was laid out before the formset added the box: again, so
            # that "Remove this row" is drawn.
            form.helper = _inner_helper(form)

    def rows(self) -> list[dict]:
        """The rows to keep: not blank and not ticked for removal."""
        return [
            {
                k: f.cleaned_data.get(k)
                for k in ("date", "contact_type", "what_happened", "practitioner_role")
            }
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_blank()
        ]

    def blank_rows(self) -> int:
        """How many rows are left empty (and not ticked for removal): saving leaves them
        out, but "Add another row" lays them out again with the new one."""
        return sum(1 for f in self.forms if not f.cleaned_data.get("DELETE") and f.is_blank())


#: The most chronology rows a return has.
MAX_ROWS = 200


def chronology_formset(*, extra: int):
    """The chronology rows, with `extra` empty rows (the "Add another row" button adds one)."""
    return forms.formset_factory(
        ChronologyRowForm,
        formset=BaseChronologyFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_ROWS,
    )
