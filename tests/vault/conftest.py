"""Fixtures for the vault's tests: owners, records with history, and swappable keys."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.vaultdemo.models import SealedRecord
from vault import keyring

BOTH_DATABASES = ["default", "keys"]


def key_line(key_id: str, raw: bytes | None = None) -> tuple[str, bytes]:
    """A master key entry ``id:base64`` and the raw key it holds."""
    raw = raw or os.urandom(32)
    return f"{key_id}:{base64.b64encode(raw).decode()}", raw


@pytest.fixture
def owner() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def make_record() -> Callable[..., SealedRecord]:
    def make(owner_id: uuid.UUID | None = None, **values: str | bytes | None) -> SealedRecord:
        from vault import services as vault

        record = SealedRecord(owner_id=owner_id or uuid.uuid4())
        vault.seal(record, **values)
        record.save()
        return record

    return make


@pytest.fixture
def use_master_keys() -> Iterator[Callable[..., None]]:
    """``use_master_keys("new:…", "old:…")`` loads these master keys (first is current)."""
    original = keyring.get()

    def use(*lines: str) -> None:
        keyring.install(
            keyring.Keys(
                master=keyring.parse_master_keys("\n".join(lines), source="test"),
                index=original.index,
            )
        )

    yield use
    keyring.install(original)
