"""What a file is comes from its bytes alone: no database, no request, no name trusted
(``cases.filetypes``). Nothing here touches the database: pytest-django would refuse."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import filetypes
from cases.filetypes import DOCX, JPEG, ODT, PDF, PNG, TEXT

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 30
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 60


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


DOCX_BYTES = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
ODT_BYTES = _zip({"mimetype": ODT.content_type, "content.xml": "<office:document/>"})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF_BYTES, PDF),
        (JPEG_BYTES, JPEG),
        (PNG_BYTES, PNG),
        (DOCX_BYTES, DOCX),
        (ODT_BYTES, ODT),
        ("Declaración de María, tal cual.\r\n\tFin.\n".encode(), TEXT),
    ],
)
def test_each_accepted_type_is_recognised_by_its_bytes(content, expected):
    source = io.BytesIO(content)
    source.read(3)  # wherever the caller left it

    assert filetypes.detect_file_type(source) == expected
    assert source.tell() == 0  # rewound for whoever reads it next


@pytest.mark.parametrize(
    "content",
    [
        EXE_BYTES,
        b"PK\x03\x04not really a zip",
        _zip({"payload.exe": "MZ"}),  # a zip that is no office document
        _zip({"mimetype": "application/x-msdownload"}),  # an ODF-looking zip of another type
        b"text with a bell \x07 in it",
        b"text with delete \x7f in it",
        "café".encode("latin-1"),  # not UTF-8
    ],
)
def test_anything_else_is_not_a_type_we_accept(content):
    assert filetypes.detect_file_type(io.BytesIO(content)) is None


def test_the_name_follows_the_content_not_the_sender():
    assert filetypes.clean_filename("informe.pdf", PNG) == "informe.png"
    assert filetypes.clean_filename("foto.JPEG", JPEG) == "foto.JPEG"
    assert filetypes.clean_filename("sin extension", PDF) == "sin extension.pdf"


def test_path_parts_and_control_characters_are_dropped_from_a_name():
    assert filetypes.clean_filename("../../etc/pass\x00wd.txt", TEXT) == "passwd.txt"
    assert filetypes.clean_filename("C:\\Users\\x\\carta.docx", DOCX) == "carta.docx"


def test_a_name_with_nothing_left_gets_a_neutral_one():
    assert filetypes.clean_filename("...", PDF) == "attachment.pdf"


def test_an_upload_of_an_accepted_type_is_given_its_real_type():
    upload = SimpleUploadedFile("informe.pdf", PNG_BYTES, "application/pdf")

    assert filetypes.check_upload(upload) == PNG


@pytest.mark.parametrize(
    ("content", "limit", "message"),
    [
        (PDF_BYTES + b"0" * 200, 100, "too large"),
        (b"", 100, "empty"),
        (EXE_BYTES, 10_000, "cannot be attached"),
    ],
)
def test_an_upload_that_is_too_large_empty_or_of_another_type_is_refused(
    settings, content, limit, message
):
    settings.AMPARO_ATTACHMENT_MAX_BYTES = limit
    upload = SimpleUploadedFile("x.pdf", content, "application/pdf")

    with pytest.raises(ValidationError) as refused:
        filetypes.check_upload(upload)

    assert message in " ".join(refused.value.message_dict["file"])


def test_the_limit_never_exceeds_the_vaults(settings):
    settings.AMPARO_ATTACHMENT_MAX_BYTES = 500 * 1024 * 1024
    assert filetypes.attachment_max_bytes() == 50 * 1024 * 1024
