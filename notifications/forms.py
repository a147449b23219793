"""GOV.UK forms for logging and deciding a serious incident (one short step per page)."""

import datetime as dt
import re

from django import forms
from django.core import validators
from django.utils import timezone

from safeguarding.form_fields import INCIDENT_DATE, GDSDateField
from safeguarding.forms import BaseForm, StepForm
from safeguarding.forms import area_field as _area
from safeguarding.forms import text_field as _text
from safeguarding.models import Agency
from safeguarding.once import OnceFormMixin

from .models import ChildStatus, Ethnicity, HarmCategory, Nature, ParallelProcess, Sex, Status
from .names import folded_words
from .services.common import (
    corrected_awareness_errors,
    decision_date_errors,
    incident_date_errors,
    late_reason_errors,
    notification_due_from,
    validate_incident_dates,
    validate_notification_date,
)
from .services.retention import KEEP_AT_MOST_YEARS, keep_date_errors
from .services.transitions import corrected_notification_errors, missing_for_decision_where


class IncidentDatesForm(StepForm):
    incident_date = GDSDateField(
        what="the date of the incident",
        required=False,
        earliest=INCIDENT_DATE,
        label="Date of the incident",
        help_text="For example, 27 3 2026. Leave blank if not known.",
    )
    incident_place = _text("Where the incident happened", hint="A town, setting or address")
    awareness_date = GDSDateField(
        what="the date the local authority became aware",
        label="Date the local authority became aware",
        help_text="The 5-working-day clock to notify the National Panel starts from this date.",
    )
    reason = _area(
        "Reason for changing the date the local authority became aware",
        name="The reason",
        rows=3,
        hint="Needed only when you change a date already recorded.",
    )

    def __init__(self, *args, changing=False, incident=None, **kwargs):
        self.changing = changing
        self.incident = incident
        if not changing:
            self.later_label = None
            self.submit_label = "Continue"
        super().__init__(*args, **kwargs)
        if not changing:
            del self.fields["reason"]
            self.build_helper()

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        # The service's checks of the two dates together, with the other errors (a field
        # with an error of its own keeps only that one).
        self.add_check_errors(
            validate_incident_dates(
                incident_date=data.get("incident_date"),
                awareness_date=data.get("awareness_date"),
                today=today,
                stored=self.incident,
            )
        )
        if self.incident is not None:
            self._check_with_incident(data, today)
        return data

    def _check_with_incident(self, data, today) -> None:
        """What the services check against the incident recorded (its children's dates of
        birth; a reason for a new awareness date), reported with the other errors."""
        incident = self.incident
        self.add_check_errors(
            incident_date_errors(
                incident=incident,
                incident_date=data.get("incident_date"),
                today=today,
                against_awareness=False,
            )
        )
        aware = data.get("awareness_date")
        if (
            "reason" in self.fields
            and aware
            and "awareness_date" not in self._errors
            and aware != incident.awareness_date
            and not (data.get("reason") or "").strip()
        ):
            self.add_check_errors(
                {"reason": "Enter why the date the local authority became aware has changed"}
            )


class IncidentNewForm(OnceFormMixin, IncidentDatesForm):
    """Logging a new incident: taken once (a second post of the page does not log it
    again with a second clock)."""


class NatureForm(StepForm):
    nature = forms.ChoiceField(
        label="What happened to the child?",
        choices=Nature.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the nature of the incident"},
    )
    harm_categories = forms.MultipleChoiceField(
        label="Categories of harm",
        required=False,
        choices=HarmCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )

    def clean(self):
        data = super().clean()
        nature = data.get("nature")
        needs_harm = nature in (Nature.CHILD_DEATH, Nature.SERIOUS_HARM, Nature.OTHER)
        if needs_harm and not data.get("harm_categories"):
            self.add_error("harm_categories", "Select at least one category of harm")
        return data


