"""Data keys: creating, unwrapping, caching, shredding, re-wrapping and counting them.

Rules:

- One data key per owner, created on first seal (or with ``ensure_data_key``), written
  and committed on the ``keys`` connection at once — independently of the caller's
  transaction on ``default``. If that transaction rolls back, an unused key remains,
  which is harmless; a value can never outlive its key because the key commits first.
- Unwrapped keys are cached only inside a key scope (``vault.scope``).
- Shredding replaces the wrapped key by a tombstone in one committed update. On SQLite
  the keys connection runs with ``secure_delete`` so the old bytes are zeroed in the
  file; on PostgreSQL the old row version lingers until VACUUM and in WAL archives, which
  is why the keys database should have short backup and WAL retention. Without the
  master key those bytes are useless in any case.
- Rotation re-wraps in committed batches and only touches keys whose master key id is
  not the current one, so an interrupted run simply continues where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from vault import crypto, keyring, scope
from vault.exceptions import (
    MasterKeyError,
    MissingDataKey,
    OwnerShredded,
    UnknownMasterKey,
    WrongMasterKey,
)
from vault.models import DataKey
from vault.routers import KEYS_ALIAS

logger = logging.getLogger("amparo.vault")


def data_key(owner_id: UUID, *, create: bool) -> AESGCM:
    """The owner's unwrapped data key; created first if ``create`` and none exists.

    Raises ``OwnerShredded``, ``MissingDataKey`` (only when not creating) or a
    ``MasterKeyError``. Callers record integrity events; this function does not.
    """
    current_scope = scope.current()
    if current_scope is not None:
        cached = current_scope.cached(owner_id)
        if cached is not None:
            return cached
    row = DataKey.objects.using(KEYS_ALIAS).filter(owner_id=owner_id).first()
    if row is None:
        if not create:
            raise MissingDataKey(f"Owner {owner_id} has no data key.")
        row = _create(owner_id)
    aead = _unwrap(row)
    if current_scope is not None:
        current_scope.remember(owner_id, aead)
    return aead


def _create(owner_id: UUID) -> DataKey:
    ring = keyring.master(for_wrapping=True)
    row = DataKey(
        owner_id=owner_id,
        master_key_id=ring.current_id,
        wrapped_key=crypto.wrap_data_key(
            ring.current, ring.current_id, owner_id, crypto.new_data_key()
        ),
    )
    try:
        # Its own transaction on its own connection: committed whatever ``default`` does.
        with transaction.atomic(using=KEYS_ALIAS):
            row.save(using=KEYS_ALIAS, force_insert=True)
    except IntegrityError:
        # Another request created this owner's key (or shredded the owner) meanwhile.
        existing = DataKey.objects.using(KEYS_ALIAS).filter(owner_id=owner_id).first()
        if existing is None:
            raise
        return existing
    from audit.models import Action
    from audit.services import record_event

    # In the caller's transaction: if it rolls back, so does the record the key was for.
    record_event(action=Action.VAULT_KEY_CREATED, target_type="owner", target_id=owner_id)
    logger.info(
        "vault: created data key for owner %s under master key %s", owner_id, ring.current_id
    )
    return row


def _unwrap(row: DataKey) -> AESGCM:
    if row.shredded_at is not None:
        raise OwnerShredded(f"The data key of owner {row.owner_id} was shredded.")
    ring = keyring.master()
    master = ring.aead(row.master_key_id)  # raises UnknownMasterKey with what to do
    try:
        return crypto.unwrap_data_key(
            master, row.master_key_id, row.owner_id, bytes(row.wrapped_key)
        )
    except crypto.Undecryptable:
        raise WrongMasterKey(
            f"Master key {row.master_key_id!r} does not open the data key of owner "
            f"{row.owner_id}: the loaded key with that id is not the one that wrapped it, "
            "or the wrapped key was altered. Check AMPARO_MASTER_KEY_FILE."
        ) from None


def ensure_data_key(owner_id: UUID) -> None:
    """Create the owner's data key now if missing (e.g. when a survivor is registered)."""
    data_key(owner_id, create=True)


