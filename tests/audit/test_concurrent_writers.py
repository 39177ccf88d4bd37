"""Eight people writing events at once leave one unbroken chain (PostgreSQL, where
requests really run in parallel)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from audit.chain import verify_chain
from audit.models import AccessEvent, Action, EventSeal
from audit.services import record_event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lets one writer in at a time, so there is no race to test",
    ),
]

WRITERS = 8
EVENTS_EACH = 40


def _write(number: int, barrier: threading.Barrier, errors: list) -> None:
    try:
        barrier.wait()
        for index in range(EVENTS_EACH):
            # Alternate lone events and two-event transactions, as requests do.
            if index % 2:
                with transaction.atomic():
                    record_event(action=Action.CASE_VIEWED, target_id=f"{number}-{index}")
                    record_event(action=Action.NOTE_ADDED, target_id=f"{number}-{index}b")
            else:
                record_event(action=Action.CASE_VIEWED, target_id=f"{number}-{index}")
    except Exception as error:  # noqa: BLE001 - reported by the test
        errors.append(error)
    finally:
        connections.close_all()


def test_the_chain_is_intact_after_eight_concurrent_writers():
    barrier = threading.Barrier(WRITERS)
    errors: list = []
    threads = [
        threading.Thread(target=_write, args=(number, barrier, errors)) for number in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    expected = WRITERS * EVENTS_EACH * 3 // 2
    assert AccessEvent.objects.count() == expected
    assert EventSeal.objects.count() == expected
    result = verify_chain()
    assert result.problem is None
    assert result.count == expected and result.pending == 0
