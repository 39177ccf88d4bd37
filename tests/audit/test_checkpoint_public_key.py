"""A checkpoint is verified with the public key alone: whoever checks the log (an
auditor, the board) needs no secret, and the private key may stay off the server."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from audit.checkpoints import new_key_pem
from tests.audit.chain_helpers import sealed_events, triggers_disabled, verify

pytestmark = pytest.mark.django_db


def _key_pair(tmp_path: Path, name: str) -> tuple[Path, Path]:
    private = tmp_path / f"{name}.pem"
    private.write_text(new_key_pem(), encoding="utf-8")
    public = tmp_path / f"{name}.pub.pem"
    with override_settings(AMPARO_AUDIT_SIGNING_KEY_FILE=str(private)):
        out = StringIO()
        call_command("audit_checkpoint", "--public-key", stdout=out)
    public.write_text(out.getvalue(), encoding="utf-8")
    return private, public


def _checkpoint(tmp_path: Path, private: Path) -> str:
    path = tmp_path / "checkpoint.json"
    with override_settings(AMPARO_AUDIT_SIGNING_KEY_FILE=str(private)):
        call_command("audit_checkpoint", "--output", str(path), stderr=StringIO())
    return str(path)


@pytest.fixture
def no_signing_key():
    """The verifier's machine: no private key configured, none generated."""
    with override_settings(AMPARO_AUDIT_SIGNING_KEY_FILE="", AMPARO_GENERATE_DEV_KEYS=False):
        yield


def test_a_checkpoint_verifies_with_only_the_public_key(tmp_path, no_signing_key):
    private, public = _key_pair(tmp_path, "board")
    sealed_events(3)
    checkpoint = _checkpoint(tmp_path, private)
    private.unlink()
    sealed_events(2)

    output = verify("--checkpoint", checkpoint, "--public-key", str(public))

    assert "the log still extends seal 3" in output
    assert "BEGIN PUBLIC KEY" in public.read_text() and "PRIVATE" not in public.read_text()


def test_without_the_public_key_the_verifier_needs_the_private_one(tmp_path, no_signing_key):
    private, _public = _key_pair(tmp_path, "board")
    sealed_events(1)
    checkpoint = _checkpoint(tmp_path, private)

    with pytest.raises(Exception, match="AMPARO_AUDIT_SIGNING_KEY_FILE"):
        verify("--checkpoint", checkpoint)


def test_a_checkpoint_signed_with_another_key_is_refused(tmp_path, no_signing_key):
    _board_private, board_public = _key_pair(tmp_path, "board")
    forger_private, _forger_public = _key_pair(tmp_path, "forger")
    sealed_events(2)
    forged = _checkpoint(tmp_path, forger_private)

    with pytest.raises(CommandError, match="does not match the public key"):
        verify("--checkpoint", forged, "--public-key", str(board_public))


def test_a_cut_log_fails_the_public_key_check_too(tmp_path, no_signing_key):
    private, public = _key_pair(tmp_path, "board")
    events = sealed_events(3)
    checkpoint = _checkpoint(tmp_path, private)
    with triggers_disabled():
        from audit.models import AccessEvent, EventSeal

        EventSeal.objects.filter(event_id=events[-1].pk).delete()
        AccessEvent.objects.filter(pk=events[-1].pk).delete()

    with pytest.raises(CommandError, match="NOT"):
        verify("--checkpoint", checkpoint, "--public-key", str(public))


def test_a_file_that_is_not_a_public_key_is_refused(tmp_path, no_signing_key):
    private, _public = _key_pair(tmp_path, "board")
    sealed_events(1)
    checkpoint = _checkpoint(tmp_path, private)

    with pytest.raises(CommandError, match="not a readable PEM public key"):
        verify("--checkpoint", checkpoint, "--public-key", str(private))

