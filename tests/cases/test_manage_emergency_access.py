"""Emergency ("break the glass") access to a case outside one's teams."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases.models import EmergencyGrant
from cases.queries import Access, access_level, visible_cases
from cases.services.management import EMERGENCY_PASSWORD_ATTEMPTS
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def client_for(client_for):
    """Signed-in clients that read the pages in English (the messages asserted below)."""

    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


URL = reverse("cases:emergency_access")
REASON = "Llamó desde el hospital de Tacna; su caseworker no contesta."


@pytest.fixture
def night_worker(organization):
    """A caseworker of another team of the same organisation."""
    user = UserFactory(
        organization=organization,
        role=Role.CASEWORKER,
        username="nightshift",
        first_name="Lucía",
        last_name="Torres",
    )
    TeamFactory(organization=organization, name="Turno noche").members.add(user)
    return user


@pytest.fixture
def supervisor_with_mail(supervisor):
    supervisor.email = "supervisor@example.org"
    supervisor.save(update_fields=["email"])
    return supervisor


def ask(client, case_code, *, password=TEST_PASSWORD, reason=REASON):
    return client.post(URL, {"code": case_code, "reason": reason, "password": password})


def case_url(case):
    return reverse("cases:case_detail", kwargs={"case_id": case.pk})


def test_the_form_is_offered_to_caseworkers_and_supervisors(client_for, night_worker, supervisor):
    for person in (night_worker, supervisor):
        response = client_for(person).get(URL)
        assert response.status_code == 200
        assert 'name="password"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ORG_ADMIN, Role.PARTNER])
def test_other_roles_get_403(client_for, organization, role):
    person = UserFactory(organization=organization, role=role)
    assert client_for(person).get(URL).status_code == 403
    assert AccessEvent.objects.filter(actor=person, outcome=Outcome.DENIED).exists()


def test_anonymous_is_sent_to_sign_in():
    from django.test import Client

    response = Client().get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_it_opens_the_case_for_an_hour_and_tells_the_supervisors(
    client_for, night_worker, case, supervisor_with_mail, django_capture_on_commit_callbacks
):
    client = client_for(night_worker)
    assert client.get(case_url(case)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, case.code)
    assert response.status_code == 302
    assert response.url == case_url(case)
    assert client.get(case_url(case)).status_code == 200
    assert access_level(night_worker, case) == Access.VIEW

    grant = EmergencyGrant.objects.get(user=night_worker, case=case)
    assert grant.expires_at - grant.granted_at == timedelta(hours=1)
    assert REASON.encode() not in bytes(grant.reason)
    assert vault.unseal(grant, "reason") == REASON
    granted = AccessEvent.objects.get(
        action=Action.EMERGENCY_ACCESS_GRANTED, outcome=Outcome.ALLOWED
    )
    assert (granted.actor, granted.case_code, granted.purpose) == (night_worker, case.code, "")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["supervisor@example.org"]
    text = message.subject + message.body
    assert case.code in text and night_worker.display_name in text
    assert "Tacna" not in text and "hospital" not in text  # never the reason
    assert "María" not in text


def test_the_grant_expires_after_an_hour(client_for, night_worker, case):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert ask(client_for(night_worker), case.code).status_code == 302
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert visible_cases(night_worker).filter(pk=case.pk).exists()
        assert client_for(night_worker).get(case_url(case)).status_code == 200
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert not visible_cases(night_worker).filter(pk=case.pk).exists()
        assert access_level(night_worker, case) == Access.NONE
        assert client_for(night_worker).get(case_url(case)).status_code == 404


def test_the_grant_length_is_a_setting(client_for, night_worker, case, settings):
    settings.AMPARO_EMERGENCY_GRANT_MINUTES = 15
    ask(client_for(night_worker), case.code)
    grant = EmergencyGrant.objects.get()
    assert grant.expires_at - grant.granted_at == timedelta(minutes=15)


def test_a_wrong_password_grants_nothing_and_is_recorded(client_for, night_worker, case):
    response = ask(client_for(night_worker), case.code, password="not-my-password")
    assert response.status_code == 200
    assert "not your password" in response.content.decode()
    assert not EmergencyGrant.objects.exists()
    denied = AccessEvent.objects.get(action=Action.EMERGENCY_ACCESS_GRANTED)
    assert (denied.outcome, denied.purpose) == (Outcome.DENIED, "wrong_password")
    assert "not-my-password" not in response.content.decode()


def test_repeated_wrong_passwords_lock_the_form_for_an_hour(client_for, night_worker, case):
    client = client_for(night_worker)
    for _attempt in range(EMERGENCY_PASSWORD_ATTEMPTS):
        ask(client, case.code, password="guess")
    response = ask(client, case.code)  # now even the right one is refused
    assert "Too many wrong passwords" in response.content.decode()
    assert not EmergencyGrant.objects.exists()


def test_another_organisations_case_gets_the_same_answer_as_no_case(
    client_for, case, other_organization
):
    stranger = UserFactory(organization=other_organization, role=Role.CASEWORKER)
    client = client_for(stranger)
    other_org = ask(client, case.code).content.decode()
    unknown = ask(client, "PE-1999-9999").content.decode()
    message = "There is no case with that code in your organisation."
    assert message in other_org and message in unknown
    assert not EmergencyGrant.objects.exists()
    denied = AccessEvent.objects.filter(actor=stranger, action=Action.EMERGENCY_ACCESS_GRANTED)
    assert [event.outcome for event in denied] == [Outcome.DENIED, Outcome.DENIED]
    assert {event.purpose for event in denied} == {"no_such_case"}
    assert {event.target_id for event in denied} == {""}  # nothing about the other case


def test_a_case_she_can_already_see_just_opens(client_for, caseworker, case):
    response = ask(client_for(caseworker), case.code.lower())
    assert response.status_code == 302
    assert response.url == case_url(case)
    assert not EmergencyGrant.objects.exists()


def test_something_that_is_not_a_case_code_never_reaches_the_log(client_for, night_worker):
    response = ask(client_for(night_worker), "María José Pérez")
    assert response.status_code == 200
    assert "looks like PE-2026-0042" in response.content.decode()
    assert not AccessEvent.objects.filter(case_code__icontains="Mar").exists()
    assert not AccessEvent.objects.filter(action=Action.EMERGENCY_ACCESS_GRANTED).exists()


def test_a_reason_is_required(client_for, night_worker, case):
    response = ask(client_for(night_worker), case.code, reason="")
    assert response.status_code == 200
    assert not EmergencyGrant.objects.exists()
