"""The one way an access event is written."""

from __future__ import annotations

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
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target_id or target.pk
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    request_context = context.current()
    if organization is not None:
        organization_id = organization.pk
    else:  # the actor's by id: loading her organisation would cost a query per event
        organization_id = actor.organization_id if actor else None
    values = {
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if actor else None,
        "actor_username": actor.get_username() if actor else "",
        "actor_role": (actor.role or "") if actor else "",
        "organization_id": organization_id,
        "action": str(action),
        "target_type": target_type,
        "target_id": str(target_id) if target_id not in (None, "") else "",
        "case_code": case_code,
        "purpose": purpose,
        "outcome": str(outcome),
        "request_id": request_context.request_id if request_context else "",
        "source_address": request_context.source_address if request_context else None,
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
