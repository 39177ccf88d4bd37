"""Each role lands on a home page made for it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role, User
from audit.models import AccessEvent
from audit.services import record_event
from tests.accounts.helpers import password_only_client
from tests.conftest import signed_in_client
from tests.factories import UserFactory, enrol_totp


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_home_page(client_for, organization, role):
    person = UserFactory(organization=organization, role=role)

    response = client_for(person).get(reverse("home"))

    assert response.status_code == 200
    assert response.context["user"] == person


def test_home_needs_sign_in(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_org_admin_sees_her_counts(client_for, org_admin, caseworker, supervisor, team):
    response = client_for(org_admin).get(reverse("home"))

    assert response.context["active_users"] == 3
    assert response.context["team_count"] == 1


def test_org_admin_has_the_management_links_and_others_do_not(client_for, org_admin, caseworker):
    admin_nav = client_for(org_admin).get(reverse("home")).context["navigation"]
    worker_nav = client_for(caseworker).get(reverse("home")).context["navigation"]

    assert "accounts:user_list" in [url for url, _ in admin_nav]
    assert "accounts:user_list" not in [url for url, _ in worker_nav]


def test_auditor_sees_only_her_organisations_events(client_for, auditor, caseworker, partner):
    record_event(action="login.succeeded", actor=caseworker)
    record_event(action="login.succeeded", actor=partner)

    events = client_for(auditor).get(reverse("home")).context["recent_events"]

    assert [e.actor for e in events] == [caseworker]
    assert AccessEvent.objects.count() == 2


def test_supervisor_sees_the_teams_she_supervises(client_for, supervisor, team):
    teams = client_for(supervisor).get(reverse("home")).context["teams"]

    assert list(teams) == [team]


def test_a_superuser_is_sent_to_the_admin_site(db):
    root = User.objects.create_superuser("root", "root@example.org", "a-long-root-password")
    response = signed_in_client(root).get(reverse("home"))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_the_admin_site_sends_its_sign_in_to_amparos(db):
    root = User.objects.create_superuser("root", "root@example.org", "a-long-root-password")
    enrol_totp(root)

    response = password_only_client(root).get(reverse("admin:login"))

    assert response.status_code == 302


@pytest.mark.django_db(databases=["default", "keys"])
def test_org_admin_home_shows_the_shredding_requests_waiting_for_her(
    client_for, organization, org_admin, supervisor, make_case, caseworker
):
    from cases import vocabularies as cv
    from cases.services.management import request_shredding

    for _ in range(2):
        request_shredding(actor=supervisor, case=make_case(caseworker),
                          reason=cv.ShredReason.SURVIVOR_REQUEST)

    mine = client_for(org_admin).get(reverse("home"))

    assert mine.context["shred_waiting"] == 2
    assert reverse("cases:shred_requests").encode() in mine.content
    assert b"2 requests waiting for your confirmation" in mine.content


def test_org_admin_home_says_when_no_shredding_request_waits(client_for, org_admin):
    response = client_for(org_admin).get(reverse("home"))

    assert response.context["shred_waiting"] == 0
    assert b"No requests are waiting." in response.content
