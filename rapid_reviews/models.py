"""Rapid reviews: the 15-working-day review, agency information requests and returns,
the panel meeting, the decision, partner sign-off and the National Panel's response.

Status moves only through the maps below, one service per move (rapid_reviews/services.py),
each writing an immutable `StatusChange` row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models import Incident
from safeguarding.models import (
    Agency,
    ChaseReminderBase,
    Partnership,
    StatusChangeBase,
    StatusChangeImmutableError,  # noqa: F401 - importable from here
    StatutoryPartner,
)
from safeguarding.permissions import CASE_ROLES


class Status(models.TextChoices):
    OPEN = "open", _("Gathering information")
    MEETING_HELD = "meeting_held", _("Panel meeting held")
    DECIDED = "decided", _("Decided, awaiting sign-off")
    SENT_TO_PANEL = "sent_to_panel", _("Sent to the National Panel")
    PANEL_RESPONDED = "panel_responded", _("National Panel replied")


#: The only moves a rapid review can make (one service each).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.MEETING_HELD}),
    Status.MEETING_HELD: frozenset({Status.DECIDED}),
    Status.DECIDED: frozenset({Status.MEETING_HELD, Status.SENT_TO_PANEL}),
    Status.SENT_TO_PANEL: frozenset({Status.PANEL_RESPONDED}),
    # Only when the Panel asked for more information: the review goes back to it.
    Status.PANEL_RESPONDED: frozenset({Status.SENT_TO_PANEL}),
}


class RequestStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("Not sent")
    SENT = "sent", _("Sent")
    RETURNED = "returned", _("Returned")
    MORE_INFORMATION = "more_information", _("More information requested")
    #: Still awaited when the rapid review went to the National Panel: the agency is told
    #: it can stop, and the request closes (its clock stops as "no longer needed").
    NOT_NEEDED = "not_needed", _("No longer needed")


#: The only moves an information request can make. "Overdue" is derived from the due date.
REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.NOT_SENT: frozenset({RequestStatus.SENT}),
    RequestStatus.SENT: frozenset({RequestStatus.RETURNED, RequestStatus.NOT_NEEDED}),
    RequestStatus.RETURNED: frozenset({RequestStatus.MORE_INFORMATION}),
    RequestStatus.MORE_INFORMATION: frozenset({RequestStatus.RETURNED, RequestStatus.NOT_NEEDED}),
    RequestStatus.NOT_NEEDED: frozenset(),
}
AWAITING_RETURN = (RequestStatus.SENT, RequestStatus.MORE_INFORMATION)


class Decision(models.TextChoices):
    LOCAL_REVIEW = "local_review", _("Hold a local child safeguarding practice review")
    NO_LOCAL_REVIEW = "no_local_review", _("No local review")
    NATIONAL_REVIEW = "national_review", _("Recommend a national review to the National Panel")


class Criterion(models.TextChoices):
    """The criteria for a local review (SI 2018/789, regulation 11)."""

    IMPROVEMENTS = (
        "improvements",
        _("The case highlights improvements needed to safeguard children"),
    )
    RECURRENT_THEMES = "recurrent_themes", _("It highlights recurrent themes in safeguarding")
    WORKING_TOGETHER = (
        "working_together",
        _("It highlights concerns about two or more agencies working together"),
    )
    PANEL_SUGGESTION = "panel_suggestion", _("The National Panel has suggested a local review")


#: The three statutory partners who sign off a decision: one list with the partnership's
#: leads (safeguarding.PartnerLead), so each sign-off starts with its partner's lead.
Partner = StatutoryPartner


class PanelResponse(models.TextChoices):
    AGREES = "agrees", _("Agrees with the decision")
    DISAGREES = "disagrees", _("Disagrees with the decision")
    MORE_INFORMATION = "more_information", _("Asks for more information")
    NATIONAL_REVIEW = "national_review", _("Takes a national review")


class Milestone(models.TextChoices):
    """A step of the local timetable. Its label names the state the step reaches, as the
    review's timetable lists it; `task` says it as something to do, wherever its clock
    asks for it (the dashboard, reminders, calendar feeds)."""

    REQUESTS = "requests", _("Information requests sent to agencies")
    RETURNS = "returns", _("Agency returns due")
    MEETING = "meeting", _("Rapid review panel meeting")
    SIGN_OFF = "sign_off", _("Signed off by the three partners")
    PANEL = "panel", _("Sent to the National Panel")

    @property
    def task(self) -> str:
        return str(MILESTONE_TASKS[self])


#: Each step as something to do (`Milestone.task`).
MILESTONE_TASKS = {
    Milestone.REQUESTS: _("Send the information requests to agencies"),
    Milestone.RETURNS: _("Get the agency returns in"),
    Milestone.MEETING: _("Hold the rapid review panel meeting"),
    Milestone.SIGN_OFF: _("Get sign-off from the three partners"),
    Milestone.PANEL: _("Send the rapid review to the National Panel"),
}


#: The statutory clock: a rapid review is due 15 working days after the notification.
WORKING_DAYS_TO_COMPLETE = 15

#: The timetable's field for each step, in the steps' order.
FIELDS_BY_STEP = ("requests_day", "returns_day", "meeting_day", "sign_off_day", "panel_day")


class Timetable(models.Model):
    """A partnership's local timetable: working days after the notification for each step."""

    DEFAULTS_BY_KEY = {"requests": 1, "returns": 7, "meeting": 10, "sign_off": 14, "panel": 15}

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="rapid_review_timetable"
    )
    requests_day = models.PositiveSmallIntegerField(_("information requests out by day"), default=1)
    returns_day = models.PositiveSmallIntegerField(_("agency returns due by day"), default=7)
    meeting_day = models.PositiveSmallIntegerField(_("panel meeting by day"), default=10)
    sign_off_day = models.PositiveSmallIntegerField(_("partner sign-off by day"), default=14)
    panel_day = models.PositiveSmallIntegerField(
        _("sent to the National Panel by day"),
        default=WORKING_DAYS_TO_COMPLETE,
        help_text=_(
            "Day 15 is the statutory clock itself, so no second clock is kept for it. An "
            "earlier day is a local target with its own clock and reminders."
        ),
    )

    class Meta:
        verbose_name = _("rapid review timetable")

    def __str__(self):
        return f"Rapid review timetable: {self.partnership}"

    def clean(self):
        """Each step from day 1, no later than the statutory 15 working days (or the
        timetable's steps and reminders would contradict the statutory clock), and on or
        after every step before it. Every step out of place is said at once, at that step
        (ADR 0021): a sign-off after day 15 is the sign-off's mistake, not the sending's."""
        from django.core.exceptions import ValidationError

        errors = {}
        latest = None  # the day of the last step before that is itself in place
        for field, day in zip(FIELDS_BY_STEP, self.days().values(), strict=True):
            if day is None:
                continue  # the form has said so already
            if day < 1:
                errors[field] = "Enter a day of 1 or more"
            elif day > WORKING_DAYS_TO_COMPLETE:
                errors[field] = (
                    "Enter day 15 or earlier: the rapid review is due within 15 working days"
                )
            elif latest is not None and day < latest:
                errors[field] = f"Enter day {latest} or later: an earlier step is on day {latest}"
            else:
                latest = day
        if errors:
            raise ValidationError(errors)

    def days(self) -> dict[str, int]:
        return {
            Milestone.REQUESTS: self.requests_day,
            Milestone.RETURNS: self.returns_day,
            Milestone.MEETING: self.meeting_day,
            Milestone.SIGN_OFF: self.sign_off_day,
            Milestone.PANEL: self.panel_day,
        }

    def clocked_days(self) -> dict[str, int]:
        """The steps that need a clock of their own: every step but the one sending the
        review to the National Panel on its statutory day, which the statutory clock
        already is (a second clock on the same day would be counted and reminded twice)."""
        days = self.days()
        if days[Milestone.PANEL] == WORKING_DAYS_TO_COMPLETE:
            del days[Milestone.PANEL]
        return days


class RapidReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        from safeguarding.permissions import scope

        return scope(self, user, path="incident__partnership", roles=CASE_ROLES)

    def open(self):
        return self.exclude(status__in=[Status.SENT_TO_PANEL, Status.PANEL_RESPONDED])


class RapidReview(models.Model):
    #: The labels of the codes kept in the JSON list, for the audit trail's pages.
    AUDIT_VALUE_CHOICES = {"criteria": Criterion.choices}

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="rapid_review")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)

    # The panel meeting and its findings.
    meeting_date = models.DateField(null=True, blank=True)
    attendees = models.TextField(blank=True)
    key_practice_episodes = models.TextField(blank=True)
    learning_local = models.TextField(blank=True)
    learning_national = models.TextField(blank=True)
    immediate_actions = models.TextField(blank=True)
    equality_and_diversity = models.TextField(
        blank=True,
        help_text=_(
            "How race, ethnicity, culture, inequality and disability shaped the "
            "family’s experience and the practice they received."
        ),
    )

    # The decision.
    decision = models.CharField(max_length=20, choices=Decision, blank=True)
    criteria = models.JSONField(default=list, blank=True)
    decision_rationale = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)

    # The National Panel.
    sent_to_panel_on = models.DateField(null=True, blank=True)
    panel_response = models.CharField(max_length=20, choices=PanelResponse, blank=True)
    panel_response_on = models.DateField(null=True, blank=True)
    panel_response_note = models.TextField(blank=True)
    #: When the Panel asks for more information: the date it wants it by (a clock runs
    #: until the review is sent again).
    panel_more_information_by = models.DateField(null=True, blank=True)
    #: Why the recorded reply was last corrected (kept here, not in the audit trail).
    panel_response_correction = models.TextField(blank=True)
    # Why it reached the National Panel after its 15 working days, if it did.
    late_reason = models.TextField(blank=True)
    # After the Panel disagreed with a decision not to hold a local review: the partners'
    # later decision to hold one (the decision sent to the Panel stays as it was).
    local_review_decided_on = models.DateField(null=True, blank=True)
    local_review_rationale = models.TextField(blank=True)

    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = RapidReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return f"Rapid review {self.incident.reference}"

    def get_absolute_url(self):
        return reverse("rapid_reviews:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return self.incident.reference

    @property
    def partnership(self) -> Partnership:
        return self.incident.partnership

    def get_criteria_display(self) -> list[str]:
        return [Criterion(c).label for c in self.criteria if c in Criterion.values]


class InformationRequest(models.Model):
    rapid_review = models.ForeignKey(RapidReview, on_delete=models.CASCADE, related_name="requests")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="information_requests"
    )
    contact = models.CharField(_("contact at the agency"), max_length=200, blank=True)
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=RequestStatus, default=RequestStatus.NOT_SENT)
    sent_on = models.DateField(null=True, blank=True)
    returned_on = models.DateField(null=True, blank=True)
    more_information_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Moves on with every change and status move: a form opened before a colleague's
    # change cannot overwrite it (optimistic locking, as on the review itself).
    version = models.PositiveIntegerField(default=1)
    # An officer moved the due date of the awaited return and the agency has not been
    # e-mailed the new one yet: the date the agency knows (`due_date_was`) and when the
    # date last moved. Both are cleared when the e-mail goes (rapid_reviews/mail.py), so
    # it goes once, with the date as it is then, however often it moved meanwhile.
    due_date_was = models.DateField(null=True, blank=True)
    due_date_moved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rapid_review", "agency"], name="one_request_per_agency"
            ),
        ]
        indexes = [
            # Beat's re-queue looks only for the few moves not yet e-mailed.
            models.Index(
                fields=["due_date_moved_at"],
                condition=models.Q(due_date_moved_at__isnull=False),
                name="request_move_untold",
            ),
        ]

    def __str__(self):
        return f"Information request to {self.agency.name}"

    def get_absolute_url(self):
        return reverse("rapid_reviews:request", args=[self.rapid_review_id, self.pk])

    @property
    def is_awaiting_return(self) -> bool:
        return self.status in AWAITING_RETURN

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_awaiting_return and self.due_date < (today or timezone.localdate())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def returned_late(self) -> bool:
        return self.returned_on is not None and self.returned_on > self.due_date

    @property
    def status_label(self) -> str:
        """What the pages show: "Overdue" is derived, never stored."""
        return str(_("Overdue")) if self.overdue else self.get_status_display()

    @property
    def status_colour(self) -> str:
        if self.overdue:
            return "red"
        return {
            RequestStatus.NOT_SENT: "grey",
            RequestStatus.SENT: "blue",
            RequestStatus.RETURNED: "green",
            RequestStatus.MORE_INFORMATION: "orange",
            RequestStatus.NOT_NEEDED: "grey",
        }[self.status]


