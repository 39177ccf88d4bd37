"""Signed checkpoints prove that the log still extends the head they signed: a cut or
rebuilt tail fails, and so does a checkpoint not signed with the configured key."""

from __future__ import annotations

import base64
import json
import stat
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from audit.checkpoints import new_key_pem, take_checkpoint
from audit.models import AccessEvent, EventSeal
from tests.audit.chain_helpers import sealed_events, triggers_disabled, verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_key(tmp_path):
    path = tmp_path / "audit-signing-key.pem"
    path.write_text(new_key_pem(), encoding="utf-8")
    with override_settings(AMPARO_AUDIT_SIGNING_KEY_FILE=str(path)):
        yield path


def _checkpoint_file(tmp_path) -> str:
    path = tmp_path / "checkpoint.json"
    call_command("audit_checkpoint", "--output", str(path), stderr=StringIO())
    return str(path)


def test_it_signs_the_head(tmp_path):
    sealed_events(3)

    data = json.loads(Path(_checkpoint_file(tmp_path)).read_text())

    assert data["sequence"] == 3 and data["count"] == 3
    assert data["hash"] == EventSeal.objects.get(sequence=3).hash
    assert set(data) >= {"time", "signature", "public_key", "format"}


def test_a_log_that_grew_still_extends_its_checkpoint(tmp_path):
    sealed_events(3)
    checkpoint = _checkpoint_file(tmp_path)
    sealed_events(2)

    output = verify("--checkpoint", checkpoint)

    assert "the log still extends seal 3" in output
    assert "Audit log intact: 5 events" in output


def test_a_checkpoint_proves_the_truncation_of_the_tail(tmp_path):
    events = sealed_events(5)
    checkpoint = _checkpoint_file(tmp_path)
    with triggers_disabled():
        EventSeal.objects.filter(sequence__gte=4).delete()
        AccessEvent.objects.filter(pk__in=[e.pk for e in events[3:]]).delete()
    assert "intact: 3 events" in verify()  # the chain alone cannot see a cut tail

    with pytest.raises(CommandError, match="The log was cut: the checkpoint's seal 5 is gone"):
        verify("--checkpoint", checkpoint)


def test_a_checkpoint_proves_a_rebuilt_tail(tmp_path):
    events = sealed_events(4)
    checkpoint = _checkpoint_file(tmp_path)
    with triggers_disabled():
        EventSeal.objects.filter(sequence__gte=3).delete()
        AccessEvent.objects.filter(pk__in=[e.pk for e in events[2:]]).delete()
    sealed_events(3)  # the chain is whole again, and longer

    with pytest.raises(CommandError, match="no longer extends the checkpoint: seal 4"):
        verify("--checkpoint", checkpoint)


def test_a_checkpoint_signed_with_another_key_proves_nothing(tmp_path):
    sealed_events(2)
    forged = take_checkpoint()
    other = Ed25519PrivateKey.generate()
    forged["signature"] = base64.b64encode(other.sign(b"anything")).decode()
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))

    with pytest.raises(CommandError, match="signature does not match the configured"):
        verify("--checkpoint", str(path))


def test_an_edited_checkpoint_proves_nothing(tmp_path):
    sealed_events(3)
    path = tmp_path / "edited.json"
    data = take_checkpoint()
    data["sequence"] = 2
    path.write_text(json.dumps(data))

    with pytest.raises(CommandError, match="signature does not match"):
        verify("--checkpoint", str(path))


def test_production_refuses_to_sign_without_a_key():
    with (
        override_settings(AMPARO_AUDIT_SIGNING_KEY_FILE="", AMPARO_GENERATE_DEV_KEYS=False),
        pytest.raises(ImproperlyConfigured, match="AMPARO_AUDIT_SIGNING_KEY_FILE"),
    ):
        take_checkpoint()


def test_development_makes_its_own_private_key(tmp_path):
    with override_settings(
        AMPARO_AUDIT_SIGNING_KEY_FILE="", AMPARO_GENERATE_DEV_KEYS=True, VAR_DIR=tmp_path
    ):
        take_checkpoint()

    key_file = tmp_path / "dev-audit-signing-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_new_key_prints_an_ed25519_key():
    out = StringIO()
    call_command("audit_checkpoint", "--new-key", stdout=out)

    key = serialization.load_pem_private_key(out.getvalue().encode(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
