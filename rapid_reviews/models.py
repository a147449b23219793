"""Rapid reviews. The stage is built by its own issue; recording a notification opens one."""

from django.db import models
from django.utils import timezone

from notifications.models import Incident


class RapidReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        from safeguarding.permissions import scope

        return scope(self, user, path="incident__partnership")


class RapidReview(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="rapid_review")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)

    objects = RapidReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_date"]

    def __str__(self):
        return f"Rapid review {self.incident.reference}"
