from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import BaseForm
from .models import User


class ReminderPreferenceForm(BaseForm):
    submit_label = _("Save")

    reminder_preference = forms.ChoiceField(
        label=_("How do you want to receive deadline reminders?"),
        choices=User.ReminderPreference.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how you want to receive reminders")},
    )
