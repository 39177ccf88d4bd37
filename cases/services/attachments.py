"""Attachments: a file sealed into the vault's storage and listed on the case, and its
download. What a file is (and whether it is accepted) is ``cases.filetypes``'s to say.

The write is atomic in two steps (see ``add_attachment``); a download is one recorded read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import record_event
from cases import vocabularies as v
from cases.filetypes import (
    TYPE_BY_CONTENT_TYPE,
    attachment_max_bytes,
    check_upload,
    clean_filename,
    megabytes,
)
from cases.models import Attachment, Case
from cases.queries import Access, access_level
from cases.services.access import SHREDDED_MESSAGE, locked_case_for_work
from vault import services as vault
from vault.exceptions import FileTooLarge

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


def add_attachment(*, actor: User, case: Case, kind: str, upload: UploadedFile) -> Attachment:
    """Seal an uploaded file into the vault's storage and list it on the case.

    Not wrapped whole in one transaction on purpose: the file is checked and sealed into
    storage first (no database lock held while a large upload is encrypted), then the row
    and its audit event are written in one transaction; if that transaction fails, the
    sealed file is removed again. A refused file never reaches storage. (If a caller's
    own outer transaction rolls back afterwards, an unreferenced sealed file remains:
    ciphertext only, unreadable once she is shredded.)
    """
    if access_level(actor, case) < Access.WORK:
        raise PermissionDenied
    if case.survivor.is_shredded:
        raise ValidationError(SHREDDED_MESSAGE())
    if kind not in v.AttachmentKind.values:
        raise ValidationError({"kind": _("Choose what kind of document this is.")})
    file_type = check_upload(upload)
    attachment = Attachment(
        case_id=case.pk,
        survivor_id=case.survivor_id,
        kind=kind,
        content_type=file_type.content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    vault.seal(attachment, filename=clean_filename(upload.name, file_type))
    upload.seek(0)
    try:
        vault.seal_file(attachment, "content", upload, max_bytes=attachment_max_bytes())
    except FileTooLarge:  # the browser's size was wrong; the vault counted the bytes
        raise ValidationError(
            {"file": _("The file is too large. Files may be at most %(size)s MB.")
             % {"size": megabytes(attachment_max_bytes())}}
        ) from None
    try:
        with transaction.atomic():
            locked = locked_case_for_work(actor, case)
            attachment.save()
            record_event(action=Action.ATTACHMENT_ADDED, actor=actor, target=attachment,
                         case_code=locked.code)
    except BaseException:
        _remove_stored(attachment.content)
        raise
    return attachment


def _remove_stored(name: object) -> None:
    if name:
        storages[settings.AMPARO_VAULT_STORAGE].delete(str(name))


@dataclass(frozen=True)
class Download:
    chunks: Iterator[bytes]
    filename: str
    content_type: str


def open_attachment(*, actor: User, case: Case, attachment: Attachment) -> Download:
    """Open an attachment for download and record it (``ATTACHMENT_DOWNLOADED``).

    The vault authenticates the whole file before this returns, so a tampered file
    raises ``CannotOpen`` here, before a response starts and before anything is recorded
    as downloaded (the vault records the integrity failure itself).
    """
    if access_level(actor, case) < Access.VIEW or attachment.case_id != case.pk:
        raise PermissionDenied
    filename = vault.unseal(attachment, "filename", actor=actor) or _("attachment")
    chunks = vault.open_file(attachment, "content", actor=actor)
    record_event(action=Action.ATTACHMENT_DOWNLOADED, actor=actor, target=attachment,
                 case_code=case.code)
    # Only types checked at upload are ever sent as such; anything else is plain bytes.
    content_type = attachment.content_type
    if content_type not in TYPE_BY_CONTENT_TYPE:
        content_type = "application/octet-stream"
    return Download(chunks=chunks, filename=filename, content_type=content_type)
