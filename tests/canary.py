"""Canary scan: prove that planted secrets appear nowhere they could leak.

Plant random canary strings where survivor content goes, then search every place it
must never reach in a readable form:

- every table of every database: on SQLite the raw database files (with their journal
  and WAL), so free pages and indexes count too; on PostgreSQL a ``pg_dump`` of each test
  database (live rows only: old row versions are not in a dump);
- files in the default storage (sealed attachments);
- files in the temporary directory (``tempfile.gettempdir()`` and
  ``FILE_UPLOAD_TEMP_DIR``; the test settings give each test process a directory of its
  own), where Django would spool uploads in clear: those written since the scan began;
- captured log text, sent mail (``django.core.mail.outbox``, raw and decoded) and
  anything else the test passes (``extra``: response bodies, session data …).

A canary counts as leaked in any of these forms: raw UTF-8 (and upper/lower case),
UTF-16 LE/BE, hex (either case), and standard or URL-safe base64 at all three byte
alignments, so a canary inside a larger base64 blob is found too.

Usage (the ``canaries`` fixture in tests/conftest.py wraps this)::

    @pytest.mark.django_db(transaction=True, databases=["default", "keys"])
    def test_it_keeps_names_secret(canaries):
        name = canaries.new()
        ...  # put ``name`` wherever survivor content goes
        canaries.assert_no_leaks()

or without the fixture: ``assert_no_canary_leaks([canary], logs=caplog.text)``.

Tests must use ``transaction=True``: data of a test that runs inside a transaction is
not in the database file yet, and another process (pg_dump) cannot see it.
"""

from __future__ import annotations

import base64
import email
import os
import secrets
import shutil
import string
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.core import mail as django_mail
from django.core.files.storage import Storage, storages
from django.db import connections

_ALPHABET = string.ascii_letters + string.digits


def make_canary(prefix: str = "canary") -> str:
    """A random string that cannot occur by chance (about 143 random bits)."""
    return f"{prefix}-{''.join(secrets.choice(_ALPHABET) for _ in range(24))}"


