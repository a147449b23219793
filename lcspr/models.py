"""Local child safeguarding practice reviews (LCSPR): the review and its clocks, partners'
checks, recommendations and actions, learning themes, the learning briefing, and the
published (anonymised) material the public "Learning from reviews" pages read.

Status moves only through `TRANSITIONS`, one service per move (lcspr/services), each
writing an immutable `StatusChange` row. Milestones are `Deadline` rows (kind
LCSPR_MILESTONE, key = the milestone): the planned date is the due date, the actual date
the day the clock was closed as met, and every move of a planned date is a
`DeadlineChange` with its reason.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapid_reviews.models import RapidReview
from safeguarding.models import (
    Agency,
    ChaseReminderBase,
    Partnership,
    StatusChangeBase,
    StatusChangeImmutableError,  # noqa: F401 - importable from here
)
from safeguarding.permissions import CASE_ROLES

#: The statutory expectation: published within 6 calendar months of the decision.
MONTHS_TO_PUBLISH = 6
#: The final report goes to the National Panel and DfE at least 7 working days before.
NOTICE_WORKING_DAYS = 7


class Status(models.TextChoices):
    OPEN = "open", _("Setting up")
    IN_PROGRESS = "in_progress", _("Review under way")
    ON_HOLD = "on_hold", _("On hold")
    FINAL_APPROVED = "final_approved", _("Final report approved")
    NOTICE_SENT = "notice_sent", _("Sent to the Panel and DfE")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed without publication")


#: The statuses after which nothing more happens to a review.
FINISHED = frozenset({Status.PUBLISHED, Status.CLOSED})

#: The only moves a local review can make (one service each). A review on hold goes back
#: only to the status it was put on hold from (`Review.status_before_hold`).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.IN_PROGRESS, Status.ON_HOLD, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.FINAL_APPROVED, Status.ON_HOLD, Status.CLOSED}),
    Status.ON_HOLD: frozenset(
        {Status.OPEN, Status.IN_PROGRESS, Status.FINAL_APPROVED, Status.NOTICE_SENT, Status.CLOSED}
    ),
    Status.FINAL_APPROVED: frozenset({Status.NOTICE_SENT, Status.ON_HOLD, Status.CLOSED}),
    Status.NOTICE_SENT: frozenset({Status.PUBLISHED, Status.ON_HOLD, Status.CLOSED}),
    Status.PUBLISHED: frozenset(),
    # For example when the National Panel takes a national review of the case instead.
    # Left only by a manager reopening a review closed in error (`review_reopen`), back
    # to the status it was closed from.
    Status.CLOSED: frozenset(
        {Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD, Status.FINAL_APPROVED, Status.NOTICE_SENT}
    ),
}


class HoldReason(models.TextChoices):
    CRIMINAL_PROCEEDINGS = "criminal_proceedings", _("Criminal proceedings")
    INQUEST = "inquest", _("Inquest")
    FAMILY = "family", _("Family circumstances")
    OTHER = "other", _("Another reason")


def cut_at_a_word(text: str, most: int) -> str:
    """`text` in at most `most` characters, cut between words with "…" where it was cut
    (a record's name: "update guidance…", not "update guidance a")."""
    text = " ".join(str(text).split())
    if len(text) <= most:
        return text
    kept = text[:most].rsplit(" ", 1)[0] if " " in text[:most] else text[: most - 1]
    return kept.rstrip(" ,;:–-") + "…"


class Milestone(models.TextChoices):
    """A step of the review's plan: the label as its plan lists it, `task` as something to
    do (the dashboard, reminders, calendar feeds)."""

    TERMS_AGREED = "terms_agreed", _("Terms of reference agreed")
    AGENCY_REPORTS = "agency_reports", _("Agency reports in")
    LEARNING_EVENT = "learning_event", _("Practitioner learning event")
    FAMILY = "family", _("Family engagement")
    DRAFT_REPORT = "draft_report", _("Draft report")
    FINAL_APPROVED = "final_approved", _("Final report approved")

    @property
    def task(self) -> str:
        return str(MILESTONE_TASKS[self])


#: Each step as something to do (`Milestone.task`).
MILESTONE_TASKS = {
    Milestone.TERMS_AGREED: _("Agree the terms of reference"),
    Milestone.AGENCY_REPORTS: _("Get the agency reports in"),
    Milestone.LEARNING_EVENT: _("Hold the practitioner learning event"),
    Milestone.FAMILY: _("Involve the family"),
    Milestone.DRAFT_REPORT: _("Complete the draft report"),
    Milestone.FINAL_APPROVED: _("Approve the final report"),
}


#: Default planned dates: calendar months after the decision (editable with a reason).
MILESTONE_MONTHS = {
    Milestone.TERMS_AGREED: 1,
    Milestone.AGENCY_REPORTS: 2,
    Milestone.LEARNING_EVENT: 3,
    Milestone.FAMILY: 3,
    Milestone.DRAFT_REPORT: 4,
    Milestone.FINAL_APPROVED: 5,
}
HOLD_REVIEW_KEY = "hold_review"


class PublicationKind(models.TextChoices):
    FULL_REPORT = "full_report", _("The full report")
    IMPROVEMENTS = "improvements", _("The improvements to be made (not the report)")


class AnonymisationCheck(models.TextChoices):
    PSEUDONYMS = "pseudonyms", _("Children and family members are called only by pseudonyms")
    NO_REFERENCES = "no_references", _("No case references, addresses, schools or dates of birth")
    PRACTITIONERS = "practitioners", _("Practitioners are named only by role")
    FAMILY_SEEN = "family_seen", _("The family has been told what will be published, and when")
    JIGSAW = "jigsaw", _("Details that together could identify the family have been removed")


class LearningTheme(models.Model):
    """A learning theme of the taxonomy (edited in the administration site)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(
        _("web address name"),
        max_length=100,
        unique=True,
        help_text=_(
            "How the theme is named in the learning library’s web addresses: lower-case "
            "letters, numbers and hyphens, filled in from the name. Changing it breaks links "
            "to the library already shared."
        ),
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        _("offered"),
        default=True,
        help_text=_(
            "Untick to stop offering the theme: it is no longer chosen for reviews nor "
            "listed in the learning library’s filter. Reviews that have it keep it."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The business unit sees its partnerships' reviews; an independent reviewer only
        the reviews they are assigned to, in a partnership where they hold that role."""
        from safeguarding import permissions
        from safeguarding.models import Role

        case_ids = permissions.partnership_ids(user, CASE_ROLES)
        reviewer_ids = permissions.partnership_ids(user, {Role.INDEPENDENT_REVIEWER})
        where = models.Q(pk__in=[])
        if case_ids:
            where |= models.Q(rapid_review__incident__partnership__in=case_ids)
        if reviewer_ids:
            where |= models.Q(reviewers=user, rapid_review__incident__partnership__in=reviewer_ids)
        if not (case_ids or reviewer_ids):
            return self.none()
        return self.filter(where).distinct()

    def open(self):
        return self.exclude(status__in=FINISHED)


def _private_path(instance, filename):  # pragma: no cover - names come from the services
    return filename


class Review(models.Model):
    #: The labels of the codes kept in the JSON list, for the audit trail's pages.
    AUDIT_VALUE_CHOICES = {"anonymisation_checks": AnonymisationCheck.choices}

    rapid_review = models.OneToOneField(
        RapidReview, on_delete=models.PROTECT, related_name="local_review"
    )
    decision_date = models.DateField()
    target_publication = models.DateField()
    status = models.CharField(max_length=20, choices=Status, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_local_reviews",
        through="ReviewerAssignment",
    )

    terms_of_reference = models.TextField(blank=True)
    terms_document = models.FileField(upload_to=_private_path, max_length=200, blank=True)
    terms_document_name = models.CharField(max_length=150, blank=True)
    terms_document_type = models.CharField(max_length=100, blank=True)
    terms_agreed_on = models.DateField(null=True, blank=True)

    # On hold: why, until when to look again, since when, and what it was before.
    hold_reason = models.CharField(max_length=30, choices=HoldReason, blank=True)
    hold_note = models.TextField(blank=True)
    hold_review_on = models.DateField(null=True, blank=True)
    held_since = models.DateField(null=True, blank=True)
    status_before_hold = models.CharField(max_length=20, choices=Status, blank=True)
    days_on_hold = models.PositiveIntegerField(default=0)
    resumed_on = models.DateField(null=True, blank=True)

    # Closed without publication: when, and why.
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    # What closing stopped, so a manager can reopen a review closed in error exactly as it
    # was (`review_reopen`, ADR 0019): the status it left, a hold's details, and the ids
    # of the clocks it stopped ("running" ones, and "paused" ones of a hold). Worked out by
    # migration 0018 for reviews closed before; empty where their history does not say,
    # and once reopened.
    closed_from = models.JSONField(default=dict, blank=True)

    final_approved_on = models.DateField(null=True, blank=True)
    notice_sent_on = models.DateField(_("sent to the Panel and DfE on"), null=True, blank=True)
    planned_publication = models.DateField(null=True, blank=True)

    # Publication.
    publication_kind = models.CharField(max_length=20, choices=PublicationKind, blank=True)
    improvements_reason = models.TextField(blank=True)
    improvements = models.TextField(blank=True)
    report_file = models.FileField(upload_to=_private_path, max_length=200, blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)
    anonymisation_checks = models.JSONField(default=list, blank=True)
    embargo_until = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    # Why it was published after the statutory date (6 months after the decision), if so.
    late_reason = models.TextField(blank=True)
    nspcc_sent_on = models.DateField(null=True, blank=True)
    public_title = models.CharField(max_length=200, blank=True)
    public_summary = models.TextField(blank=True)

    themes = models.ManyToManyField(LearningTheme, blank=True, related_name="reviews")

    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["target_publication", "id"]
        verbose_name = _("local review")

    def __str__(self):
        return f"Local review {self.reference}"

    def get_absolute_url(self):
        return reverse("lcspr:detail", args=[self.pk])

    @property
    def under_embargo(self) -> bool:
        """Published, but not on the public pages yet: its embargo ends after today (the
        public pages show it from the day the embargo ends: `PublishedReviewQuerySet.live`)."""
        return (
            self.status == Status.PUBLISHED
            and self.embargo_until is not None
            and self.embargo_until > timezone.localdate()
        )

    @property
    def expected_publication(self) -> dt.date:
        """The statutory target plus every day the review has been on hold: the date its
        own plan and the notice to the Panel and DfE aim at (the target itself stands)."""
        return self.target_publication + dt.timedelta(days=self.days_on_hold)

    @property
    def reference(self) -> str:
        return self.rapid_review.incident.reference

    @property
    def partnership(self) -> Partnership:
        return self.rapid_review.incident.partnership

    def get_anonymisation_checks_display(self) -> list[str]:
        return [AnonymisationCheck(c).label for c in self.anonymisation_checks]


class StatusChange(StatusChangeBase):
    """An immutable row for every status move of a local review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="status_changes")

    def __str__(self):
        return f"{self.review_id}: {self.from_status} → {self.to_status}"

    def status_choices(self):
        return Status


class ReviewerNotice(models.Model):
    """One row per e-mail sent to a review's independent reviewers about a move they must
    know of (on hold, resumed, closed), so a task that runs twice sends once."""

    status_change = models.OneToOneField(
        StatusChange, on_delete=models.CASCADE, related_name="reviewer_notice"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"Reviewers told of {self.status_change}"


class ReviewerAssignment(models.Model):
    """A reviewer assigned to a review: the rows of `Review.reviewers` (the table it
    always had), with when they were assigned and when they were e-mailed that they are
    (lcspr/mail.py), so a task that runs twice sends once. A reviewer taken off loses
    the row; assigned again, they have a new one and are told again. Rows from before the
    e-mail existed have neither time: they are never sent late."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="reviewer_assignments"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now, null=True, blank=True)
    told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "lcspr_review_reviewers"
        unique_together = [("review", "user")]

    def __str__(self):
        return f"Reviewer {self.user_id} of review {self.review_id}"


class PartnerCheck(models.Model):
    """A partners' time-and-quality check (reg 14), including written requests to the
    reviewer for information or a draft."""

    class Kind(models.TextChoices):
        TIME = "time", _("Check on time")
        QUALITY = "quality", _("Check on quality")
        WRITTEN_REQUEST = "written_request", _("Written request to the reviewer")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=Kind)
    checked_on = models.DateField()
    note = models.TextField()
    respond_by = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # A written request is e-mailed to the review's reviewers once (lcspr/mail.py).
    reviewers_told_at = models.DateTimeField(null=True, blank=True)
    # The reviewer's reply to a written request (reg 14): its words and, if asked for a
    # draft, the document; the business unit is e-mailed once when it comes.
    reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reply_document = models.FileField(upload_to=_private_path, max_length=200, blank=True)
    reply_document_name = models.CharField(max_length=150, blank=True)
    reply_document_type = models.CharField(max_length=100, blank=True)
    unit_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["checked_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.checked_on}"


class Recommendation(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    partners_response = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "number"], name="lcspr_recommendation_number_once"
            )
        ]

    def __str__(self):
        return f"Recommendation {self.number}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete, awaiting sign-off")
    SIGNED_OFF = "signed_off", _("Completed and signed off")


