"""Move the sealed files from one storage to another (database, filesystem, s3).

Before changing ``AMPARO_FILE_STORAGE``, with the application still running on the old
storage or stopped::

    manage.py move_sealed_files --to database            # from the configured storage
    manage.py move_sealed_files --from filesystem --to s3 --delete-source

Each file is copied under its own name, then read back from the new storage and compared
byte for byte (SHA-256) with the original; only a verified copy lets the original be
deleted (``--delete-source``), so an interrupted run loses nothing. Run again, it skips
the files already verified at the target, so it is resumable. A name that exists at the
target with other bytes is never overwritten: it is reported, and the command fails.
The bytes are ciphertext either way; nothing is opened.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vault.storage import all_names

# Every sealed file is named vault/<random hex> (vault/files.py).
PREFIX = "vault"


def storage_for(kind: str) -> Storage:
    try:
        return storages.create_storage(settings.AMPARO_FILE_STORAGES[kind])
    except KeyError:
        raise CommandError(f"Unknown storage {kind!r}.") from None


def digest(storage: Storage, name: str) -> str:
    sha = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while block := handle.read(1024 * 1024):
            sha.update(block)
    return sha.hexdigest()


class Command(BaseCommand):
    help = "Copy sealed files to another storage, verify each copy, optionally delete the source."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = sorted(settings.AMPARO_FILE_STORAGES)
        parser.add_argument("--to", required=True, choices=kinds, dest="target")
        parser.add_argument("--from", choices=kinds, dest="source",
                            help="Default: the configured AMPARO_FILE_STORAGE.")
        parser.add_argument("--delete-source", action="store_true",
                            help="Delete each original once its copy is verified.")

    def handle(self, *args: Any, **options: Any) -> None:
        source_kind = options["source"] or settings.AMPARO_FILE_STORAGE
        target_kind = options["target"]
        if source_kind == target_kind:
            raise CommandError(f"The files are already in {source_kind}: choose another --to.")
        source, target = storage_for(source_kind), storage_for(target_kind)
        copied = skipped = deleted = 0
        failures: list[str] = []
        names = all_names(source, PREFIX)
        for name in names:
            original = digest(source, name)
            if target.exists(name):
                if digest(target, name) != original:
                    failures.append(f"{name}: a different file of this name is at the target")
                    continue
                skipped += 1
            else:
                with source.open(name, "rb") as handle:
                    saved = target.save(name, File(handle, name=name))
                if saved != name or digest(target, saved) != original:
                    target.delete(saved)
                    failures.append(f"{name}: the copy did not read back the same")
                    continue
                copied += 1
            if options["delete_source"]:
                source.delete(name)
                deleted += 1
        self.stdout.write(
            f"{len(names)} sealed files in {source_kind}: {copied} copied to {target_kind} "
            f"and verified, {skipped} already there, {deleted} deleted at the source, "
            f"{len(failures)} failed."
        )
        if failures:
            raise CommandError("Not moved:\n" + "\n".join(failures))
        self.stdout.write(f"Now set AMPARO_FILE_STORAGE={target_kind} and restart.")
