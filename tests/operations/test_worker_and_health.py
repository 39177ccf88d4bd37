"""The worker seals the audit log within the bound with no further request, survives a
database that goes away, and beats; the health URL answers 200 or 503 and nothing more."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.test import override_settings
from django.urls import reverse

from audit.chain import sealing
from audit.models import AccessEvent, Action, EventSeal
from audit.services import record_event
from operations.jobs import Job, Scheduler
from operations.models import WorkerHeartbeat
from operations.worker import Worker

BOUND = 3  # seconds: the test's own AMPARO_AUDIT_SEAL_BOUND_SECONDS


def _unsealed_event() -> AccessEvent:
    """An event committed by a quiet process that will not seal again by itself."""
    sealing._last_sealing["default"] = time.monotonic()  # it has just sealed: not due
    event = record_event(action=Action.LOGIN_FAILED)
    assert not EventSeal.objects.filter(event_id=event.pk).exists()
    return event


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
@override_settings(AMPARO_AUDIT_SEAL_INTERVAL_SECONDS=3600, AMPARO_AUDIT_SEAL_BOUND_SECONDS=BOUND)
def test_an_event_is_sealed_within_the_bound_with_no_further_request():
    worker = Worker(interval=0.2)
    worker.turn()  # the worker has just run its jobs: the event waits a whole turn
    event = _unsealed_event()
    written = time.monotonic()

    def run() -> None:  # the worker process, with its own connection
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    sealed_after = None
    try:
        while time.monotonic() - written < BOUND + 2:
            if EventSeal.objects.filter(event_id=event.pk).exists():
                sealed_after = time.monotonic() - written
                break
            time.sleep(0.1)
    finally:
        worker.tasks.running = False
        thread.join()

    assert sealed_after is not None, "the event was never sealed"
    assert sealed_after <= BOUND
    print(f"sealed {sealed_after:.2f} s after commit (bound {BOUND} s)")


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_the_worker_survives_the_database_going_away(monkeypatch, caplog):
    worker = Worker(interval=0)
    calls = {"n": 0}
    real_run = worker.tasks.run

    def database_restarting() -> None:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OperationalError("terminating connection due to administrator command")
        real_run()

    monkeypatch.setattr(worker.tasks, "run", database_restarting)
    monkeypatch.setattr("operations.worker.time.sleep", lambda seconds: None)

    worker.run(turns=4)

    assert calls["n"] == 4  # two failed turns, then it went on
    assert "database unavailable (OperationalError)" in caplog.text
    assert WorkerHeartbeat.objects.filter(worker_id=worker.worker_id).exists()


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_the_worker_reconnects_after_its_connection_is_killed():
    if connection.vendor != "postgresql":
        pytest.skip("terminating a backend is a PostgreSQL test")
    worker = Worker(interval=0)
    worker.turn()
    pid = connection.connection.info.backend_pid
    import psycopg

    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname=settings_dict["NAME"], user=settings_dict["USER"], host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432, password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    worker._last_beat = 0.0
    worker.run(turns=3)  # the first turn may meet the dead connection; later ones reconnect

    assert connection.connection.info.backend_pid != pid
    assert WorkerHeartbeat.objects.get(worker_id=worker.worker_id)


def test_a_failing_job_is_logged_by_type_and_tried_again(caplog):
    clock = {"now": 0.0}
    runs = []

    def broken() -> int:
        runs.append(clock["now"])
        raise ValueError("a message that might quote a value")

    scheduler = Scheduler([Job("broken", broken, 10)], clock=lambda: clock["now"])
    scheduler.run_due()
    clock["now"] = 5
    scheduler.run_due()
    clock["now"] = 10
    scheduler.run_due()

    assert runs == [0.0, 10]
    assert "job broken failed: ValueError" in caplog.text
    assert "might quote" not in caplog.text


@pytest.mark.django_db(databases=["default", "keys"])
def test_health_is_503_without_a_worker_and_tells_the_public_nothing(client):
    response = client.get(reverse("operations:health"))

    assert response.status_code == 503
    assert response.content == b"unavailable\n"


@pytest.mark.django_db(databases=["default", "keys"])
def test_health_is_200_when_everything_answers(client):
    Worker().beat()

    response = client.get(reverse("operations:health"))

    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db(databases=["default", "keys"])
@override_settings(AMPARO_AUDIT_SEAL_INTERVAL_SECONDS=3600, AMPARO_AUDIT_SEAL_BOUND_SECONDS=1)
def test_health_fails_on_sealing_lag_and_the_command_says_why(client, capsys):
    from django.core.management import CommandError, call_command

    Worker().beat()
    event = _unsealed_event()
    time.sleep(2.1)  # older than twice the bound, still unsealed
    assert not EventSeal.objects.filter(event_id=event.pk).exists()

    assert client.get(reverse("operations:health")).status_code == 503
    with pytest.raises(CommandError):
        call_command("health")
    assert "FAIL audit sealing: oldest unsealed event" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
@override_settings(AMPARO_AUDIT_SEAL_INTERVAL_SECONDS=3600)
def test_the_sealing_job_reaches_an_event_far_above_the_newest_seal():
    """Ids are not dense: a run of rolled-back transactions leaves a gap wider than the
    window that sealing after a commit reads. The timer must still seal what is above."""
    from operations.jobs import seal_audit_log

    first = record_event(action=Action.LOGIN_FAILED)
    seal_audit_log()
    assert EventSeal.objects.filter(event_id=first.pk).exists()
    table = AccessEvent._meta.db_table
    with connection.cursor() as cursor:  # 20,000 ids lost to rollbacks
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                           [table, first.pk + 20_000])
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s",
                           [first.pk + 20_000, table])
    far = _unsealed_event()
    assert far.pk > first.pk + 20_000

    seal_audit_log()

    assert EventSeal.objects.filter(event_id=far.pk).exists()