def create_many(owner_ids: Iterable[UUID]) -> None:
    """Create data keys for many new owners with one insert (bulk loads, benchmarks).

    For owners that have no key yet: an owner that already has one (or a tombstone)
    makes the whole insert fail with ``IntegrityError`` and nothing is created. Each key
    is still recorded as created. Inside a key scope the new keys are cached at once.
    """
    owner_ids = list(owner_ids)
    ring = keyring.master(for_wrapping=True)
    fresh = {owner_id: crypto.new_data_key() for owner_id in owner_ids}
    rows = [
        DataKey(
            owner_id=owner_id,
            master_key_id=ring.current_id,
            wrapped_key=crypto.wrap_data_key(ring.current, ring.current_id, owner_id, key),
        )
        for owner_id, key in fresh.items()
    ]
    with transaction.atomic(using=KEYS_ALIAS):
        DataKey.objects.using(KEYS_ALIAS).bulk_create(rows)
    from audit.models import Action
    from audit.services import record_event

    for owner_id in owner_ids:
        record_event(action=Action.VAULT_KEY_CREATED, target_type="owner", target_id=owner_id)
    logger.info("vault: created %s data keys under master key %s", len(rows), ring.current_id)
    current_scope = scope.current()
    if current_scope is not None:
        for owner_id, key in fresh.items():
            current_scope.remember(owner_id, AESGCM(key))


def preload(owner_ids: Iterable[UUID]) -> None:
    """Unwrap the data keys of many owners with one query, into the current key scope.

    For pages that open a value of each of many owners (a list of 50 cases): without it,
    each owner costs a query on ``keys``. Outside a key scope this does nothing (nothing
    may be cached there). Missing and shredded keys are skipped, so that opening them
    later fails exactly as it would have without the preload.
    """
    current_scope = scope.current()
    if current_scope is None:
        return
    wanted = {owner_id for owner_id in owner_ids if owner_id not in current_scope}
    if not wanted:
        return
    rows = DataKey.objects.using(KEYS_ALIAS).filter(owner_id__in=wanted, shredded_at__isnull=True)
    for row in rows:
        current_scope.remember(row.owner_id, _unwrap(row))


def is_shredded(owner_id: UUID) -> bool:
    return DataKey.objects.using(KEYS_ALIAS).filter(
        owner_id=owner_id, shredded_at__isnull=False
    ).exists()


def shred(owner_id: UUID) -> bool:
    """Destroy the owner's data key, leaving a tombstone; False if already shredded."""
    now = timezone.now()
    with transaction.atomic(using=KEYS_ALIAS):
        # Lock the row so that a concurrent rotation cannot write a re-wrapped key back
        # after we cleared it (rotation also matches on the old key id, see rotate()).
        keys = DataKey.objects.using(KEYS_ALIAS)
        row = keys.select_for_update().filter(owner_id=owner_id).first()
        if row is None:
            # No key yet: the tombstone still stops anyone creating one later.
            DataKey(owner_id=owner_id, master_key_id="", wrapped_key=None, shredded_at=now).save(
                using=KEYS_ALIAS, force_insert=True
            )
        elif row.shredded_at is not None:
            return False
        else:
            row.wrapped_key = None
            row.master_key_id = ""
            row.shredded_at = now
            row.save(
                using=KEYS_ALIAS, update_fields=["wrapped_key", "master_key_id", "shredded_at"]
            )
    scope.forget(owner_id)
    return True


@dataclass
class RotationReport:
    current_key_id: str
    to_rewrap: int = 0
    rewrapped: int = 0
    failed_owner_ids: list[UUID] = field(default_factory=list)
    remaining_key_ids: list[str] = field(default_factory=list)


def rotate(
    *, batch_size: int = 1000, progress: Callable[[int], None] | None = None
) -> RotationReport:
    """Re-wrap every live data key not wrapped by the current master key.

    Each batch is one committed transaction on ``keys``. The update matches on the old
    master key id too, so a key shredded (or re-wrapped by a parallel run) meanwhile is
    left alone rather than resurrected. Keys that do not unwrap are skipped and reported.
    """
    ring = keyring.master(for_wrapping=True)
    new_id, new = ring.current_id, ring.current
    pending = DataKey.objects.using(KEYS_ALIAS).filter(shredded_at__isnull=True).exclude(
        master_key_id=new_id
    )
    report = RotationReport(current_key_id=new_id, to_rewrap=pending.count())
    connection = connections[KEYS_ALIAS]
    quote = connection.ops.quote_name
    meta = DataKey._meta
    column = {name: quote(meta.get_field(name).column) for name in (
        "id", "wrapped_key", "master_key_id", "rewrapped_at"
    )}
    # Raw SQL with executemany: one statement per batch instead of one save() per key is
    # what keeps 100,000 re-wraps within seconds. Only quoted column names from the model's
    # own metadata are interpolated; every value is a parameter.
    update_sql = (
        f"UPDATE {quote(meta.db_table)} SET {column['wrapped_key']} = %s, "  # noqa: S608
        f"{column['master_key_id']} = %s, {column['rewrapped_at']} = %s "
        f"WHERE {column['id']} = %s AND {column['master_key_id']} = %s"
    )
    last_pk = 0
    while True:
        with transaction.atomic(using=KEYS_ALIAS):
            rows = list(
                pending.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "owner_id", "master_key_id", "wrapped_key")[:batch_size]
            )
            if not rows:
                break
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            updates = []
            for pk, owner_id, old_id, wrapped in rows:
                try:
                    rewrapped = crypto.rewrap_data_key(
                        ring.aead(old_id), old_id, new, new_id, owner_id, bytes(wrapped)
                    )
                except (UnknownMasterKey, crypto.Undecryptable):
                    report.failed_owner_ids.append(owner_id)
                    continue
                updates.append((rewrapped, new_id, now, pk, old_id))
            with connection.cursor() as cursor:
                cursor.executemany(update_sql, updates)
            report.rewrapped += len(updates)
        last_pk = rows[-1][0]
        if progress is not None:
            progress(len(rows))
    report.remaining_key_ids = sorted(
        set(pending.values_list("master_key_id", flat=True).distinct())
    )
    return report


