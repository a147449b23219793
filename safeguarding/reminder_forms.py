import json
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import BaseForm
from .models import ReminderPolicy, User


class ReminderPreferenceForm(BaseForm):
    submit_label = _("Save")

    reminder_preference = forms.ChoiceField(
        label=_("How do you want to receive deadline reminders?"),
        choices=User.ReminderPreference.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how you want to receive reminders")},
    )


class DaysBeforeField(forms.CharField):
    """A reminder policy's working days before the due date, typed as "3, 1" (commas,
    spaces or the brackets of the stored list all do) and kept as a list of numbers. What
    is not a number is passed on as typed, for the model's check to word the error."""

    def prepare_value(self, value):
        if isinstance(value, str):  # typed and sent back with an error, or stored JSON
            try:
                value = json.loads(value)
            except ValueError:
                return value
        if isinstance(value, list):
            return ", ".join(str(day) for day in value)
        return value

    def to_python(self, value):
        text = super().to_python(value).strip().strip("[]")
        parts = [part for part in re.split(r"[\s,]+", text) if part]
        if all(part.isascii() and part.isdigit() for part in parts):
            return [int(part) for part in parts]
        return text


class ReminderPolicyAdminForm(forms.ModelForm):
    days_before = DaysBeforeField(
        label=_("Working days before"),
        required=False,
        help_text=ReminderPolicy._meta.get_field("days_before").help_text,
    )

    class Meta:
        model = ReminderPolicy
        fields = [
            "partnership",
            "kind",
            "days_before",
            "on_the_day",
            "overdue_every",
            "escalate",
            "enabled",
        ]
