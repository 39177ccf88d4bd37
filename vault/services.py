"""The vault's public API: seal and open values and files, shred owners, rotate keys.

See the ``vault`` package docstring for how the cases app uses it. Every function that
opens takes an optional ``actor``, used only for the integrity event when a value fails
to open; access events for *reading* survivor content are the caller's to record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models

from vault import blind_index, crypto, datakeys, files, scope
from vault.datakeys import RotationReport, VaultStatus, ensure_data_key, is_shredded
from vault.datakeys import create_many as create_data_keys
from vault.datakeys import preload as preload_data_keys
from vault.exceptions import (
    IntegrityFailure,
    MasterKeyError,
    MissingDataKey,
    OwnerShredded,
)
from vault.fields import BlindIndexField, EncryptedField, EncryptedFileField, live_model

if TYPE_CHECKING:
    from accounts.models import User

__all__ = [
    "Binding",
    "create_data_keys",
    "RotationReport",
    "VaultStatus",
    "ensure_data_key",
    "is_shredded",
    "open_file",
    "preload_data_keys",
    "rotate_master_key",
    "seal",
    "seal_file",
    "seal_value",
    "set_blind_index",
    "shred_owner",
    "unseal",
    "unseal_value",
    "vault_status",
]

logger = logging.getLogger("amparo.vault")
# Bound once: seal_value and unseal_value are the hot path of every page showing names.
_current_scope = scope.current
_seal = crypto.seal_value
_open = crypto.open_value


class Binding:
    """Where a sealed value belongs: model label, field name and row id.

    Its associated data is computed once, so code that opens many values of one place
    (or the benchmark) pays for it once.
    """

    __slots__ = ("label", "field_name", "row_id", "value_aad")

    def __init__(self, label: str, field_name: str, row_id: UUID) -> None:
        self.label = label
        self.field_name = field_name
        self.row_id = row_id
        self.value_aad = crypto.value_aad(label, field_name, row_id)

    def file_aad(self) -> bytes:
        return crypto.file_aad(self.label, self.field_name, self.row_id)

    def __str__(self) -> str:
        return f"{self.label}.{self.field_name} of row {self.row_id}"

    def __repr__(self) -> str:
        return f"<Binding {self}>"


# --- values -------------------------------------------------------------------------


def seal_value(owner_id: UUID, binding: Binding, value: str | bytes) -> bytes:
    """Seal one value with the owner's data key (created if missing); returns stored bytes."""
    current_scope = _current_scope()
    aead = current_scope.keys.get(owner_id.int) if current_scope is not None else None
    if aead is None:
        aead = datakeys.data_key(owner_id, create=True)
    return _seal(aead, binding.value_aad, value)


def unseal_value(
    owner_id: UUID, binding: Binding, sealed: bytes, *, actor: User | None = None
) -> str | bytes:
    """Open one stored value, or raise a ``CannotOpen`` error. Never returns stored bytes.

    Anything but a shredded owner records an integrity event before raising.
    """
    # crypto.open_value's work, inlined and arranged so that a sound value takes no branch
    # it can avoid, because this runs for every name a page shows (bench/vault.py: the
    # call, the checks and the lookups cost as much as a third of the decryption). Errors
    # are caught rather than tested for: a try costs nothing until it catches. No scope
    # (AttributeError on None) or no key cached in it (KeyError): the key is fetched. A
    # value too short to hold a nonce fails with ValueError, one without a whole tag with
    # InvalidTag; the version byte is looked at once the value has authenticated.
    # tests/vault/test_values.py holds this and crypto.open_value to the same results.
    try:
        aead = _current_scope().keys[owner_id.int]
    except (AttributeError, KeyError):
        aead = _data_key_for_opening(owner_id, binding, actor)
    try:
        payload = aead.decrypt(sealed[1:13], sealed[13:], binding.value_aad)
    except (InvalidTag, ValueError):
        pass
    else:
        trailer = payload[-1]  # authenticated, so ours: only its kind needs telling apart
        if trailer >> 4 == 2 and sealed[0] == 1:  # bytes, VALUE_VERSION
            return payload[: -1 - (trailer & 0x0F)]
        if trailer >> 4 == 1 and sealed[0] == 1:  # text
            try:
                return payload[: -1 - (trailer & 0x0F)].decode("utf-8")
            except UnicodeDecodeError:
                pass
    _report_failure("altered, moved or foreign", binding, owner_id, actor)
    raise IntegrityFailure(
        f"The value {binding} does not open: it was altered, moved from another row or "
        "field, or not sealed by this vault."
    ) from None


