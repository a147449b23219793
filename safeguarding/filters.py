import json
import operator
from functools import reduce

import django_filters
from django import forms
from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from . import permissions
from .form_fields import GDSDateField
from .forms import GDSFormMixin
from .models import AuditEvent, Membership, Partnership, PastRole, Role, User


def not_listed(message) -> dict:
    """The message of a filter given a value that is not one of its choices (an address
    edited by hand, or kept from an older list), in place of Django's "Select a valid
    choice. … is not one of the available choices.", which repeats the address back and
    does not say what to do (ADR 0008)."""
    return {"invalid_choice": message}


class FilterForm(GDSFormMixin, forms.Form):
    submit_label = _("Apply filters")
    form_method = "get"


class GDSDateFilter(django_filters.Filter):
    """A date filter with the GOV.UK day, month and year boxes rather than the browser's
    date picker (the Design System's date input; its messages are GDSDateField's)."""

    field_class = GDSDateField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("earliest", None)  # finding records, not recording a date
        super().__init__(*args, **kwargs)


class AuditFilterForm(FilterForm):
    def clean(self):
        data = super().clean()
        start, end = data.get("occurred_from"), data.get("occurred_to")
        if start and end and end < start:
            self.add_error("occurred_to", _("The ‘To’ date must be the same as or after ‘From’"))
        return data


#: The action filter's words where an action's own were wider than the panel's select
#: ("Passed two-factor authentication" needs 310 pixels, the select 270; ADR 0008): the
#: trail itself keeps the full wording.
ACTION_FILTER_LABELS = {
    AuditEvent.Action.TWO_FACTOR_SET_UP: _("Set up two-factor"),
    AuditEvent.Action.TWO_FACTOR_VERIFIED: _("Passed two-factor"),
    AuditEvent.Action.TWO_FACTOR_FAILED: _("Failed two-factor"),
    AuditEvent.Action.TWO_FACTOR_RESET: _("Reset two-factor"),
    AuditEvent.Action.EMAIL_CODE_VERIFIED: _("Entered an emailed code"),
}


#: One choice of the action filter for every way of looking at a record: "who looked at
#: it?" is one question, not three searches.
LOOKED_AT = "looked_at"
LOOKED_AT_ACTIONS = (AuditEvent.Action.VIEW, AuditEvent.Action.DOWNLOAD, AuditEvent.Action.EXPORT)


class PersonChoiceField(forms.ModelChoiceField):
    """A person by name, with "(has left)" for someone no longer in the partnerships the
    trail is of (their role taken away, or their account switched off)."""

    def label_from_instance(self, obj):
        if getattr(obj, "has_left", False):
            return _("%(person)s (has left)") % {"person": obj}
        return str(obj)


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def people_of_trail(user):
    """The people the audit trail's Person filter offers: for a manager, everyone who has
    or had a role in a partnership they manage (a role taken away is kept as a
    `PastRole`), each marked `has_left` unless an active holder of a role there now; for
    a superuser, everyone, marked if switched off. One query, through the roles' indexes
    (ADR 0023 addendum)."""
    if user is not None and user.is_superuser:
        return User.objects.annotate(has_left=~Q(is_active=True)).order_by("full_name", "email")
    ids = permissions.partnership_ids(user, roles={Role.PARTNERSHIP_MANAGER})
    # Who, from the partnerships' roles and past roles (each read through its index by
    # partnership), rather than a test of every account in the service.
    who = (
        Membership.objects.filter(partnership__in=ids)
        .order_by()
        .values("user_id")
        .union(PastRole.objects.filter(partnership__in=ids).order_by().values("user_id"))
    )
    now = Membership.objects.filter(partnership__in=ids, user=OuterRef("pk"))
    return (
        User.objects.filter(pk__in=who)
        .annotate(has_role=Exists(now))
        .annotate(has_left=~Q(has_role=True) | ~Q(is_active=True))
        .order_by("full_name", "email")
    )


