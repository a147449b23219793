"""Administration: set up partnerships, agencies, people, memberships and closure days.

Case data is never edited here. Changes made here are written to the audit trail.
"""

import json
import re
import secrets

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelectMultiple, FilteredSelectMultiple
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    ReadOnlyPasswordHashWidget,
    UserChangeForm,
)
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import DateTimeField, OuterRef, Subquery
from django.forms import CheckboxSelectMultiple, SelectMultiple
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import lockouts, people, two_factor
from .audit import COPY_FIELDS, Action, audit_record, diff, snapshot
from .audit_display import present_events
from .dates import date_and_time, full_date
from .models import Agency, AuditEvent, ClosureDay, Membership, Partnership, Region, User

# The site is named for the service, not "Django administration".
admin.site.site_header = f"{settings.SERVICE_NAME}: administration"
admin.site.site_title = f"{settings.SERVICE_NAME}: administration"
admin.site.index_title = "Set up partnerships, agencies and people"


#: How to choose more than one in a list, said plainly (Django's own: "Hold down
#: “Control”, or “Command” on a Mac, to select more than one.").
CHOOSE_MORE_THAN_ONE = "To choose more than one, hold down Ctrl (or Cmd on a Mac) as you click."

#: The same for the two-box chooser (`filter_horizontal`), where clicking does not choose.
CHOOSE_IN_TWO_BOXES = (
    "Choose them in the left-hand box and move them to the right-hand box with the arrow."
)


def _moment(value) -> str:
    """A moment as the service writes one ("7 December 2026, 4:16pm": dates.py), not as
    Django's admin does ("7 Dec 2026, 4:16 p.m.")."""
    return date_and_time(value) if value else "—"


def moment_column(model, name: str):
    """A list column for the date-and-time field `name` of `model`, written as the
    service writes a moment (`_moment`), headed by the field's own label and sorted by
    the field. ServiceAdmin puts one in place of each such field named in list_display,
    so no list shows Django's "Dec. 7, 2026, 4:16 p.m."."""
    field = model._meta.get_field(name)

    @admin.display(description=capfirst(str(field.verbose_name)), ordering=name)
    def column(obj):
        return _moment(getattr(obj, name))

    column.__name__ = name  # the column's class, "column-<name>", as Django's own
    return column


def _moments_in_service_style(model, names):
    return [
        moment_column(model, name)
        if isinstance(name, str)
        and any(f.name == name and isinstance(f, DateTimeField) for f in model._meta.fields)
        else name
        for name in names
    ]


class SentenceCaseInlineAdminFormSet(helpers.InlineAdminFormSet):
    """Django's "Add another Role" capitalises the record's name mid-sentence: the
    service writes "Add another role" (GOV.UK sentence case)."""

    def inline_formset_data(self):
        data = json.loads(super().inline_formset_data())
        data["options"]["addText"] = gettext("Add another %(verbose_name)s") % {
            "verbose_name": self.opts.verbose_name
        }
        return json.dumps(data)


class ServiceAdmin(admin.ModelAdmin):
    """The pages of the service's own records, in its own words rather than Django's:

    - a list is headed by what it lists ("People"), as the index names it, not "Select
      person to change" (or "… to view"), but for the small window for picking one;
    - a list of several choices says how to choose more than one plainly;
    - a list's dates and times are written as the service writes them (`moment_column`).
    """

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.list_display = _moments_in_service_style(model, self.list_display)

    def changelist_view(self, request, extra_context=None):
        if IS_POPUP_VAR in request.GET:
            # The small window for picking one (a person for a role): its "Select
            # person" says what to do there.
            return super().changelist_view(request, extra_context)
        title = capfirst(str(self.opts.verbose_name_plural))
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        # Where Django adds its sentence (a list of options, not tick boxes nor a search).
        if (
            field is not None
            and isinstance(field.widget, SelectMultiple)
            and field.widget.allow_multiple_selected
            and not isinstance(field.widget, CheckboxSelectMultiple | AutocompleteSelectMultiple)
        ):
            how = (
                CHOOSE_IN_TWO_BOXES
                if isinstance(field.widget, FilteredSelectMultiple)
                else CHOOSE_MORE_THAN_ONE
            )
            field.help_text = " ".join(str(part) for part in (db_field.help_text, how) if part)
        return field

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            inline_formset.__class__ = SentenceCaseInlineAdminFormSet
        return inline_formsets


