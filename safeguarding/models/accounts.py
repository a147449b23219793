"""People, partnerships, agencies and memberships."""

import re
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def same_name_ignoring_case(record):
    """Another row of `record`'s model with its name in other capitals (a region, a
    partnership, an agency), or None: one of each however its name is typed."""
    return (
        type(record)
        .objects.alias(name_lower=Lower("name"))
        .filter(name_lower=record.name.lower())
        .exclude(pk=record.pk)
        .first()
    )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def with_email(self, address: str):
        """The account of this address, however it is capitalised: compared lower-cased,
        as the unique constraint compares them (and with its index). Not `iexact`, which
        PostgreSQL runs upper-cased: there "perſon@" (a long s) or "ıd@" (a dotless i)
        matched "person@" and "id@", which the constraint counts as other addresses, so
        two accounts could match one sign-in."""
        return self.alias(email_lower=Lower("email")).filter(
            email_lower=(address or "").strip().lower()
        )

    def get_by_natural_key(self, username):
        return self.with_email(username).get()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address."""

    class ReminderPreference(models.TextChoices):
        IMMEDIATE = "immediate", _("Send each reminder as it falls due")
        DIGEST = "digest", _("One daily summary")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("administrator"),
        default=False,
        help_text=_("Can sign in to the administration site."),
    )
    is_superuser = models.BooleanField(
        _("full access"),
        default=False,
        help_text=_(
            "Can add and change everything in the administration site, and read the whole "
            "audit trail and the outbox. An administrator without it sees nothing here."
        ),
    )
    last_login = models.DateTimeField(_("last signed in"), blank=True, null=True)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    reminder_preference = models.CharField(
        max_length=10, choices=ReminderPreference, default=ReminderPreference.IMMEDIATE
    )
    # When a password-reset link was last e-mailed: one every RESET_EMAIL_INTERVAL at
    # most, so the form cannot be used to flood someone's inbox.
    password_reset_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        # As the service's own pages call them ("People", "Add a person").
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            # Sign-in ignores case: OFFICER@… and officer@… are one person, never two.
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message=_("A user with this email address already exists."),
            )
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        """The address, lower-cased, and one person's: said once in words here, before
        Django's two messages (the field's and the constraint's) said it twice."""
        from django.core.exceptions import ValidationError

        super().clean()
        self.email = (self.email or "").strip().lower()
        same = User.objects.with_email(self.email).exclude(pk=self.pk).first()
        if self.email and same is not None:
            raise ValidationError(
                {
                    "email": _(
                        "%(name)s already has this email address: each person signs in "
                        "with their own"
                    )
                    % {"name": same}
                }
            )

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        """The full name (the administration site's "Welcome, …"): the service keeps no
        first name, and a full name's first word is often not one ("Dr", or "Service"
        for the demo's "Service Administrator")."""
        return self.full_name or self.email


