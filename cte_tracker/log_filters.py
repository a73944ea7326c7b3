"""Logging filters referenced by settings.LOGGING."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """Keep a refused request (a 4xx: page not found, permission denied) to its one line.

    Django logs every 4xx on `django.request` with the exception attached, so a counselor opening a
    student outside their schools wrote a full traceback to the log, though nothing failed. Errors (5xx)
    keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
