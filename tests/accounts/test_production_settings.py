"""Production settings pass Django's deployment checks: HTTPS only, HSTS, secure cookies.

Run in a subprocess with the environment a real deployment has (no DEBUG, no demo), since
the settings read the environment once at start-up.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from accounts.checks import csrf_middleware_installed

BASE_DIR = Path(__file__).resolve().parents[2]
CLEARED = ("DEBUG", "AMPARO_DEMO", "DATABASE_URL", "KEYS_DATABASE_URL", "SECRET_KEY_FILE",
           "AMPARO_SITE_URL", "AMPARO_AUDIT_SIGNING_KEY_FILE", "EMAIL_HOST", "EMAIL_USE_TLS",
           "AMPARO_MASTER_KEY_FILE", "AMPARO_INDEX_KEY_FILE", "SECURE_SSL_REDIRECT",
           "SECURE_HSTS_SECONDS",
           # Set by the browser tests for their own process; never in a deployment.
           "DJANGO_ALLOW_ASYNC_UNSAFE")


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    from audit.checkpoints import new_key_pem

    signing_key = tmp_path / "audit-signing-key.pem"
    signing_key.write_text(new_key_pem())
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="amparo.example.org",
        AMPARO_VAR_DIR=str(tmp_path),
        AMPARO_MASTER_KEYS=f"prod-1:{_key()}",
        AMPARO_INDEX_KEY=_key(),
        DATABASE_URL=f"sqlite:///{tmp_path / 'main.sqlite3'}",
        KEYS_DATABASE_URL=f"sqlite:///{tmp_path / 'keys.sqlite3'}",
        AMPARO_SITE_URL="https://amparo.example.org",
        AMPARO_AUDIT_SIGNING_KEY_FILE=str(signing_key),
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )


def _setting(env: dict[str, str], expression: str) -> str:
    code = f"from django.conf import settings; print({expression})"
    result = _manage(env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_settings_pass_the_deployment_checks(production_env):
    result = _manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cookies_are_secure_and_https_is_enforced(production_env):
    values = _setting(
        production_env,
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS >= 31536000, "
        "settings.SESSION_COOKIE_HTTPONLY, settings.DEBUG",
    )

    assert values == "True True True True True False"


def test_production_refuses_to_start_without_a_secret_key(production_env):
    del production_env["SECRET_KEY"]

    result = _manage(production_env, "check")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_master_key(production_env):
    del production_env["AMPARO_MASTER_KEYS"]

    result = _manage(production_env, "check")

    assert result.returncode != 0
    assert "master key" in result.stderr


def test_a_missing_csrf_middleware_is_an_error():
    """security.W003 is silenced for Amparo's CSRF subclass; our own check replaces it."""
    assert csrf_middleware_installed() == []
    without = [m for m in settings.MIDDLEWARE if "Csrf" not in m]
    with override_settings(MIDDLEWARE=without):
        assert [error.id for error in csrf_middleware_installed()] == ["amparo.E001"]