class AuditedAdmin(ServiceAdmin):
    """Writes an audit event (with old and new values) for every save and delete."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = {}
            if change:
                before = snapshot(type(obj).objects.get(pk=obj.pk))
            super().save_model(request, obj, form, change)
            after = snapshot(obj)
            audit_record(
                actor=request.user,
                action=Action.UPDATE if change else Action.CREATE,
                obj=obj,
                changes=diff(before, after),
                request=request,
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(actor=request.user, action=Action.DELETE, obj=obj, request=request)
            super().delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        """The links (many-to-many, such as an agency's partnerships) and the inline rows
        (such as a person's memberships) are audited too: who was given a role where is
        in the partnership's own trail."""
        obj = form.instance
        links = [f.name for f in obj._meta.many_to_many if f.name in form.cleaned_data]

        def linked():
            return {name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in links}

        with transaction.atomic():
            before = linked() if change else {name: [] for name in links}
            super().save_related(request, form, formsets, change)
            changes = diff(before, linked())
            if changes:
                audit_record(
                    actor=request.user,
                    action=Action.UPDATE,
                    obj=obj,
                    changes=changes,
                    request=request,
                )

    def save_formset(self, request, form, formset, change):
        def row(instance):
            return snapshot(type(instance).objects.get(pk=instance.pk))

        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        before = {
            f.instance.pk: row(f.instance)
            for f in formset.initial_forms
            if f.instance.pk is not None and f.has_changed() and f.instance not in deleted
        }
        for instance in deleted:
            audit_record(
                actor=request.user,
                action=Action.DELETE,
                obj=instance,
                changes=diff(row(instance), {}),
                request=request,
            )
        super().save_formset(request, form, formset, change)
        for instance in formset.new_objects:
            audit_record(
                actor=request.user,
                action=Action.CREATE,
                obj=instance,
                changes=diff({}, snapshot(instance)),
                request=request,
            )
        for instance, _fields in formset.changed_objects:
            audit_record(
                actor=request.user,
                action=Action.UPDATE,
                obj=instance,
                changes=diff(before.get(instance.pk, {}), snapshot(instance)),
                request=request,
            )


class MembershipInline(admin.StackedInline):
    """Stacked, one question a line: side by side, the role list and three choosers
    (select2's at 260 pixels each) made a person's page 1491 pixels wide at 1280."""

    model = Membership
    extra = 0
    readonly_fields = ["role_given"]
    autocomplete_fields = ["partnership", "agency", "region"]
    fk_name = "user"

    @admin.display(description="Role given")
    def role_given(self, membership):
        """When, as the service writes a moment; nothing on a row not saved yet."""
        return "" if membership.pk is None else _moment(membership.since)


class ClosureDayFormSet(BaseInlineFormSet):
    """A day listed twice on the partnership's page, or already kept (added meanwhile on
    the closure days' own page), is said in words on its row: the formset's own check
    said "Please correct the duplicate data for date", and one kept but not listed got
    as far as the database's constraint, a server error."""

    def clean(self):
        listed = {form.instance.pk for form in self.forms if form.instance.pk}
        kept = set()
        if self.instance.pk:
            kept = set(
                ClosureDay.objects.filter(partnership=self.instance)
                .exclude(pk__in=listed)
                .values_list("date", flat=True)
            )
        seen = set()
        for form in self.forms:
            day = getattr(form, "cleaned_data", {}).get("date")
            if day is None or form in self.deleted_forms:
                continue
            if day in seen or day in kept:
                form.add_error("date", ClosureDay.already_kept_message(day))
            seen.add(day)
        super().clean()


class ClosureDayInline(admin.TabularInline):
    model = ClosureDay
    formset = ClosureDayFormSet
    extra = 0


def _invite(admin_site_page, request, membership: Membership) -> None:
    """A role given here is e-mailed to the person, as one given on the People page is
    (people.invitation_queue), and the administrator is told so."""
    people.invitation_queue(membership=membership)
    where = membership.partnership or membership.region
    admin_site_page.message_user(
        request,
        f"We have emailed {membership.user.email} about their role: "
        f"{membership.get_role_display()}, {where}.",
        messages.SUCCESS,
    )


class PersonAddForm(AdminUserCreationForm):
    """Adding a person. The password may be left empty (and should be): they get a random
    one no one knows, and the e-mail about the role given them below has a link to
    choose their own, as for someone a manager adds on the People page."""

    hint = (
        "Leave both password boxes empty: when you give them a role below, we email "
        "them a link to choose their own password. Then no one else ever knows it."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = format_html(
            "<p>{}</p>{}", self.hint, about_them(self.fields["password1"].help_text)
        )

    def _chose_none(self) -> bool:
        return not self.cleaned_data.get("password1") and not self.cleaned_data.get("password2")

    def validate_passwords(self, *args, **kwargs):
        if self._chose_none() and "password1" not in self.errors:
            self.cleaned_data.pop("usable_password", None)
            self.cleaned_data["set_usable_password"] = True
            return
        super().validate_passwords(*args, **kwargs)

    def set_password_and_save(self, user, commit=True, **kwargs):
        if self._chose_none():
            user.set_password(secrets.token_urlsafe(32))
            if commit:
                user.save()
            return user
        return super().set_password_and_save(user, commit=commit, **kwargs)


def about_them(help_text: str) -> str:
    """The password rules' hints (the validators', written to the person on their own
    pages: "Your password must contain …") said about the person, for the administrator
    who reads them here: "Their password must contain …"."""
    words = re.sub(
        r"\b([Yy])our\b", lambda m: "Their" if m.group(1) == "Y" else "their", str(help_text)
    )
    # Django's own list (escaped by it), with only words swapped for words.
    return mark_safe(words)  # noqa: S308


class PersonPasswordForm(AdminPasswordChangeForm):
    """Setting a person's password here: the rules said about them (`about_them`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = about_them(self.fields["password1"].help_text)


def password_state(user, value) -> str:
    """The person's password, in words. An account made for an invitation has a random
    password no one knows until they choose theirs by the link
    (`security_notices.first_password`): that is "not chosen yet", with when the
    invitation went (it goes when the role is given, `Membership.since`, unless it is
    still waiting to go)."""
    from .security_notices import first_password

    if not value or value.startswith(UNUSABLE_PASSWORD_PREFIX):
        return "Their password is switched off: they cannot sign in."
    if user is None or user.pk is None or not first_password(user):
        return "They have a password. No one, administrators included, can see it."
    roles = list(user.memberships.order_by("-since"))
    if not roles:
        return "Not chosen yet: no invitation has been emailed (they have no role)."
    if any(role.invitation_untold_since for role in roles):
        return "Not chosen yet: their invitation has not been emailed yet."
    if roles[0].since is None:
        return "Not chosen yet: they have not used the link in their invitation."
    return (
        "Not chosen yet: they have not used the link in their invitation, emailed on "
        f"{full_date(timezone.localdate(roles[0].since))}."
    )


class PasswordStateWidget(ReadOnlyPasswordHashWidget):
    """Whether the person has a password, in words: Django's own widget showed the
    hash's algorithm, iterations and salt, which tell an administrator nothing."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["summary"] = [{"label": password_state(self.user, value)}]
        return context


class PersonChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password = self.fields.get("password")
        if password is not None:
            password.widget = PasswordStateWidget(user=self.instance)
            password.help_text = (
                "If they have forgotten it, they use “I have forgotten my password” on the "
                "sign-in page."
                if self.instance.has_usable_password()
                else "Until one is set here, “I have forgotten my password” sends them nothing."
            )
            if people.invitation_to_send_again(self.instance) is not None:
                password.help_text = format_html(
                    "If they cannot find their invitation, or its link has expired: "
                    '<a href="{}">Send the invitation again</a>.',
                    reverse("admin:safeguarding_user_invitation_again", args=[self.instance.pk]),
                )


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    #: Django's says "After you've created a user…": the service calls them people.
    add_form_template = "admin/safeguarding/user/add_form.html"
    ordering = ["full_name"]
    list_display = ["full_name", "email", "is_active", "is_staff", "last_signed_in"]
    list_filter = ["is_active", "is_staff", "memberships__role", "memberships__partnership"]
    search_fields = ["full_name", "email"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "job_title", "reminder_preference"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_signed_in", "joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    readonly_fields = ["last_signed_in", "joined", "second_factor", "sign_in_lockout"]
    filter_horizontal = []
    add_form = PersonAddForm
    form = PersonChangeForm
    change_password_form = PersonPasswordForm

    def save_model(self, request, obj, form, change):
        """A password typed when making the account is one an administrator knows, not
        the random one an invitation's link replaces: recorded (not e-mailed: it is their
        first), so the page no longer says "not chosen yet" and a later change is told."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not change and isinstance(form, PersonAddForm) and not form._chose_none():
                audit_record(
                    actor=request.user,
                    action=Action.PASSWORD_CHANGED,
                    obj=obj,
                    object_repr=obj.email,
                    changes={"method": "administration site", "first_password": True},
                    request=request,
                )

    @admin.display(description="Last signed in", ordering="last_login")
    def last_signed_in(self, user):
        return _moment(user.last_login)

    @admin.display(description="Date joined", ordering="date_joined")
    def joined(self, user):
        return _moment(user.date_joined)

    def save_formset(self, request, form, formset, change):
        if formset.model is Membership:
            for f in formset.deleted_forms:
                if f.instance.pk is not None:
                    people.role_taken_away(membership=f.instance)
        super().save_formset(request, form, formset, change)
        if formset.model is Membership:
            for membership in formset.new_objects:
                _invite(self, request, membership)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [
            *fieldsets,
            ("Second factor", {"fields": ["second_factor"]}),
            ("Sign-in lockout", {"fields": ["sign_in_lockout"]}),
        ]

    @admin.display(description="Second factor")
    def second_factor(self, user):
        """What the person has set up (never a secret), and the way to reset it."""
        state = two_factor.second_factor_of(user)
        app = state["authenticator"]
        if app is None:
            text = "No authenticator app: they set one up at their next sign-in."
        else:
            used = f", last used {_moment(app.last_used_at)}" if app.last_used_at else ""
            text = (
                f"Authenticator app set up {full_date(timezone.localdate(app.created_at))}"
                f"{used}; "
                f"{state['recovery_codes_left']} recovery codes left."
            )
        if not state["any"]:
            return text
        return format_html(
            '{} <a href="{}">Reset the second factor</a>',
            text,
            reverse("admin:safeguarding_user_second_factor_reset", args=[user.pk]),
        )

    @admin.display(description="Sign-in lockout")
    def sign_in_lockout(self, user):
        """Whether too many failed sign-ins lock them out now, and the way to end it."""
        locked = lockouts.lockouts_of(user)
        if not locked:
            return "Not locked out."
        return format_html(
            'Locked out: {} <a href="{}">Unlock</a>',
            _lockouts_text(locked),
            reverse("admin:safeguarding_user_unlock", args=[user.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/second-factor/reset/",
                self.admin_site.admin_view(self.second_factor_reset),
                name="safeguarding_user_second_factor_reset",
            ),
            path(
                "<path:object_id>/invitation/again/",
                self.admin_site.admin_view(self.invitation_again),
                name="safeguarding_user_invitation_again",
            ),
            path(
                "<path:object_id>/unlock/",
                self.admin_site.admin_view(self.unlock),
                name="safeguarding_user_unlock",
            ),
            *super().get_urls(),
        ]

    def _confirmed_change(self, request, object_id, *, change, done, not_needed, page):
        """A change to someone's sign-in an administrator confirms first: GET shows
        `page` (template, title, extra context for the person); POST runs
        `change(user)` (audited, the person e-mailed), then says `done` or, when there
        was nothing to change, `not_needed`, back on the person's page."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404("No such person")
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        change_url = reverse("admin:safeguarding_user_change", args=[user.pk])
        if request.method == "POST":
            if change(user):
                self.message_user(request, done.format(email=user.email), messages.SUCCESS)
            else:
                said = not_needed(user) if callable(not_needed) else not_needed
                self.message_user(request, said.format(email=user.email), messages.INFO)
            return HttpResponseRedirect(change_url)
        template, title, extra = page(user)
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "title": title,
                "person": user,
                "opts": self.opts,
                "change_url": change_url,
                **extra,
            },
        )

    def second_factor_reset(self, request, object_id):
        """Someone who has lost their phone and their recovery codes: confirm, then
        remove both (two_factor.second_factor_reset: audited, and they are e-mailed)."""
        return self._confirmed_change(
            request,
            object_id,
            change=lambda user: two_factor.second_factor_reset(
                actor=request.user, user=user, request=request
            ),
            done="The second factor of {email} is reset: they set up an authenticator app "
            "again at their next sign-in. We have emailed them.",
            not_needed="{email} has no second factor to reset.",
            page=lambda user: (
                "admin/safeguarding/user/second_factor_reset.html",
                "Reset the second factor?",
                {"state": two_factor.second_factor_of(user)},
            ),
        )

    def unlock(self, request, object_id):
        """Someone locked out by too many failed sign-ins who cannot wait: confirm, then
        let them sign in again (lockouts.lockout_end: audited, and they are e-mailed)."""
        return self._confirmed_change(
            request,
            object_id,
            change=lambda user: lockouts.lockout_end(
                actor=request.user, user=user, request=request
            ),
            done="{email} can sign in again now. We have emailed them.",
            not_needed="{email} is not locked out.",
            page=lambda user: (
                "admin/safeguarding/user/unlock.html",
                "Unlock their sign-in?",
                {
                    "lockouts": _lockouts_text(lockouts.lockouts_of(user)),
                    "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
                },
            ),
        )

    def invitation_again(self, request, object_id):
        """Someone invited who has not chosen a password (the e-mail lost, or its link
        expired): confirm, then e-mail their invitation again, with a new link."""
        return self._confirmed_change(
            request,
            object_id,
            change=lambda user: people.invitation_send_again(user=user, actor=request.user),
            done="We have emailed {email} their invitation again, with a new link to "
            "choose their password.",
            not_needed=_no_invitation_to_send,
            page=lambda user: (
                "admin/safeguarding/user/invitation_again.html",
                "Send the invitation again?",
                {
                    "membership": people.invitation_to_send_again(user),
                    "no_invitation": _no_invitation_to_send(user).format(email=user.email),
                    "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
                },
            ),
        )

    def user_change_password(self, request, id, form_url=""):
        """A password set here is audited against the person, who is e-mailed (as for a
        change they make themselves): Django's page saves it without `save_model`. Only a
        post that changed the stored password counts: Django also answers a refused post
        (conflicting answers) with a redirect, having saved nothing."""
        with transaction.atomic():
            before = getattr(self.get_object(request, unquote(id)), "password", None)
            response = super().user_change_password(request, id, form_url)
            user = self.get_object(request, unquote(id)) if request.method == "POST" else None
            if user is not None and response.status_code == 302 and user.password != before:
                changes = {"method": "administration site"}
                if not user.has_usable_password():
                    # "Disable password-based authentication": told as that, not a change.
                    changes["usable"] = False
                audit_record(
                    actor=request.user,
                    action=Action.PASSWORD_CHANGED,
                    obj=user,
                    object_repr=user.email,
                    changes=changes,
                    request=request,
                )
        return response


def _no_invitation_to_send(user) -> str:
    """Why there is no invitation to send the person again (`invitation_to_send_again`
    is None), as a message with {email} in it: the reason that applies, not a list."""
    from .security_notices import first_password

    if not user.is_active:
        return (
            "The account of {email} is switched off: there is no invitation to send again. "
            "Switch it on first if they should sign in."
        )
    if not first_password(user):
        return (
            "{email} has chosen a password already: there is no invitation to send again. "
            "If they have forgotten it, they use “I have forgotten my password” on the "
            "sign-in page."
        )
    return (
        "{email} has no role: there is no invitation to send again. Give them a role on "
        "their page, and we email them about it, with a link to choose their password."
    )


def _lockouts_text(locked) -> str:
    return "; ".join(
        f"{lockout.failures} failed sign-ins from {lockout.address or 'an unknown address'}, "
        f"until {date_and_time(lockout.until)}"
        for lockout in locked
    )


class ReadOnlyAdmin(ServiceAdmin):
    """Pages that add, change and delete nothing (the records are written by the service
    only)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HiddenDeviceAdmin(ReadOnlyAdmin):
    """django-otp's own pages for devices showed every person's authenticator secret
    (its key and QR code) and recovery codes, and removed them with no audit event nor
    word to the person. Registered here first so that django-otp's are not, with no
    permission at all: a person's second factor is seen and reset on their user page
    (UserAdmin.second_factor)."""

    def has_module_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return False


for _device in (TOTPDevice, StaticDevice, EmailDevice):
    admin.site.register(_device, HiddenDeviceAdmin)


def _unregister_unused_pages():
    """Pages of other apps the service does not use, taken off the site (their addresses
    answer "not found"):

    - Django's groups: what someone may do comes from their roles (memberships), and an
      administrator has full access or sees nothing (`User.is_superuser`); no group nor
      permission given to one is read anywhere.
    - django-celery-beat's periodic tasks and their schedules: every periodic task is
      declared in safeguarding/celery.py, which beat copies over the stored rows each
      time it starts, so a change made here was undone at the next start; and a task
      switched off here stayed off, silently (no reminders at all, for "sweep-reminders").

    Their modules are imported first, so that what they register is there to take off
    whatever the order of INSTALLED_APPS (admin.autodiscover does not import them again).
    """
    from django.contrib.auth.models import Group
    from django_celery_beat import admin as _beat_admin  # noqa: F401 - registers its pages
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    for model in (
        Group,
        PeriodicTask,
        IntervalSchedule,
        CrontabSchedule,
        ClockedSchedule,
        SolarSchedule,
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_unused_pages()


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Partnership)
class PartnershipAdmin(AuditedAdmin):
    list_display = ["name", "code", "local_authority", "region", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["name", "code", "local_authority"]
    inlines = [ClosureDayInline]


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "kind", "works_with", "contact_email"]
    list_filter = ["kind", "partnerships"]
    search_fields = ["name"]
    filter_horizontal = ["partnerships"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("partnerships")

    @admin.display(description="Works with")
    def works_with(self, agency):
        return ", ".join(sorted(p.code for p in agency.partnerships.all())) or "—"


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "role", "partnership", "region", "agency", "role_given"]
    list_filter = ["role", "partnership", "region"]
    search_fields = ["user__full_name", "user__email"]
    autocomplete_fields = ["user", "partnership", "region", "agency"]

    @admin.display(description="Role given", ordering="since")
    def role_given(self, membership):
        return _moment(membership.since)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            _invite(self, request, obj)

    def delete_model(self, request, obj):
        with transaction.atomic():
            people.role_taken_away(membership=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for membership in queryset:
                people.role_taken_away(membership=membership)
            super().delete_queryset(request, queryset)


@admin.register(ClosureDay)
class ClosureDayAdmin(AuditedAdmin):
    list_display = ["date", "partnership", "reason"]
    list_filter = ["partnership"]
    date_hierarchy = "date"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail can be searched, never changed."""

    list_display = ["occurred_at", "actor_email", "action", "object_repr", "partnership"]
    list_filter = ["action", "partnership"]
    search_fields = ["actor_email", "object_repr", "object_id"]
    date_hierarchy = "occurred_at"
    # Not the raw `changes`: a case's values are for its partnership's business unit
    # (as on /audit/), and a password's hash is never shown.
    fields = [name if name != "changes" else "what_changed" for name in COPY_FIELDS]
    readonly_fields = ["what_changed"]

    @admin.display(description="What changed")
    def what_changed(self, event):
        (event,) = present_events([event], values_shown=lambda e: e.partnership_id is None)
        if not event.shown_changes:
            return "—"
        items = format_html_join(
            "",
            "<li><strong>{}</strong>{}</li>",
            (
                (change.label, "" if change.text is None else f": {change.text}")
                for change in event.shown_changes
            ),
        )
        note = (
            ""
            if event.partnership_id is None
            else format_html(
                "<p>{}</p>",
                "What these fields said is shown only to the partnership’s business unit, "
                "at /audit/.",
            )
        )
        return format_html("<ul>{}</ul>{}", items, note)


# --- Reminders (issue 6) ----------------------------------------------------------------
from . import calendar_changes  # noqa: E402, F401 - closure-day changes recompute deadlines
from .models import ReminderPolicy, ReminderSent  # noqa: E402
from .reminder_forms import ReminderPolicyAdminForm  # noqa: E402


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(AuditedAdmin):
    form = ReminderPolicyAdminForm
    list_display = [
        "kind",
        "partnership",
        "days_before",
        "on_the_day",
        "overdue_every",
        "escalate",
        "enabled",
    ]
    list_filter = ["kind", "partnership", "enabled"]


class ReminderRuleFilter(admin.SimpleListFilter):
    """By which reminder, in words, as `rule_shown` says them: the rules the engine knows
    (`ReminderSent.RULE_WORDS`), and each number of working days before the due date
    that the service's default or a policy names (a small table), not the rules the log
    holds: a SELECT DISTINCT of those read the whole log, millions of rows. "Before it
    is due" takes every number of days at once, one a policy no longer names too."""

    title = "reminder"
    parameter_name = "rule"
    #: Every "before_N" rule at once.
    BEFORE = "before"

    def lookups(self, request, model_admin):
        from .reminders import DEFAULT_POLICY, policy_table

        days = set(DEFAULT_POLICY.days_before)
        for policy in policy_table().values():
            days.update(policy.days_before)
        before = [f"before_{n}" for n in sorted(days, reverse=True)]
        return [
            (self.BEFORE, "Before it is due (any number of working days)"),
            *((rule, ReminderSent.rule_in_words(rule)) for rule in before),
            *((rule, str(words)) for rule, words in ReminderSent.RULE_WORDS.items()),
        ]

    def queryset(self, request, queryset):
        if self.value() == self.BEFORE:
            return queryset.filter(rule__startswith="before_")
        if self.value():
            return queryset.filter(rule=self.value())
        return queryset


#: The rule and what it was about in words (`rule_shown`, `occurrence_shown`), not the
#: engine's keys ("before_3", "handover"; "2026-12-14#2", "audit-93").
_REMINDER_SHOWN = {"rule": "rule_shown", "occurrence": "occurrence_shown"}


@admin.register(ReminderSent)
class ReminderSentAdmin(ServiceAdmin):
    """Read-only: what the reminder engine claimed and sent."""

    list_display = [
        "created_at",
        "rule_shown",
        "occurrence_shown",
        "recipient_shown",
        "status",
        "sent_at",
        "attempts",
    ]
    # Fixed periods (today, the past 7 days, this month, this year), not a
    # `date_hierarchy`: its year/month/day drill-down reads every row's date (SELECT
    # DISTINCT over a log of millions of rows). Newest first is the index's order.
    list_filter = ["status", ReminderRuleFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["recipient__email", "occurrence"]
    raw_id_fields = ["deadline", "recipient", "digest"]
    fields = [
        _REMINDER_SHOWN.get(name, name)
        for name in [f.name for f in ReminderSent._meta.fields if f.editable and f.name != "id"]
    ]
    readonly_fields = list(_REMINDER_SHOWN.values())

    @admin.display(description="reminder", ordering="rule")
    def rule_shown(self, obj):
        return obj.rule_words

    @admin.display(description="about")
    def occurrence_shown(self, obj):
        return obj.occurrence_words

    def get_queryset(self, request):
        # The person's e-mail by a subquery, not a join: the table keeps no foreign key
        # (ADR 0010), and a claim whose person has gone must still be listed.
        email = User.objects.filter(pk=OuterRef("recipient_id")).values("email")[:1]
        return super().get_queryset(request).annotate(recipient_email=Subquery(email))

    @admin.display(description="recipient", ordering="recipient_email")
    def recipient_shown(self, obj):
        return obj.recipient_email or f"(gone: user {obj.recipient_id})"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A claim is the record that its reminder goes once: deleted by hand, the next
        # sweep would send it again.
        return False