@dataclass
class VaultStatus:
    loaded_key_ids: tuple[str, ...]
    current_key_id: str
    data_keys: int
    keys_by_master_key_id: dict[str, int]
    shredded_owners: int
    sample_size: int
    sample_opened: int
    sample_errors: dict[str, int]
    # Owners with sealed values in the main database but no key row at all: a main
    # database restored with an older keys database (their data no longer opens).
    owners_without_key: list[UUID] = field(default_factory=list)
    # Owners the main database says are shredded whose key is still live: the shredding
    # did not finish (the key must go; ``shred_owner`` again finishes it).
    shredded_with_key: list[UUID] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return (
            self.sample_opened == self.sample_size
            and not self.owners_without_key
            and not self.shredded_with_key
        )


def sealed_owner_ids() -> tuple[set[UUID], set[UUID]]:
    """Owners with sealed values in the main database, and those it marks as shredded.

    Read from every model with sealed fields: an owner counts when any sealed field of
    one of its rows holds something. A model whose sealed fields are owned by its own
    row and that has a ``shredded_at`` field (the survivor) says who is shredded.
    """
    from django.apps import apps
    from django.db.models import Q

    from vault.fields import EncryptedField, EncryptedFileField, live_model

    with_values: set[UUID] = set()
    shredded: set[UUID] = set()
    for model in apps.get_models():
        if live_model(model) is not model:
            continue  # history rows repeat the live rows' owners
        sealed = [f for f in model._meta.concrete_fields
                  if isinstance(f, EncryptedField | EncryptedFileField)]
        if not sealed:
            continue
        for owner in {f.owner for f in sealed}:
            holds_something = Q()
            for f in (f for f in sealed if f.owner == owner):
                empty = Q(**{f"{f.attname}__isnull": True})
                if isinstance(f, EncryptedFileField):
                    empty |= Q(**{f.attname: ""})
                holds_something |= ~empty
            rows = model._default_manager.filter(holds_something)
            with_values.update(rows.values_list(owner, flat=True).distinct())
        field_names = {f.name for f in model._meta.concrete_fields}
        if "shredded_at" in field_names and all(f.owner == model._meta.pk.attname
                                                for f in sealed):
            shredded.update(model._default_manager.filter(shredded_at__isnull=False)
                            .values_list("pk", flat=True))
    return with_values, shredded


def status(*, sample_size: int = 20) -> VaultStatus:
    """Counts, and whether the loaded master keys open a random sample of data keys."""
    ring = keyring.master()
    live = DataKey.objects.using(KEYS_ALIAS).filter(shredded_at__isnull=True)
    by_id: dict[str, int] = {}
    for key_id in live.values_list("master_key_id", flat=True).distinct():
        by_id[key_id] = live.filter(master_key_id=key_id).count()
    sample = list(live.order_by("?")[:sample_size])
    opened = 0
    errors: dict[str, int] = {}
    for row in sample:
        try:
            _unwrap(row)
        except MasterKeyError as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        else:
            opened += 1
    with_values, shredded = sealed_owner_ids()
    keys = DataKey.objects.using(KEYS_ALIAS)
    known = set(keys.values_list("owner_id", flat=True))
    still_live = set(
        keys.filter(owner_id__in=shredded, shredded_at__isnull=True)
        .values_list("owner_id", flat=True)
    ) if shredded else set()
    return VaultStatus(
        owners_without_key=sorted(with_values - known, key=str),
        shredded_with_key=sorted(still_live, key=str),
        loaded_key_ids=ring.ids,
        current_key_id=ring.current_id,
        data_keys=sum(by_id.values()),
        keys_by_master_key_id=by_id,
        shredded_owners=DataKey.objects.using(KEYS_ALIAS).filter(shredded_at__isnull=False).count(),
        sample_size=len(sample),
        sample_opened=opened,
        sample_errors=errors,
    )
