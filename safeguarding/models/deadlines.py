"""Clocks: one row per statutory or local deadline, and the history of its moves."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .accounts import Partnership, User


class DeadlineQuerySet(models.QuerySet):
    """Read vocabulary for clocks: `.open()`, `.overdue(on=…)`, `.due_within(…)`."""

    def open(self):
        return self.filter(closed_on__isnull=True)

    def closed(self):
        return self.filter(closed_on__isnull=False)

    def still_to_run(self):
        """Open clocks, and those paused by a hold: they run again when it ends (with the
        owner they have then), so they belong with the open ones when clocks change hands."""
        return self.filter(Q(closed_on__isnull=True) | Q(outcome=Deadline.Outcome.PAUSED))

    def overdue(self, *, on):
        return self.open().filter(due_date__lt=on)

    def due_between(self, start, end):
        return self.open().filter(due_date__gte=start, due_date__lte=end)

    def due_within(self, *, working_days: int, on, partnership=None):
        from safeguarding.calendar import add_working_days

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
        #: Notice to give: the latest day that leaves `amount` working days before the
        #: trigger date (the target publication date for the final report's notice).
        WORKING_DAYS_BEFORE = "days_before", _("working days before")

    class Outcome(models.TextChoices):
        MET = "met", _("Met")
        CANCELLED = "cancelled", _("No longer needed")
        #: Stopped while the local review is on hold; reopened (and moved) when it resumes.
        PAUSED = "paused", _("Paused while on hold")

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
            # Timeliness reports read closed clocks by partnership, kind and due date.
            models.Index(fields=["partnership", "kind", "due_date"], name="deadline_timeliness"),
        ]

    def __str__(self):
        """Named as something to do (`task`): the audit trail's name of a moved clock."""
        return f"{self.task} – due {self.due_date:%-d %B %Y}"

    @property
    def task(self) -> str:
        """The clock as something to do (`task_title`)."""
        return task_title(self.kind, self.key, self.title)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def met_in_time(self) -> bool | None:
        if self.closed_on is None or self.outcome != self.Outcome.MET:
            return None
        return self.closed_on <= self.due_date

    def met_text(self, closures=None) -> str | None:
        """A clock met, in words: on time, or late by how many working days, as the
        reports and reminders say (met on time when closed on or before its due date).
        None for a clock not met. The one wording of a met clock: a timetable's "Actual"
        column says it beside the date, where a tag's colour alone would not (WCAG 1.4.1),
        and the subject access export writes it. `closures` are the partnership's
        closure days when the caller has them (`calendar.closure_days`), else one query
        for a clock met late."""
        on_time = self.met_in_time()
        if on_time is None:
            return None
        if on_time:
            return str(_("Met on time"))
        from safeguarding import calendar

        late = -calendar.working_days_left(
            self.closed_on,
            self.due_date,
            partnership=self.partnership_id if closures is None else closures,
        )
        days = ngettext("%(n)d working day", "%(n)d working days", late) % {"n": late}
        return str(_("Met, %(days)s late")) % {"days": days}


def task_title(kind: str, key: str, title: str) -> str:
    """A clock's title as something to do, wherever the clock asks for it (the dashboard,
    reminders, calendar feeds, "Why this date?").

    The clock of a step of a review's timetable is titled by the state the step reaches
    ("Signed off by the three partners: BSCP-2026-008"), as the timetable lists it; here
    the step's `task` takes its place ("Get sign-off from the three partners: …"). The
    titles of the other clocks say what to do already ("Notify the National Panel: …")."""
    if kind == Deadline.Kind.RAPID_REVIEW_MILESTONE:
        from rapid_reviews.models import Milestone
    elif kind == Deadline.Kind.LCSPR_MILESTONE:
        from lcspr.models import Milestone
    else:
        return title
    if key not in Milestone.values:  # the local review's "look again at the hold"
        return title
    case = title.partition(": ")[2]
    return f"{Milestone(key).task}: {case}" if case else Milestone(key).task


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
