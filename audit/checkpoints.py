"""Signed checkpoints of the hash chain, to keep outside Amparo's database.

The chain proves that nothing changed *inside* the log; it cannot prove that the tail was
not cut off and rebuilt by someone who can write to the database. A checkpoint signs the
head of the chain (sequence, hash, count of seals, time) with an Ed25519 key that the
database does not hold. Stored elsewhere (mailed to the board, a write-once bucket), it
later proves that the log still extends that head: ``verify_audit --checkpoint FILE``.

The public key written into a checkpoint is only a label for people. Verification uses
a public key the verifier chose: the file given to ``verify_audit --public-key`` (printed
by ``audit_checkpoint --public-key``), so that whoever checks the log (an auditor, the
board) needs no secret at all; or, without it, the public half of the configured signing
key (``AMPARO_AUDIT_SIGNING_KEY_FILE``). A forged checkpoint carrying its own key proves
nothing either way.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.chain import chain_head
from audit.models import EventSeal
from core.devkeys import create_once

FORMAT = "amparo-audit-checkpoint/1"
DEV_KEY_FILE = "dev-audit-signing-key.pem"


class CheckpointError(Exception):
    """The checkpoint is unreadable, not ours, or the log no longer extends it."""


def _new_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _development_key_path() -> Path:
    path = Path(settings.VAR_DIR) / DEV_KEY_FILE
    create_once(
        path,
        _new_key_pem,
        "a development audit signing key",
        "Production needs AMPARO_AUDIT_SIGNING_KEY_FILE.",
    )
    return path


def signing_key() -> Ed25519PrivateKey:
    """The configured Ed25519 key; development and the demo make one under VAR_DIR."""
    configured = settings.AMPARO_AUDIT_SIGNING_KEY_FILE
    if configured:
        path = Path(configured)
    elif settings.AMPARO_GENERATE_DEV_KEYS:
        path = _development_key_path()
    else:
        raise ImproperlyConfigured(
            "Set AMPARO_AUDIT_SIGNING_KEY_FILE to an Ed25519 private key in PEM "
            "(manage.py audit_checkpoint --new-key > audit-signing-key.pem) to sign or check "
            "checkpoints of the access log."
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"AMPARO_AUDIT_SIGNING_KEY_FILE: {path} is not a readable PEM private key."
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} holds a key, but not an Ed25519 key.")
    return key


def _signed_text(body: dict[str, Any]) -> bytes:
    fields = {name: body[name] for name in ("format", "sequence", "hash", "count", "time")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _public_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def take_checkpoint(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """The signed head of the chain, as a JSON-ready dict."""
    key = signing_key()
    sequence, head_hash = chain_head(using)
    body: dict[str, Any] = {
        "format": FORMAT,
        "sequence": sequence,
        "hash": head_hash,
        "count": EventSeal.objects.using(using).count(),
        "time": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
    }
    body["public_key"] = _public_text(key)
    body["signature"] = base64.b64encode(key.sign(_signed_text(body))).decode("ascii")
    return body


@dataclass(frozen=True)
class CheckpointResult:
    sequence: int
    hash: str
    time: str


def public_key_pem() -> str:
    """The public half of the configured signing key, in PEM, for whoever verifies."""
    return (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file; ``CheckpointError`` if it is not one."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as error:
        raise CheckpointError(
            _("%(file)s is not a readable PEM public key.") % {"file": path}
        ) from error
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(_("%(file)s holds a key, but not an Ed25519 key.") % {"file": path})
    return key


def check_checkpoint(
    data: Any,
    *,
    public_key: Ed25519PublicKey | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> CheckpointResult:
    """Raise ``CheckpointError`` unless ``data`` is a checkpoint signed with the key whose
    public half is ``public_key`` (default: the configured signing key's) and whose head
    is still in the chain."""
    try:
        if data.get("format") != FORMAT:
            raise CheckpointError(_("This file is not an Amparo audit checkpoint."))
        sequence, head_hash = int(data["sequence"]), str(data["hash"])
        signature = base64.b64decode(data["signature"], validate=True)
        signed = _signed_text(data)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise CheckpointError(_("The checkpoint is incomplete or malformed.")) from error
    try:
        (public_key or signing_key().public_key()).verify(signature, signed)
    except InvalidSignature:
        raise CheckpointError(
            _("The checkpoint's signature does not match the public key.")
            if public_key is not None
            else _("The checkpoint's signature does not match the configured signing key.")
        ) from None
    if sequence > 0:
        seal = (
            EventSeal.objects.using(using).filter(sequence=sequence).values_list("hash", flat=True)
        )
        current = seal.first()
        if current is None:
            last, _hash = chain_head(using)
            raise CheckpointError(
                _(
                    "The log was cut: the checkpoint's seal %(sequence)s is gone, the chain "
                    "now ends at seal %(last)s."
                )
                % {"sequence": sequence, "last": last}
            )
        if current != head_hash:
            raise CheckpointError(
                _(
                    "The log no longer extends the checkpoint: seal %(sequence)s has a "
                    "different hash now (the chain was rebuilt from there or before)."
                )
                % {"sequence": sequence}
            )
    return CheckpointResult(sequence=sequence, hash=head_hash, time=str(data["time"]))


def new_key_pem() -> str:
    """A new Ed25519 private key in PEM (``manage.py audit_checkpoint --new-key``)."""
    return _new_key_pem().decode("ascii")
