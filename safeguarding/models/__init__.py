"""The core models, one module per concern; import them from here."""

from .accounts import (
    Agency,
    ClosureDay,
    Membership,
    MembershipQuerySet,
    PartnerLead,
    Partnership,
    PastRole,
    Region,
    Role,
    StatutoryPartner,
    User,
    UserManager,
)
from .audit import AuditEvent, AuditEventQuerySet, AuditImmutableError
from .deadlines import Deadline, DeadlineChange, DeadlineQuerySet
from .erased import ErasedChild, ErasedClock, ErasedIncident, ErasedReview
from .held_uploads import HeldUpload
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
    "PastRole",
    "ChaseReminderBase",
    "AuditEvent",
    "AuditEventQuerySet",
    "AuditImmutableError",
    "CalendarFeedToken",
    "ClosureDay",
    "Deadline",
    "DeadlineChange",
    "DeadlineQuerySet",
    "ErasedChild",
    "ErasedClock",
    "ErasedIncident",
    "ErasedReview",
    "FormSubmission",
    "HeldUpload",
    "Membership",
    "MembershipQuerySet",
    "PartnerLead",
    "Partnership",
    "Region",
    "ReminderPolicy",
    "ReminderSent",
    "Role",
    "StatusChangeBase",
    "StatusChangeImmutableError",
    "StatutoryPartner",
    "User",
    "UserManager",
    "_default_days_before",
]
