"""Model fields for sealed data, declared so that tests can find every one of them.

- ``EncryptedField`` — a binary column that only ever holds bytes sealed by the vault
  (``vault.services.seal``). Assigning plaintext and saving raises ``TypeError``: nothing
  reaches the database unsealed by accident.
- ``EncryptedFileField`` — the storage name of a sealed file (``vault.services.seal_file``).
  The name is random and says nothing about the file.
- ``BlindIndexField`` — a truncated blind index (``vault.blind_index``).

Every sealed field names its ``owner``: the attribute (attname) of the model that holds
the owner's UUID — ``"id"`` on the survivor model itself, ``"survivor_id"`` on a note.
Models with sealed fields have UUID primary keys made in Python (system check vault.E001)
so that the row id is known before the insert and can be bound into the ciphertext.

django-simple-history copies these fields as they are, so history tables hold the same
ciphertext; ``encrypted_fields()`` yields live and historical models alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import models

from vault import crypto


class _SealedFieldMixin:
    owner: str

    def _set_owner(self, owner: str) -> None:
        if not owner or owner == "pk":
            raise TypeError("Name the owner attribute, e.g. owner='id' or owner='survivor_id'.")
        self.owner = owner

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kwargs["owner"] = self.owner
        return name, path, args, kwargs


class EncryptedField(_SealedFieldMixin, models.BinaryField):
    """A sealed value: format version, nonce, ciphertext and tag (see vault.crypto)."""

    description = "Value sealed by the vault"

    def __init__(self, *args: Any, owner: str = "", **kwargs: Any) -> None:
        self._set_owner(owner)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> bytes | None:
        # PostgreSQL drivers return memoryview; callers always get bytes.
        return None if value is None else bytes(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is not None and not crypto.looks_sealed(value):
            raise TypeError(
                f"{self.model.__name__}.{self.name} holds only values sealed by the vault; "
                "use vault.services.seal()."
            )
        return super().get_db_prep_value(value, connection, prepared)


class EncryptedFileField(_SealedFieldMixin, models.CharField):
    """The storage name of a file sealed by the vault, or empty."""

    description = "Name of a file sealed by the vault"

    def __init__(self, *args: Any, owner: str = "", **kwargs: Any) -> None:
        self._set_owner(owner)
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


class BlindIndexField(models.IntegerField):
    """A blind index value, for exact-match lookups of sealed values.

    ``index`` names a ``vault.blind_index.BlindIndex``; fill it with
    ``vault.services.set_blind_index``.
    """

    description = "Blind index of sealed values"

    def __init__(self, *args: Any, index: str = "", **kwargs: Any) -> None:
        if not index:
            raise TypeError("Name the blind index, e.g. index='survivor.surname_birth_year'.")
        self.index = index
        kwargs.setdefault("null", True)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["index"] = self.index
        return name, path, args, kwargs


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedField]]:
    """Every sealed value column of every installed model, history models included."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedField):
                yield model, field


def encrypted_file_fields() -> Iterator[tuple[type[models.Model], EncryptedFileField]]:
    """Every sealed file column of every installed model, history models included."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedFileField):
                yield model, field


def live_model(model: type[models.Model]) -> type[models.Model]:
    """The model a history model records (``instance_type``), or the model itself.

    History rows are bound to the live model's label and row id, so they open exactly
    like the live row they copy.
    """
    return getattr(model, "instance_type", model)
