"""The backup drill: one encrypted file with both databases and the attachments (wherever
they are kept: the main database, a disk or an S3 bucket); after losing everything, the
restore brings back a case that opens, its attachment, and an access log that verifies.
Refusals: a wrong age key, and a restore into live data."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import boto3
import pyrage
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import override_settings

from cases.models import Attachment, Case
from cases.services import work
from operations.backup import BackupError, create_backup, restore_backup
from vault import services as vault

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


S3_OPTIONS = {"bucket_name": "amparo-backup-test", "region_name": "us-east-1",
              "access_key": "test", "secret_key": "test", "default_acl": None,
              "file_overwrite": False}


@pytest.fixture(params=["database", "filesystem", "s3"])
def sealed_files(request, tmp_path):
    """Attachments where a deployment keeps them (the test settings keep them in memory):
    in the main database, on disk, or in an S3 bucket (moto, in-process). Yields what
    losing the files besides the databases means for that storage."""
    media = tmp_path / "media"
    backends = {
        "database": {"BACKEND": "vault.storage.DatabaseStorage"},
        "filesystem": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                       "OPTIONS": {"location": str(media)}},
        "s3": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS},
    }
    storages = {
        "default": backends[request.param],
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with contextlib.ExitStack() as stack:
        if request.param == "s3":
            from moto import mock_aws

            stack.enter_context(mock_aws())
            boto3.client("s3", region_name="us-east-1").create_bucket(
                Bucket=S3_OPTIONS["bucket_name"])
        stack.enter_context(override_settings(STORAGES=storages, VAR_DIR=tmp_path / "var"))
        from django.core.files.storage import storages as handler

        handler._storages = {}
        handler.backends = storages

        def lose_files() -> None:
            if request.param == "filesystem":
                for path in sorted(media.rglob("*"), reverse=True):
                    path.unlink() if path.is_file() else path.rmdir()
            elif request.param == "s3":
                bucket = boto3.resource("s3", region_name="us-east-1").Bucket(
                    S3_OPTIONS["bucket_name"])
                bucket.objects.all().delete()
            # database: dropping the schema took them

        try:
            yield lose_files
        finally:
            handler._storages = {}
            handler.__dict__.pop("backends", None)


@pytest.fixture
def operator_key(tmp_path) -> tuple[Path, Path]:
    identity = pyrage.x25519.Identity.generate()
    secret, public = tmp_path / "operator.key", tmp_path / "operator.pub"
    secret.write_text(f"# offline\n{identity}\n")
    public.write_text(f"{identity.to_public()}\n")
    return secret, public


def _drop_everything(lose_files) -> None:
    for alias in ("default", "keys"):
        with connections[alias].cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    lose_files()


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_the_drill_restores_a_case_its_attachment_and_a_verifying_log(
    sealed_files, operator_key, tmp_path, make_case, caseworker
):
    if connections["default"].vendor != "postgresql":
        pytest.skip("the drill runs on PostgreSQL, as deployments do")
    secret, public = operator_key
    case = make_case(caseworker, given_names="Rosa Elvira")
    work.add_attachment(actor=caseworker, case=case, kind="legal",
                        upload=SimpleUploadedFile("denuncia.pdf", PDF))
    backups = tmp_path / "backups"
    backups.mkdir()
    out = io.StringIO()
    call_command("backup", "--output", str(backups), "--recipients", str(public), stdout=out)
    [backup] = backups.iterdir()
    assert b"Rosa" not in backup.read_bytes() and b"PDF-1.4" not in backup.read_bytes()

    _drop_everything(sealed_files)
    call_command("restore", str(backup), "--identity", str(secret), stdout=io.StringIO())

    restored = Case.objects.get(pk=case.pk)
    assert vault.unseal(restored.survivor, "given_names") == "Rosa Elvira"
    attachment = Attachment.objects.get(case=restored)
    download = work.open_attachment(actor=caseworker, case=restored, attachment=attachment)
    assert b"".join(download.chunks) == PDF
    call_command("verify_audit", stdout=io.StringIO())
    call_command("vault_status", stdout=io.StringIO())


@pytest.mark.django_db(databases=["default", "keys"])
def test_a_backup_does_not_open_with_another_key(sealed_files, operator_key, tmp_path):
    _secret, public = operator_key
    target = tmp_path / "b.tar.age"
    call_command("backup", "--output", str(target), "--recipients", str(public),
                 stdout=io.StringIO())
    stranger = tmp_path / "stranger.key"
    stranger.write_text(f"{pyrage.x25519.Identity.generate()}\n")

    with pytest.raises(CommandError, match="does not open with this age identity"):
        call_command("restore", str(target), "--identity", str(stranger))


@pytest.mark.django_db(databases=["default", "keys"])
def test_a_restore_refuses_databases_that_hold_data(sealed_files, operator_key, tmp_path):
    secret, public = operator_key
    target = tmp_path / "b.tar.age"
    from operations.backup import read_identities, read_recipients

    create_backup(target, read_recipients(str(public)))

    with pytest.raises(BackupError, match="database is not empty"):
        restore_backup(target, read_identities(str(secret)))


def test_a_backup_needs_a_real_age_public_key(tmp_path):
    from operations.backup import read_recipients

    path = tmp_path / "keys.pub"
    path.write_text("ssh-rsa AAAA not age\n")
    with pytest.raises(BackupError, match="is not an age public key"):
        read_recipients(str(path))
