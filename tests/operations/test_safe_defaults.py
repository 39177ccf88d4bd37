"""Refusals at start-up and in the deploy check: the demo stays on one's own machine,
production names two different databases, and a deployment without signing key, site URL
or mail TLS does not pass the check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from accounts.demo import seed_demo_network
from config import guards
from operations.checks import check_deployment
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _sqlite(path: Path) -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def _postgres(name: str, host: str = "db.internal") -> dict:
    return {"ENGINE": "django.db.backends.postgresql", "NAME": name, "HOST": host, "PORT": ""}


def test_the_demo_runs_on_sqlite_under_var_dir_for_loopback_hosts(tmp_path):
    databases = {"default": _sqlite(tmp_path / "a.sqlite3"), "keys": _sqlite(tmp_path / "k.db")}

    assert guards.demo_refusal(databases, tmp_path, ["127.0.0.1", "localhost"]) is None


def test_the_demo_refuses_a_server_database(tmp_path):
    databases = {"default": _postgres("amparo"), "keys": _sqlite(tmp_path / "k.db")}

    assert "runs on SQLite under VAR_DIR only" in guards.demo_refusal(databases, tmp_path, [])


def test_the_demo_refuses_a_database_outside_var_dir(tmp_path):
    databases = {"default": _sqlite(tmp_path.parent / "elsewhere.sqlite3"),
                 "keys": _sqlite(tmp_path / "k.db")}

    assert "live under VAR_DIR" in guards.demo_refusal(databases, tmp_path, [])


def test_the_demo_refuses_a_public_host_name(tmp_path):
    databases = {"default": _sqlite(tmp_path / "a.sqlite3"), "keys": _sqlite(tmp_path / "k.db")}

    refusal = guards.demo_refusal(databases, tmp_path, ["localhost", "amparo.example.org"])
    assert "amparo.example.org" in refusal


def test_production_requires_both_database_urls():
    databases = {"default": _postgres("amparo"), "keys": _postgres("amparo_keys")}

    assert "KEYS_DATABASE_URL" in guards.production_database_refusal(
        "postgres://db/amparo", "", databases)
    assert guards.production_database_refusal(
        "postgres://db/amparo", "postgres://db/amparo_keys", databases) is None


def test_production_refuses_a_keys_database_that_is_the_main_database():
    same = {"default": _postgres("amparo", "127.0.0.1"), "keys": _postgres("amparo", "localhost")}

    refusal = guards.production_database_refusal("postgres://x/amparo", "postgres://y/amparo", same)
    assert "names the main database" in refusal


def _start(env_changes: dict[str, str], tmp_path: Path,
           code: str = "import config.settings") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AMPARO_", "DJANGO_", "DEBUG", "DATABASE_URL", "KEYS_DATABASE"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", AMPARO_VAR_DIR=str(tmp_path))
    env.update(env_changes)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_amparo_demo_on_a_server_refuses_to_start(tmp_path):
    result = _start({"AMPARO_DEMO": "1", "ALLOWED_HOSTS": "amparo.example.org"}, tmp_path)

    assert result.returncode != 0
    assert "never serve it to a network" in result.stderr


def test_production_with_the_keys_in_the_main_database_refuses_to_start(tmp_path):
    url = "postgres://amparo@127.0.0.1:5432/amparo"
    result = _start({"SECRET_KEY": "x" * 60, "DATABASE_URL": url, "KEYS_DATABASE_URL": url},
                    tmp_path)

    assert result.returncode != 0
    assert "names the main database" in result.stderr


def test_make_run_links_mail_to_the_port_it_serves(tmp_path):
    """`make run` passes PORT to the demo (Makefile), and the site URL follows it."""
    result = _start({"AMPARO_DEMO": "1", "PORT": "8765"}, tmp_path,
                    "import config.settings as s; print(s.AMPARO_SITE_URL)")

    assert result.stdout.strip() == "http://127.0.0.1:8765", result.stderr
    assert "PORT=$(PORT)" in (ROOT / "Makefile").read_text()


@pytest.mark.django_db
@override_settings(AMPARO_DEMO=True)
def test_seed_demo_refuses_a_database_with_accounts_it_did_not_create(organization):
    UserFactory(organization=organization, username="lucia")  # a real Lucía

    with pytest.raises(ImproperlyConfigured, match="1 accounts that the demo did not create"):
        seed_demo_network()


def _errors(**changes) -> set[str]:
    with override_settings(**changes):
        return {error.id for error in check_deployment()}


GOOD = {
    "AMPARO_SITE_URL": "https://amparo.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.org", "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False,
}


@pytest.fixture
def signing_key(tmp_path) -> str:
    from audit.checkpoints import new_key_pem

    path = tmp_path / "signing.pem"
    path.write_text(new_key_pem())
    return str(path)


def test_a_complete_deployment_passes_the_checks(signing_key):
    assert _errors(AMPARO_AUDIT_SIGNING_KEY_FILE=signing_key, **GOOD) == set()


@override_settings(AMPARO_GENERATE_DEV_KEYS=False)
def test_a_missing_signing_key_is_an_error_not_a_traceback():
    assert "amparo.E101" in _errors(AMPARO_AUDIT_SIGNING_KEY_FILE="", **GOOD)


def test_an_empty_site_url_is_an_error(signing_key):
    changes = {**GOOD, "AMPARO_SITE_URL": ""}
    assert _errors(AMPARO_AUDIT_SIGNING_KEY_FILE=signing_key, **changes) == {"amparo.E102"}


def test_mail_without_tls_to_another_machine_is_an_error(signing_key):
    changes = {**GOOD, "EMAIL_USE_TLS": False}
    assert _errors(AMPARO_AUDIT_SIGNING_KEY_FILE=signing_key, **changes) == {"amparo.E103"}
    relay = {**changes, "EMAIL_HOST": "localhost"}  # a relay on this machine may be plain
    assert _errors(AMPARO_AUDIT_SIGNING_KEY_FILE=signing_key, **relay) == set()
