"""Probes are seen (issue 12, opening 3): the duplicate check at intake names the cases it
matched in their own trail, is limited per person, is an anomaly when it matches a case the
person cannot see, and tells that case's supervisors (code and link only)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases.models import Case
from oversight.anomalies import Rule, find_anomalies
from oversight.queries import case_trail
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

INTAKE_URL = reverse("cases:intake_start")


@pytest.fixture
def hidden(make_case, caseworker, supervisor):
    """José Pérez, a client of ``caseworker``'s team; its supervisor has an address."""
    supervisor.email = "supervisor@ngo.invalid"
    supervisor.save(update_fields=["email"])
    return make_case(
        caseworker, given_names="José", family_names="Pérez", birth_date=date(1990, 7, 3)
    )


@pytest.fixture
def prober(organization):
    """A caseworker of another team, who cannot see ``hidden``."""
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="norte")
    TeamFactory(organization=organization, name="Equipo norte").members.add(user)
    return user


def probe(client, user, *, language="en", **fields):
    data = {
        "team": user.teams.first().pk,
        "given_names": "JOSE",
        "family_names": "PEREZ",
        "birth_date": "1990-01-15",
        # The intake's confirming step (issue 18): it never bypasses a possible duplicate.
        "confirm": "on",
        **fields,
    }
    return client.post(INTAKE_URL, data, HTTP_ACCEPT_LANGUAGE=language)


def test_a_probe_shows_in_the_hidden_case_trail_and_the_anomaly_list(
    client_for, prober, hidden, auditor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = probe(client_for(prober), prober)
    assert response.status_code == 200
    assert hidden.code not in response.content.decode()  # she learns nothing more

    trail = case_trail(auditor, hidden.code).filter(action=Action.DUPLICATE_CHECKED)
    assert [(event.actor, event.purpose) for event in trail] == [
        (prober, "intake_hidden_match")
    ]
    page = client_for(auditor).get(
        reverse("oversight:case_access"), {"code": hidden.code}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Duplicate check at intake" in page.content.decode()

    found = find_anomalies(AccessEvent.objects.all())[Rule.DUPLICATE_PROBE]
    assert [(a.username, a.case_code) for a in found] == [("norte", hidden.code)]


def test_the_hidden_case_supervisor_is_told_the_code_and_a_link_only(
    client_for, prober, hidden, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        probe(client_for(prober), prober)
    (message,) = mail.outbox
    assert message.to == ["supervisor@ngo.invalid"]
    text = message.subject + message.body
    assert hidden.code in text
    assert reverse("cases:case_detail", kwargs={"case_id": hidden.pk}) in message.body
    for secret in ("José", "Jose", "JOSE", "Pérez", "PEREZ", "1990", "norte"):
        assert secret not in text


def test_a_match_she_can_see_tells_nobody_and_is_no_anomaly(
    client_for, caseworker, hidden, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        probe(client_for(caseworker), caseworker)
    assert mail.outbox == []
    assert find_anomalies(AccessEvent.objects.all())[Rule.DUPLICATE_PROBE] == []
    assert AccessEvent.objects.filter(
        action=Action.DUPLICATE_CHECKED, case_code=hidden.code, purpose="intake_match"
    ).exists()


def test_checks_beyond_the_hourly_limit_are_refused_in_her_language(
    client_for, prober, hidden, settings
):
    settings.AMPARO_DUPLICATE_CHECKS_PER_HOUR = 2
    client = client_for(prober)
    for _attempt in range(2):
        assert probe(client, prober).status_code == 200  # a warning each time
    before = AccessEvent.objects.filter(case_code=hidden.code).count()

    refused = probe(client, prober, language="es", register_anyway="on")

    assert refused.status_code == 200
    assert "Ha buscado casos existentes muchas veces" in refused.content.decode()
    assert Case.objects.count() == 1  # nothing registered
    assert AccessEvent.objects.filter(case_code=hidden.code).count() == before  # nothing opened
    denied = AccessEvent.objects.get(action=Action.DUPLICATE_CHECKED, outcome=Outcome.DENIED)
    assert (denied.actor, denied.purpose) == (prober, "rate_limited")


def test_registrations_count_towards_the_limit(client_for, caseworker, settings):
    settings.AMPARO_DUPLICATE_CHECKS_PER_HOUR = 1
    client = client_for(caseworker)
    assert probe(client, caseworker, given_names="Ana", family_names="Ríos").status_code == 302
    refused = probe(client, caseworker, given_names="Eva", family_names="Soto")
    assert refused.status_code == 200
    assert Case.objects.count() == 1
