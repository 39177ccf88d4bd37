"""``record_events``: many events of one person in one INSERT, in the caller's transaction,
sealed in order once it commits (issue 12, opening 4: the cases a page showed)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.chain import seal_backlog, verify_chain
from audit.models import AccessEvent, Action, EventSeal, Outcome
from audit.services import record_event, record_events

pytestmark = pytest.mark.django_db(transaction=True)


def _entries(count: int) -> list[dict]:
    return [
        {
            "action": Action.CASE_LISTED,
            "target_type": "case",
            "target_id": f"id-{n}",
            "case_code": f"PE-2026-{n:04d}",
            "purpose": "list",
        }
        for n in range(count)
    ]


def _inserts(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].upper().startswith("INSERT") and "audit_accessevent" in q["sql"]
    ]


def test_a_page_of_events_is_one_insert_in_the_order_given(caseworker):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        events = record_events(
            [{"action": Action.CASE_LIST_VIEWED, "purpose": "list"}, *_entries(50)],
            actor=caseworker,
        )
    assert len(_inserts(queries)) == 1
    stored = list(AccessEvent.objects.order_by("pk"))
    assert [e.pk for e in events] == [e.pk for e in stored]
    assert [e.case_code for e in stored] == [""] + [f"PE-2026-{n:04d}" for n in range(50)]
    first = stored[1]
    assert (first.actor, first.actor_username, first.actor_role, first.organization_id) == (
        caseworker,
        caseworker.username,
        caseworker.role,
        caseworker.organization_id,
    )
    assert (first.action, first.outcome, first.target_type, first.purpose) == (
        Action.CASE_LISTED,
        Outcome.ALLOWED,
        "case",
        "list",
    )
    assert len({e.occurred_at for e in stored}) == 1  # one look, one moment


def test_they_are_sealed_in_order_after_the_commit_and_the_chain_holds(caseworker, settings):
    settings.AMPARO_AUDIT_SEAL_INTERVAL_SECONDS = 0
    with transaction.atomic():
        before = record_event(action=Action.CASE_VIEWED, actor=caseworker)
        batch = record_events(_entries(30), actor=caseworker)
        after = record_event(action=Action.NOTE_ADDED, actor=caseworker)
        assert not EventSeal.objects.exists()
    sealed = list(EventSeal.objects.order_by("sequence").values_list("event_id", flat=True))
    assert sealed == [before.pk, *(e.pk for e in batch), after.pk]
    assert verify_chain().problem is None


def test_a_rolled_back_batch_leaves_no_event_and_no_seal(caseworker):
    with pytest.raises(RuntimeError), transaction.atomic():
        record_events(_entries(10), actor=caseworker)
        raise RuntimeError
    kept = record_event(action=Action.CASE_VIEWED, actor=caseworker)
    assert list(AccessEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(EventSeal.objects.values_list("event_id", flat=True)) == [kept.pk]
    assert verify_chain().problem is None


def test_more_than_one_statement_holds_is_split_and_stays_in_order(caseworker, settings):
    settings.AMPARO_AUDIT_SEAL_INTERVAL_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        events = record_events(_entries(1200), actor=caseworker)
    assert len(_inserts(queries)) >= 2
    assert [e.case_code for e in AccessEvent.objects.order_by("pk")] == [
        f"PE-2026-{n:04d}" for n in range(1200)
    ]
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    assert EventSeal.objects.count() == 1200
    assert verify_chain().problem is None


def _skip_ids(count: int) -> None:
    """Move the events' id sequence on, as rolled-back transactions (or an emptied log)
    leave it: the next ids lie far above the newest seal."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('audit_accessevent', 'id'), "
                "nextval(pg_get_serial_sequence('audit_accessevent', 'id')) + %s)",
                [count],
            )
        else:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'audit_accessevent'")
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'audit_accessevent', "
                "COALESCE(MAX(id), 0) + %s FROM audit_accessevent",
                [count],
            )


def test_a_large_commit_far_above_the_newest_seal_is_sealed_whole(caseworker, settings):
    """Its ids lie beyond the window read after the newest seal, so they are taken by id:
    all of them, in as many queries as the database's limit on parameters needs (one
    query cut at that limit once sealed 989 of 1,200 on SQLite and left the rest)."""
    settings.AMPARO_AUDIT_SEAL_INTERVAL_SECONDS = 0
    first = record_event(action=Action.CASE_VIEWED, actor=caseworker)  # the newest seal
    _skip_ids(20_000)
    events = record_events(_entries(1200), actor=caseworker)
    assert events[0].pk > first.pk + 5000  # beyond the window
    assert EventSeal.objects.count() == 1201
    assert verify_chain().problem is None
    assert seal_backlog() == 0
    assert verify_chain().problem is None


def test_nothing_to_record_writes_nothing(caseworker):
    with CaptureQueriesContext(connection) as queries:
        assert record_events([], actor=caseworker) == []
    assert queries.captured_queries == []
