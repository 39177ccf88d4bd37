"""Rotating the master key re-wraps data keys, resumably, without touching sealed data."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import CommandError, call_command

from audit.models import AccessEvent, Action
from tests.vault.conftest import BOTH_DATABASES, key_line
from tests.vaultdemo.models import SealedRecord
from vault import crypto, datakeys
from vault import services as vault
from vault.exceptions import UnknownMasterKey
from vault.models import DataKey
from vault.routers import KEYS_ALIAS

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


@pytest.fixture
def old_and_new(use_master_keys):
    old, _ = key_line("2025")
    new, _ = key_line("2026")
    use_master_keys(old)
    return old, new


def test_after_rotation_every_value_opens_with_only_the_new_key(
    make_record, use_master_keys, old_and_new
):
    old, new = old_and_new
    records = [make_record(secret=f"persona {n}") for n in range(5)]
    stored_before = [SealedRecord.objects.get(pk=r.pk).secret for r in records]
    use_master_keys(new, old)
    out = io.StringIO()
    call_command("rotate_master_key", "--no-progress", stdout=out)
    assert "re-wrapped: 5" in out.getvalue()
    assert "still wrapped by another key: none" in out.getvalue()
    assert not DataKey.objects.using(KEYS_ALIAS).filter(master_key_id="2025").exists()
    use_master_keys(new)
    for n, record in enumerate(records):
        fresh = SealedRecord.objects.get(pk=record.pk)
        assert fresh.secret == stored_before[n]  # data untouched
        assert vault.unseal(fresh, "secret") == f"persona {n}"
    assert AccessEvent.objects.filter(action=Action.VAULT_KEYS_ROTATED, target_id="2026").exists()


def test_without_rotation_the_old_key_is_still_needed(make_record, use_master_keys, old_and_new):
    old, new = old_and_new
    record = make_record(secret="persona")
    use_master_keys(new)
    with pytest.raises(UnknownMasterKey):
        vault.unseal(record, "secret")


def test_rotation_is_resumable_after_an_interruption(
    make_record, use_master_keys, old_and_new, monkeypatch
):
    old, new = old_and_new
    records = [make_record(secret=f"persona {n}") for n in range(7)]
    use_master_keys(new, old)
    real_rewrap, calls = crypto.rewrap_data_key, {"n": 0}

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C in the third batch
        return real_rewrap(*args, **kwargs)

    monkeypatch.setattr(crypto, "rewrap_data_key", interrupted)
    with pytest.raises(KeyboardInterrupt):
        vault.rotate_master_key(batch_size=2)
    keys = DataKey.objects.using(KEYS_ALIAS)
    assert keys.filter(master_key_id="2026").count() == 4  # two committed batches
    assert keys.filter(master_key_id="2025").count() == 3

    monkeypatch.setattr(crypto, "rewrap_data_key", real_rewrap)
    report = vault.rotate_master_key(batch_size=2)
    assert report.to_rewrap == 3 and report.rewrapped == 3 and report.remaining_key_ids == []
    use_master_keys(new)
    assert [vault.unseal(r, "secret") for r in records] == [f"persona {n}" for n in range(7)]


def test_a_second_run_has_nothing_to_do(make_record, use_master_keys, old_and_new):
    old, new = old_and_new
    make_record(secret="persona")
    use_master_keys(new, old)
    vault.rotate_master_key()
    report = vault.rotate_master_key()
    assert (report.to_rewrap, report.rewrapped) == (0, 0)


def test_keys_that_do_not_unwrap_are_reported_not_lost(make_record, use_master_keys, old_and_new):
    old, new = old_and_new
    good = make_record(secret="persona")
    use_master_keys(key_line("2024")[0])
    lost = make_record(secret="otra")
    use_master_keys(new, old)
    with pytest.raises(CommandError, match="did not unwrap"):
        call_command("rotate_master_key", "--no-progress", stdout=io.StringIO())
    keys = DataKey.objects.using(KEYS_ALIAS)
    assert keys.get(owner_id=good.owner_id).master_key_id == "2026"
    assert keys.get(owner_id=lost.owner_id).master_key_id == "2024"


def test_rotation_never_resurrects_a_key_shredded_meanwhile(
    make_record, use_master_keys, old_and_new
):
    old, new = old_and_new
    record = make_record(secret="persona")
    use_master_keys(new, old)
    real_rewrap = crypto.rewrap_data_key

    def shred_during_rotation(*args, **kwargs):
        rewrapped = real_rewrap(*args, **kwargs)
        datakeys.shred(record.owner_id)  # lands between our read and our write
        return rewrapped

    crypto.rewrap_data_key = shred_during_rotation
    try:
        vault.rotate_master_key()
    finally:
        crypto.rewrap_data_key = real_rewrap
    row = DataKey.objects.using(KEYS_ALIAS).get(owner_id=record.owner_id)
    assert row.shredded_at is not None and row.wrapped_key is None


def test_vault_status_reports_keys_counts_and_sample(make_record, use_master_keys, old_and_new):
    old, new = old_and_new
    make_record(secret="uno")
    shredded = make_record(secret="dos")
    vault.shred_owner(shredded.owner_id)
    use_master_keys(new, old)
    make_record(secret="tres")
    out = io.StringIO()
    call_command("vault_status", stdout=out)
    text = out.getvalue()
    assert "master keys loaded: 2026 (current), 2025" in text
    assert "data keys: 2" in text
    assert "wrapped by 2025: 1" in text and "wrapped by 2026: 1" in text
    assert "shredded owners: 1" in text
    assert "sample: 2 of 2 data keys open" in text


def test_vault_status_fails_when_the_master_keys_do_not_open_the_sample(
    make_record, use_master_keys, old_and_new
):
    make_record(secret="uno")
    use_master_keys(key_line("2025")[0])  # same id, other key
    out = io.StringIO()
    with pytest.raises(CommandError, match="WrongMasterKey"):
        call_command("vault_status", stdout=out)
    assert "sample: 0 of 1" in out.getvalue()


def test_rotation_command_draws_progress(make_record, use_master_keys, old_and_new):
    old, new = old_and_new
    make_record(secret="uno")
    use_master_keys(new, old)
    err = io.StringIO()
    call_command("rotate_master_key", stdout=io.StringIO(), stderr=err)
    assert "1/1" in err.getvalue()
    assert os.environ["AMPARO_MASTER_KEYS"].partition(":")[2] not in err.getvalue()
