# Auditors' reviews of emergency grants become insert-only like the access events
# (audit/append_only.py): a review is written once and never changed or removed, so an
# auditor's finding cannot be quietly rewritten after the fact.
#
# Written by hand. The SQL is spelled out here rather than taken from
# audit/append_only.py, so that later changes to that module cannot change what this
# migration installs. The PostgreSQL trigger function `amparo_audit_refuse_change()` is
# the one migration 0002 created (it honours the same maintenance setting); SQLite's
# triggers call `amparo_audit_maintenance()`, defined on every connection by audit.apps.

from django.db import migrations

TABLE = "audit_grantreview"

POSTGRESQL_INSTALL = [
    f"""CREATE TRIGGER {TABLE}_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION amparo_audit_refuse_change()""",
]
POSTGRESQL_UNINSTALL = [f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}"]

SQLITE_INSTALL = [
    f"""CREATE TRIGGER {TABLE}_no_{operation.lower()}
        BEFORE {operation} ON {TABLE}
        WHEN NOT amparo_audit_maintenance()
        BEGIN
            SELECT RAISE(ABORT, 'amparo audit: {operation} on {TABLE} refused, the access log is append-only');
        END"""  # noqa: E501
    for operation in ("UPDATE", "DELETE")
]
SQLITE_UNINSTALL = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{op}" for op in ("update", "delete")]


def _run(schema_editor, statements_by_vendor):
    statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL})


def uninstall_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_UNINSTALL, "sqlite": SQLITE_UNINSTALL})


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_password_change_refused"),
    ]

    operations = [
        # hints: the router keeps audit tables out of the `keys` database.
        migrations.RunPython(
            install_triggers, uninstall_triggers, hints={"model_name": "grantreview"}
        ),
    ]