class AgencyReturn(models.Model):
    """An agency's summary of its involvement ("individual agency summary").

    The agency edits this one record: a draft before it first submits, and again after
    the officer sends it back. What the partnership sees is `submitted_copy`, the answers
    and chronology as last submitted (`as_submitted()`), so an agency's unsubmitted
    changes never reach the officer's pages or the report."""

    #: The answers an agency writes (the chronology rows aside).
    ANSWER_FIELDS = (
        "involved",
        "involvement_summary",
        "analysis",
        "immediate_actions",
        "learning",
        "criteria_view",
        "criteria_comment",
    )
    ROW_FIELDS = ("position", "date", "contact_type", "what_happened", "practitioner_role")

    information_request = models.OneToOneField(
        InformationRequest, on_delete=models.CASCADE, related_name="agency_return"
    )
    involved = models.BooleanField(null=True)
    involvement_summary = models.TextField(blank=True)
    analysis = models.TextField(blank=True)
    immediate_actions = models.TextField(blank=True)
    learning = models.TextField(blank=True)
    criteria_view = models.JSONField(default=list, blank=True)
    criteria_comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    submitted_copy = models.JSONField(null=True, blank=True, editable=False)

    def __str__(self):
        return f"Return from {self.information_request.agency.name}"

    def take_submitted_copy(self) -> None:
        """Keep the answers and chronology as they are now, as the submitted return
        (the caller has set `submitted_at` and `submitted_by`, and saves)."""
        self.submitted_copy = {
            "submitted_at": self.submitted_at.isoformat(),
            "submitted_by": self.submitted_by_id,
            "answers": {name: getattr(self, name) for name in self.ANSWER_FIELDS},
            "chronology": [
                {**row, "date": row["date"].isoformat()}
                for row in self.chronology.order_by("position", "id").values(*self.ROW_FIELDS)
            ],
        }

    def as_submitted(self) -> AgencyReturn | None:
        """The return as the agency last submitted it, unsaved, with its chronology by
        date in `submitted_chronology`; None if it was never submitted."""
        copy = self.submitted_copy
        if not copy:
            return None
        shown = AgencyReturn(
            pk=self.pk,
            information_request_id=self.information_request_id,
            submitted_at=dt.datetime.fromisoformat(copy["submitted_at"]),
            submitted_by_id=copy["submitted_by"],
            version=self.version,
            **copy["answers"],
        )
        if AgencyReturn.information_request.is_cached(self):
            AgencyReturn.information_request.field.set_cached_value(shown, self.information_request)
        rows = [
            ChronologyEntry(
                agency_return=shown, **{**row, "date": dt.date.fromisoformat(row["date"])}
            )
            for row in copy["chronology"]
        ]
        shown.submitted_chronology = sorted(rows, key=lambda e: (e.date, e.position))
        return shown

    def get_criteria_view_display(self) -> list[str]:
        return [Criterion(c).label for c in self.criteria_view if c in Criterion.values]