def seal(instance: models.Model, /, **values: str | bytes | None) -> None:
    """Seal values into a model instance's encrypted fields: ``seal(survivor, legal_name=…)``.

    Sets each field to the sealed bytes (``None`` stays ``None``); the caller saves. The
    instance's UUID primary key and owner must already be set.
    """
    for field_name, value in values.items():
        field, binding, owner_id = _locate(instance, field_name, EncryptedField)
        setattr(
            instance, field.attname, None if value is None else seal_value(owner_id, binding, value)
        )


def unseal(
    instance: models.Model, field_name: str, *, actor: User | None = None
) -> str | bytes | None:
    """Open one encrypted field of a live or history row; ``None`` if it holds nothing."""
    field, binding, owner_id = _locate(instance, field_name, EncryptedField)
    sealed = getattr(instance, field.attname)
    if sealed is None:
        return None
    return unseal_value(owner_id, binding, sealed, actor=actor)


# --- files --------------------------------------------------------------------------


def _storage() -> Storage:
    return storages[settings.AMPARO_VAULT_STORAGE]


def seal_file(
    instance: models.Model,
    field_name: str,
    source: IO[bytes],
    *,
    max_bytes: int = files.MAX_FILE_BYTES,
) -> None:
    """Seal ``source`` (an upload or any binary file) into storage, chunk by chunk.

    Sets the ``EncryptedFileField`` to the new storage name; the caller saves. Raises
    ``FileTooLarge`` above ``max_bytes`` (50 MB), leaving nothing behind in storage.
    """
    field, binding, owner_id = _locate(instance, field_name, EncryptedFileField)
    aead = datakeys.data_key(owner_id, create=True)
    name = files.write(
        _storage(),
        source,
        aead,
        binding.file_aad(),
        max_bytes=max_bytes,
    )
    setattr(instance, field.attname, name)


def open_file(
    instance: models.Model, field_name: str, *, actor: User | None = None
) -> Iterator[bytes]:
    """The plaintext of a sealed file as an iterator of chunks (for StreamingHttpResponse).

    The whole file is authenticated before this returns, so a tampered, truncated or
    reordered file raises ``IntegrityFailure`` here, before any byte is handed out.
    """
    field, binding, owner_id = _locate(instance, field_name, EncryptedFileField)
    name = getattr(instance, field.attname)
    if not name:
        raise ValueError(f"{binding} holds no file.")
    aead = _data_key_for_opening(owner_id, binding, actor)
    aad = binding.file_aad()
    storage = _storage()

    def failure() -> IntegrityFailure:
        _report_failure("file altered, truncated, reordered or moved", binding, owner_id, actor)
        return IntegrityFailure(f"The file {binding} does not open: it was altered or cut.")

    try:
        files.verify(storage, name, aead, aad)
    except crypto.Undecryptable:
        raise failure() from None
    # Checked again while streaming: storage may change between the two passes.
    return files.guarded(files.read(storage, name, aead, aad), failure)


# --- blind indexes ------------------------------------------------------------------


def set_blind_index(
    instance: models.Model, field_name: str, *values: object, scope: object
) -> None:
    """Fill a ``BlindIndexField`` from the plaintext parts of its index, under the key of
    ``scope`` (the organisation the row belongs to)."""
    field = live_model(type(instance))._meta.get_field(field_name)
    if not isinstance(field, BlindIndexField):
        raise TypeError(f"{field_name} is not a BlindIndexField.")
    setattr(instance, field.attname, blind_index.get(field.index).compute(*values, scope=scope))


# --- keys ---------------------------------------------------------------------------


