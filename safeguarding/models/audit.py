"""The append-only audit trail."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .accounts import Partnership, User


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
        EMAIL_CODE_VERIFIED = "email_code_verified", _("Entered an emailed set-up code")
        LOCKED_OUT = "locked_out", _("Locked out")
        PASSWORD_CHANGED = "password_changed", _("Changed password")
        TWO_FACTOR_RESET = "two_factor_reset", _("Reset two-factor authentication")
        LOCKOUT_ENDED = "lockout_ended", _("Ended a sign-in lockout")
        RECOVERY_CODES_NEW = "recovery_codes_new", _("Got new recovery codes")
        REFUSED = "refused", _("Refused or not found")

    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_email = models.CharField(_("their email address"), max_length=254, blank=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action)
    object_type = models.CharField(_("type of record"), max_length=100, blank=True)
    object_id = models.CharField(_("record number"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["partnership", "-occurred_at"], name="audit_partnership_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            # A person's own events that belong to no partnership (sign-ins, their account),
            # newest first: a manager's trail reads them person by person (ADR 0023).
            models.Index(
                fields=["actor", "-occurred_at"],
                name="audit_own_actor_time",
                condition=models.Q(partnership__isnull=True),
            ),
            # A case's timeline finds its children's events by reference (children can be
            # removed; their history stays): a prefix search on the repr, children only.
            models.Index(
                fields=["partnership", "object_repr"],
                name="audit_child_repr",
                condition=models.Q(object_type="notifications.child"),
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            # Failed sign-ins from one address, counted before each sign-in.
            models.Index(
                fields=["ip_address", "occurred_at"],
                name="audit_failed_sign_in_address",
                condition=models.Q(action="sign_in_failed"),
            ),
        ]

    def __str__(self):
        from safeguarding.dates import date_and_time

        who = self.actor_email or "Someone"
        what = f"{who}: {self.get_action_display()}"
        return f"{date_and_time(self.occurred_at)}, {what} {self.object_repr}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("Audit events cannot be deleted.")
