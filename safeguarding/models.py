"""Core models: people, partnerships, agencies, memberships and the audit trail."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
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

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address."""

    class ReminderPreference(models.TextChoices):
        IMMEDIATE = "immediate", _("Send each reminder as it falls due")
        DIGEST = "digest", _("One daily summary")

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("administrator"),
        default=False,
        help_text=_("Can sign in to the administration site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    reminder_preference = models.CharField(
        max_length=10, choices=ReminderPreference, default=ReminderPreference.IMMEDIATE
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Region(models.Model):
    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=20, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Partnership(models.Model):
    """A safeguarding children partnership for one local authority area."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="partnerships", null=True, blank=True
    )
    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=10,
        unique=True,
        help_text=_("Short code used in references, for example BSCP."),
    )
    local_authority = models.CharField(max_length=200)
    contact_email = models.EmailField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.code = self.code.upper()
        super().save(*args, **kwargs)


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
        return f"{self.date:%d %B %Y}: {self.reason}"


class Agency(models.Model):
    class Kind(models.TextChoices):
        SOCIAL_CARE = "social_care", _("Children's social care")
        POLICE = "police", _("Police")
        HEALTH = "health", _("Health")
        EDUCATION = "education", _("Education")
        PROBATION = "probation", _("Probation")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    partnerships = models.ManyToManyField(Partnership, related_name="agencies", blank=True)
    contact_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name


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

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["partnership__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership", "role"],
                condition=Q(partnership__isnull=False),
                name="membership_unique_role_per_partnership",
            ),
            models.UniqueConstraint(
                fields=["user", "region"],
                condition=Q(region__isnull=False),
                name="membership_unique_region",
            ),
            models.CheckConstraint(
                condition=(
                    Q(role="regional", region__isnull=False, partnership__isnull=True)
                    | (~Q(role="regional") & Q(partnership__isnull=False, region__isnull=True))
                ),
                name="membership_scope_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(role="agency", agency__isnull=False)
                | (~Q(role="agency") & Q(agency__isnull=True)),
                name="membership_agency_only_for_contributors",
            ),
        ]

    def __str__(self):
        where = self.partnership or self.region
        return f"{self.user} – {self.get_role_display()} ({where})"


class AuditEventQuerySet(models.QuerySet):
    """Append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise AuditImmutableError("Audit events cannot be changed.")

    def delete(self):
        raise AuditImmutableError("Audit events cannot be deleted.")

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditImmutableError(Exception):
    pass


class AuditEvent(models.Model):
    """One thing that happened: who, when, to what, in which partnership.

    Nothing updates or deletes a row: the model refuses, and on PostgreSQL a trigger
    rejects UPDATE and DELETE at the database (migration 0002).
    """

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        SIGN_OUT = "sign_out", _("Signed out")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        STATUS_CHANGE = "status_change", _("Changed status")
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Downloaded")
        TWO_FACTOR_SET_UP = "two_factor_set_up", _("Set up two-factor authentication")
        TWO_FACTOR_VERIFIED = "two_factor_verified", _("Passed two-factor authentication")
        TWO_FACTOR_FAILED = "two_factor_failed", _("Failed two-factor authentication")
        RECOVERY_CODE_USED = "recovery_code_used", _("Used a recovery code")
        LOCKED_OUT = "locked_out", _("Locked out")
        PASSWORD_CHANGED = "password_changed", _("Changed password")

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["partnership", "-occurred_at"], name="audit_partnership_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
        ]

    def __str__(self):
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_repr}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("Audit events cannot be deleted.")


class DeadlineQuerySet(models.QuerySet):
    """Read vocabulary for clocks: `.open()`, `.overdue(on=…)`, `.due_within(…)`."""

    def open(self):
        return self.filter(closed_on__isnull=True)

    def closed(self):
        return self.filter(closed_on__isnull=False)

    def overdue(self, *, on):
        return self.open().filter(due_date__lt=on)

    def due_between(self, start, end):
        return self.open().filter(due_date__gte=start, due_date__lte=end)

    def due_within(self, *, working_days: int, on, partnership=None):
        from .calendar import add_working_days

        return self.due_between(on, add_working_days(on, working_days, partnership=partnership))

    def for_subject(self, obj):
        return self.filter(subject_type=obj._meta.label_lower, subject_id=obj.pk)


