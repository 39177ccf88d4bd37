# Export records become insert-only like the access events (audit/append_only.py): an
# export is written once, when the file leaves, and never changed or removed, so what a
# supervisor took out of Amparo stays on the record the auditor reads (/audit/exports/).
#
# Written by hand, in the shape of audit.0005. The SQL is spelled out here so that later
# changes elsewhere cannot change what this migration installs. The PostgreSQL trigger
# function `amparo_audit_refuse_change()` is the one audit.0002 created and audit.0012
# made refuse every change; SQLite's triggers call `amparo_audit_maintenance()`, defined
# on every connection by audit.apps. The application role gets only SELECT and INSERT on
# the table: it is in audit.roles.APPEND_ONLY_TABLES, which grant_app_role applies.

from django.db import migrations

TABLE = "reports_exportrecord"

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
        ("reports", "0001_initial"),
        # The trigger function, in its final form (refuses every change).
        ("audit", "0012_append_only_binds_everyone"),
    ]

    operations = [
        # hints: the router keeps this table out of the `keys` database.
        migrations.RunPython(
            install_triggers, uninstall_triggers, hints={"model_name": "exportrecord"}
        ),
    ]
