"""Django's admin (/django-admin/) creates nobody, sets nobody's password, and every
add, change and delete a superuser makes there is an access event."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import sessions
from accounts.models import Role, Team, User
from audit.models import AccessEvent, Action
from tests.factories import TEST_PASSWORD, TeamFactory, enrol_totp


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.org", "a-long-root-password")


@pytest.fixture
def admin_client(root):
    device = enrol_totp(root)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(root)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    sessions.start(session, timezone.now())
    session.save()
    return client


def _events(action: str) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(action=action))


def test_the_admin_cannot_add_a_user(admin_client):
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"username": "sneaky", "password1": "a-long-password-1", "password2": "a-long-password-1"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_the_admin_cannot_add_an_organisation_without_its_administrator(admin_client):
    assert admin_client.get(reverse("admin:accounts_organization_add")).status_code == 403


def test_the_admin_cannot_set_anyones_password(admin_client, caseworker):
    url = reverse("admin:auth_user_password_change", args=[caseworker.pk])

    assert admin_client.get(url).status_code == 403
    admin_client.post(url, {"password1": "chosen-by-root-1", "password2": "chosen-by-root-1"})
    caseworker.refresh_from_db()
    assert caseworker.check_password(TEST_PASSWORD)


def test_the_user_page_points_to_the_invitation_instead(admin_client, caseworker):
    page = admin_client.get(reverse("admin:accounts_user_change", args=[caseworker.pk]))

    assert page.status_code == 200
    assert "manage.py send_invitation" in page.content.decode()


def _user_form(person: User, **changes) -> dict:
    data = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "is_active": "on",
        "organization": person.organization_id,
        "role": person.role,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_change_is_one_access_event_of_the_superuser(admin_client, root, auditor):
    before = AccessEvent.objects.count()

    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[auditor.pk]),
        _user_form(auditor, first_name="Renamed"),
    )

    assert response.status_code == 302, response.context and response.context["adminform"].errors
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.actor, event.target_type, event.target_id) == (
        Action.ADMIN_CHANGED, root, "user", str(auditor.pk)
    )
    assert event.organization_id == auditor.organization_id
    assert LogEntry.objects.count() == 1


def test_a_user_the_model_would_refuse_cannot_be_saved(admin_client, auditor):
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[auditor.pk]),
        _user_form(auditor, role="", organization=""),
    )

    assert response.status_code == 200
    auditor.refresh_from_db()
    assert auditor.role == Role.AUDITOR
    assert not _events(Action.ADMIN_CHANGED)


def test_granting_a_content_role_in_the_admin_is_mailed_to_the_auditors(
    admin_client, organization, auditor, django_capture_on_commit_callbacks
):
    auditor.email = "auditor@example.org"
    auditor.save(update_fields=["email"])
    other_auditor = User.objects.create(
        username="auditora2", organization=organization, role=Role.AUDITOR,
        email="a2@example.org",
    )

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:accounts_user_change", args=[other_auditor.pk]),
            _user_form(other_auditor, role=Role.CASEWORKER),
        )

    assert [e.purpose for e in _events(Action.ROLE_GRANTED)] == [Role.CASEWORKER]
    assert [m.to for m in mail.outbox] == [["auditor@example.org"]]


def test_changes_and_deletes_of_teams_are_access_events(admin_client, root, organization):
    team = TeamFactory(organization=organization, name="Norte")

    admin_client.post(
        reverse("admin:accounts_team_change", args=[team.pk]),
        {"organization": organization.pk, "name": "Norte 2"},
    )
    admin_client.post(reverse("admin:accounts_team_delete", args=[team.pk]), {"post": "yes"})

    assert not Team.objects.filter(pk=team.pk).exists()
    assert [e.target_id for e in _events(Action.ADMIN_CHANGED)] == [str(team.pk)]
    [deleted] = _events(Action.ADMIN_DELETED)
    assert (deleted.actor, deleted.target_type, deleted.organization_id) == (
        root, "team", organization.pk
    )


def test_a_bulk_delete_records_each_object(admin_client, organization):
    teams = [TeamFactory(organization=organization) for _ in range(3)]

    admin_client.post(
        reverse("admin:accounts_team_changelist"),
        {"action": "delete_selected", "_selected_action": [t.pk for t in teams], "post": "yes"},
    )

    assert not Team.objects.filter(pk__in=[t.pk for t in teams]).exists()
    assert sorted(e.target_id for e in _events(Action.ADMIN_DELETED)) == sorted(
        str(t.pk) for t in teams
    )


def test_an_organisation_change_is_an_access_event(admin_client, organization):
    admin_client.post(
        reverse("admin:accounts_organization_change", args=[organization.pk]),
        {"name": organization.name, "kind": organization.kind, "country": "Perú",
         "city": "Cusco", "retention_years": organization.retention_years},
    )

    organization.refresh_from_db()
    assert organization.city == "Cusco"
    [event] = _events(Action.ADMIN_CHANGED)
    assert (event.target_type, event.organization_id) == ("organization", organization.pk)


def test_an_org_admin_cannot_reach_the_django_admin(client_for, org_admin):
    response = client_for(org_admin).get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_every_page_of_the_admin_records_its_changes():
    from django.contrib import admin

    from accounts.admin import AuditedAdminMixin

    registered = admin.site._registry
    assert registered
    assert all(isinstance(page, AuditedAdminMixin) for page in registered.values()), [
        type(page).__name__ for page in registered.values()
    ]


def test_groups_have_no_admin_page(admin_client):
    from django.contrib import admin
    from django.contrib.auth.models import Group

    assert not admin.site.is_registered(Group)


def test_the_people_page_points_to_the_commands(admin_client):
    page = admin_client.get(reverse("admin:accounts_user_changelist"), follow=True)

    assert page.status_code == 200
    assert "manage.py create_organization" in page.content.decode()
    assert reverse("admin:accounts_user_add") not in page.content.decode()
