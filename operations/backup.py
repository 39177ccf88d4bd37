"""One backup of everything that must be restored together, encrypted to the operator.

A backup is one age-encrypted file (pyrage) holding a tar of:

- ``main.dump``: the main database (``pg_dump --format=custom``; a SQLite copy made with
  SQLite's backup API);
- ``keys.dump``: the keys database, the same way;
- ``media/``: the sealed attachments, unless they are kept in the main database
  (``AMPARO_FILE_STORAGE=database``, the default), where its dump already holds them;
  from a disk or an S3 bucket they are read through the storage, so every storage is
  backed up and restored the same way;
- ``manifest.json``: when, which engines, how many files.

Order matters: the main database first, then the keys database, then the attachments,
so that every data key and every file that the copied main database refers to exists in
the later copies (keys and files are created *before* the rows that use them commit). A
key or file newer than the data is harmless; data newer than its key is lost data.

Only the public half of the operator's age key is on the server
(``AMPARO_BACKUP_RECIPIENTS_FILE``), so a stolen backup and a stolen server together
still do not open it; the private half stays offline until a restore. Nothing of the
backup is written in clear outside a private temporary directory under VAR_DIR.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyrage
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import connections
from django.utils import timezone

from vault.storage import DatabaseStorage, all_names

FORMAT = "amparo-backup/1"
ALIASES = ("default", "keys")
DUMP_NAMES = {"default": "main.dump", "keys": "keys.dump"}


class BackupError(Exception):
    """The backup or restore cannot go on; the message says what to do."""


def read_recipients(path: str) -> list[Any]:
    """age public keys (``age1…``), one a line, ``#`` comments allowed."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise BackupError(f"Cannot read the backup recipients file {path}: {error}") from None
    recipients = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            try:
                recipients.append(pyrage.x25519.Recipient.from_str(line))
            except pyrage.RecipientError:
                raise BackupError(f"{path}: {line[:12]}… is not an age public key.") from None
    if not recipients:
        raise BackupError(f"{path} holds no age public key (age1…).")
    return recipients


def read_identities(path: str) -> list[Any]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise BackupError(f"Cannot read the age identity file {path}: {error}") from None
    identities = [
        pyrage.x25519.Identity.from_str(line.strip())
        for line in lines if line.strip().startswith("AGE-SECRET-KEY-")
    ]
    if not identities:
        raise BackupError(f"{path} holds no age secret key (AGE-SECRET-KEY-…).")
    return identities


@contextmanager
def _private_directory() -> Iterator[Path]:
    base = Path(settings.VAR_DIR) / "tmp"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=base) as name:
        os.chmod(name, 0o700)
        yield Path(name)


def _pg_environment(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in (("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")),
                       ("PGUSER", db.get("USER")), ("PGPASSWORD", db.get("PASSWORD")),
                       ("PGDATABASE", db.get("NAME"))):
        if value:
            env[key] = str(value)
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-500:]}")


def _dump(alias: str, target: Path) -> str:
    db = settings.DATABASES[alias]
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target}"], _pg_environment(db))
    elif vendor == "sqlite":
        source = sqlite3.connect(str(db["NAME"]))
        copy = sqlite3.connect(str(target))
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
    else:
        raise BackupError(f"Cannot back up a {vendor} database.")
    return vendor


def _vault_storage() -> Storage:
    return storages[settings.AMPARO_VAULT_STORAGE]


def _files_outside_the_database(storage: Storage) -> list[str]:
    """Names of the sealed files the database dump does not already hold."""
    if isinstance(storage, DatabaseStorage) and storage.alias in ALIASES:
        return []
    return all_names(storage)


def create_backup(output: Path, recipients: list[Any]) -> dict[str, Any]:
    """Write the encrypted backup to ``output``; returns its manifest."""
    with _private_directory() as work:
        manifest: dict[str, Any] = {"format": FORMAT, "started": timezone.now().isoformat()}
        engines = {}
        for alias in ALIASES:  # main first, then keys: keys at least as new as data
            engines[alias] = _dump(alias, work / DUMP_NAMES[alias])
        manifest["engines"] = engines
        storage = _vault_storage()
        names = _files_outside_the_database(storage)
        manifest["files"] = len(names)
        manifest["files_in_database"] = not names and isinstance(storage, DatabaseStorage)
        manifest["finished"] = timezone.now().isoformat()
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        archive = work / "backup.tar"
        with tarfile.open(archive, "w") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            for alias in ALIASES:
                tar.add(work / DUMP_NAMES[alias], arcname=DUMP_NAMES[alias])
            for name in names:
                # Streamed from the storage into the tar (ciphertext; never opened).
                info = tarfile.TarInfo(f"media/{name}")
                info.size = storage.size(name)
                with storage.open(name, "rb") as handle:
                    tar.addfile(info, handle)
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".part")
        with archive.open("rb") as reader, partial.open("wb") as writer:
            pyrage.encrypt_io(reader, writer, recipients)
        partial.replace(output)
    return manifest


def _empty(alias: str) -> bool:
    tables = connections[alias].introspection.table_names()
    return not tables


def restore_backup(source: Path, identities: list[Any]) -> dict[str, Any]:
    """Restore both databases and the attachments from ``source``.

    The databases must exist and be empty (``createdb``; docs/operations.md): a restore
    never mixes a backup into live data. Attachments are put back under the storage's
    storage (whichever ``AMPARO_FILE_STORAGE`` names now), existing files left alone.
    """
    with _private_directory() as work:
        archive = work / "backup.tar"
        try:
            with source.open("rb") as reader, archive.open("wb") as writer:
                pyrage.decrypt_io(reader, writer, identities)
        except pyrage.DecryptError:
            raise BackupError(
                "The backup does not open with this age identity (or it is damaged)."
            ) from None
        with tarfile.open(archive) as tar:
            tar.extractall(work / "backup", filter="data")
        root = work / "backup"
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise BackupError("This file is not an Amparo backup of a known format.")
        for alias in ALIASES:
            if not _empty(alias):
                raise BackupError(
                    f"The {alias!r} database is not empty. Restore into new, empty "
                    "databases (docs/operations.md, 'Restore')."
                )
        for alias in ALIASES:
            vendor = connections[alias].vendor
            if manifest["engines"][alias] != vendor:
                raise BackupError(
                    f"The backup's {alias!r} database is {manifest['engines'][alias]}, "
                    f"this one is {vendor}."
                )
            _load(alias, root / DUMP_NAMES[alias])
        storage = _vault_storage()
        media = root / "media"
        for path in sorted(media.rglob("*")) if media.exists() else []:
            name = path.relative_to(media).as_posix()
            if path.is_file() and not storage.exists(name):
                with path.open("rb") as handle:
                    storage.save(name, File(handle, name=name))
    return manifest


def _load(alias: str, dump: Path) -> None:
    db = settings.DATABASES[alias]
    connection = connections[alias]
    if connection.vendor == "postgresql":
        connection.close()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              f"--dbname={db['NAME']}", str(dump)], _pg_environment(db))
    else:
        connection.close()
        backup = sqlite3.connect(str(dump))
        target = sqlite3.connect(str(db["NAME"]))
        with target:
            backup.backup(target)
        target.close()
        backup.close()
