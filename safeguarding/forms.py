"""GOV.UK forms: one base that builds the crispy helper, and the sign-in forms."""

import datetime as dt
import re

from crispy_forms.utils import TEMPLATE_PACK
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from . import held_uploads
from .drafts import KeptValuesShownQuietly
from .opened import OpenedValues, opened_field


def drop_maxlength(form) -> None:
    """No maxlength in the page: the browser would cut a long paste short without a word.
    The server's error says what is too long, and the page keeps all of what was typed."""
    for field in form.fields.values():
        field.widget.attrs.pop("maxlength", None)


class GDSFormHelper(FormHelper):
    """crispy-forms-gds's helper, with GOV.UK's character count on each text area with a
    limit: the page says the limit, and how many characters are left as the person types,
    rather than only an error after saving (static/js/app.mjs starts GOV.UK Frontend's
    components). Applied as the form is drawn, to whatever layout the form ended with.
    The text area keeps no maxlength (`drop_maxlength`): the count says when there is too
    much, and the server's error still refuses it. It is drawn with the project's
    templates/includes/character_count_field.html, which writes the limit as the error
    does ("20,000") in the message shown without JavaScript; data-maxlength stays a
    plain number for GOV.UK Frontend's script."""

    def render_layout(self, form, context, template_pack=TEMPLATE_PACK):
        from crispy_forms_gds.layout import Field

        for name, field in form.fields.items():
            limit = getattr(field, "max_length", None)
            if limit and isinstance(field.widget, forms.Textarea):
                # crispy-forms-gds adds the count's id to this, and needs it there first
                # when the field has no hint.
                field.widget.attrs.setdefault("aria-describedby", "")
                # The project's template: it writes the limit "20,000" in the message
                # shown without JavaScript, as the error does.
                self[name].wrap_once(
                    Field,
                    css_class="govuk-js-character-count",
                    context={"max_characters": limit},
                    template="includes/character_count_field.html",
                )
            if isinstance(field, forms.FileField):
                # Under the file input, the file held for it after a refusal (held_uploads).
                self[name].wrap_once(
                    Field,
                    context={"held_name": getattr(form, "held_names", {}).get(name, "")},
                    template="includes/file_upload_field.html",
                )
        return super().render_layout(form, context, template_pack=template_pack)


#: Control characters that mean nothing in a text box (NUL stays: Django refuses it with
#: an error), and the two non-characters XML cannot hold. Word pastes a vertical tab for
#: a line break (Shift+Enter) and a form feed for a page break: those become line breaks.
#: Also the invisible characters Word pastes that carry no meaning in English text (a
#: soft hyphen, a zero-width space, a word joiner, a byte-order mark): they would hide a
#: word from the checks of what is published.
_INVISIBLE = re.compile("[\x01-\x08\x0e-\x1f\x7f\u00ad\u200b\u2060\ufeff\ufffe\uffff]")


def plain_text(value: str, *, one_line: bool = False) -> str:
    """Text as typed or pasted, without invisible control characters (they break the
    PowerPoint, PDFs and exports, which must hold XML-compatible text). A pasted line or
    page break is a new line, or a space in a one-line box. A browser sends a text area's
    line break as "\r\n": it becomes one "\n", so the length allowed counts it once, as
    the character count on the page does."""
    if not value:
        return value
    brk = " " if one_line else "\n"
    if not one_line:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", value.replace("\x0b", brk).replace("\x0c", brk))


#: What a refused null character says (Django's own "Null characters are not allowed."
#: is not how GOV.UK services speak, and the person cannot see the character).
NULL_CHARACTER = _(
    "Remove the hidden characters from this answer: type it again rather than pasting it"
)


def _without_control_characters(form) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            field.validators = [
                ProhibitNullCharactersValidator(message=NULL_CHARACTER)
                if isinstance(v, ProhibitNullCharactersValidator)
                else v
                for v in field.validators
            ]
        if isinstance(field, forms.CharField) and not isinstance(
            field.widget, forms.PasswordInput | forms.EmailInput
        ):
            one_line = not isinstance(field.widget, forms.Textarea)
            to_python = field.to_python
            field.to_python = lambda value, to_python=to_python, one_line=one_line: plain_text(
                to_python(value), one_line=one_line
            )