class Action(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.TextField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    lead = models.CharField(max_length=150)
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus, default=ActionStatus.NOT_STARTED)
    evidence_of_impact = models.TextField(blank=True)
    # The day it was marked complete: "completed by its due date" is measured by it once
    # a manager signs it off (the sign-off may come later).
    completed_on = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # When it was added, and when its agency was e-mailed about it (lcspr/mail.py). Both
    # are empty for actions added before the e-mail existed: they are never sent late.
    created_at = models.DateTimeField(default=timezone.now, null=True, blank=True)
    agency_told_at = models.DateTimeField(null=True, blank=True)
    # When it was given to its agency: when it was added, or given to another agency
    # since (its e-mail is queued again for a while from then). Empty, as `created_at`
    # is, for actions added before the e-mail existed.
    assigned_at = models.DateTimeField(default=timezone.now, null=True, blank=True)
    # The business unit moved the due date and the agency has not been e-mailed the new
    # one yet: the date the agency knows (`due_date_was`) and when the date last moved.
    # Both are cleared when the e-mail goes (lcspr/mail.py), so it goes once, with the
    # date as it is then, however often it moved meanwhile.
    due_date_was = models.DateField(null=True, blank=True)
    due_date_moved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            # Beat's re-queue looks only for the few moves not yet e-mailed.
            models.Index(
                fields=["due_date_moved_at"],
                condition=models.Q(due_date_moved_at__isnull=False),
                name="action_move_untold",
            ),
        ]

    def __str__(self):
        return cut_at_a_word(self.description, 60)

    @property
    def audit_name(self) -> str:
        """How the audit trail names it: as its page does, by its review, recommendation
        and agency ("BSCP-2025-002 recommendation 2, action for Police"), never by id.
        Needs its recommendation, review and agency (select_related)."""
        rec = self.recommendation
        return f"{rec.review.reference} recommendation {rec.number}, action for {self.agency.name}"

    @classmethod
    def audit_names(cls, pks) -> dict[int, str]:
        """The trail's names of these actions (those that still exist), read in one query
        for a page of the trail."""
        return {
            action.pk: action.audit_name
            # The review's reference is its incident's: read with it, not once an action.
            for action in cls.objects.filter(pk__in=list(pks)).select_related(
                "recommendation__review__rapid_review__incident", "agency"
            )
        }

    @staticmethod
    def audit_name_removed(stored: str, pk: int) -> str:
        """The name of an action since removed, from what the trail stored: it once stored
        "BSCP-2025-002 action 13" (a database id), which reads "BSCP-2025-002, an action
        since removed"; a name stored since is kept as it is."""
        return re.sub(rf" action {pk}$", ", an action since removed", stored)

    @property
    def partnership(self) -> Partnership:
        return self.recommendation.review.partnership

    @property
    def completed_late(self) -> bool:
        """Marked complete after its due date (the day it was marked is what counts, as
        in the timeliness report; one marked before that day was kept is not late)."""
        return self.completed_on is not None and self.completed_on > self.due_date

    def rag(self, today: dt.date | None = None) -> tuple[str, str]:
        """(label, colour) from the due date and progress: colour is never the only signal.
        The one place the rating is decided: the pages, the PDF and the CSV all show it.
        An action completed after its due date is amber, "completed late", until signed
        off (then grey, still "completed late"): not red, as nothing is left to chase, and
        not green, as the date was missed (ADR 0027 addendum, action RAG)."""
        today = today or timezone.localdate()
        if self.status == ActionStatus.SIGNED_OFF:
            if self.completed_late:
                return str(_("Complete: completed late")), "grey"
            return str(_("Complete")), "grey"
        if self.status == ActionStatus.COMPLETE:
            if self.completed_late:
                return str(_("Amber: completed late, awaiting sign-off")), "yellow"
            return str(_("Green: awaiting sign-off")), "green"
        if self.due_date < today:
            return str(_("Red: overdue")), "red"
        days_left = (self.due_date - today).days
        if days_left <= 14 or (self.status == ActionStatus.NOT_STARTED and days_left <= 42):
            return str(_("Amber: at risk")), "yellow"
        return str(_("Green: on track")), "green"