class AuditEventFilter(django_filters.FilterSet):
    partnership = django_filters.ModelChoiceFilter(
        label=_("Partnership"),
        queryset=Partnership.objects.none(),
        empty_label=_("All your partnerships"),
        method="filter_partnership",
        help_text=_("Its records, and its people’s sign-ins and accounts"),
        error_messages=not_listed(_("Select a partnership from the list")),
    )
    actor = PersonFilter(
        label=_("Person"),
        queryset=User.objects.none(),
        empty_label=_("Anyone"),
        method="filter_person",
        help_text=_("What they did, and what was done to their account"),
        error_messages=not_listed(_("Select a person from the list")),
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"),
        choices=[
            (LOOKED_AT, _("Looked at")),
            *((a.value, ACTION_FILTER_LABELS.get(a, a.label)) for a in AuditEvent.Action),
        ],
        empty_label=_("Any action"),
        method="filter_action",
        help_text=_("“Looked at” is viewed, downloaded or exported"),
        error_messages=not_listed(_("Select an action from the list")),
    )
    record = django_filters.CharFilter(
        label=_("Record"),
        method="filter_record",
        help_text=_("A reference, name of a record, or its type"),
    )
    occurred_from = GDSDateFilter(
        field_name="occurred_at",
        lookup_expr="date__gte",
        label=_("From"),
        what=_("the ‘From’ date"),
        help_text=_("For example, 1 4 2026"),
    )
    occurred_to = GDSDateFilter(
        field_name="occurred_at",
        lookup_expr="date__lte",
        label=_("To"),
        what=_("the ‘To’ date"),
        help_text=_("For example, 30 4 2026"),
    )

    class Meta:
        model = AuditEvent
        fields = ["partnership", "actor", "action", "record", "occurred_from", "occurred_to"]
        form = AuditFilterForm

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = people_of_trail(user)
        if user is not None and user.is_superuser:
            partnerships = Partnership.objects.all()
        else:
            ids = permissions.partnership_ids(user, roles={Role.PARTNERSHIP_MANAGER})
            partnerships = Partnership.objects.filter(pk__in=ids)
        self.filters["partnership"].queryset = partnerships
        self.form.fields["partnership"].queryset = partnerships
        self.filters["actor"].queryset = people
        self.form.fields["actor"].queryset = people

    def filter_partnership(self, queryset, name, value):
        """Its records' events, and its people's sign-ins and account events, which
        belong to no partnership: a manager looking at one partnership's trail expects
        its people's sign-ins in it (ADR 0022's addendum)."""
        if not value:
            return queryset
        return queryset.filter(reduce(operator.or_, permissions.audit_parts_of([value.pk])))

    def partnership_parts(self) -> list | None:
        """The parts of the chosen partnership's trail (`permissions.audit_parts_of`), each
        with the other filters, to be read through its own index (ADR 0023); None if no
        partnership is chosen or the filters were refused."""
        if not self.is_bound or not self.is_valid():
            return None
        chosen = self.form.cleaned_data.get("partnership")
        if not chosen:
            return None
        return [
            self.filter_queryset(part, leave_out={"partnership"})
            for part in permissions.audit_events_by_part(permissions.audit_parts_of([chosen.pk]))
        ]

    def filter_queryset(self, queryset, *, leave_out=()):
        for name, value in self.form.cleaned_data.items():
            if name not in leave_out:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_action(self, queryset, name, value):
        if not value:
            return queryset
        if value == LOOKED_AT:
            return queryset.filter(action__in=LOOKED_AT_ACTIONS)
        return queryset.filter(action=value)

    def filter_person(self, queryset, name, value):
        """Their own actions, and the changes an administrator made to their account."""
        if not value:
            return queryset
        return queryset.filter(
            Q(actor=value) | Q(object_type=User._meta.label_lower, object_id=str(value.pk))
        )

    def filter_record(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(object_type__icontains=value)
            | Q(object_id=value)
            | naming_case(value, using=queryset.db)
        )


def naming_case(reference: str, *, using: str = "default") -> Q:
    """The events that name a case among several in their changes' `references` (a
    hand-over of deadlines: one event for many cases), by the case's whole reference in
    any case. On PostgreSQL a JSONB containment read through a partial GIN index of the
    events that have such a list (migration 0037), as one subquery the page's query runs
    once; on SQLite, the list's text holding the reference in quotes (ADR 0005
    addendum)."""
    reference = reference.strip().upper()
    named = AuditEvent.objects.filter(changes__has_key="references")
    if connections[using].vendor == "postgresql":
        named = named.filter(changes__references__contains=[reference])
    else:
        named = named.filter(changes__references__icontains=json.dumps(reference))
    return Q(pk__in=named.values("pk"))