class GDSFormMixin(KeptValuesShownQuietly):
    """Builds the crispy-forms-gds helper: labels sized, a primary button (and an optional
    secondary "later" button), no <form> tag when `form_tag = False` (the template then
    supplies it), and service errors shown against the form's fields."""

    submit_label = _("Continue")
    submit_name = "submit"
    later_label = None
    #: The "later" button only saves a draft, changing nothing else: the session timeout
    #: may press it to keep what was typed (static/js/timeout.mjs). False where "later"
    #: makes records of its own (requests saved without sending).
    later_is_draft = True
    form_tag = True
    form_method = "post"
    #: "govuk-button--warning" for a step that cannot be undone from the page.
    submit_class = ""
    #: False: the browser does not restore what was typed after Back (create-once forms).
    restore_typing = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drop_maxlength(self)
        _without_control_characters(self)
        if held_uploads.file_fields(self):
            # The token of the files held for this form when it was refused (held_uploads).
            self.fields[held_uploads.HELD_FIELD] = held_uploads.held_field()
        #: question -> the name of the file held for it, said under its file input.
        self.held_names: dict[str, str] = {}
        self.build_helper()

    #: What a refused hidden field (a page's version, a create-once token) shows: the
    #: person did not type it, so the summary says what to do rather than listing nothing.
    hidden_error = _(
        "This page could not be saved as it was sent: go back to the case, open the page "
        "again and re-enter your changes"
    )

    def full_clean(self):
        self._tell_date_inputs_what_was_stored()
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        hidden = [f.name for f in self.hidden_fields() if f.name in self._errors]
        for name in hidden:
            del self._errors[name]
            if name in self.cleaned_data:
                del self.cleaned_data[name]
        if hidden:
            self.add_error(None, str(self.hidden_error))

    #: Date inputs whose initial value is only a suggestion (another record's date, put in
    #: the boxes to start with), not the date stored: never taken as a date kept as it was.
    suggested_dates: tuple[str, ...] = ()

    def _tell_date_inputs_what_was_stored(self) -> None:
        """Each date input's `was`: its initial value, the date stored when the form edits
        a record, which it then does not refuse for being before its earliest day (a
        record imported with such a date can still be saved with it kept as it was). Not
        for a date the form only suggests (`suggested_dates`)."""
        from .form_fields import GDSDateField

        for name, field in self.fields.items():
            if isinstance(field, GDSDateField):
                initial = self.get_initial_for_field(field, name)
                kept = (
                    isinstance(initial, dt.date)
                    and not isinstance(initial, dt.datetime)
                    and name not in self.suggested_dates
                )
                field.was = initial if kept else None

    def build_helper(self):
        self.helper = GDSFormHelper(self)
        self.helper.form_tag = self.form_tag
        # The template writes the <form> and its token then: not a second token here.
        self.helper.disable_csrf = not self.form_tag
        self.helper.form_method = self.form_method
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.attrs = {"novalidate": ""}
        if self.restore_typing is False:
            # The browser must not fill this form in again after Back: sent twice, it
            # would make the record twice (once.py).
            self.helper.attrs["autocomplete"] = "off"
        # GOV.UK Frontend's button ignores a second click within a second, so a double
        # click sends the form once (the create-once token and the version check still
        # answer a second post that gets through, e.g. without JavaScript).
        # (crispy-forms-gds writes its Submit as an <input> without the button's module.)
        guard = (
            {"data_module": "govuk-button", "data_prevent_double_click": "true"}
            if self.form_method == "post"
            else {}
        )
        if self.submit_label:
            extra = {"css_class": self.submit_class} if self.submit_class else {}
            self.helper.add_input(Submit(self.submit_name, self.submit_label, **extra, **guard))
        if self.later_label:
            # A second submit button: its name tells the view to save and stop here.
            draft = {"data-draft": "true"} if self.later_is_draft else {}
            self.helper.add_input(
                Submit(
                    "later",
                    self.later_label,
                    css_class="govuk-button--secondary",
                    **draft,
                    **guard,
                )
            )

    #: A service's name for a value → this form's field for it, where they differ, so the
    #: service's error is shown at the field as well as in the summary.
    service_fields: dict[str, str] = {}

    def add_link_error(self, message: str, url: str) -> None:
        """An error of the case whose question is on another page: shown at the top, its
        summary link going to `url`, that page, rather than to a box of this form."""
        if not hasattr(self, "error_links"):
            self.error_links = {}
        self.error_links[message] = url
        self.add_error(None, message)

    def add_check_errors(self, errors: dict) -> None:
        """Errors of a check across several answers (the service's own check, run by the
        form's `clean` as soon as the answers it needs are valid), shown with every other
        error at once rather than after they are put right. A field that has an error of
        its own keeps only that one."""
        for field, messages in errors.items():
            field = self.service_fields.get(field, field)
            name = field if field in self.fields else None
            if name is not None and name in self._errors:
                continue
            self.add_error(name, messages)

    def add_service_errors(self, error) -> None:
        """Show a service's ValidationError against our fields (or at the top)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                field = self.service_fields.get(field, field)
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)


class BaseForm(GDSFormMixin, forms.Form):
    pass


class BaseModelForm(GDSFormMixin, forms.ModelForm):
    pass


class RefusedForm(BaseForm):
    """What a form page shows in place of its form when the record moved on so that the
    form cannot be taken (a colleague's change made it moot): no questions, only
    `message` in the GOV.UK error summary, its link going to `error_target`, the element
    of the page that says what to do instead."""

    def __init__(self, message: str, *, error_target: str):
        super().__init__({})
        self.error_target = error_target
        self.full_clean()
        self.add_error(None, message)


class GDSDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"class": "govuk-input govuk-input--width-10", **(attrs or {})}, format="%Y-%m-%d"
        )


class SignInForm(GDSFormMixin, auth_forms.AuthenticationForm):
    submit_label = _("Sign in")

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
        },
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password")},
    )

    error_messages = {
        "invalid_login": _("The email address or password is not correct"),
        "inactive": _("This account has been switched off. Contact your business manager."),
    }


class PasswordResetRequestForm(GDSFormMixin, auth_forms.PasswordResetForm):
    submit_label = _("Send reset link")

    def save(self, **kwargs):
        """Queue one task with the address typed, whatever it is: the worker finds the
        account, claims it and sends the link (`security_notices.password_reset_deliver`).
        The request does the same work for an address with an account as for one
        without, so how long the page takes tells nothing (sending, or even claiming the
        account, in the request made an address with one answer slower)."""
        from .tasks import queue_each, send_password_reset

        queue_each(send_password_reset, [self.cleaned_data["email"]], "password reset email")

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
        },
    )


def _new_password_words(fields) -> None:
    """Plain hints on the new-password boxes in place of Django's (a list of every
    validator's rule, and "Enter the same password as before", which reads as if it
    meant the current password)."""
    fields["new_password1"].help_text = _(
        "Use at least 12 characters. Do not use common words, your name or the first part "
        "of your email address."
    )
    fields["new_password1"].error_messages["required"] = _("Enter a new password")
    fields["new_password2"].label = _("Confirm new password")
    fields["new_password2"].help_text = _("Enter the new password again")
    fields["new_password2"].error_messages["required"] = _("Enter the new password again")


#: The password rules' messages in plain words, by the validator's code (Django's read
#: "This password is too short. It must contain at least 12 characters.").
PASSWORD_RULE_WORDS = {
    "password_too_short": _("Your password must be at least %(min_length)d characters"),
    "password_too_common": _("Your password is too common: choose one that is harder to guess"),
    "password_entirely_numeric": _("Your password must not be only numbers"),
    "password_too_similar": _("Your password must not be like your name or email address"),
}
PASSWORDS_DIFFER = _("Passwords do not match")


class NewPasswordRules:
    """The new-password boxes of the password pages: every problem at once (Django checked
    the rules on the confirmation only, and only once both boxes matched), in plain words,
    the rules against the new password and a mismatch against its confirmation."""

    def clean(self):
        from django.contrib.auth import password_validation
        from django.core.exceptions import ValidationError

        password = self.cleaned_data.get("new_password1")
        again = self.cleaned_data.get("new_password2")
        if password:
            try:
                password_validation.validate_password(password, self.user)
            except ValidationError as refused:
                for error in refused.error_list:
                    words = PASSWORD_RULE_WORDS.get(error.code)
                    message = words % (error.params or {}) if words else error.message
                    if words is None and error.params:
                        message = message % error.params
                    self.add_error("new_password1", message)
        if password and again and password != again:
            self.add_error("new_password2", PASSWORDS_DIFFER)
        return forms.Form.clean(self)


class SetNewPasswordForm(GDSFormMixin, NewPasswordRules, auth_forms.SetPasswordForm):
    submit_label = _("Save new password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _new_password_words(self.fields)


class TwoFactorCodeForm(BaseForm):
    """The 6-digit code from an authenticator app (sign-in and set-up)."""

    submit_label = _("Continue")

    code = forms.CharField(
        label=_("Enter the 6-digit code from your authenticator app"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-10",
            }
        ),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app")},
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(self.fields["code"].error_messages["required"])
        return code


class EmailCodeForm(TwoFactorCodeForm):
    """The 6-digit code e-mailed before someone sets up their first authenticator app."""

    MESSAGE = _("Enter the 6-digit code from the email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = self.MESSAGE
        field.error_messages["required"] = self.MESSAGE


class RecoveryCodeForm(BaseForm):
    """One of the single-use recovery codes shown when two-factor was set up."""

    submit_label = _("Continue")

    code = forms.CharField(
        label=_("Enter one of your recovery codes"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-10",
            }
        ),
        error_messages={"required": _("Enter one of your recovery codes")},
    )


class ChangePasswordForm(GDSFormMixin, NewPasswordRules, auth_forms.PasswordChangeForm):
    submit_label = _("Change password")

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": _("Your current password is not correct"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["old_password"].error_messages["required"] = _("Enter your current password")
        _new_password_words(self.fields)


# --- Steps of the case journeys (shared by the stages) -----------------------------------


class StepForm(OpenedValues, GDSFormMixin, forms.Form):
    """A step of a long case journey: a hidden version for optimistic locking (with what
    the page was opened with, to merge a stale save three ways: opened.py), "Save and
    continue" and "Save and come back later"."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    opened = opened_field()
    submit_name = "continue"
    submit_label = "Save and continue"
    later_label = "Save and come back later"


