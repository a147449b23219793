"""The core models, one module per concern; import them from here."""

from .accounts import (
    Agency,
    ClosureDay,
    Membership,
    MembershipQuerySet,
    Partnership,
    Region,
    Role,
    User,
    UserManager,
)
from .audit import AuditEvent, AuditEventQuerySet, AuditImmutableError
from .deadlines import Deadline, DeadlineChange, DeadlineQuerySet
from .history import StatusChangeBase, StatusChangeImmutableError
from .reminders import (
    CalendarFeedToken,
    ChaseReminderBase,
    ReminderPolicy,
    ReminderSent,
    _default_days_before,
)
from .submissions import FormSubmission

__all__ = [
    "Agency",
    "ChaseReminderBase",
    "AuditEvent",
    "AuditEventQuerySet",
    "AuditImmutableError",
    "CalendarFeedToken",
    "ClosureDay",
    "Deadline",
    "DeadlineChange",
    "DeadlineQuerySet",
    "FormSubmission",
    "Membership",
    "MembershipQuerySet",
    "Partnership",
    "Region",
    "ReminderPolicy",
    "ReminderSent",
    "Role",
    "StatusChangeBase",
    "StatusChangeImmutableError",
    "User",
    "UserManager",
    "_default_days_before",
]
