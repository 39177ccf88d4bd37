"""Helpers for the hash-chain tests: events in the chain, and tampering as the database
owner with the append-only triggers out of the way."""

from __future__ import annotations

from contextlib import contextmanager
from io import StringIO

from django.core.management import call_command
from django.db import connection

from audit import append_only
from audit.chain import seal_pending
from audit.models import AccessEvent, Action, Outcome
from audit.services import record_event


def sealed_events(count: int, actor=None) -> list[AccessEvent]:
    """``count`` varied events, sealed (on-commit sealing does not run inside a test's
    transaction, so this seals them itself)."""
    actions = [Action.CASE_VIEWED, Action.NOTE_ADDED, Action.LOGIN_FAILED, Action.CASE_UPDATED]
    events = [
        record_event(
            action=actions[number % len(actions)],
            actor=actor,
            outcome=Outcome.DENIED if number % 5 == 4 else Outcome.ALLOWED,
            target_type="case",
            target_id=f"case-{number}",
            case_code=f"AMP-2026-{number:05d}",
            purpose="follow_up" if number % 2 else "",
        )
        for number in range(count)
    ]
    seal_pending()
    return events


@contextmanager
def triggers_disabled():
    """Act as the database owner who turned the append-only triggers off."""
    if connection.vendor == "postgresql":
        # ALTER TABLE refuses to run while deferred foreign-key checks of the test's own
        # transaction are pending: run them first.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in append_only.TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in append_only.TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        append_only.uninstall(connection)
        try:
            yield
        finally:
            append_only.install(connection)


def verify(*args: str) -> str:
    """verify_audit's output; raises CommandError when the log is not intact."""
    out = StringIO()
    call_command("verify_audit", "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def forget_access_events() -> None:
    """Empty the access log mid-test, as only a superuser can: in replica mode on
    PostgreSQL (triggers do not fire), with the tests' maintenance function on SQLite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            try:
                AccessEvent.objects.all().delete()
            finally:
                cursor.execute("SET session_replication_role = origin")
    else:
        AccessEvent.objects.all().delete()
