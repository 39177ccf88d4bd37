"""verify_audit confirms an intact chain and names the first event that was edited,
removed, swapped or slipped in by somebody who turned the triggers off."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from audit.chain import EVENT_FIELDS, canonical, chain_head, seal_pending, verify_chain
from audit.models import AccessEvent, Action, EventSeal
from audit.services import record_event
from tests.audit.chain_helpers import sealed_events, triggers_disabled, verify

pytestmark = pytest.mark.django_db


def test_it_confirms_an_intact_chain_with_count_and_head_hash():
    sealed_events(6)

    output = verify()

    assert "Audit log intact: 6 events" in output
    assert chain_head()[1] in output


def test_it_confirms_an_empty_log():
    assert "Audit log intact: 0 events" in verify()


def test_it_names_an_edited_field():
    events = sealed_events(6)
    with triggers_disabled():
        AccessEvent.objects.filter(pk=events[3].pk).update(case_code="AMP-2026-99999")

    with pytest.raises(CommandError, match=f"event {events[3].pk} was altered"):
        verify()


def test_it_names_an_edited_time():
    events = sealed_events(4)
    with triggers_disabled():
        AccessEvent.objects.filter(pk=events[1].pk).update(
            occurred_at=events[1].occurred_at - timedelta(hours=3)
        )

    with pytest.raises(CommandError, match=f"event {events[1].pk} was altered"):
        verify()


def test_it_names_a_deleted_event():
    events = sealed_events(6)
    with triggers_disabled():
        AccessEvent.objects.filter(pk=events[2].pk).delete()

    with pytest.raises(CommandError, match=f"event {events[2].pk} was removed"):
        verify()


def test_it_names_the_first_of_two_swapped_events():
    events = sealed_events(6)
    first, second = (
        AccessEvent.objects.filter(pk=e.pk).values(*EVENT_FIELDS[1:]).get()
        for e in (events[2], events[4])
    )
    with triggers_disabled():
        AccessEvent.objects.filter(pk=events[2].pk).update(**second)
        AccessEvent.objects.filter(pk=events[4].pk).update(**first)

    with pytest.raises(
        CommandError,
        match=f"event {events[2].pk} was reordered: it now holds what was sealed as event "
        f"{events[4].pk}",
    ):
        verify()


def test_it_names_an_inserted_event():
    sealed_events(4)
    inserted = AccessEvent.objects.create(
        action=Action.CASE_VIEWED,
        actor_username="someone",
        case_code="AMP-2026-00002",
        occurred_at=timezone.now() - timedelta(days=2),
    )

    with pytest.raises(CommandError, match=f"event {inserted.pk} has no seal"):
        verify()


def test_it_names_a_missing_seal():
    events = sealed_events(5)
    with triggers_disabled():
        EventSeal.objects.filter(event_id=events[1].pk).delete()
        AccessEvent.objects.filter(pk=events[1].pk).delete()

    with pytest.raises(CommandError, match="seal 2 is missing"):
        verify()


def test_it_names_a_rewritten_link():
    events = sealed_events(4)
    with triggers_disabled():
        EventSeal.objects.filter(event_id=events[2].pk).update(prev_hash="f" * 64)

    with pytest.raises(CommandError, match="seal 3 of event .* does not follow"):
        verify()


def test_a_recent_event_waiting_for_its_seal_is_no_problem():
    sealed_events(2)
    AccessEvent.objects.create(action=Action.LOGOUT)  # its seal would come after commit

    result = verify_chain()

    assert result.problem is None
    assert result.pending == 1


def test_an_event_committed_after_a_later_one_is_sealed_by_its_own_transaction():
    earlier = AccessEvent.objects.create(action=Action.CASE_VIEWED)
    later = AccessEvent.objects.create(action=Action.CASE_UPDATED)
    # The later transaction commits and seals first ...
    from audit.chain import sealing as chain

    with transaction.atomic():
        rows = list(AccessEvent.objects.filter(pk=later.pk).values_list(*EVENT_FIELDS))
        chain._append(rows, "default")
    # ... so the earlier event sits below the newest seal: without a look-back only its own
    # callback finds it ...
    with override_settings(AMPARO_AUDIT_SEAL_LOOKBACK=0):
        assert seal_pending() == 0
        assert seal_pending(event_ids=[earlier.pk]) == 1

    assert verify_chain().problem is None
    assert list(EventSeal.objects.values_list("event_id", flat=True)) == [later.pk, earlier.pk]


def test_a_sealing_looks_back_for_events_a_throttled_process_skipped():
    earlier = AccessEvent.objects.create(action=Action.CASE_VIEWED)
    later = AccessEvent.objects.create(action=Action.CASE_UPDATED)
    from audit.chain import sealing as chain

    with transaction.atomic():
        rows = list(AccessEvent.objects.filter(pk=later.pk).values_list(*EVENT_FIELDS))
        chain._append(rows, "default")

    # Any later sealing, in any process, takes the skipped earlier event along.
    assert seal_pending() == 1
    assert verify_chain().problem is None
    assert list(EventSeal.objects.values_list("event_id", flat=True)) == [later.pk, earlier.pk]


@override_settings(AMPARO_AUDIT_SEAL_INTERVAL_SECONDS=60)
def test_a_process_seals_at_most_once_per_interval(django_capture_on_commit_callbacks):
    from audit.chain import sealing as chain

    chain._last_sealing.clear()
    with django_capture_on_commit_callbacks(execute=True) as first:
        record_event(action=Action.LOGOUT)
    with django_capture_on_commit_callbacks(execute=True) as second:
        record_event(action=Action.LOGOUT)

    # The first commit sealed; the second, within the interval, left its event for the next.
    assert (len(first), len(second)) == (1, 0)
    assert EventSeal.objects.count() == 1
    assert seal_pending() == 1
    assert verify_chain().problem is None


def test_seal_audit_seals_what_the_on_commit_sealing_missed():
    from io import StringIO

    from django.core.management import call_command

    sealed_events(2)
    AccessEvent.objects.create(action=Action.LOGOUT, occurred_at=timezone.now() - timedelta(days=1))
    out = StringIO()

    call_command("seal_audit", stdout=out, stderr=StringIO())

    assert "1 events sealed" in out.getvalue()
    assert "Audit log intact: 3 events" in verify()


def test_the_canonical_form_is_sorted_compact_json():
    row = (
        7,
        datetime(2026, 3, 2, 14, 0, 5, 120, tzinfo=UTC),
        3,
        "lucía",
        "caseworker",
        None,
        "case.viewed",
        "case",
        "ab\"c\\",
        "AMP-2026-00001",
        "",
        "allowed",
        "r1",
        None,
    )
    expected = dict(zip(EVENT_FIELDS, row, strict=True))
    expected["occurred_at"] = "2026-03-02T14:00:05.000120+00:00"

    assert canonical(row) == json.dumps(
        expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def test_record_event_seals_after_commit_only():
    with transaction.atomic():
        record_event(action=Action.LOGOUT)
        record_event(action=Action.LOGOUT)
        assert not EventSeal.objects.exists()
    # The test's own transaction never commits, so no callback ran: one was registered.
    from django.db import connection

    from audit.chain.sealing import _SealAfterCommit

    callbacks = [c for _, c, _ in connection.run_on_commit if isinstance(c, _SealAfterCommit)]
    assert len(callbacks) == 1
    assert len(callbacks[0].event_ids) == 2


def test_the_database_formats_times_as_the_chain_does():
    from django.db import connection

    from audit.chain.canonical import utc_iso as _utc_iso

    if connection.vendor != "postgresql":
        pytest.skip("SQLite verification reads times through the ORM")
    event = AccessEvent.objects.create(
        action=Action.LOGOUT, occurred_at=datetime(2026, 3, 2, 9, 5, 7, 120, tzinfo=UTC)
    )
    whole = AccessEvent.objects.create(
        action=Action.LOGOUT, occurred_at=datetime(2026, 3, 2, 9, 5, 7, tzinfo=UTC)
    )
    with connection.cursor() as cursor:
        for item in (event, whole):
            cursor.execute(
                "SELECT to_char(occurred_at AT TIME ZONE 'UTC',"
                " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') FROM audit_accessevent"
                " WHERE id = %s",
                [item.pk],
            )
            assert cursor.fetchone()[0] == _utc_iso(item.occurred_at)
