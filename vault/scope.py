"""How long an opened data key lives in memory: one key scope (a request or a command).

Rules:

- Outside a scope nothing is cached: every seal or open fetches and unwraps the key again.
- ``KeyCacheMiddleware`` opens one scope per request; commands decorate ``handle`` with
  ``@key_scope()`` (or use ``with key_scope():``). Scopes nest: an inner one is a no-op.
- The cache lives in a context variable, so threads and async tasks never share it.
- When a scope ends, its cache is emptied and vault events that were written inside a
  transaction which did not commit are written again (see ``record_durably``).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import DatabaseError, transaction

logger = logging.getLogger("amparo.vault")


@dataclass
class _PendingEvent:
    kwargs: dict[str, Any]
    committed: bool = False

    def mark_committed(self) -> None:
        self.committed = True


@dataclass
class KeyScope:
    """Opened data keys of one request or command, and its not-yet-durable events.

    ``keys`` is keyed by ``owner_id.int``: hashing a UUID runs Python code, hashing an
    int does not, and this lookup happens on every seal and open. Use ``cached`` and
    ``remember`` except on that hot path.
    """

    keys: dict[int, AESGCM] = field(default_factory=dict)
    pending_events: list[_PendingEvent] = field(default_factory=list)

    def cached(self, owner_id: UUID) -> AESGCM | None:
        return self.keys.get(owner_id.int)

    def remember(self, owner_id: UUID, aead: AESGCM) -> None:
        self.keys[owner_id.int] = aead

    def __contains__(self, owner_id: UUID) -> bool:
        return owner_id.int in self.keys


_current: contextvars.ContextVar[KeyScope | None] = contextvars.ContextVar(
    "amparo_vault_key_scope", default=None
)


# The scope of the running request or command, or None. A bound method rather than a
# function: it is called on every seal and open.
current = _current.get


@contextmanager
def key_scope() -> Iterator[KeyScope]:
    """Cache opened data keys until the block ends; usable as a decorator too."""
    scope = _current.get()
    if scope is not None:
        yield scope
        return
    scope = KeyScope()
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)
        scope.keys.clear()
        _flush(scope.pending_events)


def forget(owner_id: UUID) -> None:
    """Drop one owner's key from the current scope (after shredding)."""
    scope = _current.get()
    if scope is not None:
        scope.keys.pop(owner_id.int, None)


def record_durably(**event: Any) -> None:
    """Write a vault audit event that must survive the caller's transaction rolling back.

    Why not simply ``record_event``: an integrity failure raises, and the exception
    usually rolls back the caller's transaction, taking the event with it. A second
    connection cannot help on SQLite (the caller's transaction holds the write lock), so:

    1. outside a transaction, the event is written and committed at once;
    2. inside one, it is written there (in a savepoint, so that a failure cannot break the
       caller's transaction) and kept in the current key scope; an ``on_commit`` hook marks
       it committed. When the scope ends (end of request or command) the transaction is
       over, and events that were never committed are written again, in autocommit.

    Every event is also logged, which no rollback undoes. A duplicate is possible if
    another ``on_commit`` hook fails before ours runs; a duplicate beats a lost event.
    """
    from audit.services import record_event

    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        record_event(**event)
        return
    pending = _PendingEvent(kwargs=event)
    try:
        with transaction.atomic():
            record_event(**event)
        transaction.on_commit(pending.mark_committed, robust=True)
    except DatabaseError:
        # The caller's transaction is already broken; the scope will write it later.
        logger.warning("vault: could not record %s inside the transaction", event.get("action"))
    scope = _current.get()
    if scope is not None:
        scope.pending_events.append(pending)
    else:
        logger.warning(
            "vault: %s recorded inside a transaction outside any key scope; it is lost if "
            "that transaction rolls back",
            event.get("action"),
        )


def _flush(pending_events: list[_PendingEvent]) -> None:
    from audit.services import record_event

    if not pending_events:
        return
    if transaction.get_connection().in_atomic_block:
        # The scope ends inside a transaction (a command run inside ``atomic``, or a test):
        # the events written in it stand or fall with it; the log keeps them in any case.
        return
    for pending in pending_events:
        if pending.committed:
            continue
        try:
            record_event(**pending.kwargs)
        except Exception:  # never mask the exception that ended the request
            logger.exception("vault: could not record %s", pending.kwargs.get("action"))
    pending_events.clear()
