"""An organisation's administrator resets a colleague's password or second factor by a
one-time link: the old one stops at once, her sessions end, she and her team's
supervisors are told by mail, and each step is an access event. Nobody else may."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Invitation, InvitationKind, Role
from audit.models import AccessEvent, Action
from tests.accounts.helpers import in_english, is_fully_signed_in, password_step, session_keys_of
from tests.accounts.invitations import choose_password, link_in, mails_to
from tests.factories import TEST_PASSWORD, UserFactory, current_code, give_recovery_codes

pytestmark = pytest.mark.usefixtures("site_url")

NEW_PASSWORD = "lantern-river-morning-stone"
RESETS = {
    "accounts:user_reset_password": InvitationKind.PASSWORD_RESET,
    "accounts:user_reset_two_factor": InvitationKind.TWO_FACTOR_RESET,
}


@pytest.fixture
def colleague(caseworker, client_for):
    """A caseworker with an email address, signed in somewhere (her phone enrolled)."""
    caseworker.email = "caseworker@example.org"
    caseworker.save(update_fields=["email"])
    return caseworker


@pytest.fixture
def supervisor_with_mail(supervisor):
    supervisor.email = "supervisor@example.org"
    supervisor.save(update_fields=["email"])
    return supervisor


def _post(client: Client, name: str, person, committed):
    with committed():
        return client.post(reverse(name, args=[person.pk]))


# --- the owner: her organisation's administrator --------------------------------------


def test_a_password_reset_stops_the_old_password_and_ends_her_sessions(
    client_for, org_admin, colleague, supervisor_with_mail, committed
):
    elsewhere = client_for(colleague)

    response = _post(client_for(org_admin), "accounts:user_reset_password", colleague, committed)

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.has_usable_password()
    assert not colleague.check_password(TEST_PASSWORD)
    assert session_keys_of(colleague) == set()
    assert not is_fully_signed_in(elsewhere)
    # Her phone stays hers.
    assert TOTPDevice.objects.filter(user=colleague, confirmed=True).exists()
    assert Invitation.objects.get(user=colleague).kind == InvitationKind.PASSWORD_RESET


def test_a_two_factor_reset_removes_her_phone_and_recovery_codes(
    client_for, org_admin, colleague, committed
):
    elsewhere = client_for(colleague)
    give_recovery_codes(colleague)

    _post(client_for(org_admin), "accounts:user_reset_two_factor", colleague, committed)

    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert not StaticDevice.objects.filter(user=colleague).exists()
    assert session_keys_of(colleague) == set()
    assert not is_fully_signed_in(elsewhere)
    assert Invitation.objects.get(user=colleague).kind == InvitationKind.TWO_FACTOR_RESET


def test_after_a_two_factor_reset_the_link_lets_her_enrol_a_new_phone(
    client_for, org_admin, colleague, committed
):
    _post(client_for(org_admin), "accounts:user_reset_two_factor", colleague, committed)
    link = link_in(mails_to(colleague.email)[-1])
    client = Client()

    response = choose_password(client, link, NEW_PASSWORD)

    assert response.url == reverse("accounts:two_factor_enrol")
    client.get(response.url)
    device = TOTPDevice.objects.get(user=colleague, confirmed=False)
    client.post(reverse("accounts:two_factor_enrol"), {"token": current_code(device)})
    assert is_fully_signed_in(client)


@pytest.mark.parametrize(("name", "kind"), RESETS.items())
def test_she_and_her_supervisors_are_told_by_mail(
    name, kind, client_for, org_admin, colleague, supervisor_with_mail, committed
):
    _post(client_for(org_admin), name, colleague, committed)

    hers = mails_to(colleague.email)
    theirs = mails_to(supervisor_with_mail.email)
    assert len(hers) == 1
    assert len(theirs) == 1
    assert link_in(hers[0])
    # The link is hers alone: the supervisors' notice holds none.
    assert "/accounts/invitation/" not in theirs[0].body
    assert colleague.display_name in theirs[0].subject
    assert org_admin.display_name in theirs[0].body
    assert "https://amparo.example.org/" in theirs[0].body
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(("name", "kind"), RESETS.items())
def test_each_reset_is_one_event(name, kind, client_for, org_admin, colleague, committed):
    client = client_for(org_admin)
    before = AccessEvent.objects.count()

    _post(client, name, colleague, committed)

    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("id")
    expected = Action.PASSWORD_RESET if kind == InvitationKind.PASSWORD_RESET else (
        Action.TWO_FACTOR_RESET
    )
    assert (event.action, event.actor, event.target_id) == (
        expected, org_admin, str(colleague.pk)
    )


@pytest.mark.parametrize("name", RESETS)
def test_a_reset_without_an_email_address_is_refused_and_changes_nothing(
    name, client_for, org_admin, caseworker, committed
):
    client_for(caseworker)  # her phone

    admin = in_english(client_for(org_admin))
    response = _post(admin, name, caseworker, committed)

    assert response.status_code == 302
    page = admin.get(response.url)
    assert "This person has no email address" in page.content.decode()
    caseworker.refresh_from_db()
    assert caseworker.check_password(TEST_PASSWORD)
    assert TOTPDevice.objects.filter(user=caseworker).exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("name", RESETS)
def test_a_deactivated_persons_reset_is_refused(name, client_for, org_admin, colleague, committed):
    services.deactivate_user(actor=org_admin, user=colleague)

    _post(client_for(org_admin), name, colleague, committed)

    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("name", RESETS)
def test_an_admin_resets_her_own_account_on_her_own_page_only(
    name, client_for, org_admin, committed
):
    org_admin.email = "admin@example.org"
    org_admin.save(update_fields=["email"])

    _post(client_for(org_admin), name, org_admin, committed)

    org_admin.refresh_from_db()
    assert org_admin.check_password(TEST_PASSWORD)
    assert not Invitation.objects.exists()


def test_after_a_password_reset_the_old_password_is_refused_at_sign_in(
    client_for, org_admin, colleague, committed
):
    _post(client_for(org_admin), "accounts:user_reset_password", colleague, committed)

    response = password_step(Client(), colleague.username, TEST_PASSWORD)

    assert response.status_code == 200  # the sign-in page again, with its error


# --- the colleague (403) and the outsider (404) ------------------------------------------


@pytest.mark.parametrize("name", [*RESETS, "accounts:user_resend_invitation"])
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR])
def test_a_colleague_who_is_not_the_admin_gets_403(
    name, role, client_for, organization, colleague, committed
):
    other = UserFactory(organization=organization, role=role)
    client_for(colleague)

    response = _post(client_for(other), name, colleague, committed)

    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.check_password(TEST_PASSWORD)
    assert TOTPDevice.objects.filter(user=colleague).exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    assert AccessEvent.objects.latest("id").action == Action.USER_MANAGEMENT_DENIED


@pytest.mark.parametrize("name", [*RESETS, "accounts:user_resend_invitation"])
def test_the_admin_of_another_organisation_gets_404(
    name, client_for, outsider_admin, colleague, committed
):
    client_for(colleague)

    response = _post(client_for(outsider_admin), name, colleague, committed)

    assert response.status_code == 404
    colleague.refresh_from_db()
    assert colleague.check_password(TEST_PASSWORD)
    assert TOTPDevice.objects.filter(user=colleague).exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.target_id) == (Action.USER_MANAGEMENT_DENIED, str(colleague.pk))


@pytest.mark.parametrize(
    "service", [services.reset_password, services.reset_two_factor, services.resend_invitation]
)
def test_the_services_refuse_the_admin_of_another_organisation(
    service, outsider_admin, colleague
):
    with pytest.raises(PermissionDenied):
        service(actor=outsider_admin, user=colleague)

    assert not Invitation.objects.exists()


@pytest.mark.parametrize("name", [*RESETS, "accounts:user_resend_invitation"])
def test_resets_refuse_get(name, client_for, org_admin, colleague):
    response = client_for(org_admin).get(reverse(name, args=[colleague.pk]))

    assert response.status_code == 405
    assert not Invitation.objects.exists()


# --- a new link for an invitation that was not used -----------------------------------


def test_the_admin_sends_a_new_invitation_that_replaces_the_old(
    client_for, org_admin, committed
):
    with committed():
        person = services.create_user(
            actor=org_admin, username="luz", role=Role.AUDITOR, email="luz@example.org"
        )
    client = client_for(org_admin)
    assert "Send a new invitation" in in_english(client).get(
        reverse("accounts:user_edit", args=[person.pk])
    ).content.decode()

    _post(client, "accounts:user_resend_invitation", person, committed)

    first, second = mails_to("luz@example.org")
    assert link_in(first) != link_in(second)
    assert Invitation.objects.filter(user=person, superseded_at__isnull=True).count() == 1
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.purpose) == (Action.INVITATION_SENT, InvitationKind.NEW_ACCOUNT)


def test_no_new_invitation_once_she_has_chosen_her_password(
    client_for, org_admin, colleague, committed
):
    _post(client_for(org_admin), "accounts:user_resend_invitation", colleague, committed)

    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_the_people_list_shows_who_has_not_chosen_a_password_yet(
    client_for, org_admin, colleague, committed
):
    _post(client_for(org_admin), "accounts:user_reset_password", colleague, committed)

    page = in_english(client_for(org_admin)).get(reverse("accounts:user_list"))

    assert "Link sent, password not chosen yet" in page.content.decode()
