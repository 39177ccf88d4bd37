"""Attachments: typed by content, limited in size, sealed, and every download recorded."""

import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from cases.models import Attachment
from cases.services import work
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 60


def _docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _stored_files():
    storage = storages[settings.AMPARO_VAULT_STORAGE]

    def walk(path):
        directories, files = storage.listdir(path)
        found = [f"{path}/{name}".lstrip("/") for name in files]
        for directory in directories:
            found += walk(f"{path}/{directory}".lstrip("/"))
        return found

    return walk("")


@pytest.fixture(autouse=True)
def empty_storage():
    storage = storages[settings.AMPARO_VAULT_STORAGE]
    for name in _stored_files():
        storage.delete(name)


def _upload(client, case, name, content, kind="legal"):
    return client.post(
        reverse("cases:add_attachment", kwargs={"case_id": case.pk}),
        {
            "attachment-kind": kind,
            "attachment-file": SimpleUploadedFile(name, content, "application/pdf"),
        },
    )


def _content_events():
    return list(AccessEvent.objects.exclude(action=Action.VAULT_KEY_CREATED).order_by("pk"))


def test_it_seals_an_uploaded_pdf_and_its_name(client_for, caseworker, case):
    before = len(_content_events())
    response = _upload(client_for(caseworker), case, "denuncia María.pdf", PDF_BYTES)
    assert response.status_code == 302
    assert response["Location"].endswith("#attachments")
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF_BYTES)
    assert b"denuncia" not in bytes(attachment.filename)
    assert vault.unseal(attachment, "filename") == "denuncia María.pdf"
    stored = _stored_files()
    assert len(stored) == 1
    assert PDF_BYTES not in storages[settings.AMPARO_VAULT_STORAGE].open(stored[0]).read()
    assert [e.action for e in _content_events()[before:]] == [Action.ATTACHMENT_ADDED]


def test_a_png_named_pdf_is_stored_as_png_with_a_matching_name(client_for, caseworker, case):
    """Documented choice: the content decides; the name's extension is corrected."""
    _upload(client_for(caseworker), case, "informe.pdf", PNG_BYTES)
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "image/png"
    assert vault.unseal(attachment, "filename") == "informe.png"


def test_a_word_document_is_recognised_by_its_contents(client_for, caseworker, case):
    _upload(client_for(caseworker), case, "carta.docx", _docx_bytes())
    assert Attachment.objects.get(case=case).content_type.endswith("wordprocessingml.document")


def test_a_plain_text_file_is_accepted(client_for, caseworker, case):
    _upload(client_for(caseworker), case, "datos", b"Cita: martes 10:00\n")
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "text/plain"
    assert vault.unseal(attachment, "filename") == "datos.txt"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("factura.pdf", EXE_BYTES),
        ("fotos.pdf", b"PK\x03\x04not really a zip"),
        ("x.pdf", b"\x00\x01\x02"),
    ],
)
def test_a_file_of_another_type_is_refused_and_nothing_is_stored(
    client_for, caseworker, case, name, content
):
    response = _upload(client_for(caseworker), case, name, content)
    assert response.status_code == 200
    assert "This kind of file cannot be attached" in response.content.decode()
    assert not Attachment.objects.exists()
    assert _stored_files() == []
    assert not AccessEvent.objects.filter(action=Action.ATTACHMENT_ADDED).exists()


def test_an_oversized_file_is_refused_and_storage_stays_empty(
    client_for, caseworker, case, settings
):
    settings.AMPARO_ATTACHMENT_MAX_BYTES = 100
    response = _upload(client_for(caseworker), case, "grande.pdf", PDF_BYTES + b"0" * 200)
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert not Attachment.objects.exists()
    assert _stored_files() == []


def test_the_limit_never_exceeds_the_vaults(settings):
    settings.AMPARO_ATTACHMENT_MAX_BYTES = 500 * 1024 * 1024
    assert work.attachment_max_bytes() == 50 * 1024 * 1024


def test_the_service_refuses_a_file_the_vault_finds_too_large(
    caseworker, case, settings, monkeypatch
):
    """A browser may lie about the size; the vault counts the bytes and nothing stays."""
    settings.AMPARO_ATTACHMENT_MAX_BYTES = 100
    upload = SimpleUploadedFile("a.pdf", PDF_BYTES + b"0" * 200)
    upload.size = 50
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        work.add_attachment(actor=caseworker, case=case, kind="legal", upload=upload)
    assert not Attachment.objects.exists()
    assert _stored_files() == []


def test_the_read_only_colleague_cannot_upload(client_for, viewer, case):
    assert _upload(client_for(viewer), case, "a.pdf", PDF_BYTES).status_code == 403
    assert not Attachment.objects.exists()
    assert _stored_files() == []


def test_an_outsider_cannot_upload(client_for, outsider, case):
    assert _upload(client_for(outsider), case, "a.pdf", PDF_BYTES).status_code == 404
    assert _stored_files() == []


@pytest.fixture
def attachment(caseworker, case):
    upload = SimpleUploadedFile("acta niña 1.pdf", PDF_BYTES)
    return work.add_attachment(actor=caseworker, case=case, kind="legal", upload=upload)


def _download_url(case, attachment):
    return reverse(
        "cases:download_attachment", kwargs={"case_id": case.pk, "attachment_id": attachment.pk}
    )


def test_a_download_streams_the_original_bytes_and_is_recorded_once(
    client_for, caseworker, case, attachment
):
    before = len(_content_events())
    response = client_for(caseworker).get(_download_url(case, attachment))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''acta%20ni%C3%B1a%201.pdf" in disposition
    assert 'filename="acta nina 1.pdf"' in disposition
    events = _content_events()[before:]
    assert [e.action for e in events] == [Action.ATTACHMENT_DOWNLOADED]
    assert events[0].target_id == str(attachment.pk)
    assert events[0].case_code == case.code


def test_the_read_only_colleague_may_download(client_for, viewer, case, attachment):
    response = client_for(viewer).get(_download_url(case, attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_outsider_cannot_download(client_for, outsider, case, attachment):
    response = client_for(outsider).get(_download_url(case, attachment))
    assert response.status_code == 404
    assert (
        AccessEvent.objects.filter(
            action=Action.ATTACHMENT_DOWNLOADED, outcome=Outcome.DENIED
        ).count()
        == 1
    )
    assert not AccessEvent.objects.filter(
        action=Action.ATTACHMENT_DOWNLOADED, outcome=Outcome.ALLOWED
    ).exists()


def test_an_attachment_of_another_case_is_not_found_through_this_one(
    client_for, caseworker, make_case, attachment
):
    other = make_case(caseworker, given_names="Otra")
    assert client_for(caseworker).get(_download_url(other, attachment)).status_code == 404


def test_the_case_page_lists_the_opened_file_name_with_a_download_link(
    client_for, caseworker, case, attachment
):
    page = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    text = page.content.decode()
    assert "acta niña 1.pdf" in text
    assert _download_url(case, attachment) in text
