"""Serious incidents and their notification to the Child Safeguarding Practice Review Panel."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from safeguarding.models import Agency, Partnership, StatusChangeBase
from safeguarding.permissions import CASE_ROLES


class Nature(models.TextChoices):
    CHILD_DEATH = "death", _("Child death")
    SERIOUS_HARM = "serious_harm", _("Serious harm")
    OTHER = "other", _("Other (for example a child perpetrator who was abused or neglected)")
    LOOKED_AFTER_DEATH = (
        "lac_death",
        _("Death of a looked-after child where abuse or neglect is not suspected"),
    )
    CARE_LEAVER_DEATH = "care_leaver_death", _("Death of a care leaver aged up to 24")


#: Recorded through the same national service, but no rapid review follows.
NO_RAPID_REVIEW = frozenset({Nature.LOOKED_AFTER_DEATH, Nature.CARE_LEAVER_DEATH})


class HarmCategory(models.TextChoices):
    PHYSICAL = "physical", _("Physical abuse")
    SEXUAL = "sexual", _("Sexual abuse")
    EMOTIONAL = "emotional", _("Emotional abuse")
    NEGLECT = "neglect", _("Neglect")


class ParallelProcess(models.TextChoices):
    POLICE = "police", _("Police investigation")
    INQUEST = "inquest", _("Inquest")
    CHILD_DEATH_REVIEW = "cdr", _("Child death review")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    NOTIFIED = "notified", _("Notified")
    NOT_NOTIFIED = "not_notified", _("Decided not to notify")
    RECORDED = "recorded", _("Recorded (no rapid review)")
    #: Logged by mistake (a duplicate, the wrong partnership) and never sent: its details
    #: are erased, its reference and history kept (services.incident_enter_in_error).
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


#: The only moves a status can make. One service per move (notifications/services.py).
#: Before the decision: the incident can still be changed, and its clock may be running.
UNDECIDED = frozenset({Status.DRAFT, Status.AWAITING_DECISION})

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.AWAITING_DECISION, Status.ENTERED_IN_ERROR}),
    Status.AWAITING_DECISION: frozenset(
        {
            Status.DRAFT,
            Status.NOTIFIED,
            Status.NOT_NOTIFIED,
            Status.RECORDED,
            Status.ENTERED_IN_ERROR,
        }
    ),
    Status.NOT_NOTIFIED: frozenset({Status.AWAITING_DECISION}),
    Status.NOTIFIED: frozenset(),
    Status.RECORDED: frozenset(),
    Status.ENTERED_IN_ERROR: frozenset(),
}


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from safeguarding.permissions import scope

        return scope(self, user, roles=CASE_ROLES)

    def open(self):
        return self.filter(status__in=UNDECIDED)

    def in_use(self):
        """Every incident but those entered in error (lists, counts and reports)."""
        return self.exclude(status=Status.ENTERED_IN_ERROR)

    def overdue(self, *, on):
        return self.open().filter(notification_due__lt=on)


#: A blank answer of a step not answered yet (`Incident.blank_means`).
NOT_ANSWERED = gettext_noop("Not recorded")


class Incident(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="incidents")
    reference = models.CharField(max_length=30, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)

    incident_date = models.DateField(_("date of the incident"), null=True, blank=True)
    incident_place = models.CharField(_("where the incident happened"), max_length=200, blank=True)
    awareness_date = models.DateField(_("date the local authority became aware"))
    notification_due = models.DateField()

    nature = models.CharField(max_length=20, choices=Nature, blank=True)
    harm_categories = models.JSONField(default=list, blank=True)
    circumstances = models.TextField(_("summary of circumstances"), blank=True)
    other_local_authority = models.CharField(
        _("local authority where the child lived, if another"), max_length=200, blank=True
    )
    parallel_processes = models.JSONField(default=list, blank=True)
    other_children_in_household = models.TextField(blank=True)

    notifier_name = models.CharField(max_length=150, blank=True)
    notifier_role = models.CharField(max_length=150, blank=True)
    notifier_contact = models.CharField(max_length=200, blank=True)

    # The notification, once sent through the DfE service.
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_on = models.DateField(null=True, blank=True)
    dfe_reference = models.CharField(max_length=60, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ofsted_copied = models.BooleanField(default=False)
    other_partnerships_told = models.TextField(blank=True)
    late_reason = models.TextField(blank=True)
    notification_pdf = models.FileField(upload_to="notifications/", blank=True)
    #: The PDF was made when the notification was recorded and is never remade: it is the
    #: copy of what was sent. False for a case recorded before the copy was kept (until
    #: 2026-12-07 a correction remade it); such a PDF is what was sent only if the
    #: notification was never corrected (ADR 0008 addendum of 2026-12-07).
    notification_pdf_as_sent = models.BooleanField(
        _("notification PDF kept as it was sent"), default=False
    )

    # A decision not to notify.
    decision_rationale = models.TextField(blank=True)
    decision_agreed_by = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)

    # Entered in error: why, kept once the details are erased.
    error_reason = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = IncidentQuerySet.as_manager()

    #: What a blank answer means, one wording for the case page, the notification PDF
    #: and the subject access export (any other blank answer is not recorded).
    BLANK_MEANS = {
        "harm_categories": gettext_noop("None recorded"),
        "other_local_authority": gettext_noop("This local authority"),
        "parallel_processes": gettext_noop("None recorded"),
        "other_children_in_household": gettext_noop("None recorded"),
    }

    #: The labels of the codes kept in the JSON lists, for the audit trail's pages.
    AUDIT_VALUE_CHOICES = {
        "harm_categories": HarmCategory.choices,
        "parallel_processes": ParallelProcess.choices,
    }

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year", "sequence"], name="incident_sequence_per_year"
            ),
        ]
        indexes = [
            models.Index(
                fields=["partnership", "status", "notification_due"],
                name="incident_partnership_status",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("notifications:detail", args=[self.pk])

    #: The steps whose blank answers mean something only once the step is answered,
    #: by the step's required answer that says it was.
    ANSWERED_BY = {
        "harm_categories": "nature",
        "other_local_authority": "circumstances",
        "parallel_processes": "circumstances",
        "other_children_in_household": "circumstances",
    }

    @property
    def blank_means(self) -> dict[str, str]:
        """`BLANK_MEANS` for this case, where the page, the export and the trail word a
        blank answer alike: "Not recorded" for a step not answered yet (a draft's "This
        local authority" would be a default shown as an answer), and none at all for a
        case entered in error, whose answers were erased on purpose (a blank there says
        nothing about the child)."""
        if self.status == Status.ENTERED_IN_ERROR:
            return {}
        return {
            name: means if getattr(self, self.ANSWERED_BY[name]) else NOT_ANSWERED
            for name, means in self.BLANK_MEANS.items()
        }

    @property
    def needs_rapid_review(self) -> bool:
        return self.nature not in NO_RAPID_REVIEW

    @property
    def oldest_age(self) -> int:
        """A notification is about a child (under 18); only a care leaver's death is
        recorded up to and including age 24."""
        return 24 if self.nature == Nature.CARE_LEAVER_DEATH else 17

    def age_of(self, born: dt.date) -> int | None:
        """Whole years from `born` to the day ages are counted on (None if born after it)."""
        on = self.age_on
        return relativedelta(on, born).years if on and born <= on else None

    def too_old_message(self, years: int, who: str = "The child") -> str:
        what = "a care leaver" if self.oldest_age == 24 else "a child"
        return (
            f"{who} is {years} on {self.age_on:%-d %B %Y}: {what} in this notification "
            f"must be {self.oldest_age} or younger"
        )

    @property
    def age_on(self) -> dt.date:
        """The day a child's age is counted on: the incident's, or else the day the local
        authority became aware."""
        return self.incident_date or self.awareness_date

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def can_change(self) -> bool:
        """Its details can still be corrected: before the decision is recorded."""
        return self.status in UNDECIDED

    @property
    def notified_late(self) -> bool:
        return self.notified_on is not None and self.notified_on > self.notification_due

    def get_harm_categories_display(self) -> list[str]:
        return [HarmCategory(c).label for c in self.harm_categories if c in HarmCategory.values]

    def get_parallel_processes_display(self) -> list[str]:
        return [
            ParallelProcess(p).label for p in self.parallel_processes if p in ParallelProcess.values
        ]


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NOT_KNOWN = "not_known", _("Not known")


class Ethnicity(models.TextChoices):
    """ONS 2021 census ethnic groups (England and Wales), with not known and not given."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", _("Asian or Asian British: Bangladeshi")
    ASIAN_CHINESE = "asian_chinese", _("Asian or Asian British: Chinese")
    ASIAN_INDIAN = "asian_indian", _("Asian or Asian British: Indian")
    ASIAN_PAKISTANI = "asian_pakistani", _("Asian or Asian British: Pakistani")
    ASIAN_OTHER = "asian_other", _("Asian or Asian British: any other Asian background")
    BLACK_AFRICAN = "black_african", _("Black, Black British, Caribbean or African: African")
    BLACK_CARIBBEAN = "black_caribbean", _("Black, Black British, Caribbean or African: Caribbean")
    BLACK_OTHER = (
        "black_other",
        _(
            "Black, Black British, Caribbean or African: any other Black, Black British or "
            "Caribbean background"
        ),
    )
    MIXED_WHITE_ASIAN = "mixed_white_asian", _("Mixed or multiple ethnic groups: White and Asian")
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        _("Mixed or multiple ethnic groups: White and Black African"),
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        _("Mixed or multiple ethnic groups: White and Black Caribbean"),
    )
    MIXED_OTHER = (
        "mixed_other",
        _("Mixed or multiple ethnic groups: any other Mixed or multiple ethnic background"),
    )
    WHITE_BRITISH = "white_british", _("White: English, Welsh, Scottish, Northern Irish or British")
    WHITE_IRISH = "white_irish", _("White: Irish")
    WHITE_GYPSY = "white_gypsy", _("White: Gypsy or Irish Traveller")
    WHITE_ROMA = "white_roma", _("White: Roma")
    WHITE_OTHER = "white_other", _("White: any other White background")
    OTHER_ARAB = "other_arab", _("Other ethnic group: Arab")
    OTHER_ANY = "other_any", _("Other ethnic group: any other ethnic group")
    NOT_KNOWN = "not_known", _("Not known")


