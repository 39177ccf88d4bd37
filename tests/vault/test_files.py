"""Sealed files: streamed in authenticated chunks that cannot be cut, dropped or reordered."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from tests.vault.conftest import BOTH_DATABASES
from tests.vaultdemo.models import SealedRecord
from vault import files
from vault import services as vault
from vault.exceptions import FileTooLarge, IntegrityFailure

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)
CHUNK = files.CHUNK_SIZE
RECORD = CHUNK + 12 + 16


@pytest.fixture
def record(owner) -> SealedRecord:
    return SealedRecord(owner_id=owner)


def stored(record: SealedRecord) -> bytes:
    with storages["default"].open(record.attachment, "rb") as handle:
        return handle.read()


def replace_stored(record: SealedRecord, content: bytes) -> None:
    storage = storages["default"]
    storage.delete(record.attachment)
    storage.save(record.attachment, ContentFile(content))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5])
def test_files_round_trip_in_chunks(record, size):
    content = os.urandom(size)
    vault.seal_file(record, "attachment", io.BytesIO(content))
    record.save()
    chunks = list(vault.open_file(SealedRecord.objects.get(pk=record.pk), "attachment"))
    assert b"".join(chunks) == content
    assert all(len(chunk) <= CHUNK for chunk in chunks)
    assert len(stored(record)) == files.sealed_size(size)


def test_storage_name_says_nothing_about_the_file(record):
    upload = ContentFile(b"data", name="pasaporte-jose-perez.pdf")
    vault.seal_file(record, "attachment", upload)
    assert "jose" not in record.attachment and record.attachment.startswith("vault/")


def sealed_three_chunks(record) -> tuple[bytes, bytes]:
    content = os.urandom(2 * CHUNK + 100)
    vault.seal_file(record, "attachment", io.BytesIO(content))
    return content, stored(record)


def split(blob: bytes) -> tuple[bytes, list[bytes]]:
    head, body = blob[: files.HEADER_BYTES], blob[files.HEADER_BYTES :]
    return head, [body[i : i + RECORD] for i in range(0, len(body), RECORD)]


def test_file_with_a_chunk_removed_does_not_open(record):
    _content, blob = sealed_three_chunks(record)
    head, chunks = split(blob)
    replace_stored(record, head + chunks[0] + chunks[2])
    with pytest.raises(IntegrityFailure):
        vault.open_file(record, "attachment")


def test_file_with_chunks_reordered_does_not_open(record):
    _content, blob = sealed_three_chunks(record)
    head, chunks = split(blob)
    replace_stored(record, head + chunks[1] + chunks[0] + chunks[2])
    with pytest.raises(IntegrityFailure):
        vault.open_file(record, "attachment")


@pytest.mark.parametrize("keep_chunks", [1, 2])
def test_file_truncated_at_a_chunk_boundary_does_not_open(record, keep_chunks):
    _content, blob = sealed_three_chunks(record)
    head, chunks = split(blob)
    replace_stored(record, head + b"".join(chunks[:keep_chunks]))
    with pytest.raises(IntegrityFailure):
        vault.open_file(record, "attachment")


@pytest.mark.parametrize("cut", [1, 17, 200])
def test_file_truncated_mid_chunk_does_not_open(record, cut):
    _content, blob = sealed_three_chunks(record)
    replace_stored(record, blob[:-cut])
    with pytest.raises(IntegrityFailure):
        vault.open_file(record, "attachment")


def test_file_with_data_appended_does_not_open(record):
    _content, blob = sealed_three_chunks(record)
    head, chunks = split(blob)
    replace_stored(record, blob + chunks[2])
    with pytest.raises(IntegrityFailure):
        vault.open_file(record, "attachment")


def test_file_with_one_flipped_bit_does_not_open_and_nothing_is_streamed(record):
    _content, blob = sealed_three_chunks(record)
    altered = bytearray(blob)
    altered[-5] ^= 0x10  # in the last chunk: the first two would authenticate
    replace_stored(record, bytes(altered))
    with pytest.raises(IntegrityFailure):
        vault.open_file(record, "attachment")


def test_file_moved_to_another_row_does_not_open(record, owner):
    vault.seal_file(record, "attachment", io.BytesIO(b"informe"))
    other = SealedRecord(owner_id=owner, attachment=record.attachment)
    with pytest.raises(IntegrityFailure):
        vault.open_file(other, "attachment")


def test_file_changed_while_streaming_stops_the_stream(record):
    _content, blob = sealed_three_chunks(record)
    stream = vault.open_file(record, "attachment")
    head, chunks = split(blob)
    replace_stored(record, head + chunks[0] + chunks[2])
    with pytest.raises(IntegrityFailure):
        list(stream)


def test_file_failure_records_an_integrity_event(record):
    from audit.models import AccessEvent, Action

    _content, blob = sealed_three_chunks(record)
    replace_stored(record, blob[:-1])
    with pytest.raises(IntegrityFailure):
        vault.open_file(record, "attachment")
    assert AccessEvent.objects.filter(
        action=Action.VAULT_INTEGRITY_FAILURE, target_id=str(record.pk)
    ).exists()


class CountingSource(io.RawIOBase):
    """A source of ``size`` bytes that records the largest read asked of it."""

    def __init__(self, size: int) -> None:
        self.remaining, self.largest_read = size, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.largest_read = max(self.largest_read, size)
        size = self.remaining if size < 0 else min(size, self.remaining)
        self.remaining -= size
        return b"\x00" * size


def test_fifty_megabytes_stream_without_holding_the_file(record):
    source = CountingSource(files.MAX_FILE_BYTES)
    vault.seal_file(record, "attachment", source)
    assert source.largest_read <= CHUNK
    total = 0
    for chunk in vault.open_file(record, "attachment"):
        assert len(chunk) <= CHUNK
        total += len(chunk)
    assert total == files.MAX_FILE_BYTES


def test_files_over_the_limit_are_refused_and_leave_nothing(record):
    storage = storages["default"]
    before = storage.listdir("vault")[1] if storage.exists("vault") else []
    with pytest.raises(FileTooLarge):
        vault.seal_file(record, "attachment", CountingSource(3 * CHUNK + 1), max_bytes=3 * CHUNK)
    after = storage.listdir("vault")[1] if storage.exists("vault") else []
    assert after == before
    assert record.attachment == ""
