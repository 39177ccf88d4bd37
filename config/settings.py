"""Amparo settings: one file, driven by the environment.

Defaults are safe for production. ``AMPARO_DEMO=1`` (set by ``make run``) serves a
fictional demo network over plain HTTP on one's own machine; ``DEBUG=1`` is for
development only and never for real data.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import guards
from config.env import env_bool, env_int, env_list, env_secret, env_str

# The folder holding `config` and the apps: the source tree, or site-packages once
# installed. Nothing is ever written here; everything written lives under VAR_DIR.
BASE_DIR = Path(__file__).resolve().parent.parent
SOURCE_TREE = (BASE_DIR / "manage.py").exists()
# Attachments (media/), collected static files (static/), and in the demo and
# development the SQLite databases and generated keys. A source tree defaults to var/;
# an installed Amparo must be told (docs/deploy.md: /var/lib/amparo).
_var_dir = env_str("AMPARO_VAR_DIR", str(BASE_DIR / "var") if SOURCE_TREE else "")
if not _var_dir:
    raise ImproperlyConfigured(
        "Set AMPARO_VAR_DIR to a directory Amparo may write to (attachments, static files), "
        "e.g. /var/lib/amparo. An installed Amparo writes nothing inside its own package."
    )
VAR_DIR = Path(_var_dir)

DEBUG = env_bool("DEBUG")
AMPARO_DEMO = env_bool("AMPARO_DEMO")

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or AMPARO_DEMO):
        raise ImproperlyConfigured(
            "Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value. "
            "Only the demo (AMPARO_DEMO=1) and development (DEBUG=1) may run without one."
        )
    import secrets

    from core.devkeys import create_once

    _secret_file = VAR_DIR / "secret_key"
    create_once(
        _secret_file,
        lambda: secrets.token_urlsafe(50).encode("ascii"),
        "a development SECRET_KEY (demo and DEBUG only)",
    )
    SECRET_KEY = _secret_file.read_text(encoding="utf-8").strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or AMPARO_DEMO) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed: only a
# request that comes from one of them has its client address taken from that header
# (core/proxies.py). Empty: every request's address is the one that connected.
try:
    AMPARO_TRUSTED_PROXIES = guards.parse_trusted_proxies(env_list("AMPARO_TRUSTED_PROXIES"))
except ValueError as _exc:
    raise ImproperlyConfigured(str(_exc)) from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "guardian",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "core",
    "audit",
    "vault",
    "accounts",
    "cases",
    "referrals",
    "plans",
    "workspace",
    "reports",
    "oversight",
    "operations",
]

MIDDLEWARE = [
    # First: everything after it (HTTPS redirect, lockout, audit events) sees the client.
    "core.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "audit.middleware.RequestIdMiddleware",
    # Opened data keys live for one request (vault/scope.py); after the request id.
    "vault.middleware.KeyCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "accounts.csrf.NoReferrerCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the session limits, which tell the person why she was signed out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, as its documentation asks, so it sees the final response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.amparo",
            ],
        },
    },
]

# --- databases -------------------------------------------------------------
# The main database holds everything but the wrapped data keys, which live in the
# ``keys`` alias so that they can sit on a server with short backup retention:
# shredding a survivor's key then also makes old backups of the main database useless.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'amparo.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    ),
    "keys": dj_database_url.parse(
        env_str("KEYS_DATABASE_URL", f"sqlite:///{VAR_DIR / 'keys.sqlite3'}"),
    ),
}
for _db in DATABASES.values():
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        _db.setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    # A connection kept across requests is checked before use, so that a database
    # restart costs the next request nothing (gunicorn and the worker alike).
    _db["CONN_HEALTH_CHECKS"] = True
if AMPARO_DEMO and (_refusal := guards.demo_refusal(DATABASES, VAR_DIR, ALLOWED_HOSTS)):
    raise ImproperlyConfigured(_refusal)
if not (DEBUG or AMPARO_DEMO) and (
    _refusal := guards.production_database_refusal(
        env_str("DATABASE_URL"), env_str("KEYS_DATABASE_URL"), DATABASES
    )
):
    raise ImproperlyConfigured(_refusal)
DATABASE_ROUTERS = ["vault.routers.KeysRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and login ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with her organisation read in the same query (accounts/backends.py).
    "accounts.backends.AccountBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# A session ends after this long without a request (shared shelter computers) ...
AMPARO_SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("AMPARO_SESSION_IDLE_MINUTES", 15))
# ... and in any case this long after login.
AMPARO_SESSION_ABSOLUTE_LIMIT = timedelta(hours=env_int("AMPARO_SESSION_ABSOLUTE_HOURS", 8))
SESSION_COOKIE_AGE = int(AMPARO_SESSION_ABSOLUTE_LIMIT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "amparo_session"
CSRF_COOKIE_NAME = "amparo_csrf"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"
# W003 looks for CsrfViewMiddleware by name; accounts.checks checks for the subclass instead.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

OTP_TOTP_ISSUER = env_str("AMPARO_OTP_ISSUER", "Amparo")
OTP_TOTP_TOLERANCE = 1
AMPARO_RECOVERY_CODE_COUNT = 10
# A new account, and every reset, is a one-time link by which the person sets her own
# password (accounts.services); an unused link stops working after this many hours.
AMPARO_INVITATION_LIFETIME = timedelta(hours=env_int("AMPARO_INVITATION_HOURS", 72))

# Lockout counts failures per username *and* source address together, so somebody
# elsewhere cannot lock a caseworker out by guessing at her username.
AXES_FAILURE_LIMIT = env_int("AMPARO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AMPARO_LOGIN_COOLOFF_MINUTES", 30))
# A second, higher limit counts every failure from one address whatever the username, so
# one address cannot try many usernames (accounts/lockout.py applies both limits; the
# order of AXES_LOCKOUT_PARAMETERS matches AMPARO_LOCKOUT_LIMITS).
AMPARO_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("AMPARO_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AMPARO_LOCKOUT_LIMITS = [AXES_FAILURE_LIMIT, AMPARO_LOGIN_ADDRESS_FAILURE_LIMIT]
AXES_HANDLER = "accounts.lockout.AmparoLockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Failed usernames may be mistyped passwords: axes must not store them in clear.
AXES_SENSITIVE_PARAMETERS = ["username", "password"]
# ... and the username column holds a keyed digest, not the text (accounts/lockout.py).
AXES_USERNAME_CALLABLE = "accounts.lockout.username_key"
# REMOTE_ADDR only: core.proxies.TrustedProxyMiddleware has already put the client's
# address there when the request came through a trusted proxy.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_ENABLE_ADMIN = False

GUARDIAN_RAISE_403 = False
GUARDIAN_MONKEY_PATCH_USER = False
ANONYMOUS_USER_NAME = None

# --- security headers -------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

_PRODUCTION = not (DEBUG or AMPARO_DEMO)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
# The health URL answers plain HTTP too, for a monitor on the machine itself.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _PRODUCTION else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _PRODUCTION
SECURE_HSTS_PRELOAD = _PRODUCTION
SESSION_COOKIE_SECURE = _PRODUCTION
CSRF_COOKIE_SECURE = _PRODUCTION

# --- language and time ------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "es")
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True  # stored in UTC ...
TIME_ZONE = env_str("AMPARO_TIME_ZONE", "America/Lima")  # ... shown in local time

# --- static files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where sealed attachments live (docs/deploy.md, "More than one application server"):
# "database" (the default) keeps them in the main database, reached by every application
# server and included in every backup of it; "filesystem" on this machine's disk (one
# server only, or a shared mount); "s3" in S3-compatible object storage (the `s3` extra).
# `manage.py move_sealed_files --to …` moves existing files before the setting changes.
AMPARO_FILE_STORAGE = env_str("AMPARO_FILE_STORAGE", "database")
AMPARO_FILE_STORAGES = {
    "database": {"BACKEND": "vault.storage.DatabaseStorage"},
    "filesystem": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("AMPARO_MEDIA_DIR", str(VAR_DIR / "media"))},
    },
    "s3": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AMPARO_S3_BUCKET"),
            "endpoint_url": env_str("AMPARO_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AMPARO_S3_REGION") or None,
            # Empty: boto3's own chain (instance role, AWS_* variables, ~/.aws).
            "access_key": env_str("AMPARO_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("AMPARO_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("AMPARO_S3_PREFIX"),
            # Private objects, never overwritten, no public addresses.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    },
}
if AMPARO_FILE_STORAGE not in AMPARO_FILE_STORAGES:
    raise ImproperlyConfigured(
        f"AMPARO_FILE_STORAGE is {AMPARO_FILE_STORAGE!r}; it must be one of "
        f"{', '.join(AMPARO_FILE_STORAGES)}."
    )
if AMPARO_FILE_STORAGE == "s3" and not AMPARO_FILE_STORAGES["s3"]["OPTIONS"]["bucket_name"]:
    raise ImproperlyConfigured("AMPARO_FILE_STORAGE is s3 but AMPARO_S3_BUCKET is not set.")
STORAGES = {
    "default": AMPARO_FILE_STORAGES[AMPARO_FILE_STORAGE],
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- mail -------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEBUG or AMPARO_DEMO)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
# STARTTLS on by default; EMAIL_USE_SSL for servers that speak TLS from the first byte
# (port 465). The deploy check amparo.E103 refuses mail in clear to another machine.
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "amparo@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- referrals: background mail ---------------------------------------------
# Mail leaves through background tasks (django-tasks, database backend), so a mail server
# that is down never undoes a referral's transition. `manage.py db_worker` runs them;
# `manage.py send_pending_mail` retries what is still owed (referrals/mail.py).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Retries of an undelivered notification: waits between attempts, in minutes.
AMPARO_MAIL_RETRY_MINUTES = [1, 5, 15, 60, 240]
# --- end referrals: background mail -----------------------------------------

# --- vault ------------------------------------------------------------------
# Master keys: a file of ``key-id:base64-key`` lines, or the same in an environment
# variable; the first line is the current key, later lines are kept for rotation.
# The *_FILE settings are the file forms, so the values are read with env_str (env_secret
# would read AMPARO_INDEX_KEY_FILE a second time). Set one form of each, never both.
AMPARO_MASTER_KEY_FILE = env_str("AMPARO_MASTER_KEY_FILE")
AMPARO_MASTER_KEYS = env_str("AMPARO_MASTER_KEYS")
AMPARO_INDEX_KEY_FILE = env_str("AMPARO_INDEX_KEY_FILE")
AMPARO_INDEX_KEY = env_str("AMPARO_INDEX_KEY")
# Development and the demo may generate keys under var/ on first start (with a warning).
# Production refuses to start without both keys (vault.keyring; `python -m vault.keygen`).
AMPARO_GENERATE_DEV_KEYS = DEBUG or AMPARO_DEMO
# Blind indexes keep about MIN_BUCKET records per index value at EXPECTED_RECORDS records
# (vault/blind_index.py). Under-estimate rather than over-estimate the number of survivors.
AMPARO_BLIND_INDEX_EXPECTED_RECORDS = env_int("AMPARO_BLIND_INDEX_EXPECTED_RECORDS", 10_000)
AMPARO_BLIND_INDEX_MIN_BUCKET = env_int("AMPARO_BLIND_INDEX_MIN_BUCKET", 10)
# The largest attachment (20 MB), never above the vault's 50 MB. Uploads are kept in
# memory up to this size and stopped beyond it as they arrive (core/uploads.py): Django's
# TemporaryFileUploadHandler would write them in clear to the temporary directory.
AMPARO_ATTACHMENT_MAX_BYTES = min(
    env_int("AMPARO_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024), 50 * 1024 * 1024
)
FILE_UPLOAD_HANDLERS = ["core.uploads.MemoryOnlyUploadHandler"]
# Which STORAGES alias holds sealed attachments.
AMPARO_VAULT_STORAGE = env_str("AMPARO_VAULT_STORAGE", "default")
# --- end vault --------------------------------------------------------------

# --- referrals: packets ----------------------------------------------------------
# Days a completed referral's packet stays readable by the provider before it is emptied.
AMPARO_PACKET_DAYS_AFTER_COMPLETION = env_int("AMPARO_PACKET_DAYS_AFTER_COMPLETION", 30)

# --- cases: intake --------------------------------------------------------------
# Duplicate checks (warnings plus registrations) one person may run in an hour: beyond
# it the intake refuses, so that nobody tests name after name for a hidden client.
AMPARO_DUPLICATE_CHECKS_PER_HOUR = env_int("AMPARO_DUPLICATE_CHECKS_PER_HOUR", 30)

# --- cases: management --------------------------------------------------------
# How long emergency ("break the glass") access to a case outside one's teams lasts.
AMPARO_EMERGENCY_GRANT_MINUTES = env_int("AMPARO_EMERGENCY_GRANT_MINUTES", 60)
# A support plan in force is reviewed this many months after its approval and after
# each review, while the case is open (issue 16: monthly by default).
AMPARO_PLAN_REVIEW_MONTHS = env_int("AMPARO_PLAN_REVIEW_MONTHS", 1)
# The caseworker's home lists plan reviews due within this many days.
AMPARO_PLAN_REVIEW_NOTICE_DAYS = env_int("AMPARO_PLAN_REVIEW_NOTICE_DAYS", 7)
# The address mails link to (https://amparo.example.org); empty: links are paths only.
AMPARO_SITE_URL = env_str(
    "AMPARO_SITE_URL",
    f"http://127.0.0.1:{env_str('PORT', '8000')}" if (DEBUG or AMPARO_DEMO) else "",
)
# --- end cases: management ----------------------------------------------------

# --- audit: anomaly rules (the auditor's pages) -------------------------------
# A person opening more than this many distinct cases within an hour.
AMPARO_ANOMALY_CASES_PER_HOUR = env_int("AMPARO_ANOMALY_CASES_PER_HOUR", 15)
# A person seeing more than this many distinct cases outside her own caseload in lists,
# searches, home pages and exports within an hour (a page of the case list holds 50).
AMPARO_ANOMALY_LISTED_CASES_PER_HOUR = env_int("AMPARO_ANOMALY_LISTED_CASES_PER_HOUR", 100)
# More than this many refused accesses by one person within an hour.
AMPARO_ANOMALY_DENIALS_PER_HOUR = env_int("AMPARO_ANOMALY_DENIALS_PER_HOUR", 5)
# Night, in TIME_ZONE's hours: from START (inclusive) to END (exclusive).
AMPARO_ANOMALY_NIGHT_START = env_int("AMPARO_ANOMALY_NIGHT_START", 22)
AMPARO_ANOMALY_NIGHT_END = env_int("AMPARO_ANOMALY_NIGHT_END", 6)
# How far back the anomaly page looks.
AMPARO_ANOMALY_WINDOW_DAYS = env_int("AMPARO_ANOMALY_WINDOW_DAYS", 7)
# --- end audit: anomaly rules -------------------------------------------------

# --- audit: the access log ---------------------------------------------------
# How long access events are kept. Six years by default; set a shorter time only where a
# law or an agreement requires it (the check audit.W001 warns below six years).
# Amparo does not delete events by itself yet: this is the promise a purge must keep.
AMPARO_AUDIT_RETENTION_DAYS = env_int("AMPARO_AUDIT_RETENTION_DAYS", 2192)
# Events are sealed into the hash chain just after their transaction commits. An event
# still unsealed this long after it happened is reported by verify_audit
# (audit/chain/verification.py).
AMPARO_AUDIT_SEAL_GRACE_MINUTES = env_int("AMPARO_AUDIT_SEAL_GRACE_MINUTES", 10)
# Each application process seals the chain at most once in this many seconds, after a
# commit; events written in between are sealed by the next sealing in any process (it
# looks back over the last AMPARO_AUDIT_SEAL_LOOKBACK events). 0 seals after every commit,
# which costs every request a few queries and serialises writers on the sealer's lock.
AMPARO_AUDIT_SEAL_INTERVAL_SECONDS = env_int("AMPARO_AUDIT_SEAL_INTERVAL_SECONDS", 2)
AMPARO_AUDIT_SEAL_LOOKBACK = env_int("AMPARO_AUDIT_SEAL_LOOKBACK", 10000)
# The Ed25519 private key (PEM) that signs checkpoints of the chain (audit/checkpoints.py).
# Development and the demo generate one under VAR_DIR when it is not set.
AMPARO_AUDIT_SIGNING_KEY_FILE = env_str("AMPARO_AUDIT_SIGNING_KEY_FILE")
# --- end audit: the access log -----------------------------------------------

# --- operations: worker, periodic jobs, health URL (operations/) -------------------
# No access event waits longer than this for its seal, even with no further request:
# the worker seals on a timer (operations/jobs.py) as well as after every commit.
AMPARO_AUDIT_SEAL_BOUND_SECONDS = env_int("AMPARO_AUDIT_SEAL_BOUND_SECONDS", 60)
# Signed checkpoints of the access log, written by the worker into this directory (which
# the operator ships off the server), every so many minutes. Empty: none written.
AMPARO_AUDIT_CHECKPOINT_DIR = env_str("AMPARO_AUDIT_CHECKPOINT_DIR")
AMPARO_AUDIT_CHECKPOINT_MINUTES = env_int("AMPARO_AUDIT_CHECKPOINT_MINUTES", 60)
# Finished background task results are deleted after this many days.
AMPARO_TASK_RESULT_DAYS = env_int("AMPARO_TASK_RESULT_DAYS", 14)
# The health URL fails when no worker beat within this many seconds, or a mail has been
# owed for longer than this many minutes.
AMPARO_HEALTH_WORKER_SECONDS = env_int("AMPARO_HEALTH_WORKER_SECONDS", 120)
AMPARO_HEALTH_MAIL_MINUTES = env_int("AMPARO_HEALTH_MAIL_MINUTES", 30)
# age public keys (age1…, one a line) that `amparo backup` encrypts to; the private key
# stays offline (operations/backup.py).
AMPARO_BACKUP_RECIPIENTS_FILE = env_str("AMPARO_BACKUP_RECIPIENTS_FILE")
# --- end operations ---------------------------------------------------------------

# --- reports: statistics and exports -------------------------------------------
# Published counts under this many cases show as "<N" (reports/suppression.py). Never
# below 5: a smaller threshold lets a count single out one or two women. Larger counts
# show as ranges as wide as the smallest divisor of N−1 that is at least 3 (3 for 10,
# 5 for 11; prefer an N for which N−1 has a small divisor).
AMPARO_STATISTICS_MIN_CELL = env_int("AMPARO_STATISTICS_MIN_CELL", 10)
# The CTDC export is k-anonymous with this k on its quasi-identifiers (CTDC uses 11).
AMPARO_CTDC_K = env_int("AMPARO_CTDC_K", 11)
if AMPARO_STATISTICS_MIN_CELL < 5 or AMPARO_CTDC_K < 11:
    raise ImproperlyConfigured(
        "AMPARO_STATISTICS_MIN_CELL may not be below 5 and AMPARO_CTDC_K not below 11: "
        "smaller groups can single out a survivor."
    )
# --- end reports ----------------------------------------------------------------

# --- logging ----------------------------------------------------------------
# Log lines carry request ids and event names, never survivor content.
# Every time stamp in UTC (core/logs.py), whatever TIME_ZONE shows on the pages; one line
# per request from audit.middleware ("amparo.request": request id, method, path, status).
# Every handler withholds exception messages, which may quote an opened value, keeping
# their types and frames (core/safe_logging.py); a handler added here needs the filter too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"()": "core.logs.UTCFormatter",
                             "format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "no_traceback": {"()": "core.logs.NoTraceback"},
        "no_exception_messages": {"()": "core.safe_logging.WithholdExceptionMessages"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_exception_messages"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs can quote URLs and bodies; keep them at warning level. Their
        # records go up to the root's console, not to Django's own handlers.
        "django.request": {"level": "ERROR", "handlers": [], "propagate": True},
        "django": {"handlers": [], "propagate": True},
        "axes": {"level": "WARNING"},
        # The worker's loop starts django-tasks' batch runner every turn: no line each time.
        "django_tasks_db": {"level": "WARNING"},
        # Scanners send any Host header: one line each, no traceback.
        "django.security.DisallowedHost": {"level": "WARNING", "filters": ["no_traceback"]},
    },
}
ADMINS = []  # error mails would carry request data; errors go to the log only.
