"""Sealing: every access event gets exactly one ``EventSeal``, in order, after it commits.

Rules:

- Seals are numbered 1, 2, 3 … in the order events are sealed, and each seal's hash is
  ``link_hash(prev_hash, event)`` (``audit.chain.canonical``) over the seal before it.
- Sealing happens *after* the event's transaction commits (``schedule_seal``, called by
  ``record_event``), never inside it: a lock taken inside every request's transaction
  would make all requests that write an event wait for each other until they commit.
  The sealer holds its lock only for reading the head and inserting the new seals.
- A process seals at most once every ``AMPARO_AUDIT_SEAL_INTERVAL_SECONDS``: the events
  committed in between are picked up by the next sealing in any process (everything
  above the newest seal), by this process's own next sealing (it keeps their ids), and
  by any sealing that looks back over the last ``AMPARO_AUDIT_SEAL_LOOKBACK`` ids for
  unsealed ones. Most requests then pay nothing for the chain, and writers do not queue
  behind the sealer's lock; each sealing costs a few index lookups and one write of its
  seals (a COPY on PostgreSQL), however long the log (``bench/audit.py`` measures it
  against a bare insert).
- Events whose seal did not run (a crash between commit and sealing) are sealed by
  ``manage.py seal_audit`` (``seal_backlog``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from audit.chain.canonical import EVENT_FIELDS, GENESIS_HASH, EventRow, chain_seals
from audit.models import AccessEvent, EventSeal

logger = logging.getLogger("amparo.audit")

# pg_advisory_xact_lock key of the sealer ("AMPA" in ASCII); any constant would do.
SEALER_LOCK_KEY = 0x414D5041
# Most events one on-commit sealing writes, so that a request never seals a long backlog.
ON_COMMIT_LIMIT = 5000
BATCH_SIZE = 5000


def query_batch(using: str, wanted: int) -> int:
    """``wanted``, or fewer: as many ids as one query may carry as parameters."""
    limit = connections[using].features.max_query_params or wanted
    return max(1, min(wanted, limit - 10))


def _take_sealer_lock(using: str, *, wait: bool = True) -> bool:
    """Take the sealer's lock for this transaction; with ``wait=False`` only if it is
    free at once. Whether it was taken."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        with connection.cursor() as cursor:
            # Held until the sealing transaction ends: one sealer extends the chain at a
            # time. So that it is held for the inserts only and not for the disk flush
            # too, the sealing transaction does not wait for its commit to reach the disk:
            # seals lost in a crash are rewritten from the committed events by
            # `seal_audit` (the events themselves are committed durably before any seal
            # is written), and PostgreSQL never keeps a later commit and loses an earlier
            # one, so the chain cannot come back with a hole. One statement for both: the
            # other writers wait for every round trip made under the lock.
            cursor.execute(
                f"SELECT set_config('synchronous_commit', 'off', true), {function}(%s)",
                [SEALER_LOCK_KEY],
            )
            return cursor.fetchone()[1] is not False  # pg_advisory_xact_lock returns void
    # SQLite: the settings open transactions with BEGIN IMMEDIATE, which already takes
    # the database's single write lock before the head is read.
    return True


