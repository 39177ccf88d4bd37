"""Sealed columns are declared so that checks and tests find every one of them."""

from __future__ import annotations

import uuid

from django.core import checks
from django.db import models
from django.test.utils import isolate_apps

from tests.vaultdemo.models import SealedRecord
from vault.checks import check_sealed_models, sealed_model_errors
from vault.fields import EncryptedField, EncryptedFileField, encrypted_fields, encrypted_file_fields


def test_encrypted_fields_lists_live_and_history_columns():
    found = {(model._meta.label, field.name) for model, field in encrypted_fields()}
    assert {
        ("vaultdemo.SealedRecord", "secret"),
        ("vaultdemo.SealedRecord", "other_secret"),
        ("vaultdemo.HistoricalSealedRecord", "secret"),
        ("vaultdemo.HistoricalSealedRecord", "other_secret"),
    } <= found
    files = {(model._meta.label, field.name) for model, field in encrypted_file_fields()}
    assert ("vaultdemo.HistoricalSealedRecord", "attachment") in files


def test_sealed_fields_stay_out_of_forms():
    assert not SealedRecord._meta.get_field("secret").editable
    assert not SealedRecord._meta.get_field("attachment").editable


@isolate_apps("tests.vaultdemo")
def test_sealed_models_need_uuid_keys_made_in_python_and_a_real_owner():
    class AutoKeyed(models.Model):
        survivor_id = models.UUIDField(default=uuid.uuid4)
        secret = EncryptedField(owner="survivor_id")

        class Meta:
            app_label = "vaultdemo"

    class WrongOwner(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        secret = EncryptedField(owner="survivor_id")
        scan = EncryptedFileField(owner="id")

        class Meta:
            app_label = "vaultdemo"

    errors = sealed_model_errors([AutoKeyed, WrongOwner])
    assert [e.id for e in errors] == ["vault.E001", "vault.E002"]
    assert all(isinstance(e, checks.Error) for e in errors)


def test_the_project_passes_the_vault_checks():
    assert check_sealed_models() == []