def encoded_forms(value: str | bytes) -> dict[str, bytes]:
    """Every form in which the scan looks for ``value``, by name."""
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    forms: dict[str, bytes] = {"raw": raw, "lower": raw.lower(), "upper": raw.upper()}
    if isinstance(value, str):
        forms["utf-16-le"] = value.encode("utf-16-le")
        forms["utf-16-be"] = value.encode("utf-16-be")
    forms["hex"] = raw.hex().encode()
    forms["HEX"] = raw.hex().upper().encode()
    for offset in range(3):
        # Base64 of the value as part of a larger blob, starting at any byte alignment:
        # keep only the characters that depend on the value's bytes alone.
        encoded = base64.b64encode(b"\x00" * offset + raw)
        start = -(-offset * 4 // 3)
        end = (offset + len(raw)) // 3 * 4
        stable = encoded[start:end]
        forms[f"base64+{offset}"] = stable
        forms[f"base64url+{offset}"] = stable.replace(b"+", b"-").replace(b"/", b"_")
    return forms


class CanaryLeak(AssertionError):
    pass


def assert_no_canary_leaks(
    canaries: Iterable[str | bytes],
    *,
    logs: str | bytes = "",
    mail: Iterable[object] | None = None,
    extra: Iterable[str | bytes] = (),
    databases: Iterable[str] | None = None,
    storage: Storage | None | bool = True,
    temporary_since: float | None = None,
) -> None:
    """Fail if any canary appears, in any encoded form, in any of the sources.

    ``mail`` defaults to ``django.core.mail.outbox``; ``databases`` to every configured
    alias; ``storage=True`` scans the default storage, ``False`` skips it. Files of the
    temporary directory are read when modified since ``temporary_since`` (a
    ``time.time()``; default: the last ten minutes).
    """
    patterns = [
        (canary, name, form)
        for canary in canaries
        for name, form in encoded_forms(canary).items()
    ]
    if not patterns:
        raise ValueError("Plant at least one canary before scanning.")
    sources: list[tuple[str, bytes]] = []
    sources.extend(_database_dumps(databases))
    if storage is True:
        storage = storages["default"]
    if storage:
        sources.extend(_storage_files(storage))
    sources.extend(_temporary_files(temporary_since))
    sources.append(("logs", logs.encode("utf-8") if isinstance(logs, str) else logs))
    outbox = getattr(django_mail, "outbox", []) if mail is None else mail
    sources.extend(_mail_texts(outbox))
    for number, item in enumerate(extra):
        blob = item.encode("utf-8") if isinstance(item, str) else item
        sources.append((f"extra[{number}]", blob))
    leaks = [
        f"{form_name} form of canary {str(canary)[:12]}… in {source}"
        for source, blob in sources
        for canary, form_name, form in patterns
        if form in blob
    ]
    if leaks:
        raise CanaryLeak("Canary leaked:\n  " + "\n  ".join(leaks))


def scanned_sources(databases: Iterable[str] | None = None) -> list[str]:
    """Names of the database sources the scan reads (for tests of the scan itself)."""
    return [name for name, _blob in _database_dumps(databases)]


def _database_dumps(aliases: Iterable[str] | None) -> Iterator[tuple[str, bytes]]:
    seen: set[tuple[str, ...]] = set()
    for alias in aliases or connections:
        connection = connections[alias]
        settings_dict = connection.settings_dict
        if connection.vendor == "sqlite":
            name = str(settings_dict["NAME"])
            if connection.is_in_memory_db():
                connection.ensure_connection()
                dump = "\n".join(connection.connection.iterdump())
                yield f"database {alias} (in memory)", dump.encode("utf-8")
                continue
            path = Path(name).resolve()
            if ("sqlite", str(path)) in seen:
                continue
            seen.add(("sqlite", str(path)))
            for suffix in ("", "-journal", "-wal"):
                candidate = Path(f"{path}{suffix}")
                if candidate.exists():
                    yield f"database {alias} file {candidate.name}", candidate.read_bytes()
        elif connection.vendor == "postgresql":
            key = ("postgresql", str(settings_dict.get("HOST")), str(settings_dict.get("PORT")),
                   str(settings_dict["NAME"]))
            if key in seen:
                continue
            seen.add(key)
            yield f"database {alias} (pg_dump of {settings_dict['NAME']})", _pg_dump(settings_dict)
        else:
            raise NotImplementedError(f"No canary scan for {connection.vendor} databases.")


def _pg_dump(settings_dict: dict) -> bytes:
    executable = shutil.which("pg_dump")
    if executable is None:
        raise RuntimeError("The canary scan needs pg_dump on PATH for PostgreSQL databases.")
    command = [executable, "--no-owner", "--no-privileges", "--dbname", settings_dict["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            command += [option, str(settings_dict[key])]
    environment = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    result = subprocess.run(command, capture_output=True, env=environment, check=False, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {result.stderr.decode(errors='replace')[:500]}")
    return result.stdout


def _storage_files(storage: Storage, directory: str = "") -> Iterator[tuple[str, bytes]]:
    try:
        directories, file_names = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in file_names:
        path = f"{directory}/{name}" if directory else name
        with storage.open(path, "rb") as handle:
            yield f"storage file {path}", handle.read()
    for name in directories:
        yield from _storage_files(storage, f"{directory}/{name}" if directory else name)


# A file larger than this is no upload Amparo accepts (the vault's limit is 50 MB).
_LARGEST_TEMPORARY_FILE = 64 * 1024 * 1024


def temporary_directories() -> list[Path]:
    """Where an upload or anything else "temporary" would be written in clear."""
    folders = {Path(tempfile.gettempdir()).resolve()}
    if getattr(settings, "FILE_UPLOAD_TEMP_DIR", None):
        folders.add(Path(settings.FILE_UPLOAD_TEMP_DIR).resolve())
    return sorted(folders)


def _temporary_files(since: float | None) -> Iterator[tuple[str, bytes]]:
    since = time.time() - 600 if since is None else since
    for folder in temporary_directories():
        for directory, _subdirectories, file_names in os.walk(folder):
            for name in file_names:
                path = Path(directory) / name
                try:
                    status = path.stat()
                    if (
                        not path.is_file()
                        or max(status.st_mtime, status.st_ctime) < since
                        or status.st_size > _LARGEST_TEMPORARY_FILE
                    ):
                        continue
                    content = path.read_bytes()
                except OSError:  # gone meanwhile, or not ours to read
                    continue
                yield f"temporary file {path}", content


def _mail_texts(outbox: Iterable[object]) -> Iterator[tuple[str, bytes]]:
    for number, message in enumerate(outbox):
        raw = message.message().as_bytes() if hasattr(message, "message") else bytes(message)
        yield f"mail[{number}]", raw
        # Transfer encodings wrap base64 lines, so scan decoded parts as well.
        parsed = email.message_from_bytes(raw)
        decoded = [str(value).encode("utf-8") for value in parsed.values()]
        for part in parsed.walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                decoded.append(payload)
        yield f"mail[{number}] decoded", b"\n".join(decoded)


class CanaryScan:
    """What the ``canaries`` fixture hands a test: plant with ``new()``, then scan."""

    def __init__(self, caplog: object | None = None) -> None:
        self._caplog = caplog
        self.planted: list[str] = []
        # Temporary files older than the test are not its doing (a second's margin for
        # file systems that keep whole seconds).
        self.started = time.time() - 1

    def new(self, prefix: str = "canary") -> str:
        canary = make_canary(prefix)
        self.planted.append(canary)
        return canary

    def assert_no_leaks(self, *, extra: Iterable[str | bytes] = (), **options: object) -> None:
        for alias in connections:
            if connections[alias].in_atomic_block:
                raise RuntimeError(
                    "The canary scan reads committed data only: mark the test "
                    "@pytest.mark.django_db(transaction=True, databases=[...])."
                )
        logs = self._caplog.text if self._caplog is not None else ""
        options.setdefault("temporary_since", self.started)
        assert_no_canary_leaks(self.planted, logs=logs, extra=extra, **options)  # type: ignore[arg-type]

    def assert_none_in_temporary_files(self) -> None:
        """Scan only the temporary directory: for the middle of a request, while an
        upload is on its way to the vault (Django deletes its spooled files afterwards)."""
        patterns = [
            (canary, form) for canary in self.planted for form in encoded_forms(canary).values()
        ]
        leaks = [
            f"canary {canary[:12]}… in {source}"
            for source, blob in _temporary_files(self.started)
            for canary, form in patterns
            if form in blob
        ]
        if leaks:
            raise CanaryLeak("Canary leaked:\n  " + "\n  ".join(sorted(set(leaks))))