class ChronologyEntry(models.Model):
    agency_return = models.ForeignKey(
        AgencyReturn, on_delete=models.CASCADE, related_name="chronology"
    )
    position = models.PositiveSmallIntegerField(default=0)
    date = models.DateField()
    contact_type = models.CharField(_("type of contact"), max_length=150, blank=True)
    what_happened = models.TextField()
    practitioner_role = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["date", "position", "id"]
        verbose_name_plural = _("chronology entries")

    def __str__(self):
        return f"{self.date}: {self.contact_type}"


class SignOff(models.Model):
    rapid_review = models.ForeignKey(
        RapidReview, on_delete=models.CASCADE, related_name="sign_offs"
    )
    partner = models.CharField(max_length=20, choices=Partner)
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150, blank=True)
    signed_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner"]
        constraints = [
            models.UniqueConstraint(
                fields=["rapid_review", "partner"], name="one_sign_off_per_partner"
            ),
        ]

    def __str__(self):
        return f"{self.get_partner_display()}: {self.name}"


class StatusChange(StatusChangeBase):
    """An immutable row for every status move of a review or one of its requests."""

    rapid_review = models.ForeignKey(
        RapidReview, on_delete=models.CASCADE, related_name="status_changes"
    )
    information_request = models.ForeignKey(
        InformationRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="status_changes",
    )

    def __str__(self):
        return f"{self.rapid_review_id}: {self.from_status} → {self.to_status}"

    def status_choices(self):
        return RequestStatus if self.information_request_id else Status


class RequestEmail(models.Model):
    """One row per request e-mail actually sent, so a task that runs twice sends once."""

    status_change = models.OneToOneField(
        StatusChange, on_delete=models.CASCADE, related_name="email"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"Email for {self.status_change}"


class ReturnReminder(ChaseReminderBase):
    """One reminder to an agency's contributors about an awaited return: the working day
    before it is due, and the first working day it is overdue; and the notice that an
    officer moved its due date (`due_date` is the new one). Unique per request, due date
    and kind, so a run that happens twice (or two at once) e-mails once; a new due date
    is a new pair of reminders."""

    class Kind(models.TextChoices):
        DUE_NEXT = "due_next", _("Due on the next working day")
        OVERDUE = "overdue", _("Overdue")
        MOVED = "moved", _("Due date changed")

    information_request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=10, choices=Kind)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["information_request", "due_date", "kind"], name="return_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.information_request}"
