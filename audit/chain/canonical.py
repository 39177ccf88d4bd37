"""What the hash chain covers of an access event, and how one link is computed.

Rules:

- ``canonical(event)`` is the JSON object of ``EVENT_FIELDS`` with sorted keys, no
  spaces, UTF-8 (``json.dumps(..., sort_keys=True, separators=(",", ":"),
  ensure_ascii=False)``), with ``occurred_at`` in ISO 8601 UTC with microseconds.
- ``link_hash(prev_hash, event) = SHA-256(prev_hash + canonical(event))``; the first
  seal follows ``GENESIS_HASH`` (64 zeros). So changing, removing, reordering or slipping
  in an event breaks the chain where it happened.

Pure functions, no database: what is hashed can be read and tested on its own, and a
verifier outside Amparo can recompute it from an export.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from json.encoder import encode_basestring as _json_string
from typing import Any

GENESIS_HASH = "0" * 64
# The fields of an event that its seal covers, in the order rows are read.
EVENT_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "organization_id",
    "action",
    "target_type",
    "target_id",
    "case_code",
    "purpose",
    "outcome",
    "request_id",
    "source_address",
)

EventRow = Sequence[Any]


def _json_number(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _json_text(value: str | None) -> str:
    return "null" if value is None else _json_string(value)


def utc_iso(value: datetime | str) -> str:
    if isinstance(value, str):  # already formatted by the database (verify_chain)
        return value
    if value.tzinfo is None:  # SQLite without converters: stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(row: EventRow) -> str:
    """The canonical JSON of an event row (``EVENT_FIELDS`` order).

    Written out by hand because it runs a million times per verification; it is exactly
    ``json.dumps(dict(zip(EVENT_FIELDS, row)), sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` with ``occurred_at`` as ISO UTC (tests/audit/test_chain_verification.py).
    """
    (
        event_id,
        occurred_at,
        actor_id,
        actor_username,
        actor_role,
        organization_id,
        action,
        target_type,
        target_id,
        case_code,
        purpose,
        outcome,
        request_id,
        source_address,
    ) = row
    return (
        f'{{"action":{_json_text(action)},"actor_id":{_json_number(actor_id)},'
        f'"actor_role":{_json_text(actor_role)},"actor_username":{_json_text(actor_username)},'
        f'"case_code":{_json_text(case_code)},"id":{_json_number(event_id)},'
        f'"occurred_at":"{utc_iso(occurred_at)}",'
        f'"organization_id":{_json_number(organization_id)},"outcome":{_json_text(outcome)},'
        f'"purpose":{_json_text(purpose)},"request_id":{_json_text(request_id)},'
        f'"source_address":{_json_text(source_address)},"target_id":{_json_text(target_id)},'
        f'"target_type":{_json_text(target_type)}}}'
    )


def link_hash(prev_hash: str, row: EventRow) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode("utf-8")).hexdigest()


def chain_seals(
    rows: Iterable[EventRow], *, head_sequence: int, head_hash: str
) -> Iterable[tuple[int, int, str, str]]:
    """(sequence, event id, prev_hash, hash) for rows appended after the given head."""
    sequence, prev_hash = head_sequence, head_hash
    for row in rows:
        sequence += 1
        digest = link_hash(prev_hash, row)
        yield sequence, row[0], prev_hash, digest
        prev_hash = digest