class ChildStatus(models.TextChoices):
    CHILD_IN_NEED = "cin", _("Child in need plan")
    CHILD_PROTECTION = "cp", _("Child protection plan")
    LOOKED_AFTER = "looked_after", _("Looked after")
    CARE_LEAVER = "care_leaver", _("Care leaver")
    NONE = "none", _("None")
    NOT_KNOWN = "not_known", _("Not known")


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


class Child(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveSmallIntegerField(default=1)
    pseudonym = models.CharField(max_length=40)
    name = models.CharField(max_length=150)
    other_names = models.CharField(max_length=200, blank=True)
    unborn = models.BooleanField(default=False)
    date_of_birth = models.DateField(null=True, blank=True)
    age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=Sex, blank=True)
    ethnicity = models.CharField(max_length=40, choices=Ethnicity, blank=True)
    disability = models.TextField(blank=True)
    health = models.TextField(blank=True)
    status_at_time = models.CharField(max_length=20, choices=ChildStatus, blank=True)
    placement_type = models.CharField(max_length=150, blank=True)
    known_to = models.ManyToManyField(Agency, blank=True, related_name="+")

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = _("children")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "pseudonym"], name="child_pseudonym_unique"
            ),
        ]

    def __str__(self):
        return self.pseudonym

    @property
    def age_in_years(self) -> int | None:
        """Whole years on the incident's day (from the date of birth, else the age given)."""
        if self.unborn:
            return None
        if self.date_of_birth:
            return self.incident.age_of(self.date_of_birth) or 0
        return self.age_years

    @property
    def age_description(self) -> str:
        if self.unborn:
            return "Unborn"
        if self.date_of_birth:
            ref = self.incident.age_on
            age = relativedelta(ref, self.date_of_birth)
            if age.years >= 1:
                return _plural(age.years, "year")
            if age.months >= 1:
                return _plural(age.months, "month")
            return _plural(max(age.days, 0), "day")
        if self.age_years is not None:
            return _plural(self.age_years, "year")
        return "Not known"


