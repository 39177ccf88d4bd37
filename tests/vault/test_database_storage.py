"""Sealed files kept in the main database (``AMPARO_FILE_STORAGE=database``), where every
application server reaches them, and ``move_sealed_files`` between the three storages."""

from __future__ import annotations

import io
import os
from contextlib import contextmanager

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.vault.conftest import BOTH_DATABASES
from tests.vaultdemo.models import SealedRecord
from vault import services as vault
from vault.exceptions import FileTooLarge, IntegrityFailure
from vault.models import SealedFile, SealedFileChunk
from vault.storage import DatabaseStorage

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)
SMALL_CHUNKS = {"BACKEND": "vault.storage.DatabaseStorage", "OPTIONS": {"chunk_size": 1000}}
BUCKET = "amparo-move-test"


@contextmanager
def storage_settings(default: dict, **others: object):
    backends = {"default": default,
                "staticfiles": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    with override_settings(STORAGES=backends, **others):
        storages._storages = {}
        storages.backends = backends
        try:
            yield storages["default"]
        finally:
            storages._storages = {}
            storages.__dict__.pop("backends", None)


@pytest.fixture
def in_database():
    with storage_settings(SMALL_CHUNKS) as storage:
        yield storage


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 5000, 70_000])
def test_a_sealed_file_round_trips_through_the_database_in_chunks(in_database, owner, size):
    plain = os.urandom(size)
    record = SealedRecord(owner_id=owner)
    vault.seal_file(record, "attachment", io.BytesIO(plain))

    stored = SealedFile.objects.get(name=record.attachment)
    assert stored.chunks.count() == max(1, -(-stored.size // 1000))
    assert in_database.size(record.attachment) == stored.size
    assert b"".join(vault.open_file(record, "attachment")) == plain


def test_the_table_holds_only_ciphertext(in_database, owner):
    plain = b"Declaracion de Rosa Elvira Quispe, Puerto Maldonado " * 100
    record = SealedRecord(owner_id=owner)
    vault.seal_file(record, "attachment", io.BytesIO(plain))

    stored = b"".join(bytes(c) for c in SealedFileChunk.objects.values_list("data", flat=True))
    assert b"Rosa" not in stored and b"Declaracion" not in stored
    assert len(stored) > len(plain)


def test_a_changed_chunk_in_the_table_fails_before_any_byte_is_handed_out(in_database, owner):
    record = SealedRecord(owner_id=owner)
    vault.seal_file(record, "attachment", io.BytesIO(os.urandom(4000)))
    chunk = SealedFileChunk.objects.get(file__name=record.attachment, number=2)
    data = bytearray(chunk.data)
    data[10] ^= 1
    chunk.data = bytes(data)
    chunk.save()

    with pytest.raises(IntegrityFailure):
        vault.open_file(record, "attachment")


def test_a_file_too_large_leaves_no_row_behind(in_database, owner):
    record = SealedRecord(owner_id=owner)
    with pytest.raises(FileTooLarge):
        vault.seal_file(record, "attachment", io.BytesIO(os.urandom(3000)), max_bytes=2000)

    assert not SealedFile.objects.exists() and not SealedFileChunk.objects.exists()


def test_delete_listdir_and_missing_files(in_database):
    in_database.save("vault/a", ContentFile(b"x"))
    in_database.save("vault/sub/b", ContentFile(b"y"))

    assert in_database.listdir("vault") == (["sub"], ["a"])
    in_database.delete("vault/a")
    assert not in_database.exists("vault/a") and in_database.exists("vault/sub/b")
    with pytest.raises(FileNotFoundError):
        in_database.open("vault/a")
    with pytest.raises(NotImplementedError):
        in_database.url("vault/sub/b")


# --- move_sealed_files -----------------------------------------------------------------

@pytest.fixture
def three_storages(tmp_path):
    from moto import mock_aws

    kinds = {
        "database": SMALL_CHUNKS,
        "filesystem": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                       "OPTIONS": {"location": str(tmp_path / "media")}},
        "s3": {"BACKEND": "storages.backends.s3.S3Storage",
               "OPTIONS": {"bucket_name": BUCKET, "region_name": "us-east-1",
                           "access_key": "test", "secret_key": "test",
                           "default_acl": None, "file_overwrite": False}},
    }
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        with storage_settings(kinds["database"], AMPARO_FILE_STORAGES=kinds,
                              AMPARO_FILE_STORAGE="database"):
            yield {kind: storages.create_storage(backend) for kind, backend in kinds.items()}


def move(*args: str) -> str:
    out = io.StringIO()
    call_command("move_sealed_files", *args, stdout=out)
    return out.getvalue()


def test_files_move_from_the_database_to_disk_to_s3_and_back_and_still_open(
    three_storages, make_record
):
    plain = {}
    records = []
    for size in (0, 2500, 10_000):
        record = make_record()
        plain[record.pk] = os.urandom(size)
        vault.seal_file(record, "attachment", io.BytesIO(plain[record.pk]))
        record.save()
        records.append(record)

    assert "3 copied to filesystem and verified" in move("--to", "filesystem", "--delete-source")
    assert not SealedFile.objects.exists()
    assert "3 copied to s3 and verified" in move("--from", "filesystem", "--to", "s3")
    assert "3 copied to database and verified" in move("--from", "s3", "--to", "database")

    for record in records:
        assert b"".join(vault.open_file(record, "attachment")) == plain[record.pk]


def test_an_interrupted_move_resumes_and_keeps_every_source_until_verified(three_storages):
    database, disk = three_storages["database"], three_storages["filesystem"]
    for name in ("vault/one", "vault/two"):
        database.save(name, ContentFile(os.urandom(1500)))
    disk.save("vault/one", database.open("vault/one"))  # the first run stopped after one

    report = move("--to", "filesystem")

    assert "1 copied to filesystem and verified, 1 already there, 0 deleted" in report
    assert database.exists("vault/one") and database.exists("vault/two")  # no --delete-source


def test_a_different_file_of_the_same_name_at_the_target_is_never_overwritten(three_storages):
    database, disk = three_storages["database"], three_storages["filesystem"]
    database.save("vault/one", ContentFile(b"sealed bytes"))
    disk.save("vault/one", ContentFile(b"other bytes"))

    with pytest.raises(CommandError, match="a different file of this name is at the target"):
        move("--to", "filesystem", "--delete-source")

    assert database.exists("vault/one")
    assert disk.open("vault/one").read() == b"other bytes"


def test_moving_into_the_storage_the_files_are_already_in_is_refused(three_storages):
    with pytest.raises(CommandError, match="already in database"):
        move("--to", "database")


def test_the_database_storage_is_the_default():
    from config import settings as production

    assert production.AMPARO_FILE_STORAGE == "database"
    assert production.STORAGES["default"]["BACKEND"] == "vault.storage.DatabaseStorage"
    assert isinstance(storages.create_storage(production.STORAGES["default"]), DatabaseStorage)


def test_files_left_on_disk_after_the_switch_to_the_database_are_warned_about(three_storages):
    from vault.checks import check_files_left_behind

    assert check_files_left_behind() == []
    three_storages["filesystem"].save("vault/old", ContentFile(b"sealed"))

    [warning] = check_files_left_behind()
    assert warning.id == "vault.W003" and "move_sealed_files" in warning.hint

    move("--from", "filesystem", "--to", "database", "--delete-source")
    assert check_files_left_behind() == []
