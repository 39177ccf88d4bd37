"""The blind indexes of survivors and their documents: how each row's index is made, and
recomputing them all after the index key or the sizing changed.

One index per row (vault/blind_index.py, "one bit budget per row"): a survivor's row
carries the index of her full name only (her birth year is compared after opening), a
document's row the index of its number only. Every index is keyed per organisation, so
the same woman registered by two organisations has unrelated index values.

Each row also stores the ``version`` of the index that computed it (key and width).
``recompute_stale`` works through the rows whose version is not the current one, in
batches that each commit: interrupted, it is simply run again and goes on where it
stopped, and rows written meanwhile by intakes already carry the current version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from audit.models import Action
from audit.services import record_event
from cases.models import DOCUMENT_INDEX, NAME_INDEX, Survivor, SurvivorDocument
from vault import services as vault
from vault.exceptions import CannotOpen
from vault.scope import key_scope


def full_name(given_names: str | None, family_names: str | None) -> str:
    """Her full name as it is indexed and compared: given names, then family names."""
    return " ".join(part for part in (given_names, family_names) if part)


def index_survivor(survivor: Survivor, *, name: str | None) -> None:
    """Fill her row's blind index from her full name (none for a shredded survivor)."""
    vault.set_blind_index(
        survivor,
        "name_key",
        None if survivor.shredded_at else (name or None),
        scope=survivor.organization_id,
    )
    survivor.index_version = NAME_INDEX.version()


def index_document(document: SurvivorDocument, *, number: str | None, organization_id: Any) -> None:
    vault.set_blind_index(document, "number_key", number or None, scope=organization_id)
    document.index_version = DOCUMENT_INDEX.version()


@dataclass
class Reindexed:
    survivors: int = 0
    documents: int = 0


def stale_counts() -> Reindexed:
    return Reindexed(
        survivors=Survivor.objects.exclude(index_version=NAME_INDEX.version()).count(),
        documents=SurvivorDocument.objects.exclude(index_version=DOCUMENT_INDEX.version()).count(),
    )


def _opened(instance: Any, *fields: str) -> Iterator[str | None]:
    for name in fields:
        try:
            value = vault.unseal(instance, name)
        except CannotOpen:  # shredded, or an integrity failure (already recorded)
            value = None
        yield value if isinstance(value, str) or value is None else value.decode("utf-8")


@transaction.atomic
def _survivor_batch(batch_size: int) -> int:
    # Locked so that an identity edit running meanwhile is not overwritten with an index
    # of her old name; skip_locked leaves those rows for the next batch.
    rows = list(
        Survivor.objects.select_for_update(skip_locked=True)
        .exclude(index_version=NAME_INDEX.version())
        .order_by("pk")[:batch_size]
    )
    for survivor in rows:
        given, family = _opened(survivor, "given_names", "family_names")
        index_survivor(survivor, name=full_name(given, family))
        # The index is left out of her history: no history row for a recomputation.
        survivor.save_without_historical_record(update_fields=["name_key", "index_version"])
    if rows:
        record_event(
            action=Action.BLIND_INDEXES_RECOMPUTED, target_type="blind_index",
            target_id=NAME_INDEX.name, purpose="reindex",
        )
    return len(rows)


@transaction.atomic
def _document_batch(batch_size: int) -> int:
    rows = list(
        SurvivorDocument.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("survivor")
        .exclude(index_version=DOCUMENT_INDEX.version())
        .order_by("pk")[:batch_size]
    )
    for document in rows:
        (number,) = _opened(document, "number")
        if document.survivor.shredded_at:
            number = None
        index_document(document, number=number, organization_id=document.survivor.organization_id)
        document.save_without_historical_record(update_fields=["number_key", "index_version"])
    if rows:
        record_event(
            action=Action.BLIND_INDEXES_RECOMPUTED, target_type="blind_index",
            target_id=DOCUMENT_INDEX.name, purpose="reindex",
        )
    return len(rows)


def recompute_stale(
    *, batch_size: int = 500, progress: Callable[[int], None] | None = None
) -> Reindexed:
    """Recompute every survivor's and document's index whose version is not the current
    one; each batch commits with its audit event (a system job: no actor). Resumable."""
    done = Reindexed()
    for attribute, batch in (("survivors", _survivor_batch), ("documents", _document_batch)):
        while True:
            with key_scope():
                count = batch(batch_size)
            if not count:
                break
            setattr(done, attribute, getattr(done, attribute) + count)
            if progress is not None:
                progress(count)
    return done
