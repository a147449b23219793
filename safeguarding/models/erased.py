"""What the reports still count of a case deleted at the end of its retention (ADR 0014).

A partnership's figures for a past year (timeliness, the annual report, the regional
comparison and their downloads) must not change when an old case is erased. The case's
records and clocks go; these rows keep, for the reports only, the facts those figures
count, and nothing else: the partnership, dates, kinds, outcomes and the groups a child is
counted in. No reference, name, title, address, free text, person or link to a record, so
nothing ties a row to the case it came from. Written only by
`notifications.services.case_delete`, read only by `safeguarding.reports`: they are
never live work, so no dashboard, list, reminder sweep or clock page reads them.

Their keys are random, not a sequence: rows written by one deletion cannot be picked out
by their order and matched with the deletion's audit event (which names the case and
counts what went).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import Agency, Partnership
from .deadlines import Deadline


class ErasedFacts(models.Model):
    """A random key (see the module's docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class ErasedClock(ErasedFacts):
    """One clock of an erased case: due, closed and with what outcome."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Deadline.Kind)
    #: The agency asked, for an agency return's clock (the per-agency timeliness table).
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Deadline.Outcome, blank=True)

    class Meta:
        verbose_name = _("clock of an erased case")
        indexes = [
            models.Index(fields=["partnership", "kind", "due_date"], name="erased_clock_timeliness")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – due {self.due_date:%-d %B %Y}"


class ErasedIncident(ErasedFacts):
    """An erased case's incident, as the counts by nature and harm see it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    awareness_date = models.DateField()
    nature = models.CharField(max_length=20, blank=True)
    harm_categories = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("incident of an erased case")
        indexes = [
            models.Index(fields=["partnership", "awareness_date"], name="erased_incident_period")
        ]

    def __str__(self):
        return f"Incident of an erased case, aware {self.awareness_date:%Y}"


class ErasedChild(ErasedFacts):
    """A child of an erased case, by the groups the counts use only (`reports.child_groups`):
    age band, sex and broad ethnic group, never a name or a date of birth."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    awareness_date = models.DateField()
    band = models.CharField(max_length=20)
    sex_group = models.CharField(max_length=20)
    ethnic_group = models.CharField(max_length=20)

    class Meta:
        verbose_name = _("child of an erased case")
        verbose_name_plural = _("children of erased cases")
        indexes = [
            models.Index(fields=["partnership", "awareness_date"], name="erased_child_period")
        ]

    def __str__(self):
        return f"Child of an erased case, aware {self.awareness_date:%Y}"


class ErasedReview(ErasedFacts):
    """An erased case's local review, as the learning themes table counts it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    decision_date = models.DateField()
    themes = models.ManyToManyField("lcspr.LearningTheme", blank=True, related_name="+")

    class Meta:
        verbose_name = _("local review of an erased case")
        indexes = [
            models.Index(fields=["partnership", "decision_date"], name="erased_review_period")
        ]

    def __str__(self):
        return f"Local review of an erased case, decided {self.decision_date:%Y}"
