"""Uploads stay in memory, within the attachment limit, and never touch the disk unsealed.

Django's default handlers spool any upload above 2.5 MB to a temporary file, in clear:
a passport scan or a medical report would sit in ``/tmp`` (and in the disk's free blocks
after it is deleted) before the vault seals it. ``MemoryOnlyUploadHandler`` replaces
them (``FILE_UPLOAD_HANDLERS``): it keeps each upload in memory and refuses one larger
than ``AMPARO_ATTACHMENT_MAX_BYTES`` while it arrives, so memory per upload is bounded by
the limit and the vault seals the bytes straight from memory.

The limit is enforced before the body is read in full: a request whose declared length
already exceeds the limit (plus ``FORM_FIELDS_ALLOWANCE`` for the other fields) stops
at the file's first byte, and a file that grows past the limit stops there; the parser
then reads no further. The request is marked (``upload_refused``) so that the form says
"too large" in the person's language instead of "choose a file". Fields that come after
the file in the body are lost with it, so the CSRF token must come first: it does, as
``{% csrf_token %}`` opens every form.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# Room for the other fields of a form with a file (CSRF token, kind, boundaries).
FORM_FIELDS_ALLOWANCE = 64 * 1024
REFUSED_ATTRIBUTE = "amparo_upload_refused"


def upload_refused(request: Any) -> bool:
    """Whether an upload of this request was stopped for being over the limit."""
    return bool(getattr(request, REFUSED_ATTRIBUTE, False))


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keep uploads in memory up to ``AMPARO_ATTACHMENT_MAX_BYTES``; stop larger ones."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = settings.AMPARO_ATTACHMENT_MAX_BYTES
        self.declared_too_large = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        self.limit = settings.AMPARO_ATTACHMENT_MAX_BYTES
        self.declared_too_large = content_length > self.limit + FORM_FIELDS_ALLOWANCE

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.declared_too_large:
            self._refuse()
        self.buffer = BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.buffer = BytesIO()  # drop what arrived; nothing of it is kept
            self._refuse()
        self.buffer.write(raw_data)
        return None  # the chunk is ours: no later handler sees it

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, REFUSED_ATTRIBUTE, True)
        # connection_reset: the parser reads no more of the body.
        raise StopUpload(connection_reset=True)
