# The append-only triggers no longer honour the session setting `amparo.audit_maintenance`:
# any session could SET it, Amparo's own connection included, and then change or delete
# events. From here the only ways past the triggers need a superuser
# (`SET session_replication_role = replica`) or the tables' owner (`ALTER TABLE … DISABLE
# TRIGGER`); the application connects as a role that is neither (audit/roles.py).
#
# Written by hand; the SQL is spelled out so that later changes to audit/append_only.py
# cannot change what this migration installs. SQLite keeps its per-connection function:
# it has no roles, whoever holds the file can do anything with it.

from django.db import migrations

REFUSE_EVERY_CHANGE = """
CREATE OR REPLACE FUNCTION amparo_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'amparo audit: % on % refused, the access log is append-only',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

WITH_MAINTENANCE_BYPASS = """
CREATE OR REPLACE FUNCTION amparo_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('amparo.audit_maintenance', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'amparo audit: % on % refused, the access log is append-only',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _replace(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0011_plan_actions"),
    ]

    operations = [
        # hints: the router keeps audit tables out of the `keys` database.
        migrations.RunPython(
            _replace(REFUSE_EVERY_CHANGE),
            _replace(WITH_MAINTENANCE_BYPASS),
            hints={"model_name": "accessevent"},
        ),
    ]
