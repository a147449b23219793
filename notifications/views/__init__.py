"""Pages for serious incidents. Every incident is fetched through `incident_get_for`."""

from .common import (  # noqa: F401
    case_view,
)
from .decisions import (  # noqa: F401
    correct_awareness,
    correct_notification,
    enter_in_error,
    not_notifying,
    reconsider,
    record_notification,
    return_to_draft,
)
from .documents import (  # noqa: F401
    attachment_download,
    attachment_remove,
    attachments,
    case_delete,
    case_export,
    case_keep,
    case_keep_stop,
    retention_report,
)
from .journey import (  # noqa: F401
    ORDER,
    STEPS,
    child_edit,
    child_remove,
    incident_check,
    incident_children,
    incident_new,
    incident_step,
)
from .reading import (  # noqa: F401
    clock_for,
    find_by_name,
    incident_detail,
    incident_list,
    incident_list_export,
    notification_pdf,
    notification_pdf_corrected,
    ready_to_send,
)
