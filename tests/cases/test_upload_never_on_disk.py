"""Uploads never touch the disk unsealed (core/uploads.py): a 10 MB attachment goes
from the request to the vault through memory, and nothing of it is in the temporary
directory while it is sealed or afterwards. One over the limit is stopped as it arrives,
with a clear message, and nothing of it is kept."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from cases.models import Attachment
from core.uploads import MemoryOnlyUploadHandler, upload_refused
from tests.canary import CanaryLeak
from vault import services as vault

TEN_MB = 10 * 1024 * 1024
DJANGO_DEFAULT_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]


def _text_with(canary: str, size: int) -> bytes:
    line = f"Informe médico de {canary}: sin novedad.\n".encode()
    return (line * (size // len(line) + 1))[:size]


@pytest.fixture
def case(make_case, caseworker):
    return make_case(caseworker)


@pytest.fixture
def scan_while_sealing(monkeypatch, canaries):
    """Scan the temporary directory when the upload reaches the vault: Django deletes a
    spooled upload after the request, so afterwards is too late to catch it."""
    scans: list[Exception | None] = []
    seal_file = vault.seal_file

    def scanning_seal_file(*args, **kwargs):
        try:
            canaries.assert_none_in_temporary_files()
            scans.append(None)
        except CanaryLeak as leak:
            scans.append(leak)
        return seal_file(*args, **kwargs)

    monkeypatch.setattr(vault, "seal_file", scanning_seal_file)
    return scans


def _upload(client, case, content: bytes):
    return client.post(
        reverse("cases:add_attachment", kwargs={"case_id": case.pk}),
        {
            "attachment-kind": "medical",
            "attachment-file": SimpleUploadedFile("informe.txt", content, "text/plain"),
        },
    )


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_a_10_mb_upload_leaves_nothing_in_the_temporary_directory(
    client_for, caseworker, case, canaries, scan_while_sealing
):
    canary = canaries.new()

    response = _upload(client_for(caseworker), case, _text_with(canary, TEN_MB))

    assert response.status_code == 302
    assert Attachment.objects.get(case=case).size == TEN_MB
    assert scan_while_sealing == [None]  # scanned mid-request, and found nothing
    canaries.assert_no_leaks()  # databases, storage, logs and the temporary directory


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_the_scan_catches_djangos_own_handlers_spooling_to_disk(
    client_for, caseworker, case, canaries, scan_while_sealing
):
    """The test above can fail: with Django's default handlers the same upload is found."""
    canary = canaries.new()

    with override_settings(FILE_UPLOAD_HANDLERS=DJANGO_DEFAULT_HANDLERS):
        _upload(client_for(caseworker), case, _text_with(canary, 3 * 1024 * 1024))

    assert len(scan_while_sealing) == 1 and isinstance(scan_while_sealing[0], CanaryLeak)


def test_djangos_temporary_file_handler_is_not_in_use():
    assert settings.FILE_UPLOAD_HANDLERS == ["core.uploads.MemoryOnlyUploadHandler"]


@pytest.mark.django_db(databases=["default", "keys"])
def test_an_upload_over_the_limit_is_refused_with_a_clear_message(
    client_for, caseworker, case, settings
):
    settings.AMPARO_ATTACHMENT_MAX_BYTES = 1024 * 1024

    response = _upload(client_for(caseworker), case, b"a" * (3 * 1024 * 1024))

    assert response.status_code == 200
    assert "The file is too large. Files may be at most 1 MB." in response.content.decode()
    assert "Choose a file to attach" not in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_message_is_in_spanish_for_a_spanish_reader(client_for, caseworker, case, settings):
    settings.AMPARO_ATTACHMENT_MAX_BYTES = 1024 * 1024
    client = client_for(caseworker)

    response = client.post(
        reverse("cases:add_attachment", kwargs={"case_id": case.pk}),
        {
            "attachment-kind": "medical",
            "attachment-file": SimpleUploadedFile("a.txt", b"a" * (2 * 1024 * 1024)),
        },
        headers={"accept-language": "es"},
    )

    assert "El archivo es demasiado grande" in response.content.decode()


class CountingStream(BytesIO):
    """A request body that counts how much of it the parser read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


class FakeRequest:
    pass


def _parse(body_file_size: int, limit: int, settings) -> tuple[CountingStream, object, dict]:
    settings.AMPARO_ATTACHMENT_MAX_BYTES = limit
    body = encode_multipart(
        BOUNDARY,
        {
            "csrfmiddlewaretoken": "token",
            "attachment-file": SimpleUploadedFile("a.txt", b"a" * body_file_size),
        },
    )
    stream = CountingStream(body)
    request = FakeRequest()
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    post, files = MultiPartParser(
        meta, stream, [MemoryOnlyUploadHandler(request)], "utf-8"
    ).parse()
    return stream, request, {"post": post, "files": files}


def test_a_declared_length_over_the_limit_stops_at_the_files_first_byte(settings):
    stream, request, parsed = _parse(8 * 1024 * 1024, 1024 * 1024, settings)

    assert upload_refused(request)
    assert "attachment-file" not in parsed["files"]
    assert parsed["post"]["csrfmiddlewaretoken"] == "token"  # fields before the file stay
    assert stream.bytes_read < 1024 * 1024  # the 8 MB body was not read in full


def test_a_file_growing_past_the_limit_stops_there(settings):
    # Declared within the limit's allowance for other fields, but the file alone is over.
    stream, request, parsed = _parse(1024 * 1024 + 16 * 1024, 1024 * 1024, settings)

    assert upload_refused(request)
    assert "attachment-file" not in parsed["files"]


def test_a_file_within_the_limit_is_kept_in_memory(settings):
    _stream, request, parsed = _parse(512 * 1024, 1024 * 1024, settings)

    upload = parsed["files"]["attachment-file"]
    assert not upload_refused(request)
    assert upload.size == 512 * 1024 and not hasattr(upload, "temporary_file_path")


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_refusal_keeps_the_csrf_token_that_comes_before_the_file(
    client_for, caseworker, case, settings
):
    """With CSRF checked as in production, the stopped upload still reaches the form."""
    settings.AMPARO_ATTACHMENT_MAX_BYTES = 1024 * 1024
    client = client_for(caseworker)
    client.handler.enforce_csrf_checks = True
    client.get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        reverse("cases:add_attachment", kwargs={"case_id": case.pk}),
        {
            "csrfmiddlewaretoken": token,
            "attachment-kind": "medical",
            "attachment-file": SimpleUploadedFile("a.txt", b"a" * (4 * 1024 * 1024)),
        },
    )

    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert not Attachment.objects.exists()
