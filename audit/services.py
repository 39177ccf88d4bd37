"""The one way an access event is written."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import connections, models, router, transaction
from django.utils import timezone

from audit import chain, context
from audit.models import AccessEvent, Action, Outcome

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from accounts.models import Organization, User


def record_event(
    *,
    action: Action | str,
    actor: User | None = None,
    outcome: Outcome | str = Outcome.ALLOWED,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: Any = "",
    case_code: str = "",
    purpose: str = "",
    organization: Organization | None = None,
) -> AccessEvent:
    """Write one access event.

    Call it inside the transaction of the change it records, so that the change and its
    event are committed together or not at all; the event is sealed into the hash chain
    once that transaction commits. Never pass survivor content: targets
    are named by type and id, cases by their code.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    values = {
        **_who(actor, organization, timezone.now()),
        **_what(action=action, outcome=outcome, target=target, target_type=target_type,
                target_id=target_id, case_code=case_code, purpose=purpose),
    }
    using = router.db_for_write(AccessEvent)
    fields = AccessEvent._meta.concrete_fields  # the key, `id`, first
    row = [values[f.attname] if f.attname in values else f.get_default() for f in fields]
    row[0] = _insert(connections[using], fields[1:], row[1:])
    # As a row read back would be (every field in the model's order: the quick way in).
    event = AccessEvent.from_db(using, [f.attname for f in fields], row)
    if actor is not None:
        event.actor = actor
    # Sealed into the hash chain after commit, outside this transaction (audit/chain/sealing.py).
    chain.schedule_seal(event.pk, using=using)
    return event


def record_events(
    entries: Iterable[Mapping[str, Any]],
    *,
    actor: User | None = None,
    organization: Organization | None = None,
) -> list[AccessEvent]:
    """Write many access events of one actor at one moment, in one INSERT.

    For a page that shows many cases (``cases.sightings``): each entry holds what
    ``record_event`` takes besides the actor (``action`` and any of ``outcome``,
    ``target``, ``target_type``, ``target_id``, ``case_code``, ``purpose``). The rows go
    in as one multi-row INSERT, or as few as the database's limit on parameters allows
    (a page of 50 cases is one statement on SQLite too), inside the caller's transaction
    like ``record_event``'s; they are sealed into the hash chain after it commits, in the
    order of their ids, which is the order of ``entries``.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    who = _who(actor, organization, timezone.now())
    rows = [{**who, **_what(**entry)} for entry in entries]
    if not rows:
        return []
    using = router.db_for_write(AccessEvent)
    connection = connections[using]
    fields = AccessEvent._meta.concrete_fields  # the key, `id`, first
    values = [
        [row[f.attname] if f.attname in row else f.get_default() for f in fields[1:]]
        for row in rows
    ]
    if connection.features.can_return_rows_from_bulk_insert:
        ids: list[int] = []
        size = _rows_per_insert(connection, len(fields) - 1)
        for first in range(0, len(values), size):
            ids += _insert_many(connection, fields[1:], values[first : first + size])
    else:  # a database that cannot say which ids it gave: one statement per row
        ids = [_insert(connection, fields[1:], row) for row in values]
    names = [f.attname for f in fields]
    events = [
        AccessEvent.from_db(using, names, [pk, *row]) for pk, row in zip(ids, values, strict=True)
    ]
    if actor is not None:
        for event in events:
            event.actor = actor
    chain.schedule_seals(ids, using=using)
    return events


def _who(actor: User | None, organization: Organization | None, now: Any) -> dict[str, Any]:
    """The fields of an event that say who and when (the actor must be signed in or None)."""
    request_context = context.current()
    if organization is not None:
        organization_id = organization.pk
    else:  # the actor's by id: loading her organisation would cost a query per event
        organization_id = actor.organization_id if actor else None
    return {
        "occurred_at": now,
        "actor_id": actor.pk if actor else None,
        "actor_username": actor.get_username() if actor else "",
        "actor_role": (actor.role or "") if actor else "",
        "organization_id": organization_id,
        "request_id": request_context.request_id if request_context else "",
        "source_address": request_context.source_address if request_context else None,
    }


def _what(
    *,
    action: Action | str,
    outcome: Outcome | str = Outcome.ALLOWED,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: Any = "",
    case_code: str = "",
    purpose: str = "",
) -> dict[str, Any]:
    """The fields of an event that say what happened, and to which record."""
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target_id or target.pk
    return {
        "action": str(action),
        "target_type": target_type,
        "target_id": str(target_id) if target_id not in (None, "") else "",
        "case_code": case_code,
        "purpose": purpose,
        "outcome": str(outcome),
    }


def _rows_per_insert(connection: BaseDatabaseWrapper, columns: int) -> int:
    """As many rows as one statement may carry parameters for (at most 1000)."""
    limit = connection.features.max_query_params or 65535
    return max(1, min(1000, limit // columns))


def _insert_many(
    connection: BaseDatabaseWrapper, fields: list[models.Field], rows: list[list[Any]]
) -> list[int]:
    """Insert these events in one statement; their ids, in the order of ``rows``."""
    meta, quote = AccessEvent._meta, connection.ops.quote_name
    placeholders = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"RETURNING {quote(meta.pk.column)}"
    )
    params = [
        field.get_db_prep_save(value, connection)
        for row in rows
        for field, value in zip(fields, row, strict=True)
    ]
    with transaction.mark_for_rollback_on_error(connection.alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
        # One statement's rows take their ids in the order of its VALUES; the order in
        # which RETURNING hands them back is not promised, so they are sorted.
        return sorted(row[0] for row in cursor.fetchall())


# The INSERT of an event, per database alias: the same row `AccessEvent.objects.create`
# writes, without compiling the same SQL again for every event of every request.
_insert_statements: dict[str, tuple[str, bool]] = {}


def _insert(connection: BaseDatabaseWrapper, fields: list[models.Field], row: list[Any]) -> int:
    """Insert one event (``row``: the values of ``fields``, every field but the key)."""
    statement = _insert_statements.get(connection.alias)
    if statement is None:
        meta, quote = AccessEvent._meta, connection.ops.quote_name
        returning = connection.features.can_return_columns_from_insert
        sql = (
            f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
            + (f" RETURNING {quote(meta.pk.column)}" if returning else "")
        )
        statement = _insert_statements[connection.alias] = (sql, returning)
    sql, returning = statement
    params = [
        field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)
    ]
    # As the ORM does: a failed insert inside a transaction spoils that transaction.
    with transaction.mark_for_rollback_on_error(connection.alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            return cursor.fetchone()[0]
        return connection.ops.last_insert_id(
            cursor, AccessEvent._meta.db_table, AccessEvent._meta.pk.column
        )
