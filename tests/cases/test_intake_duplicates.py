"""Before registering, the intake looks for the same person among her organisation's
survivors, and tells the caseworker only what she may know."""

from datetime import date

import pytest

from accounts.models import Role
from audit.models import AccessEvent, Action
from cases.models import Case
from tests.audit.chain_helpers import forget_access_events
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _events():
    """Access events of the request (a new survivor's data key is the vault's own event)."""
    return list(AccessEvent.objects.exclude(action=Action.VAULT_KEY_CREATED))


def _actions():
    return [event.action for event in _events()]


INTAKE_URL = "/cases/new/"


@pytest.fixture
def jose(make_case, caseworker):
    """José Pérez, registered earlier by ``caseworker``."""
    return make_case(
        caseworker, given_names="José", family_names="Pérez", birth_date=date(1990, 7, 3)
    )


@pytest.fixture
def other_team_caseworker(organization):
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="norte")
    TeamFactory(organization=organization, name="Equipo norte").members.add(user)
    return user


def _intake(client, user, **fields):
    data = {
        "team": (user.teams.first() or user.supervised_teams.first()).pk,
        "given_names": "JOSE",
        "family_names": "PEREZ",
        "birth_date": "1990-01-15",
        # The confirmation of issue 18's second step: it never bypasses a possible
        # duplicate, only "register anyway" does.
        "confirm": "on",
    }
    data.update(fields)
    return client.post(INTAKE_URL, data, HTTP_ACCEPT_LANGUAGE="en")


def test_the_same_name_written_differently_with_the_same_birth_year_is_found(
    client_for, caseworker, jose
):
    forget_access_events()
    response = _intake(client_for(caseworker), caseworker)
    assert response.status_code == 200
    body = response.content.decode()
    assert "possible existing record" in body
    assert f'href="/cases/{jose.pk}/"' in body and jose.code in body
    assert Case.objects.count() == 1  # nothing registered
    # The check, and the match in the matched case's own trail (issue 12, opening 3).
    assert sorted((e.action, e.case_code, e.purpose) for e in _events()) == [
        (Action.DUPLICATE_CHECKED, "", "intake"),
        (Action.DUPLICATE_CHECKED, jose.code, "intake_match"),
    ]


def test_register_anyway_registers_her_with_one_event(client_for, caseworker, jose):
    forget_access_events()
    response = _intake(client_for(caseworker), caseworker, register_anyway="on")
    assert response.status_code == 302
    assert Case.objects.count() == 2
    assert sorted(_actions()) == sorted([Action.CASE_REGISTERED, Action.DUPLICATE_CHECKED])
    assert AccessEvent.objects.get(action=Action.DUPLICATE_CHECKED).case_code == jose.code


def test_a_different_birth_year_is_not_a_match(client_for, caseworker, jose):
    response = _intake(client_for(caseworker), caseworker, birth_date="1991-07-03")
    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_another_team_only_learns_that_a_possible_match_exists(
    client_for, other_team_caseworker, jose
):
    forget_access_events()
    response = _intake(client_for(other_team_caseworker), other_team_caseworker)
    assert response.status_code == 200
    body = response.content.decode()
    assert "A possible match exists in a case you cannot see. Your supervisor can check." in body
    assert jose.code not in body
    assert str(jose.pk) not in body
    for secret in ("José", "Pérez", "Jos&#x27;", "1990-07-03", "María"):
        assert secret not in body
    assert Case.objects.count() == 1
    # Her check names the hidden case in the log (never on her page).
    assert sorted((e.action, e.case_code, e.purpose) for e in _events()) == [
        (Action.DUPLICATE_CHECKED, "", "intake"),
        (Action.DUPLICATE_CHECKED, jose.code, "intake_hidden_match"),
    ]


def test_another_organisation_is_never_searched(client_for, outsider, jose):
    from tests.factories import TeamFactory as Teams

    Teams(organization=outsider.organization, name="Fuera").members.add(outsider)
    response = _intake(client_for(outsider), outsider)
    assert response.status_code == 302  # no warning at all: a different organisation


def test_the_same_document_number_is_found(client_for, caseworker, make_case):
    from cases.services.intake import set_documents

    earlier = make_case(caseworker, given_names="Ana", family_names="Ríos")
    set_documents(
        actor=caseworker,
        case=earlier,
        documents=[{"kind": "passport", "number": "VE-778899", "issuing_country": "VE"}],
    )
    response = _intake(
        client_for(caseworker),
        caseworker,
        given_names="Anita",
        family_names="",
        birth_date="",
        document_kind="passport",
        document_number="ve-778899",
    )
    assert response.status_code == 200
    assert earlier.code in response.content.decode()


def test_the_warning_keeps_what_she_typed(client_for, caseworker, jose):
    response = _intake(client_for(caseworker), caseworker, aliases="Pepe")
    form = response.context["form"]
    assert form["aliases"].value() == "Pepe"
    assert form["given_names"].value() == "JOSE"
