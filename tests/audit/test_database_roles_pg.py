"""The application's database role cannot rewrite the access log (PostgreSQL).

The tests connect as a superuser; here they create the application role the way
docs/database-roles.md does (``grant_app_role``) and act as it. It may read and append
events, seals and grant reviews, and nothing else: no setting switches the triggers off
for it, it cannot disable them, and it holds no UPDATE, DELETE or TRUNCATE.
"""

from __future__ import annotations

import copy
import os
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections

from audit.checks import application_cannot_rewrite_the_log
from audit.models import AccessEvent, Action, EventSeal
from audit.roles import APPEND_ONLY_TABLES, application_role_problems, grant_app_role
from audit.services import record_event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has no database roles"
    ),
]

ROLE = f"amparo_app_test_{os.getpid()}"
# A text column of each append-only table, to try to change.
A_COLUMN = {"audit_accessevent": "purpose", "audit_eventseal": "hash", "audit_grantreview": "note",
            "reports_exportrecord": "kind"}


@pytest.fixture
def app_role(db):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cursor.execute(f"CREATE ROLE {ROLE} LOGIN")
    grant_app_role(connection, ROLE)
    yield ROLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}")
        cursor.execute(f"DROP ROLE {ROLE}")


@pytest.fixture
def as_app(app_role):
    """``with as_app() as app:`` a connection to the test database as the application role."""

    @contextmanager
    def open_connection():
        settings_dict = copy.deepcopy(connections["default"].settings_dict)
        settings_dict["USER"] = app_role
        settings_dict["PASSWORD"] = ""
        wrapper = type(connections["default"])(settings_dict, "default")
        try:
            wrapper.ensure_connection()
            yield wrapper
        finally:
            wrapper.close()

    return open_connection


@pytest.fixture
def event():
    return record_event(action=Action.LOGOUT, target_type="user", target_id="1")


def _refused(app, statement: str, reason: str) -> None:
    with app.cursor() as cursor, pytest.raises(DatabaseError, match=reason):
        cursor.execute(statement)


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_application_role_cannot_update_delete_or_truncate(as_app, event, table):
    with as_app() as app:
        _refused(app, f"UPDATE {table} SET {A_COLUMN[table]} = ''", "permission denied")
        _refused(app, f"DELETE FROM {table}", "permission denied")
        _refused(app, f"TRUNCATE {table} CASCADE", "permission denied")


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_application_role_cannot_disable_a_trigger(as_app, table):
    with as_app() as app:
        _refused(app, f"ALTER TABLE {table} DISABLE TRIGGER ALL", "must be owner")
        _refused(app, f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only", "must be owner")
        _refused(app, f"DROP TRIGGER {table}_append_only ON {table}", "must be owner")


def test_the_application_role_cannot_set_replica_mode(as_app):
    with as_app() as app:
        _refused(app, "SET session_replication_role = replica", "permission denied")


def test_the_old_maintenance_setting_switches_nothing_off(as_app, event):
    # Any session may SET a two-part setting; the triggers no longer read it (audit.0010).
    with as_app() as app, app.cursor() as cursor:
        cursor.execute("SET amparo.audit_maintenance = 'on'")
        with pytest.raises(DatabaseError):
            cursor.execute("DELETE FROM audit_accessevent")
    # Not even for the superuser the tests connect as: only replica mode is.
    with connection.cursor() as cursor:
        cursor.execute("SET amparo.audit_maintenance = 'on'")
        try:
            with pytest.raises(DatabaseError, match="append-only"):
                cursor.execute(f"DELETE FROM audit_accessevent WHERE id = {event.pk}")
        finally:
            cursor.execute("RESET amparo.audit_maintenance")
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_the_application_role_records_and_seals_events(as_app):
    with as_app() as app:
        saved = connections["default"]
        connections["default"] = app
        try:
            recorded = record_event(action=Action.LOGOUT, target_type="user", target_id="7")
            sealed = EventSeal.objects.filter(event_id=recorded.pk).exists()
            read_back = AccessEvent.objects.filter(pk=recorded.pk).count()
        finally:
            connections["default"] = saved
    assert sealed and read_back == 1


def test_the_deploy_check_refuses_a_connection_that_owns_the_log():
    # The tests connect as a superuser that owns every table.
    messages = application_cannot_rewrite_the_log()

    assert [message.id for message in messages] == ["audit.E010"]
    assert "superuser" in messages[0].msg and "owns audit_accessevent" in messages[0].msg


def test_the_deploy_check_passes_for_the_application_role(as_app):
    with as_app() as app:
        assert application_role_problems(app) == []


def test_the_deploy_check_names_a_role_granted_too_much(as_app, app_role):
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT DELETE ON audit_eventseal TO {app_role}")
    with as_app() as app:
        assert application_role_problems(app) == [f"the role {app_role} may DELETE audit_eventseal"]


def test_granting_again_takes_back_what_was_granted_too_much(as_app, app_role):
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT ALL ON audit_accessevent TO {app_role}")
    call_command("grant_app_role", app_role, stdout=StringIO())

    with as_app() as app:
        assert application_role_problems(app) == []
