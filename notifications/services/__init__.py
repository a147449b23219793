"""Writes for serious incidents: create, edit, children, the clock, status moves, documents.

Each service checks the actor's role, validates as a business unit would, saves, writes its
audit event and moves the clocks it owns, all in one transaction.
"""

from .attachments import (  # noqa: F401
    attachment_add,
    attachment_remove,
)
from .children import (  # noqa: F401
    CHILD_FIELDS,
    child_remove,
    child_save,
    next_pseudonym,
)
from .common import (  # noqa: F401
    CASE_ROLES,
    MANAGERS,
    NOTIFY_WITHIN_WORKING_DAYS,
    ConcurrentEditError,
    TransitionError,
    validate_incident_dates,
    validate_notification_date,
)
from .incidents import (  # noqa: F401
    EDITABLE_FIELDS,
    incident_change_awareness_date,
    incident_create,
    incident_update,
)
from .retention import (  # noqa: F401
    KEEP_AT_MOST_YEARS,
    case_delete,
    case_keep,
    case_keep_stop,
    keep_date_errors,
)
from .transitions import (  # noqa: F401
    incident_correct_awareness_date,
    incident_correct_notification,
    incident_decide_not_to_notify,
    incident_enter_in_error,
    incident_reconsider,
    incident_record_notification,
    incident_return_to_draft,
    incident_submit_for_decision,
    missing_for_decision,
    missing_for_decision_where,
)
