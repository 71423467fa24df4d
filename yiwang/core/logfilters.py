"""Logging filters."""

import logging


class OneLineClientErrors(logging.Filter):
    """A 4xx (403, 404, a refused input) is the client's doing: one line, no traceback. Django logs a
    PermissionDenied with the exception attached, so that any client could flood the log with
    tracebacks. 5xx keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
