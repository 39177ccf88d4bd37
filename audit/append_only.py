"""The database refuses to change or remove access events and their seals.

Triggers, created by migration ``audit.0002``, make ``audit_accessevent`` and
``audit_eventseal`` insert-only for every connection: ``UPDATE`` and ``DELETE`` raise, and
on PostgreSQL ``TRUNCATE`` too. Amparo itself never changes an event; these triggers are
for everybody else with a database connection.

Nothing switches the PostgreSQL triggers off for an ordinary session (migration
``audit.0010`` removed the ``amparo.audit_maintenance`` setting any session could set).
Past them get only a superuser's ``SET session_replication_role = replica`` (triggers do
not fire in replica mode) and the tables' owner, who may ``ALTER TABLE … DISABLE
TRIGGER``. Amparo's application connects as a role that is neither (``audit.roles``,
``docs/database-roles.md``); the test suite empties its tables in replica mode
(``tests/conftest.py``) and tampers as the owner.

SQLite has no roles: whoever can open the file can do anything with it. Its triggers call
the SQL function ``amparo_audit_maintenance()``, which the audit app defines on every
SQLite connection as returning 0 (``audit.apps``) and the tests redefine as 1 to empty
tables. A trigger of the main schema cannot read a per-connection temporary table, a
function can. A connection without the function (the ``sqlite3`` shell) gets "no such
function", which refuses the change all the same.

The database owner can still drop or disable the triggers. That is what the hash chain
(``audit.chain``) and the signed checkpoints (``audit.checkpoints``) are for: whatever is
then changed is found by ``manage.py verify_audit``.

Changing the SQL below changes what old migrations install: add a new migration that
drops and recreates the triggers instead.
"""

from __future__ import annotations

from typing import Any

TABLES = ("audit_accessevent", "audit_eventseal")

_POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION amparo_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'amparo audit: % on % refused, the access log is append-only',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _postgresql_install(table: str) -> list[str]:
    # Statement-level: it fires even when no row matches, and costs nothing per row.
    return [
        f"""CREATE TRIGGER {table}_append_only
            BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION amparo_audit_refuse_change()"""
    ]


def _sqlite_install(table: str) -> list[str]:
    # SQLite has row triggers only, and no TRUNCATE.
    return [
        f"""CREATE TRIGGER {table}_no_{operation.lower()}
            BEFORE {operation} ON {table}
            WHEN NOT amparo_audit_maintenance()
            BEGIN
                SELECT RAISE(ABORT, 'amparo audit: {operation} on {table} refused, the access log is append-only');
            END"""  # noqa: E501
        for operation in ("UPDATE", "DELETE")
    ]


def install_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [_POSTGRESQL_FUNCTION] + [s for t in TABLES for s in _postgresql_install(t)]
    if vendor == "sqlite":
        return [s for t in TABLES for s in _sqlite_install(t)]
    raise NotImplementedError(f"No append-only triggers for the {vendor} database.")


def uninstall_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in TABLES] + [
            "DROP FUNCTION IF EXISTS amparo_audit_refuse_change()"
        ]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {t}_no_{op}" for t in TABLES for op in ("update", "delete")
        ]
    raise NotImplementedError(f"No append-only triggers for the {vendor} database.")


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in install_statements(connection.vendor):
            cursor.execute(statement)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in uninstall_statements(connection.vendor):
            cursor.execute(statement)


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: maintenance mode off on every SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("amparo_audit_maintenance", 0, _off)


def _off() -> int:
    return 0
