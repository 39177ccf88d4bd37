"""Two database roles, so that Amparo's own connection cannot rewrite the access log.

On PostgreSQL a deployment has two roles (``docs/database-roles.md``):

- the **owner** owns the database and every table; it runs ``migrate`` and
  ``grant_app_role`` and nothing else, and its password stays out of the application
  servers' environment;
- the **application role** is what ``DATABASE_URL`` names for gunicorn and the worker.
  It may read and write the ordinary tables, but on the append-only tables
  (``APPEND_ONLY_TABLES``) it may only ``SELECT`` and ``INSERT``. As it owns none of them
  it cannot ``ALTER`` them, disable their triggers or ``TRUNCATE`` them; and no setting
  switches the triggers off for it (migration ``audit.0010``): the only way past them is
  ``session_replication_role = replica``, which needs a superuser (or a role granted
  ``SET`` on that parameter), or the owner's ``ALTER TABLE … DISABLE TRIGGER``.

``grant_statements`` is the one list of ``GRANT``s; the docs show it and the command
``grant_app_role`` runs it after every ``migrate`` (new tables need their grants).
``application_role_problems`` is what the deploy check ``audit.E010`` reports.
"""

from __future__ import annotations

from typing import Any

# The tables whose rows are written once and never changed: the access events, their
# seals (the hash chain), the auditors' reviews of emergency grants and the records of
# what was exported (reports.ExportRecord, migration reports.0002). Named as tables, not
# models, so that this layer imports nothing from above.
APPEND_ONLY_TABLES = (
    "audit_accessevent", "audit_eventseal", "audit_grantreview", "reports_exportrecord",
)


def _quote(connection: Any, name: str) -> str:
    return connection.ops.quote_name(name)


def grant_statements(connection: Any, role: str) -> list[str]:
    """What the owner grants the application role, after every migration.

    Everything on the ordinary tables, sequences for inserts, and on the append-only
    tables nothing but ``SELECT`` and ``INSERT`` (the ``REVOKE ALL`` first takes back what
    the broad grant or an earlier run gave, ``TRUNCATE`` and ``TRIGGER`` included).
    """
    quoted_role = _quote(connection, role)
    database = _quote(connection, connection.settings_dict["NAME"])
    append_only = ", ".join(
        _quote(connection, table)
        for table in APPEND_ONLY_TABLES
        if table in set(connection.introspection.table_names())
    )
    statements = [
        f"GRANT CONNECT ON DATABASE {database} TO {quoted_role}",
        f"GRANT USAGE ON SCHEMA public TO {quoted_role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted_role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted_role}",
    ]
    if append_only:
        statements += [
            f"REVOKE ALL ON {append_only} FROM PUBLIC",
            f"REVOKE ALL ON {append_only} FROM {quoted_role}",
            f"GRANT SELECT, INSERT ON {append_only} TO {quoted_role}",
        ]
    return statements


def grant_app_role(connection: Any, role: str) -> list[str]:
    """Run ``grant_statements`` on ``connection`` (the owner's); returns what ran."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("Database roles exist on PostgreSQL only.")
    statements = grant_statements(connection, role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            raise LookupError(f"There is no database role {role!r}: create it first.")
        for statement in statements:
            cursor.execute(statement)
    return statements


def acts_as_owner(connection: Any) -> bool:
    """Whether ``connection``'s role is a superuser or owns tables of its schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                OR EXISTS (SELECT 1 FROM pg_tables
                            WHERE schemaname = current_schema()
                              AND pg_has_role(current_user, tableowner, 'USAGE'))
            """
        )
        return bool(cursor.fetchone()[0])


def application_role_problems(connection: Any) -> list[str]:
    """Why ``connection``'s role could rewrite the access log, or ``[]``.

    PostgreSQL only: the role is a superuser, owns (or is a member of the owner of) an
    append-only table, or holds ``UPDATE``, ``DELETE``, ``TRUNCATE`` or ``TRIGGER`` on one.
    """
    if connection.vendor != "postgresql":
        return []
    problems: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, is_superuser = cursor.fetchone()
        if is_superuser:
            problems.append(f"the role {user} is a superuser")
        cursor.execute(
            """
            SELECT tablename, tableowner,
                   pg_has_role(current_user, tableowner, 'USAGE'),
                   has_table_privilege(current_user, quote_ident(tablename), 'UPDATE'),
                   has_table_privilege(current_user, quote_ident(tablename), 'DELETE'),
                   has_table_privilege(current_user, quote_ident(tablename), 'TRUNCATE'),
                   has_table_privilege(current_user, quote_ident(tablename), 'TRIGGER')
              FROM pg_tables
             WHERE schemaname = current_schema() AND tablename = ANY(%s)
             ORDER BY tablename
            """,
            [list(APPEND_ONLY_TABLES)],
        )
        for table, owner, acts_as_owner, *privileges in cursor.fetchall():
            if acts_as_owner:
                problems.append(f"the role {user} owns {table} (as {owner})")
                continue
            held = [
                name
                for name, has in zip(
                    ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER"), privileges, strict=True
                )
                if has
            ]
            if held:
                problems.append(f"the role {user} may {', '.join(held)} {table}")
    return problems
