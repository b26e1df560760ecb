"""Logging filters."""

import logging


class ConciseClientErrors(logging.Filter):
    """Drop the traceback from 4xx records of django.request: a refused request (403 for a
    PermissionDenied) is the application working, and one line says all there is to know."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
