"""Events are sealed once their transaction commits, and never when it rolls back."""

from __future__ import annotations

import pytest
from django.db import connection, connections, transaction
from django.test import override_settings

from audit.chain import EVENT_FIELDS, verify_chain
from audit.models import AccessEvent, Action, EventSeal
from audit.services import record_event

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_seals_every_event_of_a_transaction_once_it_commits():
    with transaction.atomic():
        first = record_event(action=Action.CASE_VIEWED)
        second = record_event(action=Action.CASE_UPDATED)
        assert not EventSeal.objects.exists()

    assert list(EventSeal.objects.values_list("event_id", flat=True)) == [first.pk, second.pk]
    assert verify_chain().problem is None


def test_a_rolled_back_event_leaves_no_seal_and_no_gap():
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(action=Action.CASE_VIEWED)
        raise RuntimeError
    kept = record_event(action=Action.CASE_UPDATED)

    assert list(EventSeal.objects.values_list("sequence", "event_id")) == [(1, kept.pk)]
    assert AccessEvent.objects.count() == 1
    assert verify_chain().problem is None


def test_an_event_in_a_rolled_back_savepoint_is_not_sealed():
    with transaction.atomic():
        outer = record_event(action=Action.CASE_VIEWED)
        with pytest.raises(RuntimeError), transaction.atomic():
            record_event(action=Action.CASE_UPDATED)
            raise RuntimeError
        after = record_event(action=Action.NOTE_ADDED)

    assert list(EventSeal.objects.values_list("event_id", flat=True)) == [outer.pk, after.pk]
    assert verify_chain().problem is None


# --- throttled sealing (AMPARO_AUDIT_SEAL_INTERVAL_SECONDS) ------------------------------


@pytest.fixture
def fresh_process():
    """This process has never sealed and owes nothing."""
    from audit.chain import sealing as chain

    chain._last_sealing.clear()
    chain._owed.clear()
    yield chain
    chain._last_sealing.clear()
    chain._owed.clear()


def _sealed(*events) -> bool:
    return EventSeal.objects.filter(event_id__in=[e.pk for e in events]).count() == len(events)


@override_settings(AMPARO_AUDIT_SEAL_INTERVAL_SECONDS=60, AMPARO_AUDIT_SEAL_LOOKBACK=0)
def test_a_throttled_process_seals_its_own_skipped_events_at_its_next_sealing(fresh_process):
    first = record_event(action=Action.CASE_VIEWED)  # due: sealed at once
    skipped = record_event(action=Action.CASE_UPDATED)  # within the interval: left
    assert _sealed(first) and not _sealed(skipped)
    assert fresh_process._owed["default"] == [skipped.pk]
    # Another process seals a later event first: the skipped one now sits below the newest
    # seal, where only a look-back (none here) or this process's own list finds it.
    later = AccessEvent.objects.create(action=Action.NOTE_ADDED)
    with transaction.atomic():
        rows = list(AccessEvent.objects.filter(pk=later.pk).values_list(*EVENT_FIELDS))
        fresh_process._append(rows, "default")

    fresh_process._last_sealing.clear()  # the interval has passed
    last = record_event(action=Action.LOGOUT)

    assert _sealed(first, skipped, later, last)
    assert "default" not in fresh_process._owed
    result = verify_chain()
    assert result.problem is None and result.pending == 0


@override_settings(AMPARO_AUDIT_SEAL_INTERVAL_SECONDS=60)
def test_a_rolled_back_event_is_not_owed(fresh_process):
    record_event(action=Action.CASE_VIEWED)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(action=Action.CASE_UPDATED)
        raise RuntimeError

    assert fresh_process._owed.get("default", []) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@override_settings(AMPARO_AUDIT_SEAL_INTERVAL_SECONDS=60)
def test_a_due_sealing_does_not_queue_behind_another_process_sealing(fresh_process):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [fresh_process.SEALER_LOCK_KEY])
        with connection.cursor() as cursor:
            # Were the sealing to wait for the lock, it would fail here instead.
            cursor.execute("SET lock_timeout = '2s'")

        event = record_event(action=Action.CASE_VIEWED)

        assert not _sealed(event)
        assert fresh_process._owed["default"] == [event.pk]
    finally:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [fresh_process.SEALER_LOCK_KEY])
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    fresh_process._last_sealing.clear()
    after = record_event(action=Action.LOGOUT)

    assert _sealed(event, after)
    assert verify_chain().problem is None


# --- the insert itself -------------------------------------------------------------------


def test_the_event_returned_is_the_row_written():
    event = record_event(
        action=Action.CASE_VIEWED,
        target_type="case",
        target_id=42,
        case_code="AMP-2026-00042",
        purpose="follow_up",
    )

    stored = AccessEvent.objects.get(pk=event.pk)
    assert [getattr(stored, f.attname) for f in AccessEvent._meta.concrete_fields] == [
        getattr(event, f.attname) for f in AccessEvent._meta.concrete_fields
    ]
    assert (stored.target_id, stored.case_code) == ("42", "AMP-2026-00042")
    assert not event._state.adding


def test_an_event_inside_a_transaction_costs_one_query(django_assert_num_queries, caseworker):
    from accounts.models import User

    actor = User.objects.get(pk=caseworker.pk)  # as a request loads her: no organisation
    with transaction.atomic(), django_assert_num_queries(1):
        event = record_event(action=Action.CASE_VIEWED, actor=actor, case_code="AMP-2026-00001")

    assert AccessEvent.objects.get(pk=event.pk).organization_id == caseworker.organization_id


def _skip_ids(count: int) -> None:
    """Make the next event id ``count`` higher, as a sequence does after many rolled-back
    events or once the log was emptied while the counter kept counting."""
    table = AccessEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}) + %s)",
                [table, count],
            )
        else:
            # Django's SQLite AutoField is AUTOINCREMENT: its counter is in sqlite_sequence.
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s", [count, table]
            )


def test_an_event_far_above_the_newest_seal_is_sealed_when_it_commits():
    with transaction.atomic():
        first = record_event(action=Action.LOGOUT)
    assert EventSeal.objects.filter(event_id=first.pk).exists()
    _skip_ids(20_000)  # more than one sealing reads past the newest seal (ON_COMMIT_LIMIT)

    with transaction.atomic():
        far = record_event(action=Action.LOGOUT)

    assert far.pk > first.pk + 20_000
    assert EventSeal.objects.filter(event_id=far.pk).exists()
    assert verify_chain().problem is None