class Deadline(models.Model):
    """One statutory or local clock. Written only by the services that start, move or stop
    it (safeguarding/deadlines.py), so the dashboard and the reminder sweep read one table.
    """

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", _("Notify the National Panel")
        RAPID_REVIEW = "rapid_review", _("Complete the rapid review")
        RAPID_REVIEW_MILESTONE = "rr_milestone", _("Rapid review step")
        AGENCY_RETURN = "agency_return", _("Agency return")
        LCSPR_MILESTONE = "lcspr_milestone", _("Local review milestone")
        PUBLICATION = "publication", _("Publish the local review")
        PRE_PUBLICATION_NOTICE = "pre_publication", _("Send the final report to the Panel and DfE")
        ACTION = "action", _("Action plan action")

    class Rule(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        CALENDAR_MONTHS = "calendar_months", _("calendar months")
        FIXED = "fixed", _("date set by hand")

    class Outcome(models.TextChoices):
        MET = "met", _("Met")
        CANCELLED = "cancelled", _("No longer needed")

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    subject_type = models.CharField(max_length=100)
    subject_id = models.PositiveBigIntegerField()
    key = models.CharField(
        max_length=60,
        blank=True,
        default="",
        help_text=_("Tells apart several clocks of one kind on one record (e.g. a step)."),
    )
    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=60, blank=True)
    url = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="deadlines"
    )
    trigger_date = models.DateField()
    rule = models.CharField(max_length=20, choices=Rule, default=Rule.WORKING_DAYS)
    amount = models.IntegerField(default=0)
    due_date = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome, blank=True)
    moved_by_calendar = models.BooleanField(
        default=False, help_text=_("The due date moved because the calendar changed.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "key"], name="deadline_one_per_clock"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, outcome="")
                | Q(closed_on__isnull=False) & ~Q(outcome=""),
                name="deadline_closed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(
                fields=["partnership", "due_date"],
                condition=Q(closed_on__isnull=True),
                name="deadline_open_by_partnership",
            ),
            models.Index(
                fields=["due_date"], condition=Q(closed_on__isnull=True), name="deadline_open_due"
            ),
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject"),
        ]

    def __str__(self):
        return f"{self.title} – due {self.due_date:%d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def met_in_time(self) -> bool | None:
        if self.closed_on is None or self.outcome != self.Outcome.MET:
            return None
        return self.closed_on <= self.due_date


class DeadlineChange(models.Model):
    """Every move of a due date, with the reason: the drift history."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    old_due = models.DateField()
    new_due = models.DateField()
    reason = models.TextField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.old_due} → {self.new_due}: {self.reason}"


# --- Reminders (issue 6) ----------------------------------------------------------------


def _default_days_before():
    return [3, 1]


class ReminderPolicy(models.Model):
    """When reminders go out for one kind of deadline, in one partnership or by default.

    A row without a partnership is the service-wide policy for its kind; a partnership's
    own row wins over it. With no row at all the code defaults apply
    (`safeguarding.reminders.DEFAULT_POLICY`).
    """

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="reminder_policies",
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of every partnership."),
    )
    kind = models.CharField(max_length=20, choices=Deadline.Kind)
    days_before = models.JSONField(
        default=_default_days_before,
        blank=True,
        help_text=_("Working days before the due date, for example [3, 1]."),
    )
    on_the_day = models.BooleanField(default=True)
    overdue_every = models.PositiveSmallIntegerField(
        default=2,
        help_text=_("Repeat the overdue reminder every this many working days (0: never)."),
    )
    escalate = models.BooleanField(
        default=True, help_text=_("Tell the partnership managers once a deadline is overdue.")
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["partnership__name", "kind"]
        verbose_name_plural = _("reminder policies")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind"],
                condition=Q(partnership__isnull=False),
                name="reminder_policy_one_per_partnership_kind",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(partnership__isnull=True),
                name="reminder_policy_one_default_per_kind",
            ),
        ]

    def __str__(self):
        where = self.partnership.code if self.partnership_id else _("default")
        return f"{self.get_kind_display()} ({where})"


class ReminderSent(models.Model):
    """One reminder e-mail to one person, claimed before it is queued.

    The unique key (deadline, rule, occurrence, recipient) makes the database the judge of
    "exactly once": a second sweep's insert conflicts and sends nothing. A daily digest is
    a row with rule "digest" and no deadline, unique per recipient and day.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        HELD = "held", _("Held for the daily digest")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent")

    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, related_name="reminders", null=True, blank=True
    )
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminders")
    rule = models.CharField(max_length=20)
    occurrence = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    digest = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "rule", "occurrence", "recipient"],
                condition=Q(deadline__isnull=False),
                name="reminder_once_per_occurrence",
            ),
            models.UniqueConstraint(
                fields=["recipient", "occurrence"],
                condition=Q(rule="digest"),
                name="reminder_digest_once_per_day",
            ),
        ]
        indexes = [
            models.Index(
                fields=["queued_at"], condition=Q(status="pending"), name="reminder_pending"
            ),
            models.Index(fields=["recipient"], condition=Q(status="held"), name="reminder_held"),
        ]

    def __str__(self):
        return f"{self.rule} {self.occurrence} → {self.recipient_id} ({self.status})"

    @property
    def message_id(self) -> str:
        """Stable across retries, so a mail system can drop a duplicate (ADR 0006)."""
        from django.conf import settings

        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        return f"<reminder-{self.pk}@{domain}>"


class CalendarFeedToken(models.Model):
    """A user's private calendar feed. Only a hash of the secret is kept; revoking or
    regenerating replaces it, so the old address stops working at once."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Calendar feed of {self.user}"