class CircumstancesForm(StepForm):
    circumstances = _area(
        "Summary of circumstances",
        required=True,
        rows=8,
        message="Enter a summary of the circumstances",
        hint="What happened, and what was known about the family. Use initials, not names.",
    )
    other_local_authority = _text(
        "Local authority where the child lived, if not this one",
        name="The local authority",
        hint="For a child placed or living outside this area.",
    )
    parallel_processes = forms.MultipleChoiceField(
        label="Parallel processes",
        required=False,
        choices=ParallelProcess.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    other_children_in_household = _area(
        "Other children in the household",
        rows=3,
        hint="Their ages and whether they are safe. Use initials, not names.",
    )


_TELEPHONE = re.compile(
    r"(?P<number>\+?[\d\s().-]+?)(\s*(ext\.?|extension|x)\s*\d{1,6})?", re.IGNORECASE
)


class NotifierForm(StepForm):
    notifier_name = _text(
        "Name of the person notifying",
        required=True,
        message="Enter the name of the person notifying",
        width=20,
    )
    notifier_role = _text("Their role", width=20)
    notifier_contact = _text("Their email address or telephone number", width=20)

    CONTACT_MESSAGE = (
        "Enter an email address, like name@example.com, or a telephone number, like 01632 960 001"
    )

    def clean_notifier_contact(self):
        """An email address, or a telephone number of 10 to 15 digits (spaces, brackets,
        dashes, a leading + and an extension allowed): the National Panel may use it."""
        value = self.cleaned_data.get("notifier_contact", "")
        if not value or value == self.initial.get("notifier_contact"):
            return value  # one saved before this check stays as it is
        if "@" in value:
            try:
                validators.validate_email(value)
            except forms.ValidationError:
                raise forms.ValidationError(self.CONTACT_MESSAGE) from None
            return value
        number = _TELEPHONE.fullmatch(value)
        digits = sum(c.isdigit() for c in number["number"]) if number else 0
        if not 10 <= digits <= 15:
            raise forms.ValidationError(self.CONTACT_MESSAGE)
        return value


class ChildForm(StepForm):
    submit_label = "Save child"
    later_label = None

    pseudonym = _text(
        "Pseudonym",
        hint="Used everywhere the child’s name must not appear.",
        width=10,
        max_length=40,
    )
    name = _text(
        "Child’s full name",
        required=False,
        max_length=150,
        hint="If the child was unborn, tick the box below and leave this empty.",
    )
    other_names = _text("Other names the child is known by", name="The other names")
    unborn = forms.BooleanField(label="The child was unborn", required=False)
    date_of_birth = GDSDateField(
        what="the child’s date of birth",
        required=False,
        earliest=None,  # the child's age on the incident's day is checked (`_check_age`)
        label="Date of birth",
        help_text="For example, 27 3 2019",
    )
    age_years = forms.IntegerField(
        label="Age in years, if the date of birth is not known",
        required=False,
        min_value=0,
        max_value=24,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-2", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "min_value": "Age must be 0 or more",
            "max_value": "Age must be 24 or less",
            "invalid": "Age must be a whole number of years, like 7",
        },
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the child’s sex"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=[("", "Select an ethnic group"), *Ethnicity.choices],
        error_messages={"required": "Select the child’s ethnicity, or ‘Not known’"},
    )
    disability = _area("Disability", rows=2)
    health = _area("Health", rows=2)
    status_at_time = forms.ChoiceField(
        label="The child’s status at the time",
        choices=ChildStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the child’s status at the time"},
    )
    placement_type = _text("Placement type, if looked after", name="The placement type")
    known_to = forms.ModelMultipleChoiceField(
        label="Known to which agencies",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, partnership=None, incident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident = incident
        if incident is not None:
            # The incident's own limit (`Incident.oldest_age`, by its nature) is checked
            # in `_check_age`, said once with that limit: not the form's widest one (24)
            # as well, which said "24 or less" of 200 and "17 or younger" of 20.
            age = self.fields["age_years"]
            age.max_value = None
            age.validators = [
                v for v in age.validators if not isinstance(v, validators.MaxValueValidator)
            ]
            age.widget.attrs.pop("max", None)
        if partnership is not None:
            self.fields["known_to"].queryset = partnership.agencies.order_by("name")

    def _check_age(self, data) -> None:
        """The child's age must suit the notification (`Incident.oldest_age`), and a date
        of birth and an age given together must agree, on the incident's day."""
        incident = self.incident
        if incident is None or "date_of_birth" in self.errors or "age_years" in self.errors:
            return
        on = incident.age_on
        dob, age = data.get("date_of_birth"), data.get("age_years")
        if dob and on and dob > on:
            when = (
                "of the incident" if incident.incident_date else "the local authority became aware"
            )
            self.add_error(
                "date_of_birth",
                f"The date of birth must be on or before the date {when} "
                f"({on:%-d %B %Y}). If the child was not yet born, tick ‘The child was unborn’",
            )
            return
        from_dob = incident.age_of(dob) if dob else None
        if from_dob is not None and age is not None and from_dob != age:
            self.add_error(
                "age_years",
                f"The age does not match the date of birth, which gives {from_dob} on "
                f"{on:%-d %B %Y}: correct one of them, or leave the age empty",
            )
            return
        years = from_dob if from_dob is not None else age
        if years is not None and years > incident.oldest_age:
            self.add_error(
                "date_of_birth" if from_dob is not None else "age_years",
                incident.too_old_message(years),
            )

    def clean(self):
        data = super().clean()
        if not (data.get("name") or "").strip() and "name" not in self.errors:
            if data.get("unborn"):
                data["name"] = "Unborn"
            else:
                self.add_error(
                    "name", "Enter the child’s full name, or tick ‘The child was unborn’"
                )
        dob = data.get("date_of_birth")
        if dob and dob > timezone.localdate():
            self.add_error("date_of_birth", "The child’s date of birth must be in the past")
        self._check_age(data)
        if data.get("unborn") and (dob or data.get("age_years") is not None):
            self.add_error("unborn", "An unborn child has no date of birth or age")
        if (
            not data.get("unborn")
            and not dob
            and data.get("age_years") is None
            and "date_of_birth" not in self.errors
            and "age_years" not in self.errors
        ):
            self.add_error("date_of_birth", "Enter the child’s date of birth or their age")
        if (
            data.get("status_at_time") == ChildStatus.LOOKED_AFTER
            and not data.get("placement_type", "").strip()
        ):
            self.add_error("placement_type", "Enter the placement type of a looked-after child")
        return data


#: The words the service writes for a time (safeguarding.dates.time_of_day) that are not
#: hours and minutes.
TIME_WORDS = {"midday": dt.time(12, 0), "noon": dt.time(12, 0), "midnight": dt.time(0, 0)}


class TimeOfDayField(forms.TimeField):
    """A time as people type it, and as the service writes it: "midday" and "midnight"
    too, so a time the form offers (`time_in_form`) reads back as itself."""

    def to_python(self, value):
        word = TIME_WORDS.get(str(value or "").strip().lower())
        return word if word is not None else super().to_python(value)


def time_in_form(moment: dt.datetime) -> str:
    """A time offered in a form as the service writes it (its hint, its History):
    "8:53pm", "midday", not "20:53". `moment` is in UK time."""
    from safeguarding.dates import time_of_day

    return time_of_day(moment)


class SentAtForm(StepForm):
    """When the notification went through the DfE service: a date and a time (not later
    than now)."""

    later_label = None
    service_fields = {"notified_on": "sent_date"}

    sent_date = GDSDateField(
        what="the date the notification was sent",
        label="Date the notification was sent",
        help_text="The date the DfE online service confirmed it.",
    )
    sent_time = TimeOfDayField(
        label="Time it was sent",
        help_text="For example, 10:42am or 2:05pm (or 14:05)",
        # The 24-hour clock as well as GOV.UK's "2:05pm", as people type either.
        input_formats=[
            "%H:%M",
            "%H.%M",
            "%H%M",
            "%I:%M%p",
            "%I:%M %p",
            "%I.%M%p",
            "%I.%M %p",
            "%I%p",
            "%I %p",
        ],
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={
            "required": "Enter the time the notification was sent",
            "invalid": "Enter the time as hours and minutes, like 2:05pm or 14:05",
        },
    )

    #: Clocks differ a little between a laptop and the server: a time this far ahead is
    #: still "now".
    CLOCK_SLACK = dt.timedelta(minutes=5)

    def __init__(self, *args, incident=None, **kwargs):
        self.incident = incident
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        # Today's date with a time still to come (a later date is the date's own error).
        if data.get("sent_date") == timezone.localdate() and data.get("sent_time"):
            if self.sent_at() > timezone.now() + self.CLOCK_SLACK:
                self.add_error(
                    "sent_time", "The time the notification was sent must not be in the future"
                )
        sent = data.get("sent_date")
        if self.incident is not None and sent and "sent_date" not in self._errors:
            # The service's checks of the date against the case, with the other errors.
            errors = validate_notification_date(
                incident=self.incident, notified_on=sent, today=timezone.localdate()
            )
            self.add_check_errors(errors)
            self.check_sent_date(data, sent, date_ok=not errors)
        return data

    def check_sent_date(self, data, sent: dt.date, *, date_ok: bool) -> None:
        """Checks of a form's other answers that need the date it was sent (`date_ok`:
        one the case accepts)."""

    def sent_at(self) -> dt.datetime:
        naive = dt.datetime.combine(self.cleaned_data["sent_date"], self.cleaned_data["sent_time"])
        return timezone.make_aware(naive)


class RecordNotificationForm(SentAtForm):
    submit_label = "Record the notification"

    dfe_reference = _text(
        "DfE notification reference",
        required=True,
        width=20,
        max_length=60,
        message="Enter the reference the DfE service gave the notification",
    )
    ofsted_copied = forms.BooleanField(label="Ofsted was sent a copy", required=False)
    other_partnerships_told = _area(
        "Other partnerships told",
        rows=3,
        hint="For a child placed or living in another area: who was told, and when. Partners "
        "there are told within the same 5 working days.",
    )
    late_reason = _area(
        "Reason the notification was late",
        rows=3,
        hint="Needed only if it was sent after the due date.",
    )

    def clean(self):
        data = super().clean()
        incident = self.incident
        if incident is not None:
            self._check_ready(incident)
        if incident is not None and incident.other_local_authority.strip():
            if not (data.get("other_partnerships_told") or "").strip():
                self.add_check_errors(
                    {
                        "other_partnerships_told": f"Enter who in "
                        f"{incident.other_local_authority.strip()} was told, and when"
                    }
                )
        return data

    def _check_ready(self, incident) -> None:
        """What the case itself lacks, with the other errors: each linked to the page
        where it is put right (`error_links`), not to a box of this form."""
        from django.urls import reverse

        if incident.status == Status.DRAFT:
            self.add_link_error(
                f"{incident.reference} is a draft: check its answers and send it for a "
                "decision before you record the notification",
                reverse("notifications:check", args=[incident.pk]),
            )
            return
        if incident.status == Status.NOT_NOTIFIED:
            self.add_link_error(
                f"The partnership decided not to notify {incident.reference}: reconsider "
                "that decision before you record the notification",
                incident.get_absolute_url(),
            )
            return
        for message, where in missing_for_decision_where(incident):
            if isinstance(where, int):
                url = reverse("notifications:child-edit", args=[incident.pk, where])
            elif where == "children":
                url = reverse("notifications:children", args=[incident.pk])
            else:
                url = reverse("notifications:step", args=[incident.pk, where])
            self.add_link_error(message, url + "?from=detail")

    def check_sent_date(self, data, sent, *, date_ok):
        if not date_ok:
            return
        self.add_check_errors(
            late_reason_errors(
                due=self.incident.notification_due,
                notified_on=sent,
                late_reason=data.get("late_reason", ""),
            )
        )


def _correction_reason():
    """Why a recorded date is corrected (kept in the clock's history)."""
    return _area(
        "Why is it being corrected?",
        name="The reason",
        rows=2,
        hint="For example, the date was typed wrongly. Kept in the record’s history.",
    )


class CorrectNotificationForm(SentAtForm):
    submit_label = "Correct the date and time"

    reason = _correction_reason()
    late_reason = _area(
        "Reason the notification was late",
        rows=3,
        hint="Needed only if the corrected date is after the due date.",
    )

    def clean(self):
        """The service's checks of the correction (the date against the case and the
        rapid review it opened, the reasons), with the other errors; the reason is asked
        for even while the date has an error of its own."""
        data = super().clean()
        incident = self.incident
        if incident is None:
            return data
        sent = data.get("sent_date") if "sent_date" not in self._errors else None
        if sent and data.get("sent_time") is not None and self.sent_at() == incident.notified_at:
            return data  # nothing to correct: the page says so
        self.add_check_errors(
            corrected_notification_errors(
                incident=incident,
                notified_on=sent,
                reason=data.get("reason"),
                late_reason=data.get("late_reason", ""),
                today=timezone.localdate(),
            )
        )
        return data


class CorrectAwarenessForm(StepForm):
    """The date the local authority became aware, corrected after the notification."""

    submit_label = "Correct the date"
    later_label = None

    awareness_date = GDSDateField(
        what="the date the local authority became aware",
        label="Date the local authority became aware",
        help_text="The 5 working days to notify the National Panel are counted again from it.",
    )
    reason = _correction_reason()
    late_reason = _area(
        "Reason the notification was late",
        rows=3,
        hint="Needed only if, counted from the corrected date, it was sent after the due date.",
    )

    def __init__(self, *args, incident=None, **kwargs):
        self.incident = incident
        super().__init__(*args, **kwargs)

    def clean(self):
        """The service's checks against the case, reported with the other errors."""
        data = super().clean()
        incident, aware = self.incident, data.get("awareness_date")
        if incident is None or not aware or "awareness_date" in self._errors:
            return data
        if aware == incident.awareness_date:
            return data  # nothing to correct: the page says so
        errors = corrected_awareness_errors(
            incident=incident, awareness_date=aware, today=timezone.localdate()
        )
        self.add_check_errors(errors)
        if not (data.get("reason") or "").strip():
            self.add_check_errors(
                {"reason": "Enter why the date the local authority became aware is being corrected"}
            )
        if not errors and incident.notified_on:
            self.add_check_errors(
                late_reason_errors(
                    due=notification_due_from(incident, aware),
                    notified_on=incident.notified_on,
                    late_reason=data.get("late_reason", "") or incident.late_reason,
                    counted=", counted from the corrected date",
                )
            )
        return data


class NotNotifyForm(StepForm):
    submit_label = "Record the decision"
    later_label = None

    decided_on = GDSDateField(what="the date of the decision", label="Date of the decision")
    rationale = _area(
        "Rationale for not notifying",
        required=True,
        rows=6,
        message="Enter the rationale for the decision not to notify",
    )
    agreed_by = _area(
        "Who agreed, for each statutory partner",
        name="Who agreed",
        required=True,
        rows=3,
        message="Enter who agreed the decision for each of the three partners",
        hint="The local authority, the police and the integrated care board: name and role.",
    )

    def __init__(self, *args, incident=None, **kwargs):
        self.incident = incident
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.incident is not None and data.get("decided_on"):
            self.add_check_errors(
                decision_date_errors(
                    incident=self.incident,
                    decided_on=data["decided_on"],
                    today=timezone.localdate(),
                )
            )
        return data


class NoteForm(StepForm):
    submit_label = "Confirm"
    later_label = None

    note = _area("Reason", required=True, rows=3, message="Enter a reason")


class EnterInErrorForm(StepForm):
    submit_label = "Mark as entered in error"
    submit_class = "govuk-button--warning"
    later_label = None

    reason = _area(
        "Why was this incident entered in error?",
        name="The reason",
        required=True,
        rows=3,
        message="Enter why the incident was entered in error",
        hint="For example, it duplicates another incident (give its reference), or it belongs "
        "to another partnership. Do not name the child. Kept in the record’s history.",
    )


class CaseDeleteForm(StepForm):
    submit_label = "Delete the case"
    submit_class = "govuk-button--warning"
    later_label = None

    reason = _area(
        "Why is the case being deleted?",
        name="The reason",
        required=True,
        rows=3,
        message="Enter why the case is being deleted",
        hint="For example, the retention review of March 2052 with the data protection "
        "officer found no reason to keep it. Kept in the audit trail.",
    )


class CaseKeepForm(StepForm):
    """The decision to keep a case past its retention period (services.case_keep)."""

    submit_label = "Keep the case"
    later_label = None

    reason = _area(
        "Why is the case being kept?",
        name="The reason",
        required=True,
        rows=3,
        message="Enter why the case is being kept",
        hint="For example, an inquest or a civil claim has not ended, the police asked for "
        "it to be kept, or the data protection officer advised it. Do not name the child. "
        "Kept in the audit trail.",
    )
    review_on = GDSDateField(
        what="the date to look at the case again",
        label="Date to look at the case again",
        help_text=f"It must be in the future, and no more than {KEEP_AT_MOST_YEARS} years from "
        "today. On that date the case is listed again for a decision to keep or delete it. "
        "For example, 27 3 2030",
    )

    def clean(self):
        """The service's date rules, shown with the other errors at once."""
        data = super().clean()
        if data.get("review_on"):
            self.add_check_errors(keep_date_errors(data["review_on"], today=timezone.localdate()))
        return data


class CaseKeepStopForm(StepForm):
    submit_label = "Stop keeping the case"
    submit_class = "govuk-button--warning"
    later_label = None

    reason = _area(
        "Why is the case no longer being kept?",
        name="The reason",
        required=True,
        rows=3,
        message="Enter why the case is no longer being kept",
        hint="For example, the inquest has ended. Kept in the audit trail.",
    )


class AttachmentForm(StepForm):
    submit_label = "Upload file"
    later_label = None

    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF, Word (.docx), OpenDocument text, PNG or JPEG file, smaller than 10 MB.",
        error_messages={
            "required": "Select a file to upload",
            "empty": "The selected file is empty",
            "invalid": "Select a file to upload",
        },
    )
    description = _text(
        "What the file is", name="The description", hint="For example, ‘Police summary, 3 March’"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # crispy-forms-gds adds enctype="multipart/form-data" itself (form.is_multipart).
        self.helper.form_tag = True


class ExportReasonForm(StepForm):
    submit_label = "Download the export (ZIP)"
    later_label = None

    reason = _text(
        "Why you are exporting this case",
        name="The reason",
        required=True,
        message="Enter why you are exporting this case",
        hint="For example, ‘Subject access request SAR-2026-031’.",
    )


class FindByNameForm(BaseForm):
    """ "Find a case by the child's name": posted, never a query string (the name would
    be kept in server logs, the browser's history and referrers; ADR 0003, addendum)."""

    submit_label = "Search"
    #: Neither the browser's form history nor Back puts a child's name back in the box.
    restore_typing = False

    MIN_LENGTH = 2

    name = forms.CharField(
        label="Child’s name",
        help_text="Their first name, last name or both. Other names they are known by are "
        "searched too.",
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"}
        ),
        error_messages={
            "required": "Enter the child’s name",
            "max_length": "The child’s name must be 200 characters or fewer",
        },
    )
    date_of_birth = GDSDateField(
        what="the child’s date of birth",
        required=False,
        earliest=None,
        label="Date of birth (optional)",
        help_text="For example, 27 3 2019",
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        # Counted as searched: letters and digits ("'-" is no name; `names.folded`).
        if len("".join(folded_words(name))) < self.MIN_LENGTH:
            raise forms.ValidationError(
                f"The child’s name must be {self.MIN_LENGTH} characters or more"
            )
        return name
