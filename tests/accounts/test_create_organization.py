"""``manage.py create_organization`` makes an organisation and invites its first
administrator; ``manage.py send_invitation`` sends a person a new link when nobody in
her organisation can. The operator sees the link once and never a password."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Invitation, InvitationKind, Organization, OrganizationKind, Role, User
from audit.models import AccessEvent, Action
from tests.accounts.helpers import is_fully_signed_in
from tests.accounts.invitations import LINK, SITE_URL, choose_password, link_in, mails_to
from tests.factories import TEST_PASSWORD, current_code, enrol_totp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site_url")]

ARGS = [
    "--name", "Casa Esperanza",
    "--kind", OrganizationKind.SHELTER,
    "--country", "Perú",
    "--city", "Cusco",
    "--admin-username", "elena",
    "--admin-email", "elena@example.org",
    "--admin-first-name", "Elena",
]


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_creates_the_organisation_and_its_administrator_without_a_password():
    _run("create_organization", *ARGS)

    organization = Organization.objects.get(name="Casa Esperanza")
    assert (organization.kind, organization.country, organization.city) == (
        OrganizationKind.SHELTER, "Perú", "Cusco"
    )
    admin = User.objects.get(username="elena")
    assert (admin.organization, admin.role, admin.email) == (
        organization, Role.ORG_ADMIN, "elena@example.org"
    )
    assert not admin.has_usable_password()
    assert not admin.is_staff and not admin.is_superuser


def test_it_mails_and_prints_the_same_one_time_link():
    output = _run("create_organization", *ARGS)

    [message] = mails_to("elena@example.org")
    link = link_in(message)
    assert link.startswith(SITE_URL + "/accounts/invitation/")
    assert link in output
    assert [match[0] for match in LINK.findall(output)] == [link]
    assert Invitation.objects.get().kind == InvitationKind.NEW_ACCOUNT


def test_it_records_the_organisation_and_the_account_created():
    _run("create_organization", *ARGS)

    organization = Organization.objects.get()
    admin = User.objects.get(username="elena")
    events = list(AccessEvent.objects.order_by("id").values_list(
        "action", "target_type", "target_id", "organization_id", "actor_id"
    ))
    assert events == [
        (Action.ORGANIZATION_CREATED, "organization", str(organization.pk), organization.pk,
         None),
        (Action.USER_CREATED, "user", str(admin.pk), organization.pk, None),
    ]


def test_the_administrator_sets_her_password_and_enrols_through_the_link():
    _run("create_organization", *ARGS)
    link = link_in(mails_to("elena@example.org")[0])
    client = Client()

    choose_password(client, link, "casa-esperanza-2026!")
    client.get(reverse("accounts:two_factor_enrol"))
    device = TOTPDevice.objects.get(user__username="elena", confirmed=False)
    client.post(reverse("accounts:two_factor_enrol"), {"token": current_code(device)})

    assert is_fully_signed_in(client)
    assert client.get(reverse("accounts:user_list")).status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--admin-email": "not-an-address"}, "valid email"),
        ({"--admin-email": ""}, "valid email"),
        ({"--name": "Existente"}, "already exists"),
        ({"--admin-username": "taken"}, "already taken"),
        ({"--city": ""}, "blank"),
    ],
    ids=["bad email", "no email", "name taken", "username taken", "no city"],
)
def test_bad_input_is_refused_and_creates_nothing(change, message, organization):
    Organization.objects.create(name="Existente", kind=OrganizationKind.NGO, country="Perú",
                                city="Lima")
    User.objects.create(username="taken", organization=organization, role=Role.AUDITOR)
    args = list(ARGS)
    for flag, value in change.items():
        args[args.index(flag) + 1] = value
    organizations = Organization.objects.count()
    people = User.objects.count()

    with pytest.raises(CommandError, match=message):
        _run("create_organization", *args)

    assert Organization.objects.count() == organizations
    assert User.objects.count() == people
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    assert not AccessEvent.objects.filter(action=Action.ORGANIZATION_CREATED).exists()


def test_an_unknown_kind_is_refused():
    args = list(ARGS)
    args[args.index("--kind") + 1] = "bakery"

    with pytest.raises(CommandError):
        _run("create_organization", *args)

    assert not Organization.objects.exists()


# --- send_invitation ------------------------------------------------------------------


@pytest.fixture
def elena():
    _run("create_organization", *ARGS)
    mail.outbox.clear()
    return User.objects.get(username="elena")


def test_a_new_link_for_an_unused_invitation_replaces_the_first(elena):
    first = Invitation.objects.get()

    output = _run("send_invitation", "elena")

    first.refresh_from_db()
    assert first.superseded_at is not None
    link = link_in(mails_to("elena@example.org")[0])
    assert link in output
    assert AccessEvent.objects.latest("id").action == Action.INVITATION_SENT


def test_the_sole_administrator_who_lost_her_phone_gets_a_reset_link(elena):
    elena.set_password(TEST_PASSWORD)
    elena.save()
    enrol_totp(elena)

    output = _run("send_invitation", "elena", "--reset", "two-factor")

    assert not TOTPDevice.objects.filter(user=elena).exists()
    assert link_in(mails_to("elena@example.org")[0]) in output
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.target_id) == (
        Action.TWO_FACTOR_RESET, None, str(elena.pk)
    )


def test_a_password_reset_by_the_operator_stops_the_old_password(elena):
    elena.set_password(TEST_PASSWORD)
    elena.save()

    _run("send_invitation", "elena", "--reset", "password")

    elena.refresh_from_db()
    assert not elena.has_usable_password()
    assert AccessEvent.objects.latest("id").action == Action.PASSWORD_RESET


def test_no_first_link_again_once_she_chose_her_password(elena):
    elena.set_password(TEST_PASSWORD)
    elena.save()

    with pytest.raises(CommandError, match="already chosen"):
        _run("send_invitation", "elena")

    assert Invitation.objects.count() == 1
    assert mail.outbox == []


def test_an_unknown_or_superuser_name_is_refused(elena):
    User.objects.create_superuser("root", "root@example.org", "a-long-root-password")

    for name in ("nobody", "root"):
        with pytest.raises(CommandError, match="No such person"):
            _run("send_invitation", name)

    assert Invitation.objects.count() == 1


def test_without_a_site_url_the_operator_is_warned(settings):
    settings.AMPARO_SITE_URL = ""
    err = StringIO()

    call_command("create_organization", *ARGS, stdout=StringIO(), stderr=err)

    assert "AMPARO_SITE_URL is empty" in err.getvalue()
