"""Shredding a survivor takes two people: a supervisor asks, an org admin confirms."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases import vocabularies as v
from cases.models import Attachment, Case, ShredRequest, Survivor, SurvivorDocument
from cases.services import intake, work
from cases.services.intake import Identity
from cases.services.management import (
    cancel_shredding,
    confirm_shredding,
    request_shredding,
)
from tests.factories import UserFactory
from vault import services as vault
from vault.exceptions import OwnerShredded

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def client_for(client_for):
    """Signed-in clients that read the pages in English (the messages asserted below)."""

    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def request_url(case):
    return reverse("cases:shred_request", kwargs={"case_id": case.pk})


QUEUE_URL = reverse("cases:shred_requests")


def confirm_url(item):
    return reverse("cases:shred_confirm", kwargs={"request_id": item.pk})


def cancel_url(item):
    return reverse("cases:shred_cancel", kwargs={"request_id": item.pk})


@pytest.fixture
def pending(supervisor, case):
    return request_shredding(actor=supervisor, case=case, reason=v.ShredReason.SURVIVOR_REQUEST)


@pytest.fixture
def full_case(caseworker, case):
    """Her case with history rows, a document and an attachment."""
    intake.update_identity(
        actor=caseworker,
        case=case,
        identity=Identity(given_names="María José", family_names="Pérez Ruiz"),
        guardian=None,
    )
    intake.set_documents(
        actor=caseworker, case=case, documents=[{"kind": "passport", "number": "V-12345678"}]
    )
    intake.update_needs_and_narrative(
        actor=caseworker,
        case=case,
        immediate_needs=[],
        needs_note="",
        narrative="Llegó desde Tumbes en bus.",
    )
    work.add_attachment(
        actor=caseworker,
        case=case,
        kind=v.AttachmentKind.OTHER,
        upload=SimpleUploadedFile(
            "carta.txt", b"Querida mama, estoy bien.", content_type="text/plain"
        ),
    )
    return case


# --- asking ---------------------------------------------------------------------------


def test_the_team_supervisor_asks_with_a_reason_and_admins_are_told(
    client_for, supervisor, case, org_admin, django_capture_on_commit_callbacks
):
    org_admin.email = "admin@example.org"
    org_admin.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(supervisor).post(
            request_url(case), {"reason": v.ShredReason.SURVIVOR_REQUEST, "understood": "on"}
        )
    assert response.status_code == 302
    item = ShredRequest.objects.get()
    assert (item.status, item.requested_by, item.case) == (
        ShredRequest.Status.PENDING,
        supervisor,
        case,
    )
    event = AccessEvent.objects.get(action=Action.SHRED_REQUESTED)
    assert (event.case_code, event.purpose) == (case.code, v.ShredReason.SURVIVOR_REQUEST)
    assert not Survivor.objects.get(pk=case.survivor_id).is_shredded
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["admin@example.org"]
    assert case.code in mail.outbox[0].body and "María" not in mail.outbox[0].body


def test_asking_without_ticking_the_warning_saves_nothing(client_for, supervisor, case):
    response = client_for(supervisor).post(
        request_url(case), {"reason": v.ShredReason.SURVIVOR_REQUEST}
    )
    assert response.status_code == 200
    assert not ShredRequest.objects.exists()


def test_a_second_request_while_one_is_pending_is_refused(supervisor, case, pending):
    with pytest.raises(ValidationError):
        request_shredding(actor=supervisor, case=case, reason=v.ShredReason.RETENTION_ENDED)
    assert ShredRequest.objects.count() == 1


def test_the_owner_cannot_ask(client_for, caseworker, case):
    response = client_for(caseworker).post(
        request_url(case), {"reason": "survivor_request", "understood": "on"}
    )
    assert response.status_code == 403
    assert not ShredRequest.objects.exists()


def test_the_read_only_colleague_gets_403_and_an_outsider_404(client_for, viewer, outsider, case):
    assert client_for(viewer).get(request_url(case)).status_code == 403
    assert client_for(outsider).get(request_url(case)).status_code == 404


def test_a_supervisor_of_another_team_gets_404(client_for, other_supervisor, case):
    assert client_for(other_supervisor).get(request_url(case)).status_code == 404


# --- the queue --------------------------------------------------------------------------


def test_the_org_admin_sees_code_reason_and_requester_never_content(
    client_for, org_admin, case, pending
):
    response = client_for(org_admin).get(QUEUE_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert case.code in page
    assert pending.requested_by.display_name in page
    assert "The survivor asked for deletion" in page
    assert "María" not in page and "Pérez" not in page


@pytest.mark.parametrize("person", ["supervisor", "caseworker", "auditor", "partner"])
def test_only_org_admins_see_the_queue(client_for, request, person, pending):
    user = request.getfixturevalue(person)
    assert client_for(user).get(QUEUE_URL).status_code == 403


def test_an_org_admin_of_another_organisation_sees_nothing_and_gets_404(
    client_for, outsider_admin, case, pending
):
    client = client_for(outsider_admin)
    assert case.code not in client.get(QUEUE_URL).content.decode()
    response = client.post(confirm_url(pending), {"understood": "on"})
    assert response.status_code == 404
    assert client.post(cancel_url(pending)).status_code == 404
    assert ShredRequest.objects.get().status == ShredRequest.Status.PENDING
    assert AccessEvent.objects.filter(actor=outsider_admin, outcome=Outcome.DENIED).count() == 2


# --- confirming -----------------------------------------------------------------------


def test_the_supervisor_cannot_confirm(client_for, supervisor, pending):
    assert (
        client_for(supervisor).post(confirm_url(pending), {"understood": "on"}).status_code == 403
    )
    with pytest.raises(PermissionDenied):
        confirm_shredding(actor=supervisor, shred_request=pending)
    assert ShredRequest.objects.get().status == ShredRequest.Status.PENDING


def test_the_person_who_asked_cannot_confirm_even_as_an_org_admin(supervisor, pending):
    # She asked as a supervisor and was later made an org admin: still one person alone.
    supervisor.role = Role.ORG_ADMIN
    supervisor.save(update_fields=["role"])
    with pytest.raises(PermissionDenied):
        confirm_shredding(actor=supervisor, shred_request=pending)
    assert not Survivor.objects.get(pk=pending.survivor_id).is_shredded


def test_confirming_needs_the_tick_box(client_for, org_admin, pending):
    response = client_for(org_admin).post(confirm_url(pending), {})
    assert response.status_code == 200
    assert "Tick the box" in response.content.decode()
    assert ShredRequest.objects.get().status == ShredRequest.Status.PENDING


def test_confirm_answers_only_post(client_for, org_admin, pending):
    assert client_for(org_admin).get(confirm_url(pending)).status_code == 405


def test_after_confirmation_nothing_of_hers_opens_and_others_are_untouched(
    client_for,
    org_admin,
    supervisor,
    caseworker,
    full_case,
    make_case,
    django_capture_on_commit_callbacks,
):
    other = make_case(caseworker, given_names="Yesenia", family_names="Rojas")
    item = request_shredding(
        actor=supervisor, case=full_case, reason=v.ShredReason.SURVIVOR_REQUEST
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org_admin).post(confirm_url(item), {"understood": "on"})
    assert response.status_code == 302

    item.refresh_from_db()
    assert (item.status, item.decided_by) == (ShredRequest.Status.CONFIRMED, org_admin)
    survivor = Survivor.objects.get(pk=full_case.survivor_id)
    assert survivor.is_shredded
    assert survivor.name_key is None
    assert set(
        SurvivorDocument.objects.filter(survivor=survivor).values_list("number_key", flat=True)
    ) == {None}
    assert (
        AccessEvent.objects.filter(action=Action.SHRED_CONFIRMED, case_code=full_case.code).count()
        == 1
    )
    assert AccessEvent.objects.filter(action=Action.VAULT_OWNER_SHREDDED).count() == 1

    # Live rows, history rows and the attachment: all fail closed.
    with pytest.raises(OwnerShredded):
        vault.unseal(survivor, "given_names")
    assert survivor.history.count() >= 2
    for row in survivor.history.all():
        if row.given_names:
            with pytest.raises(OwnerShredded):
                vault.unseal(row, "given_names")
    with pytest.raises(OwnerShredded):
        vault.unseal(Case.objects.get(pk=full_case.pk), "narrative")
    for row in Case.history.filter(id=full_case.pk).exclude(narrative=None):
        with pytest.raises(OwnerShredded):
            vault.unseal(row, "narrative")
    document = SurvivorDocument.objects.get(survivor=survivor)
    with pytest.raises(OwnerShredded):
        vault.unseal(document, "number")
    attachment = Attachment.objects.get(case=full_case)
    with pytest.raises(OwnerShredded):
        vault.unseal(attachment, "filename")
    with pytest.raises(OwnerShredded):
        b"".join(vault.open_file(attachment, "content"))

    # The case stays, as a code with coded fields, and its page says what happened.
    case = Case.objects.get(pk=full_case.pk)
    assert case.code == full_case.code and case.status == full_case.status
    page = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    assert page.status_code == 200
    assert "shredded" in page.content.decode()

    # Another survivor of the same caseworker still opens.
    assert vault.unseal(other.survivor, "given_names") == "Yesenia"


def test_cancelling_keeps_her_data(client_for, org_admin, case, pending):
    response = client_for(org_admin).post(cancel_url(pending))
    assert response.status_code == 302
    assert ShredRequest.objects.get().status == ShredRequest.Status.CANCELLED
    assert AccessEvent.objects.filter(action=Action.SHRED_CANCELLED, case_code=case.code).exists()
    assert vault.unseal(Survivor.objects.get(pk=case.survivor_id), "given_names") == "María José"


def test_a_decided_request_cannot_be_decided_again(org_admin, pending):
    cancel_shredding(actor=org_admin, shred_request=pending)
    with pytest.raises(ValidationError):
        confirm_shredding(actor=org_admin, shred_request=pending)
    assert not Survivor.objects.get(pk=pending.survivor_id).is_shredded


def test_a_shredded_survivor_cannot_be_asked_for_again(supervisor, org_admin, case, pending):
    confirm_shredding(actor=org_admin, shred_request=pending)
    with pytest.raises(ValidationError):
        request_shredding(actor=supervisor, case=case, reason=v.ShredReason.RETENTION_ENDED)


def test_a_second_org_admin_cannot_act_on_another_orgs_request(other_organization, pending):
    stranger = UserFactory(organization=other_organization, role=Role.ORG_ADMIN)
    with pytest.raises(PermissionDenied):
        confirm_shredding(actor=stranger, shred_request=pending)
