"""An organisation's administrator adds, changes, deactivates and reactivates her people,
and resets a lost authenticator."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Role, User
from tests.accounts.helpers import in_english, password_step, session_keys_of
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory, enrol_totp, give_recovery_codes

NEW_PASSWORD = "river-stone-lantern-morning"


@pytest.fixture
def admin_client(client_for, org_admin):
    return in_english(client_for(org_admin))


def _new_person(**overrides) -> dict:
    data = {
        "username": "rosa.huaman",
        "first_name": "Rosa",
        "last_name": "Huamán",
        "email": "rosa@example.org",
        "role": Role.CASEWORKER,
        "teams": [],
    }
    data.update(overrides)
    return data


def test_admin_creates_a_person_in_her_own_organisation(admin_client, organization, team):
    response = admin_client.post(
        reverse("accounts:user_create"), _new_person(teams=[team.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("accounts:user_list")
    person = User.objects.get(username="rosa.huaman")
    assert person.organization == organization
    assert person.role == Role.CASEWORKER
    assert list(person.teams.all()) == [team]
    assert "An invitation was sent to rosa@example.org." in response.content.decode()


def test_the_administrator_never_chooses_the_new_persons_password(admin_client, client):
    form = admin_client.get(reverse("accounts:user_create")).context["form"]
    assert "password" not in form.fields

    admin_client.post(reverse("accounts:user_create"), _new_person(password=NEW_PASSWORD))

    person = User.objects.get(username="rosa.huaman")
    assert not person.has_usable_password()
    response = password_step(client, "rosa.huaman", NEW_PASSWORD)
    assert response.status_code == 200  # refused: no password works until she chooses one
    assert "_auth_user_id" not in client.session


def test_a_new_supervisor_supervises_the_chosen_teams(admin_client, team):
    admin_client.post(
        reverse("accounts:user_create"), _new_person(role=Role.SUPERVISOR, teams=[team.pk])
    )

    person = User.objects.get(username="rosa.huaman")
    assert list(person.supervised_teams.all()) == [team]
    assert not person.teams.exists()


def test_a_new_person_without_an_email_address_is_refused(admin_client):
    """The link that lets her choose her password can reach her only by mail."""
    response = admin_client.post(reverse("accounts:user_create"), _new_person(email=""))

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not User.objects.filter(username="rosa.huaman").exists()


@pytest.mark.parametrize("taken", ["caseworker", "CaseWorker"])
def test_a_taken_username_is_refused(admin_client, caseworker, taken):
    response = admin_client.post(reverse("accounts:user_create"), _new_person(username=taken))

    assert response.context["form"].errors["username"] == ["This username is already taken."]
    assert User.objects.filter(username__iexact="caseworker").count() == 1


def test_a_username_of_another_organisation_is_taken_too(admin_client, partner):
    response = admin_client.post(reverse("accounts:user_create"), _new_person(username="partner"))

    assert response.context["form"].errors["username"]


def test_a_person_without_a_role_is_refused(admin_client):
    response = admin_client.post(reverse("accounts:user_create"), _new_person(role=""))

    assert response.context["form"].errors["role"]
    assert not User.objects.filter(username="rosa.huaman").exists()


def test_nobody_can_be_created_as_superuser_or_staff(admin_client):
    admin_client.post(
        reverse("accounts:user_create"),
        _new_person(is_superuser="on", is_staff="on", organization="999"),
    )

    person = User.objects.get(username="rosa.huaman")
    assert not person.is_superuser
    assert not person.is_staff


def test_admin_edits_a_person(admin_client, caseworker, team):
    other_team = TeamFactory(organization=caseworker.organization, name="Seguimiento")

    response = admin_client.post(
        reverse("accounts:user_edit", args=[caseworker.pk]),
        {"first_name": "Lucía", "last_name": "Ramos", "email": "lucia@example.org",
         "role": Role.SUPERVISOR, "teams": [other_team.pk]},
    )

    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert (caseworker.first_name, caseworker.last_name) == ("Lucía", "Ramos")
    assert caseworker.role == Role.SUPERVISOR
    assert list(caseworker.supervised_teams.all()) == [other_team]
    assert not caseworker.teams.exists()


def test_the_edit_form_shows_the_current_values(admin_client, caseworker, team):
    form = admin_client.get(reverse("accounts:user_edit", args=[caseworker.pk])).context["form"]

    assert form.initial["role"] == Role.CASEWORKER
    assert list(form.initial["teams"]) == [team]


def test_admin_deactivates_a_person(admin_client, caseworker):
    response = admin_client.post(reverse("accounts:user_deactivate", args=[caseworker.pk]))

    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert not caseworker.is_active
    assert User.objects.filter(pk=caseworker.pk).exists()  # deactivated, never deleted


def test_a_deactivated_person_cannot_sign_in(admin_client, caseworker, client):
    enrol_totp(caseworker)
    admin_client.post(reverse("accounts:user_deactivate", args=[caseworker.pk]))

    response = password_step(client, "caseworker", TEST_PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_admin_reactivates_a_person(admin_client, caseworker):
    services.deactivate_user(actor=User.objects.get(username="orgadmin"), user=caseworker)

    response = admin_client.post(reverse("accounts:user_reactivate", args=[caseworker.pk]))

    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.is_active


def test_an_admin_cannot_deactivate_herself(admin_client, org_admin):
    response = admin_client.post(
        reverse("accounts:user_deactivate", args=[org_admin.pk]), follow=True
    )

    org_admin.refresh_from_db()
    assert org_admin.is_active
    assert "You cannot deactivate your own account." in response.content.decode()


@pytest.mark.parametrize(
    "name",
    ["accounts:user_deactivate", "accounts:user_reactivate", "accounts:user_reset_two_factor"],
)
def test_state_changes_refuse_get(admin_client, caseworker, name):
    enrol_totp(caseworker)

    response = admin_client.get(reverse(name, args=[caseworker.pk]))

    assert response.status_code == 405
    caseworker.refresh_from_db()
    assert caseworker.is_active
    assert TOTPDevice.objects.filter(user=caseworker).exists()


def test_admin_resets_a_lost_authenticator(admin_client, client_for, caseworker, client):
    caseworker.email = "caseworker@example.org"  # where her new link goes
    caseworker.save(update_fields=["email"])
    victim_client = client_for(caseworker)  # enrols her and signs her in
    give_recovery_codes(caseworker)

    response = admin_client.post(reverse("accounts:user_reset_two_factor", args=[caseworker.pk]))

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert not StaticDevice.objects.filter(user=caseworker).exists()
    # Whoever holds the lost phone's session is out; her password alone (which the thief
    # may have too) cannot enrol a new phone: only the link mailed to her can.
    assert session_keys_of(caseworker) == set()
    assert victim_client.get(reverse("home")).status_code == 302
    response = password_step(client, "caseworker", TEST_PASSWORD)
    assert response.url.startswith(reverse("accounts:two_factor_enrol"))
    assert client.get(reverse("accounts:two_factor_enrol")).status_code == 403
    assert not TOTPDevice.objects.filter(user=caseworker).exists()


def test_the_edit_page_offers_a_reset_only_when_there_is_something_to_reset(
    admin_client, caseworker
):
    url = reverse("accounts:user_edit", args=[caseworker.pk])
    reset_url = reverse("accounts:user_reset_two_factor", args=[caseworker.pk])

    assert reset_url not in admin_client.get(url).content.decode()
    enrol_totp(caseworker)
    assert reset_url in admin_client.get(url).content.decode()


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_people_list_takes_the_same_queries_however_many_people(
    admin_client, organization, team
):
    url = reverse("accounts:user_list")
    few = _queries_for(admin_client, url)
    for _ in range(5):
        team.members.add(UserFactory(organization=organization))

    assert _queries_for(admin_client, url) == few


def test_the_people_list_shows_deactivated_people_last(admin_client, org_admin, caseworker):
    services.deactivate_user(actor=org_admin, user=caseworker)

    users = list(admin_client.get(reverse("accounts:user_list")).context["users"])

    assert users[-1] == caseworker
