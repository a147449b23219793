"""Filters for the service's logs."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """Django logs every 4xx answer at WARNING with the exception that made it, so each
    refused page (a `PermissionDenied`, or the 404 of a record outside a person's scope)
    wrote a whole traceback: dozens a day of expected answers, hiding the real errors. The
    line itself ("Forbidden (Permission denied): /audit/") is kept; only the traceback of a
    4xx goes. A 5xx keeps it. Who was refused what is in the audit trail (ADR 0005)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
