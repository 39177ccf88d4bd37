"""Log lines keep exceptions' types and frames, never their messages.

An exception's message often quotes the value that caused it, and in Amparo that value
may be an opened survivor value: ``date.fromisoformat`` on her birth date raises
``ValueError: Invalid isoformat string: '…'``. ``WithholdExceptionMessages`` sits on
every handler of the logging configuration (``config/settings.py``), so every request
and task log (``django.request``, the task worker, Amparo's own loggers) writes:

    Traceback (most recent call last):
      File "…/cases/views/intake.py", line 212, in _identity_initial
        birth_date=date.fromisoformat(birth) if birth else None,
    ValueError: [message withheld]

for the exception and every exception chained to it. Arguments of the log message that
are exceptions (``logger.error("failed: %s", error)``) are replaced by their type too.
Frames show source lines, not variables, so they carry code, not data.
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

WITHHELD = "[message withheld]"


def _type_name(error: BaseException | type[BaseException]) -> str:
    kind = error if isinstance(error, type) else type(error)
    module = kind.__module__
    if module in ("builtins", "__main__"):
        return kind.__qualname__
    return f"{module}.{kind.__qualname__}"


def _chain(error: BaseException) -> list[BaseException]:
    """The exception and those it was raised from or during, oldest first."""
    chain, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return list(reversed(chain))


def format_without_messages(
    kind: type[BaseException], error: BaseException | None, tb: TracebackType | None
) -> str:
    """A traceback like ``traceback.format_exception``'s, with every message withheld."""
    if error is None:
        return f"{_type_name(kind)}: {WITHHELD}"
    parts: list[str] = []
    for number, link in enumerate(_chain(error)):
        if number:
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
                if link.__context__ is None or link.__cause__ is not None
                else "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
        frames = traceback.extract_tb(link.__traceback__ if link is not error else tb)
        if frames:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_list(frames))
        parts.append(f"{_type_name(link)}: {WITHHELD}\n")
    return "".join(parts).rstrip("\n")


def withhold_exception_messages(record: logging.LogRecord) -> None:
    """Rewrite ``record`` in place: its exception as types and frames only."""
    if record.exc_info and record.exc_info[0] is not None:
        kind, error, tb = record.exc_info
        record.exc_text = format_without_messages(kind, error, tb)
        # The formatter would format exc_info again, messages included: it has been.
        record.exc_info = None
    if isinstance(record.msg, BaseException):
        record.msg = f"{_type_name(record.msg)}: {WITHHELD}"
    if isinstance(record.args, tuple) and any(isinstance(a, BaseException) for a in record.args):
        record.args = tuple(
            f"{_type_name(a)}: {WITHHELD}" if isinstance(a, BaseException) else a
            for a in record.args
        )
    elif isinstance(record.args, dict) and any(
        isinstance(a, BaseException) for a in record.args.values()
    ):
        record.args = {
            key: f"{_type_name(a)}: {WITHHELD}" if isinstance(a, BaseException) else a
            for key, a in record.args.items()
        }


class WithholdExceptionMessages(logging.Filter):
    """A handler filter: see the module docstring. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        withhold_exception_messages(record)
        return True
