"""A value that fails to open is recorded — even when the failure rolls everything back."""

from __future__ import annotations

import base64
import io
import logging
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from audit.middleware import RequestIdMiddleware
from audit.models import AccessEvent, Action, Outcome
from tests.canary import encoded_forms
from tests.vault.conftest import BOTH_DATABASES, key_line
from tests.vaultdemo.models import SURNAME_BIRTH_YEAR, SealedRecord
from vault import crypto, keyring
from vault import services as vault
from vault.exceptions import IntegrityFailure
from vault.middleware import KeyCacheMiddleware
from vault.models import DataKey
from vault.routers import KEYS_ALIAS
from vault.scope import key_scope


def integrity_events():
    return AccessEvent.objects.filter(action=Action.VAULT_INTEGRITY_FAILURE)


def tampered(make_record) -> SealedRecord:
    record = make_record(secret="secreto", other_secret="otro")
    record.other_secret = record.secret
    record.save()
    return record


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_integrity_event_recorded_when_a_value_fails_to_open(make_record):
    record = tampered(make_record)
    with pytest.raises(IntegrityFailure):
        vault.unseal(record, "other_secret")
    event = integrity_events().get()
    assert event.outcome == Outcome.ERROR
    assert event.target_type == "vaultdemo.sealedrecord.other_secret"
    assert event.target_id == str(record.pk)


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_integrity_event_survives_the_rollback_it_causes(make_record):
    record = tampered(make_record)
    with key_scope():
        with pytest.raises(IntegrityFailure), transaction.atomic():
            record.plain_note = "changed in a transaction that will roll back"
            record.save()
            vault.unseal(record, "other_secret")
        assert not integrity_events().exists()  # rolled back with the caller's work ...
    assert integrity_events().count() == 1  # ... and written again when the scope ended
    assert SealedRecord.objects.get().plain_note == ""


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_integrity_event_inside_a_committed_transaction_is_written_once(make_record):
    record = tampered(make_record)
    with key_scope(), transaction.atomic(), pytest.raises(IntegrityFailure):
        vault.unseal(record, "other_secret")
    assert integrity_events().count() == 1


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_integrity_event_survives_a_failed_request(make_record):
    record = tampered(make_record)

    @transaction.atomic
    def view(request):
        vault.unseal(record, "other_secret")
        return HttpResponse("never")

    handler = RequestIdMiddleware(KeyCacheMiddleware(view))
    with pytest.raises(IntegrityFailure):
        handler(RequestFactory().get("/"))
    event = integrity_events().get()
    assert len(event.request_id) == 32


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_no_key_material_in_logs(caplog, make_record, use_master_keys, owner):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    for alias in BOTH_DATABASES:  # log every SQL statement and its parameters as well
        connections[alias].force_debug_cursor = True
    try:
        bystander = make_record(secret="otra persona")
        record = make_record(owner, secret="secreto", other_secret="otro")
        record.other_secret = record.secret
        with pytest.raises(IntegrityFailure):
            vault.unseal(record, "other_secret")
        SURNAME_BIRTH_YEAR.compute("Pérez", 1990, scope="org")
        loaded = keyring.get()
        old_line = os.environ["AMPARO_MASTER_KEYS"]
        new_line, new_raw = key_line("rotated")
        use_master_keys(new_line, old_line)
        call_command("rotate_master_key", "--no-progress", stdout=io.StringIO())
        call_command("vault_status", stdout=io.StringIO())
        vault.shred_owner(owner)
    finally:
        for alias in BOTH_DATABASES:
            connections[alias].force_debug_cursor = False
    assert "integrity failure" in caplog.text and "UPDATE" in caplog.text  # it did log
    row = DataKey.objects.using(KEYS_ALIAS).get(owner_id=bystander.owner_id)
    data_key = AESGCM(new_raw).decrypt(
        row.wrapped_key[1:13], row.wrapped_key[13:], crypto._wrap_aad(row.owner_id, "rotated")
    )
    secrets = [
        new_raw,
        base64.b64decode(old_line.partition(":")[2]),
        loaded.index._key,
        loaded.index.for_index(SURNAME_BIRTH_YEAR.name, scope="org"),
        data_key,
    ]
    text = caplog.text.encode()
    for secret in secrets:
        for name, form in encoded_forms(secret).items():
            assert form not in text, f"{name} form of a key is in the logs"
    assert "secreto" not in caplog.text and "otra persona" not in caplog.text
