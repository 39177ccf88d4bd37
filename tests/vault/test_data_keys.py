"""Data keys: one per owner, wrapped, in the keys database, committed on their own."""

from __future__ import annotations

import uuid

import pytest
from django.db import connections, transaction

from tests.vault.conftest import BOTH_DATABASES
from tests.vaultdemo.models import SealedRecord
from vault import crypto, keyring
from vault import services as vault
from vault.exceptions import MissingDataKey
from vault.models import DataKey
from vault.routers import KEYS_ALIAS, _is_keys_database


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_one_wrapped_key_per_owner_in_the_keys_database(make_record, owner):
    make_record(owner, secret="a")
    make_record(owner, secret="b")
    row = DataKey.objects.using(KEYS_ALIAS).get(owner_id=owner)
    assert row.master_key_id == keyring.master().current_id
    assert len(row.wrapped_key) == 1 + 12 + 32 + 16
    if not _is_keys_database("default"):  # a small deployment may share one database
        assert DataKey._meta.db_table not in connections["default"].introspection.table_names()


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_wrapped_key_moved_to_another_owner_does_not_unwrap(make_record):
    first, second = make_record(secret="uno"), make_record(secret="dos")
    keys = DataKey.objects.using(KEYS_ALIAS)
    stolen = keys.get(owner_id=first.owner_id).wrapped_key
    keys.filter(owner_id=second.owner_id).update(wrapped_key=stolen)
    from vault.exceptions import WrongMasterKey

    with pytest.raises(WrongMasterKey):
        vault.unseal(second, "secret")


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_data_key_survives_rollback_of_the_main_transaction(owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        record = SealedRecord(owner_id=owner)
        vault.seal(record, secret="primero")
        record.save()
        raise RuntimeError("the caller's transaction fails")
    assert not SealedRecord.objects.exists()
    key = DataKey.objects.using(KEYS_ALIAS).get(owner_id=owner)
    # The unused key is reused, not replaced: values sealed meanwhile stay readable.
    record = SealedRecord(owner_id=owner)
    vault.seal(record, secret="segundo")
    record.save()
    assert DataKey.objects.using(KEYS_ALIAS).get(owner_id=owner).wrapped_key == key.wrapped_key
    assert vault.unseal(SealedRecord.objects.get(), "secret") == "segundo"


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_missing_key_is_an_error(make_record):
    record = make_record(secret="secreto")
    DataKey.objects.using(KEYS_ALIAS).filter(owner_id=record.owner_id).delete()
    with pytest.raises(MissingDataKey):
        vault.unseal(record, "secret")


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_ensure_data_key_creates_once_and_records_it(owner):
    from audit.models import AccessEvent, Action

    vault.ensure_data_key(owner)
    vault.ensure_data_key(owner)
    assert DataKey.objects.using(KEYS_ALIAS).filter(owner_id=owner).count() == 1
    events = AccessEvent.objects.filter(action=Action.VAULT_KEY_CREATED, target_id=str(owner))
    assert events.count() == 1


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_data_key_is_random_per_owner(owner):
    vault.ensure_data_key(owner)
    other = uuid.uuid4()
    vault.ensure_data_key(other)
    ring = keyring.master()
    raw = {
        row.owner_id: ring.current.decrypt(
            row.wrapped_key[1:13],
            row.wrapped_key[13:],
            crypto._wrap_aad(row.owner_id, ring.current_id),
        )
        for row in DataKey.objects.using(KEYS_ALIAS).filter(owner_id__in=[owner, other])
    }
    assert raw[owner] != raw[other] and len(raw[owner]) == 32
