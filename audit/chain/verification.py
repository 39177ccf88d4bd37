"""Verification: walk the seals in order and name the first thing wrong with the chain.

Rules:

- Each seal must follow the one before (no gap, ``prev_hash`` the previous hash) and
  match its event's canonical form (``audit.chain.canonical``); the first seal that does
  not is reported as a gap, a broken link, a removed, altered or reordered event.
- An event still unsealed after ``AMPARO_AUDIT_SEAL_GRACE_MINUTES`` is reported as
  possibly inserted behind Amparo's back (``manage.py verify_audit``); younger ones are
  counted as pending, their sealing may still be under way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.chain.canonical import EVENT_FIELDS, GENESIS_HASH, EventRow, link_hash
from audit.chain.sealing import BATCH_SIZE, has_no_seal, query_batch
from audit.models import AccessEvent, EventSeal


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with the chain. ``kind``: gap, broken, removed, altered,
    reordered or unsealed."""

    kind: str
    event_id: int | None
    sequence: int | None
    message: str


@dataclass(frozen=True)
class Verification:
    count: int
    head_sequence: int
    head_hash: str
    pending: int  # unsealed events younger than the grace period
    problem: Problem | None


def _grace() -> timedelta:
    return timedelta(minutes=settings.AMPARO_AUDIT_SEAL_GRACE_MINUTES)


def _diagnose(row: EventRow, seal: Sequence[Any], chunk: list[Sequence[Any]]) -> Problem:
    sequence, event_id = seal[0], seal[1]
    # Is this row's content what another seal of the chunk covers? Then events were
    # swapped or moved, not edited.
    for other in chunk:
        other_id = other[1]
        if other_id != event_id and link_hash(other[2], (other_id, *row[1:])) == other[3]:
            return Problem(
                "reordered",
                event_id,
                sequence,
                _(
                    "event %(event)s was reordered: it now holds what was sealed as event "
                    "%(other)s (seal %(sequence)s)"
                )
                % {"event": event_id, "other": other_id, "sequence": sequence},
            )
    return Problem(
        "altered",
        event_id,
        sequence,
        _("event %(event)s was altered: it no longer matches its seal %(sequence)s")
        % {"event": event_id, "sequence": sequence},
    )


# EVENT_FIELDS after the seal's own columns, in that order (an intact chain verifies only so).
_JOINED_CHUNK_SQL = """
    SELECT s.sequence, s.event_id, s.prev_hash, s.hash,
           e.id, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
           e.actor_id, e.actor_username, e.actor_role,
           e.organization_id, e.action, e.target_type, e.target_id, e.case_code,
           e.purpose, e.outcome, e.request_id, e.source_address
    FROM audit_eventseal s LEFT JOIN audit_accessevent e ON e.id = s.event_id
    WHERE s.sequence >= %s ORDER BY s.sequence LIMIT %s
"""


def _read_chunk(
    first: int, size: int, using: str
) -> tuple[list[Sequence[Any]], dict[int, EventRow]]:
    """Seals from sequence ``first`` on, and the events they name (by id)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        # One joined query, with the time formatted by PostgreSQL exactly as _utc_iso
        # would (tested): reading a million datetimes through Python is the slow part.
        with connection.cursor() as cursor:
            cursor.execute(_JOINED_CHUNK_SQL, [first, size])
            rows = cursor.fetchall()
        return [row[:4] for row in rows], {row[4]: row[4:] for row in rows if row[4] is not None}
    chunk = list(
        EventSeal.objects.using(using)
        .filter(sequence__gte=first)
        .order_by("sequence")
        .values_list("sequence", "event_id", "prev_hash", "hash")[:size]
    )
    events = {
        row[0]: row
        for row in AccessEvent.objects.using(using)
        .filter(pk__in=[seal[1] for seal in chunk])
        .values_list(*EVENT_FIELDS)
    }
    return chunk, events


def verify_chain(
    *,
    progress: Callable[[int], Any] | None = None,
    chunk_size: int = BATCH_SIZE,
    using: str = DEFAULT_DB_ALIAS,
) -> Verification:
    """Walk the seals in order and name the first problem, if any."""
    if connections[using].vendor == "postgresql":
        chunk_size = max(chunk_size, 20_000)  # one joined query per chunk, no parameters
    chunk_size = query_batch(using, chunk_size)
    expected, prev_hash, count = 1, GENESIS_HASH, 0

    def result(problem: Problem | None, pending: int = 0) -> Verification:
        return Verification(count, expected - 1, prev_hash, pending, problem)

    while True:
        chunk, events = _read_chunk(expected, chunk_size, using)
        if not chunk:
            break
        for seal in chunk:
            sequence, event_id, seal_prev, seal_hash = seal
            if sequence != expected:
                return result(
                    Problem(
                        "gap",
                        None,
                        expected,
                        _("seal %(sequence)s is missing: the chain jumps to seal %(next)s")
                        % {"sequence": expected, "next": sequence},
                    )
                )
            if seal_prev != prev_hash:
                return result(
                    Problem(
                        "broken",
                        event_id,
                        sequence,
                        _("seal %(sequence)s of event %(event)s does not follow the seal before it")
                        % {"sequence": sequence, "event": event_id},
                    )
                )
            row = events.get(event_id)
            if row is None:
                return result(
                    Problem(
                        "removed",
                        event_id,
                        sequence,
                        _("event %(event)s was removed: seal %(sequence)s has no event")
                        % {"event": event_id, "sequence": sequence},
                    )
                )
            if link_hash(prev_hash, row) != seal_hash:
                return result(_diagnose(row, seal, chunk))
            prev_hash, expected, count = seal_hash, expected + 1, count + 1
        if progress:
            progress(len(chunk))

    cutoff = timezone.now() - _grace()
    unsealed = AccessEvent.objects.using(using).filter(has_no_seal())
    stray = unsealed.filter(occurred_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)
    first_stray = stray.first()
    if first_stray is not None:
        return result(
            Problem(
                "unsealed",
                first_stray,
                None,
                _(
                    "event %(event)s has no seal: it was inserted behind Amparo's back, or "
                    "its sealing failed (then `manage.py seal_audit` seals it)"
                )
                % {"event": first_stray},
            )
        )
    return result(None, pending=unsealed.filter(occurred_at__gte=cutoff).count())