class ActionReminder(ChaseReminderBase):
    """One reminder to the owning agency about an action not yet complete: a week (5
    working days) before it is due, and the first working day it is overdue. Unique per
    action, due date and kind, so a run twice e-mails once; a new due date is a new pair
    of reminders (lcspr/chasing.py)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due in 5 working days")
        OVERDUE = "overdue", _("Overdue")

    action = models.ForeignKey("Action", on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "due_date", "kind"], name="action_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: action {self.action_id}"


class ProgressNote(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    written_on = models.DateField(default=timezone.localdate)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["written_on", "id"]

    def __str__(self):
        return f"{self.written_on}: {cut_at_a_word(self.text, 40)}"


class LearningBriefing(models.Model):
    """The one-page learning briefing note and its presentation, made from these fields."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="briefing")
    title = models.CharField(max_length=150)
    background = models.TextField()
    key_learning = models.TextField(help_text=_("One learning point per line."))
    practice_improvement = models.TextField(help_text=_("One area per line."))
    discussion_questions = models.TextField(help_text=_("One question per line."))
    links = models.TextField(blank=True, help_text=_("One per line: title | address"))
    pdf = models.FileField(upload_to=_private_path, max_length=200, blank=True)
    pptx = models.FileField(upload_to=_private_path, max_length=200, blank=True)
    pdf_pages = models.PositiveSmallIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self):
        return self.title

    @property
    def fits_one_page(self) -> bool:
        return self.pdf_pages == 1

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]

    def key_learning_points(self) -> list[str]:
        return self._lines(self.key_learning)

    def improvement_points(self) -> list[str]:
        return self._lines(self.practice_improvement)

    def questions(self) -> list[str]:
        return self._lines(self.discussion_questions)

    def link_list(self) -> list[tuple[str, str]]:
        out = []
        for line in self._lines(self.links):
            title, _sep, url = line.partition("|")
            out.append((title.strip(), url.strip() or title.strip()))
        return out


