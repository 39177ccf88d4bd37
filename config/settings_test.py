"""Test settings: the production settings with fast hashing and in-memory mail."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789")
os.environ.setdefault(
    "AMPARO_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test")
)
# Production requires both database URLs: SQLite files under VAR_DIR unless the run names
# PostgreSQL (the test runner gives each process files of its own, below).
os.environ.setdefault(
    "DATABASE_URL", "sqlite:///" + os.path.join(os.environ["AMPARO_VAR_DIR"], "main.sqlite3")
)
os.environ.setdefault(
    "KEYS_DATABASE_URL", "sqlite:///" + os.path.join(os.environ["AMPARO_VAR_DIR"], "keys.sqlite3")
)
# Fixed vault keys for tests only (vault/keyring.py explains the formats).
_TEST_MASTER_KEY = "test-1:o+6hTnY9UubXyfajOeFunhzepw5MqEZugoog7Kh4ilk="
_TEST_INDEX_KEY = "PXhydpIW4DQZIFCGtdR8dhaB+knaCYxbqnPfuCLTqhs="
if not os.environ.get("AMPARO_MASTER_KEY_FILE"):
    os.environ.setdefault("AMPARO_MASTER_KEYS", _TEST_MASTER_KEY)
if not os.environ.get("AMPARO_INDEX_KEY_FILE"):
    os.environ.setdefault("AMPARO_INDEX_KEY", _TEST_INDEX_KEY)

from config.settings import *  # noqa: E402,F403
from config.settings import DATABASES, INSTALLED_APPS  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Background tasks run at once, on commit, in the test process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Tests read English unless they ask for Spanish (Accept-Language or the language switch);
# the Spanish pages have tests of their own. Deployments default to Spanish.
LANGUAGE_CODE = "en"
# Seal the audit chain after every commit, so tests see their events sealed at once.
AMPARO_AUDIT_SEAL_INTERVAL_SECONDS = 0
AMPARO_GENERATE_DEV_KEYS = False
# Fuzz and browser tests register many intakes as one person within seconds; the limit's
# own tests (tests/cases/test_duplicate_probes.py) set it low themselves.
AMPARO_DUPLICATE_CHECKS_PER_HOUR = 1000
DEBUG = False
# A small model with sealed fields and history, for the vault's own tests.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.vaultdemo"]

# On SQLite the test databases are files, so the canary scan can read them raw.
for _alias, _db in DATABASES.items():
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        # One file per test process, so that two runs on one machine never share a database.
        _db["TEST"] = {
            "NAME": os.path.join(
                os.environ["AMPARO_VAR_DIR"], f"test-{_alias}-{os.getpid()}.sqlite3"
            )
        }

# A temporary directory of this test process's own, so that the canary scan
# (tests/canary.py) can read everything written to "the temporary directory": Django
# would spool uploads there, in clear (core/uploads.py prevents it).
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

FILE_UPLOAD_TEMP_DIR = os.path.join(os.environ["AMPARO_VAR_DIR"], f"tmp-{os.getpid()}")
os.makedirs(FILE_UPLOAD_TEMP_DIR, exist_ok=True)
tempfile.tempdir = FILE_UPLOAD_TEMP_DIR
atexit.register(shutil.rmtree, FILE_UPLOAD_TEMP_DIR, ignore_errors=True)

# Static files straight from the source folders, so browser tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
