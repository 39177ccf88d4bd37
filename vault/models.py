"""The wrapped data keys, one row per owner, in the ``keys`` database (see routers.py).

A row is in one of two states, enforced by a check constraint:

- live: ``wrapped_key`` holds the owner's data key wrapped by master key
  ``master_key_id``; ``shredded_at`` is empty;
- shredded (the tombstone): the key is gone for good — ``wrapped_key`` is NULL,
  ``master_key_id`` is empty, ``shredded_at`` says when. The row stays so that opening
  reports "shredded" rather than "missing", ``vault_status`` can count shredded owners,
  and nobody can create a fresh key for a shredded owner (``owner_id`` is unique).

No raw key material is ever stored. Keeping both states in one table makes shredding a
single-row update, atomic by construction.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    owner_id = models.UUIDField(
        _("owner id"),
        unique=True,
        help_text=_("The survivor (or other owner) whose data this key seals."),
    )
    master_key_id = models.CharField(
        _("master key id"), max_length=32, blank=True, db_index=True,
        help_text=_("Id of the master key that wraps this data key; empty once shredded."),
    )
    wrapped_key = models.BinaryField(_("wrapped key"), null=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    rewrapped_at = models.DateTimeField(_("re-wrapped"), null=True, blank=True)
    shredded_at = models.DateTimeField(_("shredded"), null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        constraints = [
            models.CheckConstraint(
                name="datakey_live_or_shredded",
                condition=(
                    Q(shredded_at__isnull=True, wrapped_key__isnull=False) & ~Q(master_key_id="")
                )
                | Q(shredded_at__isnull=False, wrapped_key__isnull=True, master_key_id=""),
            ),
        ]

    def __str__(self) -> str:
        state = "shredded" if self.shredded_at else f"wrapped by {self.master_key_id}"
        return f"data key of {self.owner_id} ({state})"


class SealedFile(models.Model):
    """A sealed file kept in the main database (``vault.storage.DatabaseStorage``).

    Only ciphertext ever reaches this table: ``vault.files`` seals before it writes. The
    bytes are split over ``SealedFileChunk`` rows so that neither a write nor a read holds
    a whole file in memory, and every application server reaches the same files.
    """

    name = models.CharField(_("name"), max_length=255, unique=True)
    size = models.BigIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("sealed file")
        verbose_name_plural = _("sealed files")

    def __str__(self) -> str:
        return self.name


class SealedFileChunk(models.Model):
    file = models.ForeignKey(SealedFile, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField(_("number"))
    data = models.BinaryField(_("data"))

    class Meta:
        verbose_name = _("sealed file chunk")
        verbose_name_plural = _("sealed file chunks")
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="sealedfilechunk_once"),
        ]

    def __str__(self) -> str:
        return f"{self.file_id}#{self.number}"
