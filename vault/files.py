"""Sealed files: attachments encrypted in chunks, streamed through Django's storage API.

Stored format (version 1)::

    header:  b"AMPF" | 0x01 | chunk size (4 bytes, big-endian)
    chunks:  nonce (12) | AES-GCM(chunk plaintext) with tag (16)      ... repeated

Every chunk is at most ``chunk size`` bytes of plaintext; every chunk but the last is
exactly that size. Its associated data is::

    header | file binding (model, field, row id, owner — see crypto.file_aad)
           | chunk number (8 bytes) | 0x01 if it is the final chunk else 0x00

so chunks cannot be reordered (number), dropped from the middle (number), cut off at
the end (the new last chunk was not sealed as final), extended (a chunk after the final
one makes the final one open as non-final), or moved to another record (binding). An
empty file is one empty final chunk.

Neither direction holds the file in memory: sealing reads the source ``CHUNK_SIZE`` at
a time, with one chunk of look-ahead to know which is final; opening does the same.
Opening authenticates the whole file before it hands out the first byte (a second
streaming pass, cheap next to the network), so a tampered attachment fails before a
response starts instead of half-way through a download.
"""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Callable, Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files import File
from django.core.files.storage import Storage

from vault import crypto
from vault.exceptions import FileTooLarge

MAGIC = b"AMPF"
FILE_VERSION = 1
CHUNK_SIZE = 64 * 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024
HEADER_BYTES = len(MAGIC) + 1 + 4
_OVERHEAD = crypto.NONCE_BYTES + crypto.TAG_BYTES


def header(chunk_size: int = CHUNK_SIZE) -> bytes:
    return MAGIC + bytes([FILE_VERSION]) + chunk_size.to_bytes(4, "big")


def _chunk_aad(base: bytes, index: int, final: bool) -> bytes:
    return base + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def sealed_size(plain_size: int, chunk_size: int = CHUNK_SIZE) -> int:
    """Bytes stored for a plaintext of this size (so storages that ask can be told)."""
    chunks = max(1, -(-plain_size // chunk_size))
    return HEADER_BYTES + plain_size + chunks * _OVERHEAD


class _SealingReader(io.RawIOBase):
    """A read-only stream of the sealed form of ``source``, produced as it is read."""

    def __init__(
        self,
        source: IO[bytes],
        aead: AESGCM,
        binding: bytes,
        *,
        chunk_size: int = CHUNK_SIZE,
        max_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        super().__init__()
        self._source = source
        self._aead = aead
        self._chunk_size = chunk_size
        self._max_bytes = max_bytes
        self._header = header(chunk_size)
        self._aad_base = self._header + binding
        self._buffer = bytearray(self._header)
        self._index = 0
        self._read_total = 0
        self._lookahead: bytes | None = None
        self._done = False

    def readable(self) -> bool:
        return True

    def _read_plain(self) -> bytes:
        parts = []
        wanted = self._chunk_size
        while wanted:
            data = self._source.read(wanted)
            if not data:
                break
            parts.append(data)
            wanted -= len(data)
        chunk = b"".join(parts)
        self._read_total += len(chunk)
        if self._read_total > self._max_bytes:
            raise FileTooLarge(f"The file is larger than {self._max_bytes} bytes.")
        return chunk

    def _produce(self) -> None:
        current = self._read_plain() if self._lookahead is None else self._lookahead
        following = self._read_plain() if len(current) == self._chunk_size else b""
        final = not following
        nonce = crypto._urandom(crypto.NONCE_BYTES)
        self._buffer += nonce
        aad = _chunk_aad(self._aad_base, self._index, final)
        self._buffer += self._aead.encrypt(nonce, current, aad)
        self._index += 1
        self._lookahead = following
        self._done = final

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while len(self._buffer) < len(buffer) and not self._done:
            self._produce()
        size = min(len(buffer), len(self._buffer))
        buffer[:size] = self._buffer[:size]
        del self._buffer[:size]
        return size


def write(
    storage: Storage,
    source: IO[bytes],
    aead: AESGCM,
    binding: bytes,
    *,
    chunk_size: int = CHUNK_SIZE,
    max_bytes: int = MAX_FILE_BYTES,
) -> str:
    """Seal ``source`` into a new file of ``storage``; returns its (random) name."""
    # A random name: the original file name is survivor content and is sealed elsewhere.
    name = f"vault/{uuid.uuid4().hex}"
    declared = getattr(source, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise FileTooLarge(f"The file is larger than {max_bytes} bytes.")
    stream = io.BufferedReader(
        _SealingReader(source, aead, binding, chunk_size=chunk_size, max_bytes=max_bytes),
        buffer_size=chunk_size,
    )
    content = File(stream, name=name)
    if isinstance(declared, int):
        content.size = sealed_size(declared, chunk_size)
    try:
        saved = storage.save(name, content)
    except BaseException:
        # Never leave half a file behind (e.g. after FileTooLarge).
        with contextlib.suppress(Exception):
            if storage.exists(name):
                storage.delete(name)
        raise
    return saved


def read_up_to(handle: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes, however many reads the stream needs (fewer only at its end)."""
    parts = []
    while size:
        data = handle.read(size)
        if not data:
            break
        parts.append(data)
        size -= len(data)
    return b"".join(parts)


def read(
    storage: Storage, name: str, aead: AESGCM, binding: bytes
) -> Iterator[bytes]:
    """Yield the plaintext chunks of a sealed file; raises ``crypto.Undecryptable``."""
    with storage.open(name, "rb") as handle:
        head = read_up_to(handle, HEADER_BYTES)
        if len(head) != HEADER_BYTES or head[:4] != MAGIC or head[4] != FILE_VERSION:
            raise crypto.Undecryptable
        chunk_size = int.from_bytes(head[5:9], "big")
        if not 0 < chunk_size <= MAX_CHUNK_SIZE:
            raise crypto.Undecryptable
        aad_base = head + binding
        record = chunk_size + _OVERHEAD
        index = 0
        current = read_up_to(handle, record)
        while True:
            if len(current) < _OVERHEAD:
                raise crypto.Undecryptable  # nothing sealed as final was found
            following = read_up_to(handle, record)
            final = not following
            try:
                plain = aead.decrypt(
                    current[: crypto.NONCE_BYTES],
                    current[crypto.NONCE_BYTES :],
                    _chunk_aad(aad_base, index, final),
                )
            except InvalidTag:
                raise crypto.Undecryptable from None
            yield plain
            if final:
                return
            index += 1
            current = following


def verify(storage: Storage, name: str, aead: AESGCM, binding: bytes) -> None:
    """Authenticate every chunk without keeping any; raises ``crypto.Undecryptable``."""
    for _chunk in read(storage, name, aead, binding):
        pass


def guarded(chunks: Iterator[bytes], on_failure: Callable[[], Exception]) -> Iterator[bytes]:
    """Turn ``Undecryptable`` during streaming into the vault error ``on_failure`` makes."""
    try:
        yield from chunks
    except crypto.Undecryptable:
        raise on_failure() from None
