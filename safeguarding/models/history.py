"""What every stage's status-change rows share: an immutable record of one status move."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class StatusChangeImmutableError(Exception):
    pass


class StatusChangeBase(models.Model):
    """An immutable row for every status move; a stage adds the foreign key to its record.

    Rows are only ever added: saving an existing row or deleting one is refused.
    """

    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["changed_at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise StatusChangeImmutableError("Status changes cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise StatusChangeImmutableError("Status changes cannot be deleted.")

    def status_choices(self):
        """The statuses this row moves between (a TextChoices), for their labels."""
        return None

    def _label(self, value: str) -> str:
        """A status by its label; a code since removed from the statuses by its words."""
        from safeguarding.audit_display import choice_text

        choices = self.status_choices()
        return choice_text(choices.choices if choices is not None else (), value)

    @property
    def from_label(self) -> str:
        return self._label(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)
