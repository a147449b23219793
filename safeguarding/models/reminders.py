"""Reminder policies, sent reminders (exactly once) and calendar feed tokens."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .accounts import Partnership, User
from .deadlines import Deadline


def _default_days_before():
    return [3, 1]


#: The furthest ahead a reminder may go, in working days (about three months): the sweep
#: reads every open clock due within the largest of them.
MAX_DAYS_BEFORE = 60


def days_before_errors(value) -> str | None:
    """What is wrong with a policy's days, or None: a list of whole numbers of working
    days from 1 to MAX_DAYS_BEFORE (the sweep reads every policy each time it runs, so one
    it cannot read would stop every partnership's reminders)."""
    if not isinstance(value, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) for day in value
    ):
        return _("Enter working days as whole numbers separated by commas, like 3, 1")
    if any(not 1 <= day <= MAX_DAYS_BEFORE for day in value):
        return _("Enter working days from 1 to %(most)d") % {"most": MAX_DAYS_BEFORE}
    return None


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
    kind = models.CharField(_("type of deadline"), max_length=20, choices=Deadline.Kind)
    days_before = models.JSONField(
        default=_default_days_before,
        blank=True,
        help_text=_(
            "Working days before the due date, separated by commas, for example 3, 1. "
            "Leave empty for no reminder before the day."
        ),
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
                violation_error_message=_(
                    "This partnership already has a reminder policy for this kind of "
                    "deadline: change that one"
                ),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(partnership__isnull=True),
                name="reminder_policy_one_default_per_kind",
                violation_error_message=_(
                    "There is already a default reminder policy for this kind of deadline: "
                    "change that one"
                ),
            ),
        ]

    def __str__(self):
        where = self.partnership.code if self.partnership_id else _("default")
        return f"{self.get_kind_display()} ({where})"

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        error = days_before_errors(self.days_before)
        if error:
            raise ValidationError({"days_before": error})


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

    # The claim table is a log of what was sent, like the audit trail: its references
    # carry no foreign-key constraint in the database (ADR 0010). Checking one per claimed
    # row cost the first sweep of the day more than reading what is due. Clocks are deleted
    # only through the ORM (a case at the end of retention, ADR 0026's migration) and
    # deleting a user through Django deletes their reminders: the ORM does the cascade;
    # a reminder whose clock or person has gone is skipped, never sent.
    #
    # No index of its own: the unique key below starts with the deadline and serves
    # every look-up by deadline (issue 9: one index fewer to write per claim).
    deadline = models.ForeignKey(
        Deadline,
        on_delete=models.CASCADE,
        related_name="reminders",
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
    )
    # No full index either: a person's reminders are looked up only while held for a
    # digest, or as the digest itself, and both have partial indexes below. One index
    # write fewer per claim; deleting a user (rare, by an administrator) scans the table.
    recipient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_index=False,
        db_constraint=False,
    )
    rule = models.CharField(max_length=20)
    occurrence = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    # Indexed only where set (below): most rows are never part of a digest.
    digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        db_index=False,
        db_constraint=False,
    )
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
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
            # The log newest first (the admin's list, a page at a time).
            models.Index(fields=["-created_at", "-id"], name="reminder_newest_first"),
            models.Index(
                fields=["queued_at"], condition=Q(status="pending"), name="reminder_pending"
            ),
            models.Index(fields=["recipient"], condition=Q(status="held"), name="reminder_held"),
            models.Index(
                fields=["digest"], condition=Q(digest__isnull=False), name="reminder_in_digest"
            ),
        ]

    def __str__(self):
        return (
            f"{self.rule_words}, {self.occurrence_words}, to person {self.recipient_id} "
            f"({self.get_status_display()})"
        )

    #: The rules the reminder engine claims a reminder under, in words ("before_3", a
    #: number of working days before the due date, is said by `rule_in_words`).
    RULE_WORDS = {
        "due": _("On the day it is due"),
        "overdue": _("Overdue"),
        "escalation": _("Overdue: escalated to a partnership manager"),
        "digest": _("Daily summary"),
        "handover": _("Deadlines handed over to them"),
        "moved": _("Due date moved by a change to the calendar"),
        "closure_day": _("Due date set by hand falls on a new closure day"),
    }

    @classmethod
    def rule_in_words(cls, rule: str) -> str:
        """Which reminder a rule is, for the administration site's log: "before_3" is
        "3 working days before it is due". A rule with no words here is shown as it is."""
        days = rule.removeprefix("before_")
        if days != rule and days.isdigit():
            return ngettext(
                "%(days)d working day before it is due",
                "%(days)d working days before it is due",
                int(days),
            ) % {"days": int(days)}
        return str(cls.RULE_WORDS.get(rule, rule))

    @property
    def rule_words(self) -> str:
        return self.rule_in_words(self.rule)

    #: The rules whose occurrence is the clock's due date ("2026-12-14"); "overdue" and
    #: "escalation" add the number of the overdue reminder, from 0 ("2026-12-14#2").
    _DUE_DATE_RULES = ("due", "closure_day")
    _OVERDUE_RULES = ("overdue", "escalation")

    @property
    def occurrence_words(self) -> str:
        """What the reminder was about, for the administration site's log, from the
        engine's key (`occurrence`, part of the "exactly once" key) and the row's context:
        "Due 14 December 2026: overdue reminder 3", "Moved from 24 December 2026 to
        29 December 2026", "3 deadlines from Sam Officer". A key it cannot read is
        shown as it is."""
        from ..dates import full_date

        key, rule, context = self.occurrence, self.rule, self.context or {}

        def day(text) -> dt.date | None:
            try:
                return dt.date.fromisoformat(str(text))
            except ValueError:
                return None

        if rule in self._OVERDUE_RULES:
            due, _, repeat = key.partition("#")
            if day(due) and repeat.isdigit():
                return f"Due {full_date(day(due))}: overdue reminder {int(repeat) + 1}"
        elif rule in self._DUE_DATE_RULES or rule.startswith("before_"):
            if day(key):
                return f"Due {full_date(day(key))}"
        elif rule == "digest":
            if day(key):
                return f"Summary of {full_date(day(key))}"
        elif rule == "moved":
            old, new = day(context.get("old_due")), day(context.get("new_due"))
            if old and new:
                return f"Moved from {full_date(old)} to {full_date(new)}"
        elif rule == "handover":
            count, whom = context.get("count"), context.get("from")
            if isinstance(count, int) and whom:
                return ngettext(
                    "%(count)d deadline from %(whom)s", "%(count)d deadlines from %(whom)s", count
                ) % {"count": count, "whom": whom}
        return key

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


class ChaseReminderBase(models.Model):
    """One reminder an agency was sent about something it owes by a date (a return, an
    action): a stage adds the foreign key, its `Kind` choices and a unique constraint on
    (item, due_date, kind), so a run twice e-mails once (safeguarding/chasing.py)."""

    due_date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
