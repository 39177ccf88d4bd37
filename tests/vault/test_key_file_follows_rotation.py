"""Running processes follow the master key file: after the operator edits it, nothing is
wrapped with a key that is no longer first or no longer there (issue 11: a gunicorn that
kept the old keyring wrapped a new case with the removed key)."""

from __future__ import annotations

import io
import os
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from audit.models import AccessEvent, Action
from tests.vault.conftest import BOTH_DATABASES, key_line
from vault import keyring
from vault import services as vault
from vault.exceptions import UnknownMasterKey, WrongMasterKey
from vault.models import DataKey
from vault.routers import KEYS_ALIAS

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


@pytest.fixture
def key_file(tmp_path):
    """The keys as a deployment has them: a master key file that the operator edits."""
    path = tmp_path / "master.keys"
    original = keyring.get()

    def write(*lines: str) -> None:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        # A new mtime even within the file system's clock resolution.
        stamp = time.time_ns() + 1_000_000_000 * write.calls
        os.utime(path, ns=(stamp, stamp))
        write.calls += 1

    write.calls = 1
    with override_settings(AMPARO_MASTER_KEY_FILE=str(path), AMPARO_MASTER_KEYS=""):
        yield write
    keyring.install(original)


def _wrapped_by(record) -> str:
    return DataKey.objects.using(KEYS_ALIAS).get(owner_id=record.owner_id).master_key_id


def test_a_new_first_line_wraps_the_next_key_without_a_restart(key_file, make_record):
    old, new = key_line("2025")[0], key_line("2026")[0]
    key_file(old)
    keyring.load()
    before = make_record(secret="antes")

    key_file(new, old)  # the operator puts the new line first; nothing is restarted
    after = make_record(secret="después")

    assert _wrapped_by(before) == "2025"
    assert _wrapped_by(after) == "2026"


def test_removing_the_old_line_after_rotation_loses_nothing(key_file, make_record):
    old, new = key_line("2025")[0], key_line("2026")[0]
    key_file(old)
    keyring.load()
    first = make_record(secret="uno")
    key_file(new, old)
    during = make_record(secret="durante la rotación")
    call_command("rotate_master_key", "--no-progress", "--settle", "0", stdout=io.StringIO())

    key_file(new)  # the old line removed, still no restart
    last = make_record(secret="después")

    assert [vault.unseal(r, "secret") for r in (first, during, last)] == [
        "uno", "durante la rotación", "después"]
    assert {_wrapped_by(r) for r in (first, during, last)} == {"2026"}


def test_a_process_with_the_old_keyring_makes_rotation_refuse_to_finish(
    key_file, make_record, monkeypatch
):
    old, new = key_line("2025")[0], key_line("2026")[0]
    key_file(old)
    keyring.load()
    make_record(secret="uno")
    key_file(new, old)
    stale = keyring.Keys(master=keyring.parse_master_keys(old, source="stale"),
                         index=keyring.get().index)

    def a_stale_process_writes_meanwhile(seconds: float) -> None:
        fresh = keyring.install(stale)  # keys from the environment: it cannot re-read
        make_record(secret="escrito por un proceso viejo")
        keyring.install(fresh)

    monkeypatch.setattr(
        "vault.management.commands.rotate_master_key.time.sleep",
        a_stale_process_writes_meanwhile,
    )

    with pytest.raises(CommandError, match="still uses the old master keys"):
        call_command("rotate_master_key", "--no-progress", stdout=io.StringIO())


def test_a_stale_key_rewrapped_by_the_first_pass_still_makes_rotation_refuse(
    key_file, make_record, monkeypatch
):
    """The first pass may re-wrap a stale process's new key before anyone looks: the key
    was still made with the old keyring, and that process will make more."""
    from vault.management.commands import rotate_master_key as command

    old, new = key_line("2025")[0], key_line("2026")[0]
    key_file(old)
    keyring.load()
    key_file(new, old)
    stale = keyring.Keys(master=keyring.parse_master_keys(old, source="stale"),
                         index=keyring.get().index)
    real = command.rotate_master_key
    calls = []

    def stale_write_then_rotate(**kwargs):
        if not calls:
            fresh = keyring.install(stale)
            make_record(secret="escrito por un proceso viejo")
            keyring.install(fresh)
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(command, "rotate_master_key", stale_write_then_rotate)

    with pytest.raises(CommandError, match="still uses the old master keys"):
        call_command("rotate_master_key", "--no-progress", "--settle", "0",
                     stdout=io.StringIO())
    assert set(DataKey.objects.using(KEYS_ALIAS).values_list("master_key_id", flat=True)) == {
        "2026"}  # re-wrapped all the same: nothing is left behind


def test_a_wrong_master_key_is_a_configuration_error_not_tampering(use_master_keys, make_record):
    use_master_keys(key_line("prod-1")[0])
    record = make_record(secret="secreto")
    use_master_keys(key_line("prod-1")[0])  # same id, other key: a misconfiguration
    with pytest.raises(WrongMasterKey):
        vault.unseal(record, "secret")
    use_master_keys(key_line("other")[0])  # the key missing altogether
    with pytest.raises(UnknownMasterKey):
        vault.unseal(record, "secret")

    assert not AccessEvent.objects.filter(action=Action.VAULT_INTEGRITY_FAILURE).exists()


def test_an_unreadable_key_file_is_reported_and_never_used_to_wrap(key_file, make_record):
    key_file(key_line("2025")[0])
    keyring.load()
    key_file("not a key line")

    assert keyring.stale_reason() and "does not read" in keyring.stale_reason()
    with pytest.raises(Exception, match="expected 'key-id:base64-key'"):
        make_record(secret="nuevo")
