"""The database itself refuses to change or remove access events and their seals, for
the application's own connection too: only inserts go through."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections

from audit.models import AccessEvent, Action, EventSeal
from audit.services import record_event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def event():
    # Outside a transaction: committed, and sealed at once.
    return record_event(action=Action.LOGOUT, target_type="user", target_id="1")


def _refused(application_connection, statement: str) -> None:
    with (
        application_connection() as app,
        app.cursor() as cursor,
        pytest.raises(DatabaseError, match="append-only"),
    ):
        cursor.execute(statement)


def test_it_refuses_an_update_of_an_event(event, application_connection):
    _refused(application_connection, "UPDATE audit_accessevent SET purpose = 'covered'")

    assert AccessEvent.objects.get(pk=event.pk).purpose == ""


def test_it_refuses_a_delete_of_an_event(event, application_connection):
    _refused(application_connection, f"DELETE FROM audit_accessevent WHERE id = {event.pk}")

    assert AccessEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no TRUNCATE (DELETE is tested)"
)
def test_it_refuses_a_truncate_of_the_events(event, application_connection):
    _refused(application_connection, "TRUNCATE audit_accessevent CASCADE")

    assert AccessEvent.objects.count() == 1


def test_it_refuses_an_update_of_a_seal(event, application_connection):
    _refused(application_connection, "UPDATE audit_eventseal SET hash = prev_hash")


def test_it_refuses_a_delete_of_a_seal(event, application_connection):
    _refused(application_connection, "DELETE FROM audit_eventseal")

    assert EventSeal.objects.filter(event_id=event.pk).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no TRUNCATE (DELETE is tested)"
)
def test_it_refuses_a_truncate_of_the_seals(event, application_connection):
    _refused(application_connection, "TRUNCATE audit_eventseal")


def test_it_still_accepts_new_events(event, application_connection):
    with application_connection() as app, app.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accessevent (occurred_at, actor_username, actor_role, action,"
            " target_type, target_id, case_code, purpose, outcome, request_id)"
            " VALUES (CURRENT_TIMESTAMP, '', '', 'logout', '', '', '', '', 'allowed', '')"
        )

    assert AccessEvent.objects.count() == 2


def test_the_orm_on_the_application_connection_is_refused(event, application_connection):
    with application_connection() as app:
        test_connection = connections["default"]
        connections["default"] = app
        try:
            with pytest.raises(DatabaseError, match="append-only"):
                AccessEvent.objects.filter(pk=event.pk).update(purpose="covered")
            with pytest.raises(DatabaseError, match="append-only"):
                AccessEvent.objects.get(pk=event.pk).delete()
        finally:
            connections["default"] = test_connection

    assert AccessEvent.objects.get(pk=event.pk).purpose == ""


def test_a_sealed_log_verifies(event):
    call_command("verify_audit", "--no-progress")
