"""Events are sealed once their transaction commits, and never when it rolls back."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.chain import verify_chain
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
