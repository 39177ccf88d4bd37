"""What an uploaded file is, from its bytes, and the name it is kept under.

No database and no request here: the rules are plain functions of the bytes, so that they
can be tested (and fuzzed) on their own. ``cases.services.attachments`` calls
``check_upload`` before anything reaches the vault's storage.

- a file is typed by its content, never by its name or the browser's word;
- only the types of ``ACCEPTED_TYPES`` are accepted, office files only when their table of
  contents says they are a Word or OpenDocument text;
- the kept name ends as the content is, without path parts or control characters.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vault import files as vault_files

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]  # the first is added when a name does not fit the content

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileType("application/pdf", ("pdf",))
JPEG = FileType("image/jpeg", ("jpg", "jpeg"))
PNG = FileType("image/png", ("png",))
TEXT = FileType("text/plain", ("txt", "text", "csv", "md", "log"))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)
)
ODT = FileType("application/vnd.oasis.opendocument.text", ("odt",))
ACCEPTED_TYPES = (PDF, JPEG, PNG, TEXT, DOCX, ODT)
TYPE_BY_CONTENT_TYPE = {t.content_type: t for t in ACCEPTED_TYPES}

_ZIP_MAGIC = b"PK\x03\x04"
_TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f"}


def attachment_max_bytes() -> int:
    """``AMPARO_ATTACHMENT_MAX_BYTES`` (20 MB by default), never above the vault's 50 MB."""
    configured = getattr(settings, "AMPARO_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
    return min(int(configured), vault_files.MAX_FILE_BYTES)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def detect_file_type(source: IO[bytes]) -> FileType | None:
    """What the file *is*, from its bytes: one of ``ACCEPTED_TYPES`` or ``None``.

    The name and the browser's content type are ignored: both are whatever the sender
    chose. Office files are zip archives, so a zip is accepted only when its table of
    contents is that of a Word (.docx) or OpenDocument text (.odt) file. Plain text must
    be valid UTF-8 throughout, without control characters (which executables have).
    """
    source.seek(0)
    head = source.read(16)
    source.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(_ZIP_MAGIC):
        return _office_type(source)
    if _is_plain_text(source):
        return TEXT
    return None


def _office_type(source: IO[bytes]) -> FileType | None:
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # ODF puts its type, uncompressed and tiny, in a first entry "mimetype".
                with archive.open("mimetype") as entry:
                    if entry.read(100).strip() == ODT.content_type.encode():
                        return ODT
                return None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    finally:
        source.seek(0)
    return None


def _is_plain_text(source: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := source.read(64 * 1024):
            text = decoder.decode(chunk)
            if any(ch < " " and ch not in _TEXT_CONTROLS_ALLOWED for ch in text) or "\x7f" in text:
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        source.seek(0)
    return True


def clean_filename(name: str, file_type: FileType) -> str:
    """A safe display name that ends as its content is.

    ``informe.pdf`` holding a PNG becomes ``informe.png``, so that it opens in the right
    program once downloaded; path parts and control characters are dropped.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not (extension.isalnum() and len(extension) <= 5):
        stem, extension = name, ""  # no extension, or a suffix that is part of the name
    if extension.lower() not in file_type.extensions:
        extension = file_type.extension
    stem = stem.strip()[:150] or _("attachment")
    return f"{stem}.{extension}"


def check_upload(upload: UploadedFile) -> FileType:
    """Refuse a file that is too large or of a type not accepted; return its real type."""
    limit = attachment_max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": _("The file is too large. Files may be at most %(size)s MB.")
             % {"size": megabytes(limit)}}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    file_type = detect_file_type(upload)
    if file_type is None:
        raise ValidationError(
            {"file": _("This kind of file cannot be attached. Attach a PDF, a photo (JPEG or "
                       "PNG), a plain text file, or a Word or OpenDocument text.")}
        )
    return file_type
