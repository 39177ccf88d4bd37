import re
from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from audit.models import AccessEvent, Action
from cases.models import Case, Survivor
from cases.services.intake import Guardian, Identity, register_intake
from tests.factories import TeamFactory
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _events():
    """Access events of the request (a new survivor's data key is the vault's own event)."""
    return list(AccessEvent.objects.exclude(action=Action.VAULT_KEY_CREATED))


def _actions():
    return [event.action for event in _events()]


def test_registering_an_intake_seals_her_identity_and_gives_a_case_code(make_case, caseworker):
    case = make_case(caseworker)
    assert case.code.startswith(f"PE-{date.today().year}-")
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert b"Mar" not in survivor.given_names
    assert vault.unseal(survivor, "given_names") == "María José"
    assert survivor.age_band == "25-34"
    registered = AccessEvent.objects.filter(action=Action.CASE_REGISTERED, case_code=case.code)
    assert registered.count() == 1


def test_case_codes_count_up_within_the_organisation(make_case, caseworker):
    first = make_case(caseworker)
    second = make_case(caseworker)
    assert int(second.code[-4:]) == int(first.code[-4:]) + 1


def test_a_child_without_guardian_is_refused_and_nothing_is_saved(caseworker, team):
    identity = Identity(given_names="Ana", estimated_age=15)
    with pytest.raises(ValidationError):
        register_intake(actor=caseworker, team=team, identity=identity)
    assert not Case.objects.exists()
    assert not Survivor.objects.exists()


def test_uncertain_age_near_eighteen_is_treated_as_a_child(caseworker, team):
    identity = Identity(given_names="Ana", estimated_age=19, age_uncertain=True)
    guardian = Guardian(name="Tía Rosa", relationship="aunt")
    case = register_intake(actor=caseworker, team=team, identity=identity, guardian=guardian)
    assert case.is_child


def test_someone_outside_the_team_cannot_register_into_it(outsider, team):
    with pytest.raises(PermissionDenied):
        register_intake(actor=outsider, team=team, identity=Identity(given_names="Ana"))


# --- through the intake page -----------------------------------------------------------


INTAKE_URL = "/cases/new/"


def _post(client, team, language="en", **fields):
    # "confirm": the second step, after the duplicate check answered (issue 18).
    data = {
        "team": team.pk,
        "given_names": "Lucía",
        "family_names": "Quispe Mamani",
        "confirm": "on",
    }
    data.update(fields)
    return client.post(
        INTAKE_URL, {k: v for k, v in data.items() if v is not None}, HTTP_ACCEPT_LANGUAGE=language
    )


def _translated(message: str, language: str) -> str:
    with translation.override(language):
        return escape(gettext(message))


def test_the_intake_route_is_the_one_the_navigation_links_to():
    assert reverse("cases:intake_start") == INTAKE_URL


