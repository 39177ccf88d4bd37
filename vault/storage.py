"""``DatabaseStorage``: sealed files kept in the main database, so every server reaches them.

Amparo's application servers keep no state of their own but for attachments: with files on
one machine's disk, a file uploaded through one server is missing on another. This storage
puts the (already sealed) bytes into ``SealedFile``/``SealedFileChunk`` rows of the main
database, which every server shares; a backup of the databases is then a complete backup.

Only ciphertext arrives here (``vault.files`` seals as it streams), so the table needs no
protection of its own beyond the database's. Neither writing nor reading holds a whole
file in memory: the bytes travel ``chunk_size`` at a time, one row each.

Which storage holds sealed files is the setting ``AMPARO_FILE_STORAGE`` (database,
filesystem or s3; docs/deploy.md); ``manage.py move_sealed_files`` moves them between
storages.
"""

from __future__ import annotations

import io
import posixpath
from datetime import datetime
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.deconstruct import deconstructible

from vault.files import read_up_to

DEFAULT_CHUNK_BYTES = 512 * 1024


class _ChunkReader(io.RawIOBase):
    """Reads a stored file row by row, fetching a chunk only when it is reached."""

    def __init__(self, alias: str, file_id: int) -> None:
        super().__init__()
        self._alias = alias
        self._file_id = file_id
        self._number = 0
        self._buffer = b""
        self._finished = False

    def readable(self) -> bool:
        return True

    def _fetch(self) -> None:
        from vault.models import SealedFileChunk

        row = (
            SealedFileChunk.objects.using(self._alias)
            .filter(file_id=self._file_id, number=self._number)
            .values_list("data", flat=True)
            .first()
        )
        if row is None:
            self._finished = True
            return
        self._buffer = bytes(row)
        self._number += 1

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._buffer and not self._finished:
            self._fetch()
        size = min(len(buffer), len(self._buffer))
        buffer[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


@deconstructible(path="vault.storage.DatabaseStorage")
class DatabaseStorage(Storage):
    """Files as rows of chunks in database ``alias`` (the main database by default)."""

    def __init__(self, alias: str = "default", chunk_size: int = DEFAULT_CHUNK_BYTES) -> None:
        self.alias = alias
        self.chunk_size = chunk_size

    def _files(self) -> Any:
        from vault.models import SealedFile

        return SealedFile.objects.using(self.alias)

    def _save(self, name: str, content: File) -> str:
        from vault.models import SealedFileChunk

        name = name.replace("\\", "/")
        if hasattr(content, "seek") and getattr(content, "seekable", lambda: False)():
            content.seek(0)
        # One transaction: a file is stored whole or not at all (a refused or cut-off
        # upload leaves no half file for another server to find).
        with transaction.atomic(using=self.alias):
            record = self._files().create(name=name)
            number = size = 0
            while True:
                piece = read_up_to(content, self.chunk_size)
                if not piece and number:
                    break
                SealedFileChunk.objects.using(self.alias).create(
                    file=record, number=number, data=piece
                )
                number += 1
                size += len(piece)
                if len(piece) < self.chunk_size:
                    break
            record.size = size
            record.save(update_fields=["size"])
        return name

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("DatabaseStorage opens files for reading only; save() writes.")
        file_id = self._files().filter(name=name).values_list("pk", flat=True).first()
        if file_id is None:
            raise FileNotFoundError(name)
        return File(io.BufferedReader(_ChunkReader(self.alias, file_id),
                                      buffer_size=self.chunk_size), name=name)

    def exists(self, name: str) -> bool:
        return self._files().filter(name=name).exists()

    def delete(self, name: str) -> None:
        if not name:
            raise ValueError("The name must be given to delete().")
        with transaction.atomic(using=self.alias):
            self._files().filter(name=name).delete()

    def size(self, name: str) -> int:
        size = self._files().filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(name)
        return size

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = path.strip("/")
        prefix = f"{prefix}/" if prefix else ""
        directories: set[str] = set()
        files: list[str] = []
        names = self._files().filter(name__startswith=prefix).values_list("name", flat=True)
        for name in names.iterator():
            rest = name[len(prefix):]
            head, _sep, tail = rest.partition("/")
            if tail:
                directories.add(head)
            else:
                files.append(head)
        return sorted(directories), sorted(files)

    def names(self) -> list[str]:
        """Every stored name (for moving and backing up)."""
        return list(self._files().order_by("name").values_list("name", flat=True))

    def get_created_time(self, name: str) -> datetime:
        created = self._files().filter(name=name).values_list("created_at", flat=True).first()
        if created is None:
            raise FileNotFoundError(name)
        return created

    get_modified_time = get_created_time

    def url(self, name: str | None) -> str:
        # Sealed files leave only through the views that open them, never by address.
        raise NotImplementedError("Sealed files have no address.")

    def path(self, name: str) -> str:
        raise NotImplementedError(f"{posixpath.basename(name)} is kept in the database.")


def all_names(storage: Storage, top: str = "") -> list[str]:
    """Every file name under ``top`` in any storage (walks directories)."""
    if isinstance(storage, DatabaseStorage):
        return [n for n in storage.names() if n.startswith(top)]
    try:
        directories, files = storage.listdir(top)
    except FileNotFoundError:
        return []
    names = [posixpath.join(top, f) if top else f for f in files]
    for directory in directories:
        names.extend(all_names(storage, posixpath.join(top, directory) if top else directory))
    return sorted(names)