class Region(models.Model):
    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(
        max_length=20,
        unique=True,
        help_text=_("Lower-case letters, numbers and hyphens, for example midshire."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # "Midshire" and "midshire" cannot be told apart in a list, a filter or a
            # regional viewer's role (`clean` says so in words first).
            models.UniqueConstraint(
                Lower("name"),
                name="region_name_unique_ignoring_case",
                violation_error_message=_("There is already a region with this name"),
            ),
            # Its help asks for lower-case letters: `save` keeps it so, and a write that
            # skips `save` (an update, a bulk insert) is refused here.
            models.CheckConstraint(
                condition=Q(code=Lower("code")),
                name="region_code_lower_case",
                violation_error_message=_("Enter the code in lower-case letters"),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # "NorthVale" is kept as "northvale", however the region is made (the
        # administration site, a script, the shell).
        self.code = (self.code or "").strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        """One region however its name is typed (capitals and spaces set aside), as for a
        partnership: the database refuses the same name in other capitals too
        (`Meta.constraints`); this says so in words first."""
        from django.core.exceptions import ValidationError

        super().clean()
        self.name = " ".join((self.name or "").split())
        # Its help asks for lower-case letters: "NorthVale" is kept as "northvale".
        self.code = (self.code or "").strip().lower()
        same = same_name_ignoring_case(self)
        if same is not None:
            raise ValidationError(
                {
                    "name": _("%(name)s is already a region: give this one another name")
                    % {"name": same.name}
                }
            )


#: A partnership's code: capital letters A to Z and digits, 2 to 10 of them.
CODE_PATTERN = re.compile(r"[A-Z0-9]{2,10}")


class Partnership(models.Model):
    """A safeguarding children partnership for one local authority area."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="partnerships", null=True, blank=True
    )
    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=10,
        unique=True,
        help_text=_(
            "2 to 10 letters or numbers that start the partnership’s case references, for "
            "example BSCP (BSCP-2026-014), and its address on the public learning pages. "
            "Changing it later changes only the references made from then on."
        ),
    )
    local_authority = models.CharField(max_length=200)
    contact_email = models.EmailField(
        _("contact email address"),
        help_text=_(
            "The business unit’s shared address: agencies see it on their information "
            "requests, and agencies with no account are told to ask this address for one."
        ),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Untick to switch the partnership off: its people no longer see it, no "
            "reminders go out, and its reviews leave the public pages. Nothing is deleted."
        ),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # "Borsetshire SCP" and "borsetshire scp" cannot be told apart in a list, a
            # filter or an e-mail (`clean` says so in words first).
            models.UniqueConstraint(
                Lower("name"),
                name="partnership_name_unique_ignoring_case",
                violation_error_message=_("There is already a partnership with this name"),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.code = self.code.upper()
        super().save(*args, **kwargs)

    def clean(self):
        """The name, one partnership's however it is typed (`_name_error`), and the code
        (`_code_error`): both checked, so that both are said at once."""
        from django.core.exceptions import ValidationError

        super().clean()
        errors = {}
        name = self._name_error()
        if name:
            errors["name"] = name
        code = self._code_error()
        if code:
            errors["code"] = code
        if errors:
            raise ValidationError(errors)

    def _name_error(self) -> str | None:
        """One partnership however its name is typed, as an agency is (capitals and spaces
        set aside): "Borsetshire SCP" beside "borsetshire scp" could not be told apart in
        a list, a filter or an e-mail. The database refuses the same name in other
        capitals too (`Meta.constraints`); this says so in words first."""
        self.name = " ".join((self.name or "").split())
        same = same_name_ignoring_case(self)
        if same is not None:
            return _("%(name)s is already a partnership: give this one another name") % {
                "name": same.name
            }
        return None

    def _code_error(self) -> str | None:
        """The code starts every case reference (BSCP-2026-014) and the partnership's
        public address, so it is letters and numbers only, and kept in capitals: made so
        here, before the form checks it against the others (a "bscp" beside "BSCP"
        otherwise passed that check and failed the database's, a server error)."""
        self.code = (self.code or "").strip().upper()
        if not CODE_PATTERN.fullmatch(self.code):
            return _("Enter a code of 2 to 10 letters or numbers, like BSCP")
        taken = Partnership.objects.filter(code=self.code).exclude(pk=self.pk).first()
        if taken is not None:
            return _("%(name)s already uses the code %(code)s: choose another") % {
                "name": taken.name,
                "code": self.code,
            }
        # A code another partnership had before changing it: its references keep it, and
        # this partnership's would repeat them (references are unique).
        from django.apps import apps

        Incident = apps.get_model("notifications", "Incident")
        earlier = (
            Incident.objects.filter(reference__startswith=f"{self.code}-")
            .exclude(partnership=self.pk)
            .select_related("partnership")
            .first()
        )
        if earlier is not None:
            return _("%(name)s’s case references start with %(code)s: choose another") % {
                "name": earlier.partnership.name,
                "code": self.code,
            }
        return None


class ClosureDay(models.Model):
    """A local non-working day of a partnership (for example a business unit closure)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="closure_days"
    )
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "date"], name="closure_day_unique_per_partnership"
            )
        ]

    def __str__(self):
        return f"{self.date:%-d %B %Y}: {self.reason}"

    def unique_error_message(self, model_class, unique_check):
        """The day taken twice, in words (not "Closure day with this Partnership and Date
        already exists.")."""
        from django.core.exceptions import ValidationError

        if set(unique_check) == {"partnership", "date"} and self.date is not None:
            return ValidationError(self.already_kept_message(self.date), code="unique_together")
        return super().unique_error_message(model_class, unique_check)

    @staticmethod
    def already_kept_message(day) -> str:
        return _("This partnership already has a closure day on %(day)s") % {
            "day": f"{day:%-d %B %Y}"
        }

    def clean(self):
        """A date typed now (not one kept already: the partnership's page lists them all
        and is saved with them) is a day the business unit would otherwise work, within
        last year, this year and the next two: a weekend or bank holiday changes nothing
        (and was listed twice in "Why this date?"), and 1999 or 2126 is a slip."""
        from django.core.exceptions import ValidationError

        from safeguarding import calendar

        super().clean()
        if self.date is None or not self._date_changed():
            return
        today = timezone.localdate()
        first, last = date(today.year - 1, 1, 1), date(today.year + 2, 12, 31)
        if not first <= self.date <= last:
            message = _("Enter a date from %(first)s to %(last)s") % {
                "first": f"{first:%-d %B %Y}",
                "last": f"{last:%-d %B %Y}",
            }
            raise ValidationError({"date": message})
        reason = calendar.non_working_reason(self.date)
        if reason is None:
            return
        day = f"{self.date:%-d %B %Y}"
        if self.date.weekday() >= 5:
            message = _("%(day)s is a %(weekday)s: it is not a working day anyway") % {
                "day": day,
                "weekday": reason,
            }
        else:
            message = _("%(day)s is a bank holiday (%(name)s): it is not a working day anyway") % {
                "day": day,
                "name": reason,
            }
        raise ValidationError({"date": message})

    def _date_changed(self) -> bool:
        if self.pk is None:
            return True
        return not ClosureDay.objects.filter(pk=self.pk, date=self.date).exists()


class StatutoryPartner(models.TextChoices):
    """The three statutory safeguarding partners who lead a partnership and sign off its
    decisions (rapid_reviews.Partner is this same list)."""

    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    POLICE = "police", _("Police")
    HEALTH = "health", _("Health (integrated care board)")


class PartnerLead(models.Model):
    """Who leads for one statutory partner in a partnership now: the name and job title a
    sign-off form starts with. A sign-off keeps its own copy of the name as signed, so a
    new lead changes no record made before (docs/adr/0018)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="partner_leads"
    )
    partner = models.CharField(max_length=20, choices=StatutoryPartner)
    name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partnership", "partner"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "partner"], name="one_lead_per_partner"),
        ]

    def __str__(self):
        return f"{self.get_partner_display()}: {self.name}, {self.job_title}"


class Agency(models.Model):
    class Kind(models.TextChoices):
        SOCIAL_CARE = "social_care", _("Children’s social care")
        POLICE = "police", _("Police")
        HEALTH = "health", _("Health")
        EDUCATION = "education", _("Education")
        PROBATION = "probation", _("Probation")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("type of agency"), max_length=20, choices=Kind)
    partnerships = models.ManyToManyField(
        Partnership,
        related_name="agencies",
        blank=True,
        help_text=_("The partnerships it sends information to and owns actions for."),
    )
    contact_email = models.EmailField(
        _("contact email address"),
        blank=True,
        help_text=_(
            "Information requests, reminders and actions go here when no one at the agency "
            "has an account. Leave empty if it has no shared address."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name

    def clean(self):
        """One agency however its name is typed: "midshire police" beside "Midshire
        Police" made a second one, its requests, contributors and actions split between
        the two. An agency serving another partnership has that partnership added."""
        from django.core.exceptions import ValidationError

        super().clean()
        self.name = " ".join((self.name or "").split())
        same = same_name_ignoring_case(self)
        if same is not None:
            raise ValidationError(
                {
                    "name": _("%(name)s is already an agency: add the partnership to it instead")
                    % {"name": same.name}
                }
            )


class Role(models.TextChoices):
    PARTNERSHIP_MANAGER = "manager", _("Partnership manager")
    REVIEW_OFFICER = "officer", _("Review officer")
    AGENCY_CONTRIBUTOR = "agency", _("Agency contributor")
    INDEPENDENT_REVIEWER = "reviewer", _("Independent reviewer")
    REGIONAL_VIEWER = "regional", _("Regional viewer")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(user__is_active=True)

    def with_role(self, *roles):
        return self.filter(role__in=roles)


class Membership(models.Model):
    """A user's role in one partnership (or, for a regional viewer, in one region)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
        help_text=_("Only for regional viewers."),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="memberships",
        null=True,
        blank=True,
        help_text=_("Only for agency contributors."),
    )
    #: When the role was given in this partnership (or region): a partnership manager's
    #: audit trail shows the person's sign-ins and account changes from then on, never
    #: what they did before joining (ADR 0022). Empty for roles given before it was
    #: recorded, with no event in the trail to date them: shown whole, as they were.
    since = models.DateTimeField(_("role given"), default=timezone.now, null=True, editable=False)
    #: When a manager (or an administrator, in the administration site) gave the role,
    #: while the e-mail telling the person of it has not gone: cleared as it is sent.
    #: Beat queues it again if it is still set ten minutes on (the broker was down when
    #: the role was given). Empty for roles no one is to be e-mailed about (given before
    #: this was recorded, or by the demo).
    invitation_untold_since = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["partnership__name", "role"]
        # A membership is what the service calls a role ("People with a role").
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership", "role"],
                condition=Q(partnership__isnull=False),
                name="membership_unique_role_per_partnership",
                violation_error_message=_("This person already has this role in the partnership."),
            ),
            models.UniqueConstraint(
                fields=["user", "region"],
                condition=Q(region__isnull=False),
                name="membership_unique_region",
                violation_error_message=_("This person is already a viewer of this region."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(role="regional", region__isnull=False, partnership__isnull=True)
                    | (~Q(role="regional") & Q(partnership__isnull=False, region__isnull=True))
                ),
                name="membership_scope_matches_role",
                violation_error_message=_(
                    "A regional viewer needs a region and no partnership; every other role "
                    "needs a partnership and no region."
                ),
            ),
            models.CheckConstraint(
                condition=Q(role="agency", agency__isnull=False)
                | (~Q(role="agency") & Q(agency__isnull=True)),
                name="membership_agency_only_for_contributors",
                violation_error_message=_(
                    "An agency contributor needs an agency; no other role has one."
                ),
            ),
        ]

    def __str__(self):
        where = self.partnership or self.region
        return f"{self.user} – {self.get_role_display()} ({where})"

    def save(self, *args, **kwargs):
        """A role moved to another partnership, or given to another person, is given now:
        the partnership's manager sees the person's sign-ins from then on, not from when
        the role was first given."""
        if self.pk is not None:
            before = (
                Membership.objects.filter(pk=self.pk)
                .values_list("partnership_id", "user_id")
                .first()
            )
            if before is not None and before != (self.partnership_id, self.user_id):
                self.since = timezone.now()
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "since"}
        super().save(*args, **kwargs)

    def _agency_or_partnership_changed(self) -> bool:
        """New, or given another agency, partnership or role (a membership saved before an
        agency stopped serving the partnership must not block edits to the person)."""
        if self.pk is None:
            return True
        before = (
            Membership.objects.filter(pk=self.pk)
            .values_list("agency_id", "partnership_id", "role")
            .first()
        )
        return before != (self.agency_id, self.partnership_id, self.role)

    def _agency_held_here(self) -> tuple[str, str] | None:
        """(person's name, agency's name) of the agency this saved role answers for in the
        same partnership now, when it is being given another: None for a new role, or one
        that had no agency or was in another partnership."""
        if self.pk is None:
            return None
        row = (
            Membership.objects.filter(
                pk=self.pk,
                partnership_id=self.partnership_id,
                role=Role.AGENCY_CONTRIBUTOR,
                agency__isnull=False,
            )
            .exclude(agency_id=self.agency_id)
            .values_list("user__full_name", "user__email", "agency__name")
            .first()
        )
        if row is None:
            return None
        full_name, email, agency = row
        return (full_name or email, agency)

    def clean(self):
        """The rules the constraints below hold, said at the field a person must change
        (the administration site showed the constraints' names)."""
        from django.core.exceptions import ValidationError

        super().clean()
        errors = {}
        if self.role == Role.REGIONAL_VIEWER:
            if self.region_id is None:
                errors["region"] = _("Select the region a regional viewer sees.")
            if self.partnership_id is not None:
                errors["partnership"] = _("A regional viewer has a region, not a partnership.")
        elif self.role:
            if self.partnership_id is None:
                errors["partnership"] = _("Select the partnership this role is in.")
            if self.region_id is not None:
                errors["region"] = _("Only regional viewers have a region.")
        if self.role == Role.AGENCY_CONTRIBUTOR:
            if self.agency_id is None:
                errors["agency"] = _("Select the agency this contributor answers for.")
            elif (
                self.partnership_id is not None
                and self._agency_or_partnership_changed()
                and not self.agency.partnerships.filter(pk=self.partnership_id).exists()
            ):
                errors["agency"] = _(
                    "%(agency)s does not work with this partnership: add the partnership to "
                    "the agency first, or choose another agency."
                ) % {"agency": self.agency}
                held = self._agency_held_here()
                if held is not None:
                    # A move refused: say where they still are, in the same words.
                    errors["agency"] = _(
                        "%(agency)s does not work with this partnership, so %(person)s still "
                        "answers for %(held)s. Add the partnership to %(agency)s first, or "
                        "choose another agency."
                    ) % {"agency": self.agency, "person": held[0], "held": held[1]}
        elif self.role and self.agency_id is not None:
            errors["agency"] = _("Only agency contributors have an agency.")
        if errors:
            raise ValidationError(errors)


class PastRole(models.Model):
    """A role someone held in a partnership and no longer does (taken away on the People
    page or by the service's administrators): the role's own row is deleted, so this is
    what lets the partnership's audit trail still offer the person in its Person filter,
    marked as having left (ADR 0023 addendum). One row per role taken away."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="past_roles")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role)
    ended_at = models.DateTimeField(_("role taken away"), default=timezone.now)
    #: While the e-mail telling the person the role was taken away has not gone: cleared
    #: as it is sent; beat queues it again if still set ten minutes on (as a role given,
    #: `Membership.invitation_untold_since`). Empty for no one to tell (a switched-off
    #: account, or a role taken away before this was recorded).
    untold_since = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("past role")
        indexes = [models.Index(fields=["partnership", "user"], name="pastrole_partnership_user")]

    def __str__(self):
        until = f"{self.ended_at:%-d %B %Y}"
        return f"{self.user} – {self.get_role_display()} ({self.partnership}), until {until}"
