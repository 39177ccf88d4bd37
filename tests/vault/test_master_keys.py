"""Master keys: loaded at start-up, required in production, never confused or shown."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tests.vault.conftest import BOTH_DATABASES, key_line
from vault import keyring
from vault import services as vault
from vault.exceptions import UnknownMasterKey, WrongMasterKey
from vault.services import Binding

ROOT = Path(__file__).resolve().parents[2]


def production_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("AMPARO_", "DJANGO_", "DEBUG", "DATABASE_URL", "KEYS_DATABASE_URL"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="production-like-secret-key-for-this-test-only-0123456789",
        AMPARO_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="amparo.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'main.sqlite3'}",
        KEYS_DATABASE_URL=f"sqlite:///{tmp_path / 'keys.sqlite3'}",
    )
    environment.update(extra)
    return environment


def run_check(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_production_refuses_to_start_without_a_master_key(tmp_path):
    result = run_check(production_environment(tmp_path))
    assert result.returncode != 0
    assert "will not start without a master key" in result.stderr
    assert "AMPARO_MASTER_KEY_FILE" in result.stderr and "AMPARO_MASTER_KEYS" in result.stderr
    assert not list(tmp_path.glob("dev-*")), "production must never generate a key"


def test_production_refuses_to_start_without_an_index_key(tmp_path):
    line, _raw = key_line("prod-1")
    result = run_check(production_environment(tmp_path, AMPARO_MASTER_KEYS=line))
    assert result.returncode != 0
    assert "AMPARO_INDEX_KEY_FILE" in result.stderr


def test_production_starts_with_keys_from_the_environment(tmp_path):
    line, _raw = key_line("prod-1")
    index_line, _ = key_line("x")
    environment = production_environment(
        tmp_path, AMPARO_MASTER_KEYS=line, AMPARO_INDEX_KEY=index_line.partition(":")[2]
    )
    result = run_check(environment)
    assert result.returncode == 0, result.stderr
    assert line.partition(":")[2] not in result.stdout + result.stderr


def test_production_starts_with_keys_from_files(tmp_path):
    master_file, index_file = tmp_path / "master", tmp_path / "index"
    master_file.write_text(f"# current first\n{key_line('prod-2')[0]}\n{key_line('prod-1')[0]}")
    index_file.write_text(key_line("x")[0].partition(":")[2])
    for path in (master_file, index_file):
        path.chmod(0o600)
    result = run_check(production_environment(
        tmp_path, AMPARO_MASTER_KEY_FILE=str(master_file), AMPARO_INDEX_KEY_FILE=str(index_file)
    ))
    assert result.returncode == 0, result.stderr
    assert "vault.W002" not in result.stderr


def test_development_generates_keys_once_and_says_so(tmp_path):
    environment = production_environment(tmp_path, DEBUG="1")
    first = run_check(environment)
    assert first.returncode == 0, first.stderr
    assert "generated a development master key" in first.stderr
    generated = (tmp_path / keyring.DEV_MASTER_KEY_FILE).read_text()
    assert (tmp_path / keyring.DEV_MASTER_KEY_FILE).stat().st_mode & 0o077 == 0
    second = run_check(environment)
    assert "generated a development" not in second.stderr
    assert (tmp_path / keyring.DEV_MASTER_KEY_FILE).read_text() == generated
    assert generated.partition(":")[2].strip() not in first.stderr + first.stdout


def test_first_key_is_current_and_all_are_loaded():
    ring = keyring.parse_master_keys(
        f"# comment\n{key_line('new')[0]}, {key_line('old')[0]}\n", source="test"
    )
    assert ring.current_id == "new"
    assert ring.ids == ("new", "old")


@pytest.mark.parametrize(
    "text",
    ["", "no-colon-here", "bad id:AAAA", "k:not base64!", "k:" + "QUFB" * 3, "k:{k}\nk:{k}"],
)
def test_malformed_master_keys_are_refused_without_echoing_them(text):
    text = text.format(k=key_line("k")[0].partition(":")[2])
    with pytest.raises(ImproperlyConfigured) as excinfo:
        keyring.parse_master_keys(text, source="AMPARO_MASTER_KEYS")
    secret_part = text.partition(":")[2]
    assert not secret_part or secret_part not in str(excinfo.value)


@override_settings(AMPARO_MASTER_KEYS="a:AAAA", AMPARO_MASTER_KEY_FILE="/etc/amparo/keys")
def test_both_sources_at_once_are_refused():
    with pytest.raises(ImproperlyConfigured, match="not both"):
        keyring._read_keys()


def test_repr_shows_ids_only():
    line, raw = key_line("shown")
    ring = keyring.parse_master_keys(line, source="test")
    assert "shown" in repr(ring)
    assert line.partition(":")[2] not in repr(ring) and raw.hex() not in repr(ring)
    assert repr(keyring.get()) and "IndexKey" in repr(keyring.get().index)


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_wrong_master_key_gives_a_clear_error_never_garbage(use_master_keys, owner):
    binding = Binding("vaultdemo.sealedrecord", "secret", uuid.uuid4())
    use_master_keys(key_line("prod-1")[0])
    sealed = vault.seal_value(owner, binding, "secreto")
    use_master_keys(key_line("prod-1")[0])  # same id, different key: a misconfiguration
    with pytest.raises(WrongMasterKey, match="'prod-1' does not open the data key"):
        vault.unseal_value(owner, binding, sealed)


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_missing_master_key_says_which_to_load(use_master_keys, owner):
    binding = Binding("vaultdemo.sealedrecord", "secret", uuid.uuid4())
    use_master_keys(key_line("2025")[0])
    sealed = vault.seal_value(owner, binding, "secreto")
    use_master_keys(key_line("2026")[0])
    with pytest.raises(UnknownMasterKey, match="'2025' is not loaded"):
        vault.unseal_value(owner, binding, sealed)


def test_error_reports_show_no_key_material():
    import base64
    import sys

    from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

    # A 31-byte key: refused, with the key text in the frames' local variables.
    encoded = base64.b64encode(b"s" * 31).decode()
    try:
        keyring.parse_master_keys(f"prod-1:{encoded}", source="AMPARO_MASTER_KEYS")
    except ImproperlyConfigured:
        report = ExceptionReporter(None, *sys.exc_info()).get_traceback_text()
    assert "must be 32 random bytes" in report
    assert encoded not in report and "sssssss" not in report
    settings_shown = SafeExceptionReporterFilter().get_safe_settings()
    assert set(settings_shown["AMPARO_MASTER_KEYS"]) == {"*"}
    assert set(settings_shown["AMPARO_INDEX_KEY"]) == {"*"}
