"""Filter forms of the dashboard and the reports (GET forms: every view works without JS)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dashboard import stage_choices
from .filters import not_listed
from .form_fields import GDSDateField
from .forms import GDSFormMixin
from .reports import Period

FIRST_YEAR = 2018  # the statutory framework (SI 2018/789) began in 2018


class _FilterForm(GDSFormMixin, forms.Form):
    submit_label = _("Apply filters")
    form_method = "get"

    def __init__(self, data=None, *, partnerships=(), **kwargs):
        super().__init__(data, **kwargs)
        partnerships = list(partnerships)
        if len(partnerships) > 1:
            self.fields["partnership"].choices = [("", _("All your partnerships"))] + [
                (str(p.pk), f"{p.name} ({p.code})") for p in partnerships
            ]
        else:
            del self.fields["partnership"]
        self._rebuild_helper()

    def _rebuild_helper(self):
        """The mixin built the crispy layout from the fields as declared: build it again
        from the fields this user gets."""
        from crispy_forms_gds.helper import FormHelper
        from crispy_forms_gds.layout import Size, Submit

        self.helper = FormHelper(self)
        self.helper.form_tag = True
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.add_input(Submit("apply", self.submit_label))
        self.helper.attrs = {"novalidate": ""}

    def partnership_id(self) -> int | None:
        value = self.cleaned_data.get("partnership") if hasattr(self, "cleaned_data") else None
        return int(value) if value else None


class DashboardFilterForm(_FilterForm):
    partnership = forms.ChoiceField(
        label=_("Partnership"),
        required=False,
        error_messages=not_listed(_("Select a partnership from the list")),
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("All stages"))] + stage_choices(),
        error_messages=not_listed(_("Select a stage from the list")),
    )
    show = forms.ChoiceField(
        label=_("Whose deadlines"),
        required=False,
        choices=[("all", _("Whole partnership")), ("mine", _("My items"))],
        widget=forms.RadioSelect,
        initial="all",
        error_messages=not_listed(_("Select whose deadlines to show")),
    )


def _years():
    this = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this, FIRST_YEAR - 1, -1)]


class PeriodFilterForm(_FilterForm):
    partnership = forms.ChoiceField(
        label=_("Partnership"),
        required=False,
        error_messages=not_listed(_("Select a partnership from the list")),
    )
    period = forms.ChoiceField(
        label=_("Period"),
        # Months in the hint, not the option: "Financial year (April to March)" was
        # wider than the filter column (ADR 0008).
        help_text=_("A financial year runs from April to March"),
        required=False,
        choices=[
            ("year", _("Calendar year")),
            ("financial_year", _("Financial year")),
            ("quarter", _("Quarter")),
            ("custom", _("Dates of your choice")),
        ],
        initial="year",
        error_messages=not_listed(_("Select a period from the list")),
    )
    year = forms.ChoiceField(
        label=_("Year"),
        required=False,
        error_messages=not_listed(_("Select a year from the list")),
    )
    quarter = forms.ChoiceField(
        label=_("Quarter"),
        help_text=_("Used only when the period is a quarter"),
        required=False,
        choices=[
            ("1", _("1 (January to March)")),
            ("2", _("2 (April to June)")),
            ("3", _("3 (July to September)")),
            ("4", _("4 (October to December)")),
        ],
        error_messages=not_listed(_("Select a quarter from the list")),
    )
    start = GDSDateField(
        what=_("the first day of the period"),
        required=False,
        earliest=None,  # a period to count over, not a date of a case
        label=_("From (for dates of your choice)"),
        help_text=_("For example, 1 4 2025"),
    )
    end = GDSDateField(
        what=_("the last day of the period"),
        required=False,
        earliest=None,
        label=_("To (for dates of your choice)"),
        help_text=_("For example, 31 3 2026"),
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("All stages"))] + stage_choices(),
        error_messages=not_listed(_("Select a stage from the list")),
    )

    def __init__(self, *args, with_stage=True, with_custom=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()
        if not with_stage:
            del self.fields["stage"]
        if not with_custom:
            # Fixed periods only: two ranges of one's own choosing a day apart would give
            # away, by difference, a single case hidden in "fewer than 5".
            self.fields["period"].choices = [
                c for c in self.fields["period"].choices if c[0] != "custom"
            ]
            del self.fields["start"], self.fields["end"]
        self._rebuild_helper()

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Enter the first day of the period"))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Enter the last day of the period"))
            if start and end and end < start:
                self.add_error("end", _("The last day must be the same as or after the first"))
        return data

    def get_period(self) -> Period:
        """The chosen period; this calendar year when nothing (valid) was chosen."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        year = int(data.get("year") or today.year)
        kind = data.get("period") or "year"
        if kind == "quarter":
            return Period.quarter(year, int(data.get("quarter") or (today.month - 1) // 3 + 1))
        if kind == "financial_year":
            return Period.financial_year(year)
        if kind == "custom" and data.get("start") and data.get("end"):
            return Period.custom(data["start"], data["end"])
        return Period.year(year)


def default_year(today: dt.date | None = None) -> int:
    return (today or timezone.localdate()).year