# --- What the public side reads: copies written at publication --------------------------


class PublishedReviewQuerySet(models.QuerySet):
    def live(self, today: dt.date | None = None):
        """What the public pages show: past any embargo, not withdrawn, and of a
        partnership still active in the service (one switched off has nobody left who
        could correct or withdraw what it published)."""
        today = today or timezone.localdate()
        return self.filter(
            models.Q(embargo_until__isnull=True) | models.Q(embargo_until__lte=today),
            withdrawn_on__isnull=True,
            partnership__is_active=True,
        )


class PublishedReview(models.Model):
    """Anonymised, published material: the only thing the public pages read. Written at
    publication from checked fields; the files are copies of what was published."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="published_reviews"
    )
    source_review_id = models.PositiveBigIntegerField(unique=True)
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    year = models.PositiveSmallIntegerField()
    published_on = models.DateField()
    embargo_until = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=PublicationKind)
    improvements = models.TextField(blank=True)
    key_learning = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    themes = models.ManyToManyField(LearningTheme, blank=True, related_name="published")
    report = models.FileField(upload_to=_private_path, max_length=200, blank=True)
    briefing_pdf = models.FileField(upload_to=_private_path, max_length=200)
    briefing_pptx = models.FileField(upload_to=_private_path, max_length=200)
    search_text = models.TextField(blank=True)
    #: Sent to the NSPCC national case review repository (the public page says so only
    #: once it is).
    nspcc_sent_on = models.DateField(null=True, blank=True)
    #: Taken off the public pages (an identifying detail found, a court's order): gone
    #: from every list, page and download; kept here, with why, for the record.
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    #: When the published copy was last replaced by a corrected one.
    updated_on = models.DateField(null=True, blank=True)
    #: The briefing's content hash when its files were copied here: a different one on
    #: the case's briefing means the public pages show an earlier version.
    briefing_hash = models.CharField(max_length=64, blank=True)

    objects = PublishedReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="published_slug_unique")
        ]

    def __str__(self):
        return f"{self.year} - {self.partnership.name} - {self.title}"

    def get_absolute_url(self):
        return reverse("learning:review", args=[self.partnership.code.lower(), self.slug])

    @property
    def under_embargo(self) -> bool:
        """Not on the public pages yet (their `live` shows it from the embargo's day)."""
        return self.embargo_until is not None and self.embargo_until > timezone.localdate()

    @staticmethod
    def recommendations_text(recommendations) -> str:
        """The review's recommendations as the public copy keeps them: one "N. text" a
        recommendation, its later lines indented (`recommendation_items` reads them
        back), so a line of its own that starts "2. " is not taken for the next one."""
        return "\n".join(
            f"{r.number}. " + "\n".join(_indented(r.text.replace("\r\n", "\n").split("\n")))
            for r in recommendations
        )

    def recommendation_items(self) -> list[tuple[int, str]]:
        """(number, text) of each recommendation kept by `recommendations_text`, for a
        numbered list: an indented or blank line goes on with the one before, as does a
        line not starting "N. " (copies made before the indent: a recommendation written
        on two lines)."""
        items: list[tuple[int, str]] = []
        for line in self.recommendations.splitlines():
            numbered = _NUMBERED.match(line)
            if numbered:
                items.append((int(numbered[1]), numbered[2]))
            elif items:
                line = line.removeprefix(CONTINUED)
                items[-1] = (items[-1][0], f"{items[-1][1]}\n{line}")
            elif line.strip():
                items.append((1, line))
        return items


#: How a recommendation's later lines are indented in the public copy's text.
CONTINUED = "   "


def _indented(lines: list[str]) -> list[str]:
    return lines[:1] + [CONTINUED + line if line else line for line in lines[1:]]


_NUMBERED = re.compile(r"(\d+)\. (.*)")
