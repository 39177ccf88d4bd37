"""Sealed values: they round-trip, and nothing but the exact original place opens them."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.vault.conftest import BOTH_DATABASES
from tests.vaultdemo.models import SealedRecord
from vault import crypto
from vault import services as vault
from vault.exceptions import CannotOpen, IntegrityFailure
from vault.services import Binding

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.one_of(st.text(), st.binary()))
def test_arbitrary_text_and_bytes_round_trip(owner, value):
    binding = Binding("vaultdemo.sealedrecord", "secret", uuid.UUID(int=1))
    sealed = vault.seal_value(owner, binding, value)
    opened = vault.unseal_value(owner, binding, sealed)
    assert opened == value
    assert type(opened) is type(value)


def test_it_round_trips_through_the_database(make_record):
    record = make_record(secret="José Pérez — ñandú 🦜", other_secret=b"\x00\xff")
    record = SealedRecord.objects.get(pk=record.pk)
    assert vault.unseal(record, "secret") == "José Pérez — ñandú 🦜"
    assert vault.unseal(record, "other_secret") == b"\x00\xff"


def test_empty_field_opens_as_none(make_record):
    record = make_record(secret=None)
    assert record.secret is None
    assert vault.unseal(record, "secret") is None


def test_stored_bytes_are_version_nonce_ciphertext_and_tag(make_record):
    record = make_record(secret="abc")
    stored = SealedRecord.objects.get(pk=record.pk).secret
    assert stored[0] == crypto.VALUE_VERSION
    # 1 version + 12 nonce + 16 (padded "abc" with its type tag) + 16 tag.
    assert len(stored) == 1 + 12 + 16 + 16
    assert b"abc" not in stored


def test_sealing_twice_gives_different_bytes(make_record):
    record = make_record(secret="same")
    first = record.secret
    vault.seal(record, secret="same")
    assert record.secret != first


def test_lengths_are_padded_to_blocks(owner):
    binding = Binding("vaultdemo.sealedrecord", "secret", uuid.uuid4())
    assert len(vault.seal_value(owner, binding, "Ana")) == len(
        vault.seal_value(owner, binding, "Maximiliana")
    )


def test_value_moved_to_another_row_does_not_open(make_record, owner):
    first = make_record(owner, secret="secreto")
    second = make_record(owner, secret="otro")
    second.secret = first.secret
    second.save()
    with pytest.raises(IntegrityFailure):
        vault.unseal(SealedRecord.objects.get(pk=second.pk), "secret")


def test_value_moved_to_another_field_does_not_open(make_record):
    record = make_record(secret="secreto", other_secret="otro")
    record.other_secret = record.secret
    with pytest.raises(IntegrityFailure):
        vault.unseal(record, "other_secret")


def test_value_moved_to_another_owner_does_not_open(make_record):
    record = make_record(secret="secreto")
    record.owner_id = make_record(secret="x").owner_id
    with pytest.raises(IntegrityFailure):
        vault.unseal(record, "secret")


def test_value_moved_to_another_model_does_not_open(owner):
    row_id = uuid.uuid4()
    sealed = vault.seal_value(owner, Binding("cases.note", "secret", row_id), "secreto")
    with pytest.raises(IntegrityFailure):
        vault.unseal_value(owner, Binding("vaultdemo.sealedrecord", "secret", row_id), sealed)


@pytest.mark.parametrize("position", [0, 1, 12, 13, 20, -17, -1])
def test_one_flipped_bit_does_not_open(make_record, position):
    record = make_record(secret="secreto")
    altered = bytearray(record.secret)
    altered[position] ^= 0x01
    record.secret = bytes(altered)
    with pytest.raises(IntegrityFailure):
        vault.unseal(record, "secret")


def test_every_flipped_bit_fails_and_never_shows_stored_bytes(owner):
    binding = Binding("vaultdemo.sealedrecord", "secret", uuid.uuid4())
    sealed = vault.seal_value(owner, binding, "secreto")
    for bit in range(len(sealed) * 8):
        altered = bytearray(sealed)
        altered[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(CannotOpen):
            vault.unseal_value(owner, binding, bytes(altered))


@pytest.mark.parametrize("cut", [1, 16, 17])
def test_truncated_value_does_not_open(make_record, cut):
    record = make_record(secret="secreto")
    record.secret = record.secret[:-cut]
    with pytest.raises(IntegrityFailure):
        vault.unseal(record, "secret")


def test_plaintext_never_reaches_the_database(owner):
    record = SealedRecord(owner_id=owner)
    record.secret = "José Pérez"
    with pytest.raises(TypeError, match="seal"):
        record.save()
    record.secret = b"raw bytes that were never sealed"
    with pytest.raises(TypeError, match="seal"):
        record.save()


def test_error_message_names_the_place_not_the_content(make_record):
    record = make_record(secret="José Pérez", other_secret="x")
    record.other_secret = record.secret
    with pytest.raises(IntegrityFailure) as excinfo:
        vault.unseal(record, "other_secret")
    message = str(excinfo.value)
    assert str(record.pk) in message and "other_secret" in message
    assert "José" not in message and record.secret.hex() not in message
    assert str(excinfo.value.user_message)


def _crafted(aead, aad: bytes, payload: bytes) -> bytes:
    """A value sealed with the right key and place but any plaintext (a bad trailer)."""
    nonce = bytes(12)
    return bytes([crypto.VALUE_VERSION]) + nonce + aead.encrypt(nonce, payload, aad)


def test_the_inlined_opening_agrees_with_crypto_open_value(owner):
    """unseal_value carries crypto.open_value's work inlined (the hot path of every page
    showing names): both open the same values and refuse the same bytes."""
    from vault.scope import key_scope

    binding = Binding("vaultdemo.sealedrecord", "secret", uuid.uuid4())
    with key_scope() as scope:
        text = vault.seal_value(owner, binding, "Ana María")
        data = vault.seal_value(owner, binding, b"\x00\x01" * 600)
        aead, aad = scope.cached(owner), binding.value_aad
        candidates = [
            text,
            data,
            b"",
            *(text[:cut] for cut in (1, 9, 13, 28, 29, len(text) - 1)),
            bytes([2]) + text[1:],  # another format version
            _crafted(aead, aad, b"abc" + bytes(12) + b"\x3c"),  # unknown kind
            _crafted(aead, aad, b"\xff\xfe" + bytes(13) + b"\x1d"),  # text, not UTF-8
            _crafted(aead, aad, b"abc" + bytes(12) + b"\x2c"),  # bytes, well formed
        ]
        for sealed in candidates:
            try:
                expected = crypto.open_value(aead, aad, sealed)
            except crypto.Undecryptable:
                with pytest.raises(IntegrityFailure):
                    vault.unseal_value(owner, binding, sealed)
            else:
                opened = vault.unseal_value(owner, binding, sealed)
                assert opened == expected and type(opened) is type(expected)
        assert vault.unseal_value(owner, binding, candidates[-1]) == b"abc"
