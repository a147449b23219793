import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safeguarding import calendar
from safeguarding.dashboard import closures_by_partnership
from safeguarding.filters import FilterForm, not_listed
from safeguarding.permissions import memberships_of, partnership_ids

from .models import UNDECIDED, Incident, Nature, Status

SORTS = {
    "-created": ("-created_at", "Newest first"),
    "due": ("notification_due", "Due date, soonest first"),
    "-due": ("-notification_due", "Due date, latest first"),
    "reference": ("reference", "Reference"),
}


#: The nature filter's words: the shortest that tell the natures apart, so that the one
#: chosen shows whole in the panel ("Death of a looked-after child where abuse or neglect
#: is not suspected" needs 618 pixels, the panel's select 270; ADR 0008). Each is the start
#: of the nature's full name, which the list, the incident's page, the forms and the
#: reports keep: the same name, cut short, not another one.
NATURE_FILTER_LABELS = {
    Nature.CHILD_DEATH: _("Child death"),
    Nature.SERIOUS_HARM: _("Serious harm"),
    Nature.OTHER: _("Other"),
    Nature.LOOKED_AFTER_DEATH: _("Death of a looked-after child"),
    Nature.CARE_LEAVER_DEATH: _("Death of a care leaver"),
}


def search_hint(user) -> str:
    """The search box's example: a reference of this year in the user's own partnership
    (the first by code of a business unit member's several), or only its year and number
    (the search finds a part of a reference) when there is no user."""
    year = timezone.localdate().year
    ids = partnership_ids(user) if user is not None else set()
    codes = sorted(
        m.partnership.code for m in memberships_of(user) if ids and m.partnership_id in ids
    )
    reference = f"{codes[0]}-{year}-014" if codes else f"{year}-014"
    return f"For example {reference} or Child A"


class IncidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Reference or pseudonym",
        method="search",
        help_text="For example 2026-014 or Child A",  # a reference of the user's own: below
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    status = django_filters.ChoiceFilter(
        choices=Status.choices,
        empty_label="Any status",
        error_messages=not_listed(_("Select a status from the list")),
    )
    nature = django_filters.ChoiceFilter(
        choices=[(nature.value, NATURE_FILTER_LABELS[nature]) for nature in Nature],
        empty_label="Any nature",
        help_text=_(
            "‘Death of a looked-after child’ means one where abuse or neglect is not suspected"
        ),
        error_messages=not_listed(_("Select a nature from the list")),
    )
    due = django_filters.ChoiceFilter(
        label="Due",
        method="filter_due",
        empty_label="Any time",
        choices=[("overdue", "Overdue"), ("5", "Due within 5 working days")],
        error_messages=not_listed(_("Select when the incidents are due from the list")),
    )
    year = django_filters.NumberFilter(
        label="Year",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-4", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"invalid": "Enter a year, like 2026"},
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        method="order",
        empty_label=None,
        choices=[(k, label) for k, (_order, label) in SORTS.items()],
        error_messages=not_listed(_("Select an order from the list")),
    )

    class Meta:
        model = Incident
        fields = ["q", "status", "nature", "due", "year", "sort"]
        form = FilterForm

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["q"].extra["help_text"] = search_hint(user)

    @property
    def qs(self):
        qs = super().qs
        chosen = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        if chosen.get("status") != Status.ENTERED_IN_ERROR and not (chosen.get("q") or "").strip():
            # Logged by mistake: listed only when asked for, by their status or a search
            # (someone looking a reference up must not be told it does not exist).
            qs = qs.in_use()
        if not chosen.get("sort"):
            qs = qs.order_by("-created_at")
        return qs

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        ids = Incident.objects.filter(
            Q(reference__icontains=value) | Q(children__pseudonym__iexact=value)
        ).values("id")
        return queryset.filter(id__in=ids)

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        open_ = queryset.filter(status__in=UNDECIDED)
        if value == "overdue":
            return open_.filter(notification_due__lt=today)
        if value == "5":
            # Each partnership's own calendar: its closure days do not count either.
            pids = list(open_.order_by().values_list("partnership_id", flat=True).distinct())
            closures = closures_by_partnership(pids)
            within = Q(pk__in=[])
            for pid in pids:
                last = calendar.add_working_days(today, 5, partnership=closures[pid])
                within |= Q(partnership=pid, notification_due__lte=last)
            return open_.filter(within, notification_due__gte=today)
        return queryset

    def order(self, queryset, name, value):
        return queryset.order_by(SORTS.get(value, SORTS["-created"])[0], "-id")
