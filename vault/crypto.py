"""The byte formats of the vault, on top of cryptography's AES-GCM. No Django here.

Sealed value (format version 1)::

    0x01 | nonce (12 random bytes) | AES-256-GCM ciphertext and 16-byte tag

The plaintext inside is the value (text as UTF-8), zeros, and one trailer byte — high
nibble the kind (1 text, 2 bytes), low nibble the number of zeros — so that its length
is a multiple of 16 bytes: stored lengths do not give away the exact length of a name.
(A trailer rather than a header: opening then needs no scan and at most one copy.)
The associated data binds the value to where it belongs::

    0x01 | "amparo/value/v1" 0 | model label 0 | field name 0 | row id (16)

so a value copied to another row, field or model does not open. A value copied to
another owner's row does not open either: it was sealed with another data key (each
owner has her own), and data keys cannot be swapped between owners (their wrapping is
bound to the owner id, below).

Wrapped data key (version 1): ``0x01 | nonce | GCM(master key, 32-byte data key)`` with
associated data ``"amparo/datakey/v1" 0 | owner id (16) | master key id``: a wrapped key
moved to another owner's row, or relabelled with another key id, does not unwrap.

Random 96-bit nonces are safe here: a data key seals one survivor's values (far below
the 2**32 messages per key that random GCM nonces allow), a master key wraps one data
key per survivor.
"""

from __future__ import annotations

import os
from functools import lru_cache
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.views.decorators.debug import sensitive_variables

VALUE_VERSION = 1
_VALUE_HEADER = bytes([VALUE_VERSION])
NONCE_BYTES = 12
TAG_BYTES = 16
MIN_SEALED_BYTES = 1 + NONCE_BYTES + TAG_BYTES
_PAD_BLOCK = 16
_TEXT = 0x10
_BYTES = 0x20
# Precomputed tails: ``n`` zeros and the trailer byte (kind | n), for n in 0..15.
_TEXT_TAILS = [b"\x00" * n + bytes([_TEXT | n]) for n in range(_PAD_BLOCK)]
_BYTES_TAILS = [b"\x00" * n + bytes([_BYTES | n]) for n in range(_PAD_BLOCK)]

WRAP_VERSION = 1
_WRAP_HEADER = bytes([WRAP_VERSION])

_urandom = os.urandom


class Undecryptable(Exception):
    """Internal: the bytes did not authenticate. Callers turn it into a vault error."""


@lru_cache(maxsize=1024)
def _binding_prefix(domain: bytes, label: str, field_name: str) -> bytes:
    # Labels and field names are Python identifiers, so they hold no NUL byte; the ids
    # after them have a fixed length. The encoding is therefore unambiguous.
    return b"".join(
        (_VALUE_HEADER, domain, b"\x00", label.encode(), b"\x00", field_name.encode(), b"\x00")
    )


def value_aad(label: str, field_name: str, row_id: UUID) -> bytes:
    """Associated data of a sealed value: model label, field and row id."""
    return _binding_prefix(b"amparo/value/v1", label, field_name) + row_id.bytes


def file_aad(label: str, field_name: str, row_id: UUID) -> bytes:
    """Associated data shared by every chunk of a sealed file (chunk data comes on top)."""
    return _binding_prefix(b"amparo/file/v1", label, field_name) + row_id.bytes


# The two functions below are the hot path of every page that shows names: they avoid
# needless copies and calls (see bench/vault.py), without changing what is checked.


def seal_value(aead: AESGCM, aad: bytes, value: str | bytes) -> bytes:
    """Encrypt one value; the result is the stored bytes."""
    kind = type(value)
    if kind is str:
        data = value.encode("utf-8")  # type: ignore[union-attr]
        tails = _TEXT_TAILS
    elif kind is bytes:
        data, tails = value, _BYTES_TAILS
    elif isinstance(value, bytearray | memoryview):
        data, tails = bytes(value), _BYTES_TAILS
    else:
        raise TypeError(f"Only text and bytes can be sealed, not {kind.__name__}.")
    nonce = _urandom(NONCE_BYTES)
    payload = data + tails[-(len(data) + 1) % _PAD_BLOCK]  # type: ignore[operator]
    return _VALUE_HEADER + nonce + aead.encrypt(nonce, payload, aad)


def open_value(aead: AESGCM, aad: bytes, sealed: bytes) -> str | bytes:
    """Decrypt one stored value, or raise ``Undecryptable``; never returns stored bytes."""
    # Literals rather than the module constants: this runs for every name on a page.
    if len(sealed) < 29 or sealed[0] != 1:  # MIN_SEALED_BYTES, VALUE_VERSION
        raise Undecryptable
    try:
        payload = aead.decrypt(sealed[1:13], sealed[13:], aad)
    except InvalidTag:
        raise Undecryptable from None
    # Authenticated, so the trailer is ours; only its kind needs telling apart.
    trailer = payload[-1]
    kind = trailer & 0xF0
    if kind == 0x20:  # _BYTES
        return payload[: -1 - (trailer & 0x0F)]
    if kind == 0x10:  # _TEXT
        try:
            return payload[: -1 - (trailer & 0x0F)].decode("utf-8")
        except UnicodeDecodeError:
            raise Undecryptable from None
    raise Undecryptable


def looks_sealed(value: object) -> bool:
    """Cheap guard for the field: is this plausibly a sealed value, not plaintext?"""
    return (
        isinstance(value, bytes | bytearray | memoryview)
        and len(value) >= MIN_SEALED_BYTES
        and value[0] == VALUE_VERSION
    )


def _wrap_aad(owner_id: UUID, master_key_id: str) -> bytes:
    return b"amparo/datakey/v1\x00" + owner_id.bytes + master_key_id.encode("ascii")


@sensitive_variables()
def wrap_data_key(master: AESGCM, master_key_id: str, owner_id: UUID, data_key: bytes) -> bytes:
    nonce = _urandom(NONCE_BYTES)
    aad = _wrap_aad(owner_id, master_key_id)
    return _WRAP_HEADER + nonce + master.encrypt(nonce, data_key, aad)


@sensitive_variables()
def unwrap_data_key(master: AESGCM, master_key_id: str, owner_id: UUID, wrapped: bytes) -> AESGCM:
    """The owner's data key, ready to use; raises ``Undecryptable`` if it does not unwrap."""
    if len(wrapped) < MIN_SEALED_BYTES or wrapped[0] != WRAP_VERSION:
        raise Undecryptable
    try:
        data_key = master.decrypt(wrapped[1:13], wrapped[13:], _wrap_aad(owner_id, master_key_id))
    except InvalidTag:
        raise Undecryptable from None
    return AESGCM(data_key)


@sensitive_variables()
def rewrap_data_key(
    old: AESGCM, old_id: str, new: AESGCM, new_id: str, owner_id: UUID, wrapped: bytes
) -> bytes:
    """Re-wrap a data key under another master key without touching what it sealed."""
    if len(wrapped) < MIN_SEALED_BYTES or wrapped[0] != WRAP_VERSION:
        raise Undecryptable
    try:
        data_key = old.decrypt(wrapped[1:13], wrapped[13:], _wrap_aad(owner_id, old_id))
    except InvalidTag:
        raise Undecryptable from None
    return wrap_data_key(new, new_id, owner_id, data_key)


@sensitive_variables()
def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)
