"""No plaintext of a sealed value reaches any table, history table, file, log or mail."""

from __future__ import annotations

import base64
import io
import logging

import pytest
from django.core import mail

from tests.canary import CanaryLeak, assert_no_canary_leaks, encoded_forms, make_canary
from tests.vault.conftest import BOTH_DATABASES
from tests.vaultdemo.models import SealedRecord
from vault import services as vault
from vault.exceptions import IntegrityFailure
from vault.scope import key_scope

pytestmark = pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)


def test_sealed_canaries_never_appear_anywhere(canaries, owner):
    with key_scope():
        record = SealedRecord(owner_id=owner)
        vault.seal(record, secret=canaries.new(), other_secret=canaries.new().encode("utf-16-le"))
        file_canary = canaries.new()
        vault.seal_file(record, "attachment", io.BytesIO((file_canary + " ").encode() * 20_000))
        record.save()
        for _version in range(3):  # history rows of every version
            vault.seal(record, secret=canaries.new())
            record.save()
        assert record.history.count() == 4
        logging.getLogger("tests").info("record %s saved", record.pk)  # logs are scanned too
        # A failure path must not print what it could not open.
        record.other_secret = record.secret
        with pytest.raises(IntegrityFailure):
            vault.unseal(record, "other_secret")
        assert b"".join(vault.open_file(record, "attachment")).startswith(file_canary.encode())
    canaries.assert_no_leaks()


def test_the_scan_finds_a_canary_in_a_plain_column(canaries, owner):
    SealedRecord.objects.create(owner_id=owner, plain_note=canaries.new())
    with pytest.raises(CanaryLeak, match="raw form .* in database default"):
        canaries.assert_no_leaks()


def test_the_scan_finds_a_canary_in_a_history_table(canaries, owner):
    record = SealedRecord.objects.create(owner_id=owner, plain_note=canaries.new())
    record.plain_note = ""
    record.save()
    SealedRecord.objects.all().delete()  # gone from the live table, not from history
    with pytest.raises(CanaryLeak, match="in database default"):
        canaries.assert_no_leaks()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "hex", "base64", "urlsafe"])
def test_the_scan_finds_encoded_canaries_in_logs(caplog, encoding):
    canary = make_canary()
    data = canary.encode()
    for prefix in (b"", b"x", b"xy"):  # every base64 alignment inside a larger blob
        encoded = {
            "utf-16-le": canary.encode("utf-16-le"),
            "utf-16-be": canary.encode("utf-16-be"),
            "hex": data.hex().encode(),
            "base64": base64.b64encode(prefix + data + b"tail"),
            "urlsafe": base64.urlsafe_b64encode(prefix + b"\xff\xfe" + data),
        }[encoding]
        with pytest.raises(CanaryLeak):
            assert_no_canary_leaks([canary], logs=encoded, databases=[], storage=False, mail=[])


def test_the_scan_finds_a_canary_in_mail():
    canary = make_canary()
    mail.EmailMessage("Aviso", f"Hola {canary}", to=["a@example.org"]).send()
    message = mail.EmailMessage("Adjunto", "ver adjunto", to=["a@example.org"])
    message.attach("nota.txt", ("x" * 100 + canary) * 50, "text/plain")
    with pytest.raises(CanaryLeak, match=r"mail\[0\]"):
        assert_no_canary_leaks([canary], databases=[], storage=False)
    with pytest.raises(CanaryLeak, match=r"mail\[0\]"):
        assert_no_canary_leaks([canary], databases=[], storage=False, mail=[mail.outbox[0]])
    with pytest.raises(CanaryLeak, match=r"mail\[0\] decoded"):
        assert_no_canary_leaks([canary], databases=[], storage=False, mail=[message])


def test_the_scan_finds_a_canary_in_storage():
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    canary = make_canary()
    storages["default"].save("uploads/plain.txt", ContentFile(canary.encode("utf-16-be")))
    try:
        with pytest.raises(CanaryLeak, match="storage file uploads/plain.txt"):
            assert_no_canary_leaks([canary], mail=[], databases=[])
    finally:
        storages["default"].delete("uploads/plain.txt")


def test_the_scan_passes_when_nothing_leaks(canaries):
    canaries.new()
    canaries.assert_no_leaks()


def test_canaries_are_random_and_their_forms_distinct():
    first, second = make_canary(), make_canary()
    assert first != second
    forms = encoded_forms(first)
    assert len(set(forms.values())) >= 10


@pytest.mark.django_db(transaction=False, databases=BOTH_DATABASES)
def test_the_scan_refuses_to_run_inside_a_test_transaction(canaries):
    canaries.new()
    with pytest.raises(RuntimeError, match="transaction=True"):
        canaries.assert_no_leaks()
