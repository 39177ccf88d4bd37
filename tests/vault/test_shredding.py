"""Shredding an owner destroys her data key: nothing of hers opens again, anywhere."""

from __future__ import annotations

import io
import uuid

import pytest
from django.db import connections

from audit.models import AccessEvent, Action
from tests.vault.conftest import BOTH_DATABASES
from tests.vaultdemo.models import SealedRecord
from vault import services as vault
from vault.exceptions import CannotOpen, OwnerShredded
from vault.models import DataKey
from vault.routers import KEYS_ALIAS
from vault.scope import key_scope

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def with_history_and_file(make_record, owner) -> SealedRecord:
    record = make_record(owner, secret="primera", other_secret="otra")
    vault.seal(record, secret="segunda")
    vault.seal_file(record, "attachment", io.BytesIO(b"informe medico" * 10_000))
    record.save()
    return record


def test_shredded_owner_never_opens_again_live_history_or_files(make_record, owner):
    record = with_history_and_file(make_record, owner)
    assert vault.shred_owner(owner) is True
    record = SealedRecord.objects.get(pk=record.pk)
    for field in ("secret", "other_secret"):
        with pytest.raises(OwnerShredded):
            vault.unseal(record, field)
    for history in record.history.all():
        with pytest.raises(OwnerShredded):
            vault.unseal(history, "secret")
    with pytest.raises(OwnerShredded):
        vault.open_file(record, "attachment")


def test_other_owners_are_untouched(make_record, owner):
    with_history_and_file(make_record, owner)
    bystander = with_history_and_file(make_record, uuid.uuid4())
    vault.shred_owner(owner)
    assert vault.unseal(bystander, "secret") == "segunda"
    assert [vault.unseal(h, "secret") for h in bystander.history.order_by("history_date")] == [
        "primera", "segunda",
    ]
    assert b"".join(vault.open_file(bystander, "attachment")) == b"informe medico" * 10_000


def test_shredding_drops_the_key_from_the_current_cache(make_record, owner):
    record = make_record(owner, secret="primera")
    with key_scope():
        assert vault.unseal(record, "secret") == "primera"  # now cached
        vault.shred_owner(owner)
        with pytest.raises(OwnerShredded):
            vault.unseal(record, "secret")


def test_a_tombstone_remains_without_key_material(make_record, owner):
    make_record(owner, secret="primera")
    vault.shred_owner(owner)
    row = DataKey.objects.using(KEYS_ALIAS).get(owner_id=owner)
    assert row.shredded_at is not None
    assert row.wrapped_key is None and row.master_key_id == ""
    assert vault.is_shredded(owner)


def test_shredded_owner_gets_no_new_key(owner):
    vault.shred_owner(owner)  # even one who never had a key
    with pytest.raises(OwnerShredded):
        vault.seal(SealedRecord(owner_id=owner), secret="nueva")


def test_shredding_is_recorded_once(make_record, owner):
    make_record(owner, secret="primera")
    assert vault.shred_owner(owner) is True
    assert vault.shred_owner(owner) is False
    events = AccessEvent.objects.filter(action=Action.VAULT_OWNER_SHREDDED, target_id=str(owner))
    assert events.count() == 1


def test_shredded_is_reported_distinctly_but_still_fails_closed(make_record, owner):
    record = make_record(owner, secret="primera")
    vault.shred_owner(owner)
    with pytest.raises(CannotOpen) as excinfo:
        vault.unseal(record, "secret")
    assert isinstance(excinfo.value, OwnerShredded)
    assert "shredded" in str(excinfo.value)
    assert not AccessEvent.objects.filter(action=Action.VAULT_INTEGRITY_FAILURE).exists()


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_shredded_key_bytes_leave_the_sqlite_keys_file(make_record, owner):
    connection = connections[KEYS_ALIAS]
    if connection.vendor != "sqlite":
        pytest.skip("secure_delete is SQLite's; PostgreSQL relies on short keys-DB retention")
    make_record(owner, secret="primera")
    wrapped = DataKey.objects.using(KEYS_ALIAS).get(owner_id=owner).wrapped_key
    path = connection.settings_dict["NAME"]
    with open(path, "rb") as handle:
        assert wrapped in handle.read()
    vault.shred_owner(owner)
    with open(path, "rb") as handle:
        assert wrapped not in handle.read()