def chain_head(using: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    """(sequence, hash) of the last seal, or (0, 64 zeros) for an empty chain."""
    head = (
        EventSeal.objects.using(using).order_by("-sequence").values_list("sequence", "hash").first()
    )
    return head or (0, GENESIS_HASH)


def _chain_state(using: str) -> tuple[int, str, int]:
    """(head sequence, head hash, highest sealed event id) in one query: two index probes."""
    table = connections[using].ops.quote_name(EventSeal._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT sequence, hash, (SELECT MAX(event_id) FROM {table}) "  # noqa: S608
            f"FROM {table} ORDER BY sequence DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return (row[0], row[1], row[2]) if row else (0, GENESIS_HASH, 0)


def _append(rows: list[EventRow], using: str, head: tuple[int, str] | None = None) -> int:
    """Insert the seals of ``rows`` after ``head`` (read now if not given), under the lock."""
    head_sequence, head_hash = head or chain_head(using)
    connection = connections[using]
    meta = EventSeal._meta
    now = meta.get_field("sealed_at").get_db_prep_save(timezone.now(), connection)
    columns = ", ".join(
        connection.ops.quote_name(meta.get_field(name).column)
        for name in ("sequence", "event_id", "prev_hash", "hash", "sealed_at")
    )
    seals = [
        (*seal, now) for seal in chain_seals(rows, head_sequence=head_sequence, head_hash=head_hash)
    ]
    table = connection.ops.quote_name(meta.db_table)
    if connection.vendor == "postgresql":
        # COPY: one round trip for all the seals, and no statement to parse or parameters
        # to bind per row; this runs under the sealer's lock, which the other writers'
        # sealings wait for (bench/audit.py).
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for seal in seals:
                copy.write_row(seal)
        return len(rows)
    # Elsewhere many rows per INSERT: no model instances, and the database parses one
    # statement per hundred seals rather than one per seal.
    insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    size = max(1, min(100, query_batch(using, 500) // 5))
    with connection.cursor() as cursor:
        for first in range(0, len(seals), size):
            batch = seals[first : first + size]
            cursor.execute(
                insert + ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch)),
                [value for seal in batch for value in seal],
            )
    return len(rows)


def has_no_seal(*, above: int | None = None) -> Exists:
    """No seal names the event. ``above``: seals of event ids at most this low are not
    looked at (the caller reads only events above it), so that the check is an index
    range of the seals, not the whole seal table."""
    seals = EventSeal.objects.filter(event_id=OuterRef("pk"))
    if above is not None:
        seals = seals.filter(event_id__gt=above)
    return ~Exists(seals)


def seal_pending(
    *,
    event_ids: Iterable[int] = (),
    limit: int = ON_COMMIT_LIMIT,
    look_back: bool = True,
    wait: bool = True,
    using: str = DEFAULT_DB_ALIAS,
) -> int | None:
    """Seal the events committed since the newest seal, and ``event_ids`` if still unsealed.

    The path run after commits, cheap under the lock: events above the highest sealed id
    cannot have a seal yet, so they are read as a range of the primary key without
    looking at the seals. Below it sit only events whose transaction committed after a
    later one's: ``event_ids`` are checked by id, and with ``look_back`` the last
    ``AMPARO_AUDIT_SEAL_LOOKBACK`` ids are searched for others (a process that died
    between commit and sealing, or one that has not sealed again since). Returns how
    many it sealed; with ``wait=False``, None at once if another sealing is under way.
    """
    event_ids = set(event_ids)
    with transaction.atomic(using=using):
        if not _take_sealer_lock(using, wait=wait):
            return None
        head_sequence, head_hash, newest = _chain_state(using)
        events = AccessEvent.objects.using(using).order_by("pk").values_list(*EVENT_FIELDS)
        rows: list[EventRow] = []
        below = sorted(pk for pk in event_ids if pk <= newest)[-limit:]
        rows += _by_id(events.filter(has_no_seal()), below, using)
        lookback = min(settings.AMPARO_AUDIT_SEAL_LOOKBACK, newest)
        if look_back and lookback > 0 and len(rows) < limit:
            start = newest - lookback
            # The ones just taken by id are left out here rather than in the query, which
            # could not carry that many ids as parameters.
            taken = {row[0] for row in rows}
            found = events.filter(pk__gt=start, pk__lte=newest).filter(has_no_seal(above=start))
            found = found[: limit - len(rows) + len(taken)]
            rows += [row for row in found if row[0] not in taken][: limit - len(rows)]
        if len(rows) < limit:
            # Bounded on both sides so that the plan is an index range even on a table
            # without statistics; what does not fit stays above the newest seal, where
            # the next sealing reads first.
            room = limit - len(rows)
            window = list(events.filter(pk__gt=newest, pk__lte=newest + room)[:room])
            rows += window
            # The caller's own events beyond that window: ids are not dense (a sequence
            # skips what rolled back, and an emptied log keeps counting), so the window
            # alone could miss them for ever. Taken by id; events left between them and
            # the window are below the newest seal afterwards, where their own process
            # (by id) or the look-back finds them.
            taken = {row[0] for row in window}
            beyond = sorted(pk for pk in event_ids if pk > newest and pk not in taken)
            rows += _by_id(events, beyond[: limit - len(rows)], using)
        if not rows:
            return 0
        return _append(rows, using, (head_sequence, head_hash))


def _by_id(events: QuerySet, ids: list[int], using: str) -> list[EventRow]:
    """The rows of ``events`` with these ids (sorted), in the ids' order: as many queries
    as the database's limit on parameters needs. (One query cut at that limit once left
    the rest of a large transaction's events to the look-back: 989 of 1,200 on SQLite.)"""
    rows: list[EventRow] = []
    step = query_batch(using, len(ids))
    for first in range(0, len(ids), step):
        rows += events.filter(pk__in=ids[first : first + step])
    return rows


def seal_backlog(
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], Any] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Seal every unsealed event, oldest id first, one short transaction per batch."""
    sealed, after = 0, 0
    while True:
        with transaction.atomic(using=using):
            _take_sealer_lock(using)
            rows = list(
                AccessEvent.objects.using(using)
                .filter(pk__gt=after)
                .filter(has_no_seal())
                .order_by("pk")
                .values_list(*EVENT_FIELDS)[:batch_size]
            )
            if not rows:
                return sealed
            _append(rows, using)
        sealed += len(rows)
        after = rows[-1][0]
        if progress:
            progress(len(rows))


class _SealAfterCommit:
    """The on-commit callback of one transaction; collects that transaction's events."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.event_ids: list[int] = []

    def __call__(self) -> None:
        if not _sealing_due(self.using):
            _owe(self.using, self.event_ids)
            return
        owed = _owed.pop(self.using, [])
        try:
            if settings.AMPARO_AUDIT_SEAL_INTERVAL_SECONDS <= 0:
                # Sealing after every commit: under load another transaction's sealing
                # often took these events along already; then do not queue for the lock.
                sealed = EventSeal.objects.using(self.using).filter(event_id__in=self.event_ids)
                if not owed and sealed.count() == len(set(self.event_ids)):
                    return
                seal_pending(event_ids=[*owed, *self.event_ids], using=self.using)
                return
            # Throttled: never queue behind another process's sealing. It takes along
            # what committed before it began; the rest waits for the next sealing, and
            # this process carries the ids of its own events to its next one.
            done = seal_pending(event_ids=[*owed, *self.event_ids], wait=False, using=self.using)
            if done is None:
                _owe(self.using, [*owed, *self.event_ids])
        except Exception:
            # The events are committed; failing the response now would not undo them.
            # `manage.py seal_audit` seals them later, and verify_audit reports them if not.
            logger.exception("audit: %d events left unsealed", len(owed) + len(self.event_ids))


# Per database alias: when this process last sealed, and the committed events it left for
# its next sealing since (so that its own events never depend on the look-back alone).
_last_sealing: dict[str, float] = {}
_owed: dict[str, list[int]] = {}
# Beyond this many, the owed ids are forgotten: the look-back and `seal_audit` remain.
OWED_LIMIT = 5000


def _sealing_due(using: str) -> bool:
    interval = settings.AMPARO_AUDIT_SEAL_INTERVAL_SECONDS
    now = time.monotonic()
    if interval > 0 and now - _last_sealing.get(using, -interval) < interval:
        return False
    _last_sealing[using] = now
    return True


def _owe(using: str, event_ids: list[int]) -> None:
    owed = _owed.setdefault(using, [])
    if len(owed) < OWED_LIMIT:
        owed.extend(event_ids[: OWED_LIMIT - len(owed)])


def schedule_seal(event_id: int, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Seal this event once its transaction commits (at once outside a transaction).

    At most one callback per transaction: later events join the first one's list. At
    commit, within ``AMPARO_AUDIT_SEAL_INTERVAL_SECONDS`` of this process's last sealing,
    the callback only notes the event ids: the next sealing, here or in another process,
    takes the events along. Events of a transaction that rolls back are never noted.
    """
    schedule_seals([event_id], using=using)


def schedule_seals(event_ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """``schedule_seal`` for many events of one transaction (``record_events``)."""
    event_ids = list(event_ids)
    if not event_ids:
        return
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        for entry in connection.run_on_commit:
            if isinstance(entry[1], _SealAfterCommit):
                entry[1].event_ids.extend(event_ids)
                return
    callback = _SealAfterCommit(using)
    callback.event_ids.extend(event_ids)
    transaction.on_commit(callback, using=using)