class StatusChange(StatusChangeBase):
    """An immutable row for every status move of an incident (saving an existing row or
    deleting one is refused, as for the other stages)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status)
    to_status = models.CharField(max_length=20, choices=Status)

    class Meta(StatusChangeBase.Meta):
        pass

    def __str__(self):
        return f"{self.incident}: {self.from_status} → {self.to_status}"

    def status_choices(self):
        return Status


def _attachment_path(instance, filename):  # pragma: no cover - names come from the service
    return filename


class Attachment(models.Model):
    """A document kept with an incident (for example a police or hospital summary)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(max_length=150)
    description = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class RetentionHoldQuerySet(models.QuerySet):
    def open(self):
        """Not stopped or replaced: at most one per case (the database says so)."""
        return self.filter(ended_at__isnull=True)

    def in_force(self, today: dt.date):
        """Open, and the date to look at the case again not yet come: the case is kept."""
        return self.open().filter(review_on__gt=today)


class RetentionHold(models.Model):
    """A partnership's decision to keep a case past its retention period (ADR 0014,
    addendum of 2026-12-07): why, and when to look at it again. While it is in force the
    case cannot be deleted; on the date to look again it is due for a decision again.
    Earlier decisions are kept (stopped or replaced: `ended_at`); only one is open."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="retention_holds")
    reason = models.TextField()
    review_on = models.DateField("Date to look at it again")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField("Stopped on", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Stopped by",
    )
    end_reason = models.TextField("Why it was stopped", blank=True)

    objects = RetentionHoldQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = "decision to keep the case"
        verbose_name_plural = "decisions to keep the case"
        constraints = [
            models.UniqueConstraint(
                fields=["incident"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_retention_hold_per_case",
                violation_error_message="The case already has a decision to keep it.",
            ),
        ]

    def __str__(self):
        return f"Kept until {self.review_on:%-d %B %Y}"