def test_the_intake_form_offers_her_own_team_preselected(client_for, caseworker, team):
    response = client_for(caseworker).get(INTAKE_URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["team"].value() == team.pk
    assert _actions() == []  # an empty form touches no survivor


def test_people_without_a_case_role_cannot_register(client_for, auditor, org_admin):
    for person in (auditor, org_admin):
        assert client_for(person).get(INTAKE_URL).status_code == 403


def test_registering_through_the_page_opens_the_case_and_records_one_event(
    client_for, caseworker, team
):
    response = _post(
        client_for(caseworker),
        team,
        birth_date="1999-02-01",
        languages=["es", "qu"],
        gender="female",
        nationality="PE",
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert vault.unseal(case.survivor, "family_names") == "Quispe Mamani"
    assert case.survivor.languages == ["es", "qu"]
    assert case.owner == caseworker and case.team == team
    events = _actions()
    assert events == [Action.CASE_REGISTERED]


def test_neither_birth_date_nor_age_is_fine(client_for, caseworker, team):
    response = _post(client_for(caseworker), team)
    assert response.status_code == 302
    assert Case.objects.get().survivor.age_band == "unknown"


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_birth_date_in_the_future_is_refused_in_her_language(
    client_for, caseworker, team, language
):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = _post(client_for(caseworker), team, language, birth_date=tomorrow)
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
    expected = _translated("The date of birth cannot be in the future.", language)
    assert expected in response.content.decode()
    assert not Case.objects.exists() and not Survivor.objects.exists()
    assert _actions() == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "less than or equal to 110"), ("es", "menor o igual a 110")],
)
def test_an_estimated_age_of_200_is_refused(client_for, caseworker, team, language, expected):
    response = _post(client_for(caseworker), team, language, estimated_age="200")
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not Case.objects.exists() and not Survivor.objects.exists()


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_possible_child_needs_a_guardian_and_nothing_is_saved(
    client_for, caseworker, team, language
):
    response = _post(client_for(caseworker), team, language, estimated_age="19", age_uncertain="on")
    assert response.status_code == 200
    body = response.content.decode()
    assert _translated("She may be under 18: write her guardian's name.", language) in body
    relationship = "She may be under 18: write how her guardian is related to her."
    assert _translated(relationship, language) in body
    assert not Case.objects.exists() and not Survivor.objects.exists()


def test_with_a_guardian_a_possible_child_is_registered_and_flagged(client_for, caseworker, team):
    response = _post(
        client_for(caseworker),
        team,
        estimated_age="15",
        guardian_name="Rosa Mamani",
        guardian_relationship="aunt",
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.is_child
    assert "Rosa Mamani" in vault.unseal(case.survivor, "guardian")


def test_a_team_she_is_not_in_cannot_be_chosen(client_for, caseworker, organization):
    other = TeamFactory(organization=organization, name="Equipo norte")
    response = _post(client_for(caseworker), other)
    assert response.status_code == 200
    assert response.context["form"].errors["team"]
    assert not Case.objects.exists()


def test_a_document_shown_at_the_first_meeting_is_sealed(client_for, caseworker, team):
    _post(client_for(caseworker), team, document_kind="passport", document_number="AB123456")
    document = Case.objects.get().survivor.documents.get()
    assert b"AB123456" not in bytes(document.number)
    assert vault.unseal(document, "number") == "AB123456"


def test_nothing_she_said_is_in_the_flash_message_or_the_event(client_for, caseworker, team):
    client = client_for(caseworker)
    response = _post(client, team, aliases="La Flaca")
    case = Case.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown and all(case.code in message for message in shown)
    for message in shown:
        assert "Lucía" not in message and "Quispe" not in message and "Flaca" not in message
    (event,) = _events()
    assert event.case_code == case.code
    for value in event.__dict__.values():
        assert "Lucía" not in str(value) and "Quispe" not in str(value)


def test_one_submission_only_checks_and_asks_for_confirmation(client_for, caseworker, team):
    """An Enter in the first name field sends the form once: no case may exist after it."""
    response = _post(client_for(caseworker), team, confirm=None)
    assert response.status_code == 200
    body = response.content.decode()
    assert "No existing record found" in body
    assert 'name="confirm" value="on"' in body
    assert Case.objects.count() == 0
    assert not AccessEvent.objects.filter(action=Action.CASE_REGISTERED).exists()


def test_the_first_button_of_the_answer_checks_again_and_never_registers(
    client_for, caseworker, team
):
    body = _post(client_for(caseworker), team, confirm=None).content.decode()
    form = body.split('class="intake-form"', 1)[1]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    # The browser's implicit submission (Enter) presses the first submit button.
    assert 'name="confirm"' not in first_button
    assert 'name="register_anyway"' not in first_button


def test_the_confirmation_registers_the_case(client_for, caseworker, team):
    response = _post(client_for(caseworker), team)
    assert response.status_code == 302
    assert Case.objects.count() == 1