def shred_owner(owner_id: UUID, *, actor: User | None = None) -> bool:
    """Destroy the owner's data key for good; returns False if it was already shredded.

    Afterwards every value and file sealed for the owner — live rows, history rows,
    backups of the main database — fails to open with ``OwnerShredded``. The key is
    destroyed and committed on the keys database at once; call this after (on commit of)
    whatever the caller changes on ``default``, so that a failure leaves data readable
    rather than half-erased. The audit event survives a rollback (``record_durably``).
    """
    owner_id = _as_uuid(owner_id, "owner id")
    if not datakeys.shred(owner_id):
        return False
    from audit.models import Action

    logger.info("vault: shredded the data key of owner %s", owner_id)
    scope.record_durably(
        action=Action.VAULT_OWNER_SHREDDED, actor=actor, target_type="owner", target_id=owner_id
    )
    return True


def rotate_master_key(
    *,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    actor: User | None = None,
    record_when_idle: bool = True,
) -> RotationReport:
    """Re-wrap every data key under the current master key and record the rotation.

    ``record_when_idle=False``: a pass that found nothing to do leaves no event (the
    command's second look, which follows a recorded first pass).
    """
    from audit.models import Action, Outcome
    from audit.services import record_event

    report = datakeys.rotate(batch_size=batch_size, progress=progress)
    if not record_when_idle and not (report.rewrapped or report.failed_owner_ids):
        return report
    record_event(
        action=Action.VAULT_KEYS_ROTATED,
        actor=actor,
        outcome=Outcome.ERROR if report.failed_owner_ids else Outcome.ALLOWED,
        target_type="master_key",
        target_id=report.current_key_id,
    )
    logger.info(
        "vault: re-wrapped %s data keys under master key %s (%s failed)",
        report.rewrapped,
        report.current_key_id,
        len(report.failed_owner_ids),
    )
    return report


def vault_status(*, sample_size: int = 20) -> VaultStatus:
    return datakeys.status(sample_size=sample_size)


# --- internals ----------------------------------------------------------------------


def _as_uuid(value: Any, what: str) -> UUID:
    if isinstance(value, UUID):
        return value
    if value in (None, ""):
        raise ValueError(f"The {what} must be set before sealing or opening.")
    return UUID(str(value))


def _locate(
    instance: models.Model, field_name: str, kind: type[models.Field]
) -> tuple[Any, Binding, UUID]:
    model = live_model(type(instance))
    field = type(instance)._meta.get_field(field_name)
    if not isinstance(field, kind):
        raise TypeError(f"{model._meta.label}.{field_name} is not an {kind.__name__}.")
    binding = Binding(
        label=model._meta.label_lower,
        field_name=field_name,
        # A history row keeps the live row's id under the same attribute name.
        row_id=_as_uuid(getattr(instance, model._meta.pk.attname), "row id"),
    )
    return field, binding, _as_uuid(getattr(instance, field.owner), "owner id")


def _data_key_for_opening(owner_id: UUID, binding: Binding, actor: User | None) -> Any:
    try:
        return datakeys.data_key(owner_id, create=False)
    except OwnerShredded:
        logger.info("vault: %s not opened: owner %s was shredded", binding, owner_id)
        raise
    except MissingDataKey:
        _report_failure("no data key", binding, owner_id, actor)
        raise
    except MasterKeyError as exc:
        # A configuration error (a wrong or missing master key), not tampering: no
        # integrity event for the auditors, an error for the operator.
        logger.error(
            "vault: master key configuration error (%s) opening %s, owner %s",
            type(exc).__name__,
            binding,
            owner_id,
        )
        raise


def _report_failure(reason: str, binding: Binding, owner_id: UUID, actor: User | None) -> None:
    """Log and record an integrity event; names the place, never the bytes."""
    from audit.models import Action, Outcome

    logger.warning("vault: integrity failure (%s): %s, owner %s", reason, binding, owner_id)
    scope.record_durably(
        action=Action.VAULT_INTEGRITY_FAILURE,
        outcome=Outcome.ERROR,
        actor=actor,
        target_type=f"{binding.label}.{binding.field_name}"[:64],
        target_id=binding.row_id,
    )
