"""Log formatting shared by every process: UTC time stamps, and no tracebacks where a
traceback only repeats what the message says."""

from __future__ import annotations

import logging
import time


class UTCFormatter(logging.Formatter):
    """Time stamps in UTC with the zone written out, so that lines of gunicorn, the worker
    and the database line up whatever TIME_ZONE the pages are shown in."""

    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"


class NoTraceback(logging.Filter):
    """Keep the line, drop the traceback (e.g. Django's DisallowedHost for every scanner)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
