"""A record shaped like the survivor-owned models to come: sealed fields and history."""

import uuid

from django.db import models
from simple_history.models import HistoricalRecords

from vault.blind_index import BlindIndex, Part
from vault.fields import BlindIndexField, EncryptedField, EncryptedFileField

SURNAME_BIRTH_YEAR = BlindIndex(
    "vaultdemo.surname_birth_year", [Part("surname"), Part("birth_year", low_entropy=True)]
)


class SealedRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner_id = models.UUIDField()
    secret = EncryptedField(owner="owner_id", null=True)
    other_secret = EncryptedField(owner="owner_id", null=True)
    attachment = EncryptedFileField(owner="owner_id")
    duplicate_key = BlindIndexField(index="vaultdemo.surname_birth_year")
    # Plain on purpose: the canary scan's own tests plant a canary here to prove it is found.
    plain_note = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()