def text_field(
    label, *, required=False, max_length=200, message=None, hint="", width=None, name=None
):
    """A text box. `name`: what its messages call the field where the label will not fit
    the sentence (a question, a long label): "The reason must be 200 characters or fewer"."""
    attrs = {"class": f"govuk-input--width-{width}"} if width else {}
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=hint,
        widget=forms.TextInput(attrs=attrs),
        error_messages={
            "required": message or f"Enter {label.lower()}",
            "max_length": f"{name or label} must be {max_length} characters or fewer",
        },
    )


def area_field(label, *, required=False, message=None, hint="", rows=5, name=None):
    """A text area; `name` as for `text_field`."""
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": message or f"Enter {label.lower()}",
            "max_length": f"{name or label} must be 20,000 characters or fewer",
        },
    )


from .models import Agency, Role, User  # noqa: E402 - after the forms the models module may need


class PersonForm(BaseForm):
    """A manager gives someone a role in the partnership (safeguarding/people.py)."""

    submit_label = _("Add the person")

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        help_text=_("Not needed if they already have an account: theirs is kept."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("Work email address"),
        max_length=254,
        error_messages={
            "max_length": _("The email address must be 254 characters or fewer"),
            "required": _("Enter their work email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label=_("Their role"),
        # The roles a manager may give (people.MANAGER_MAY_ADD).
        choices=[
            (r, Role(r).label)
            for r in (Role.REVIEW_OFFICER, Role.AGENCY_CONTRIBUTOR, Role.INDEPENDENT_REVIEWER)
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select their role"),
            "invalid_choice": _("Select their role"),
        },
    )
    agency = forms.ModelChoiceField(
        label=_("Agency (for an agency contributor)"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("Choose the agency"),
        error_messages={"invalid_choice": _("Select one of the agencies listed")},
    )

    def __init__(self, *args, partnership=None, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership, self.actor = partnership, actor
        self.fields["agency"].queryset = (
            partnership.agencies.order_by("name")
            if partnership is not None
            else Agency.objects.none()
        )

    def clean(self):
        """The service's checks (their name when they have no account, the agency of a
        contributor, an address the manager may not add) with the form's own, all at once
        (ADR 0021): with whatever answers are valid."""
        from .people import person_add_errors

        data = super().clean()
        if self.partnership is not None and self.actor is not None:
            self.add_check_errors(
                person_add_errors(
                    actor=self.actor,
                    partnership=self.partnership,
                    email=data.get("email"),
                    full_name=data.get("full_name", ""),
                    role=data.get("role"),
                    agency=data.get("agency"),
                )
            )
        return data


def _successor_label(user) -> str:
    """A colleague to take over deadlines, marked if they have never signed in (invited,
    no password chosen yet): their reminders would go to someone not yet using the
    service."""
    label = f"{user.full_name} ({user.email})"
    return f"{label}: has not signed in yet" if user.last_login is None else label


class HandOverForm(BaseForm):
    """Who takes over the open deadlines someone leaves behind (safeguarding/people.py):
    one of the partnership's review officers and managers still there."""

    submit_label = _("Hand them over")

    successor = forms.ModelChoiceField(
        label=_("Who takes over their open deadlines?"),
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Select who takes over their open deadlines"),
            "invalid_choice": _("Select one of the people listed"),
        },
    )

    def __init__(self, *args, successors=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["successor"]
        field.queryset = successors if successors is not None else User.objects.none()
        field.label_from_instance = _successor_label


class RemoveRoleForm(HandOverForm):
    """ "Remove the role": with `successors`, the person's open deadlines need a new
    owner (their last review officer role in the partnership); otherwise no question."""

    submit_label = _("Remove the role")
    submit_class = "govuk-button--warning"
    form_tag = False

    def __init__(self, *args, successors=None, **kwargs):
        super().__init__(*args, successors=successors, **kwargs)
        if successors is None:
            del self.fields["successor"]
        self.helper.inputs = []  # the page has its own button and Cancel link


def _lead_field(partner: str, what: str) -> forms.CharField:
    """One box of the leads page: `what` ("name" or "job_title") of `partner`'s lead, as
    long as the model keeps it (safeguarding/leads.py has the limit and its message)."""
    from .leads import MAX_LENGTH, too_long

    return forms.CharField(
        label=what.replace("_", " ").capitalize(),
        required=False,
        max_length=MAX_LENGTH[what],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": too_long(partner, what)},
    )


class PartnerLeadsForm(BaseForm):
    """A manager records the statutory partners' leads (safeguarding/leads.py): a name and
    a job title for each of the three partners, each partner in a fieldset of its own.
    The service's checks (a name without a job title, or the reverse) run in `clean`
    too, so every error shows at once (ADR 0021)."""

    submit_label = _("Save the leads")

    local_authority_name = _lead_field("local_authority", "name")
    local_authority_job_title = _lead_field("local_authority", "job_title")
    police_name = _lead_field("police", "name")
    police_job_title = _lead_field("police", "job_title")
    health_name = _lead_field("health", "name")
    health_job_title = _lead_field("health", "job_title")

    def clean(self):
        from .leads import partner_lead_errors
        from .models import StatutoryPartner

        data = super().clean()

        def answer(name):
            # A box with an error of its own (too long, hidden characters) still says
            # whether it was filled in: its partner's other box is checked against it.
            if name in data:
                return data[name]
            return self.data.get(self.add_prefix(name), "")

        self.add_check_errors(
            partner_lead_errors(
                {
                    p: (answer(f"{p}_name"), answer(f"{p}_job_title"))
                    for p in StatutoryPartner.values
                }
            )
        )
        return data

    def build_helper(self):
        from crispy_forms_gds.layout import Fieldset, Layout

        from .models import StatutoryPartner

        super().build_helper()
        self.helper.layout = Layout(
            *(
                Fieldset(
                    f"{partner}_name",
                    f"{partner}_job_title",
                    legend=str(label),
                    legend_size=Size.MEDIUM,
                )
                for partner, label in StatutoryPartner.choices
            )
        )
