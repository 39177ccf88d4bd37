"""Where her organisation labels cases by their code alone (Organization.show_case_code_only,
cases.labels), lists, homes and the case header show the code without the survivor's name
and do not even open it; the name is one recorded POST away on the case header."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases.services import work
from tests.factories import UserFactory
from vault import services as vault_services

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

GIVEN, FAMILY = "Canarina", "Zzyzxowska"
NAME = f"{GIVEN} {FAMILY}"
NAME_FIELDS = {"given_names", "family_names"}


@pytest.fixture
def code_only(organization):
    organization.show_case_code_only = True
    organization.save(update_fields=["show_case_code_only"])
    return organization


@pytest.fixture
def named_case(make_case, caseworker):
    """A case with a name no page could show by chance, high risk and a follow-up overdue,
    so that it appears on the list, both homes and her follow-ups."""
    case = make_case(caseworker, given_names=GIVEN, family_names=FAMILY)
    today = timezone.localdate()
    work.record_risk_assessment(
        actor=caseworker,
        case=case,
        assessed_on=today,
        level="high",
        factors=[],
        next_review_on=today + timedelta(days=30),
    )
    work.add_follow_up(
        actor=caseworker,
        case=case,
        kind="medical",
        due_on=today - timedelta(days=2),
        assignee=caseworker,
    )
    return case


@pytest.fixture
def opened_fields(monkeypatch):
    """Every sealed field the vault is asked to open, by name."""
    opened: list[str] = []
    real = vault_services.unseal

    def spy(instance, field_name, *args, **kwargs):
        opened.append(field_name)
        return real(instance, field_name, *args, **kwargs)

    monkeypatch.setattr(vault_services, "unseal", spy)
    return opened


def _header(html: str) -> str:
    match = re.search(r'<header class="case-header">.*?</header>', html, flags=re.S)
    assert match, "no case header"
    return match[0]


LIST_PAGES = [
    ("caseworker", "cases:case_list"),
    ("caseworker", "home"),
    ("caseworker", "my_follow_ups"),
    ("supervisor", "home"),
    ("supervisor", "cases:case_list"),
]


@pytest.mark.parametrize(("who", "url_name"), LIST_PAGES)
def test_lists_and_homes_show_the_name_unless_the_code_alone_is_chosen(
    request, client_for, named_case, who, url_name
):
    client = client_for(request.getfixturevalue(who))
    html = client.get(reverse(url_name)).content.decode()
    assert named_case.code in html
    assert NAME in html


@pytest.mark.parametrize(("who", "url_name"), LIST_PAGES)
def test_with_the_code_alone_lists_and_homes_show_the_code_and_open_no_name(
    request, client_for, code_only, named_case, opened_fields, who, url_name
):
    client = client_for(request.getfixturevalue(who))
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    html = response.content.decode()
    assert named_case.code in html
    assert GIVEN not in html and FAMILY not in html
    assert not NAME_FIELDS & set(opened_fields)


def test_a_name_search_with_the_code_alone_shows_the_code_not_the_name(
    client_for, caseworker, code_only, named_case, opened_fields
):
    response = client_for(caseworker).post(reverse("cases:case_list"), {"full_name": NAME})

    table = re.search(
        r'<table class="case-table">.*?</table>', response.content.decode(), flags=re.S
    )[0]
    assert named_case.code in table
    # The search box still holds what she typed; the results name no one.
    assert GIVEN not in table
    # The search itself compares the name she typed with the candidates' names (that is
    # how a search works); the rows it shows open nothing more.
    assert response.context["rows"][0].name_state == "hidden"


def test_the_case_header_shows_the_code_and_a_show_name_button_instead_of_the_name(
    client_for, caseworker, code_only, named_case
):
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(reverse("cases:case_detail", kwargs={"case_id": named_case.pk}))
    header = _header(html.content.decode())

    assert named_case.code in header
    assert GIVEN not in header and FAMILY not in header
    assert reverse("cases:reveal_name", kwargs={"case_id": named_case.pk}) in header
    assert "Show name" in header


def test_the_show_name_button_is_spanish_in_spanish(client_for, caseworker, code_only, named_case):
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    html = client.get(reverse("cases:case_detail", kwargs={"case_id": named_case.pk}))
    assert "Mostrar el nombre" in _header(html.content.decode())


def test_every_case_page_header_hides_the_name(client_for, caseworker, code_only, named_case):
    url = reverse("cases:case_history", kwargs={"case_id": named_case.pk})
    header = _header(client_for(caseworker).get(url).content.decode())
    assert named_case.code in header and GIVEN not in header


def test_without_the_setting_the_header_shows_her_name_and_no_button(
    client_for, caseworker, named_case
):
    html = (
        client_for(caseworker)
        .get(reverse("cases:case_detail", kwargs={"case_id": named_case.pk}))
        .content.decode()
    )
    header = _header(html)
    assert NAME in header
    assert reverse("cases:reveal_name", kwargs={"case_id": named_case.pk}) not in header


def test_show_name_shows_it_on_the_header_and_is_recorded(
    client_for, caseworker, code_only, named_case
):
    url = reverse("cases:reveal_name", kwargs={"case_id": named_case.pk})
    response = client_for(caseworker).post(url)

    assert response.status_code == 200
    header = _header(response.content.decode())
    assert NAME in header
    assert "Show name" not in header
    event = AccessEvent.objects.get(action=Action.CASE_NAME_REVEALED)
    assert (event.actor_id, event.case_code, event.outcome) == (
        caseworker.pk,
        named_case.code,
        Outcome.ALLOWED,
    )
    # The event names the case by its code, never by her name.
    assert GIVEN not in str(event.__dict__)


def test_the_next_look_hides_the_name_again(client_for, caseworker, code_only, named_case):
    client = client_for(caseworker)
    client.post(reverse("cases:reveal_name", kwargs={"case_id": named_case.pk}))
    html = client.get(reverse("cases:case_detail", kwargs={"case_id": named_case.pk}))
    assert GIVEN not in _header(html.content.decode())


def test_the_read_only_colleague_may_show_the_name_as_she_may_view_the_case(
    client_for, organization, code_only, named_case
):
    viewer = UserFactory(organization=organization, role=Role.CASEWORKER, username="reader")
    assign_perm("cases.view_case", viewer, named_case)
    response = client_for(viewer).post(
        reverse("cases:reveal_name", kwargs={"case_id": named_case.pk})
    )
    assert response.status_code == 200
    assert NAME in _header(response.content.decode())
    assert (
        AccessEvent.objects.filter(
            action=Action.CASE_NAME_REVEALED, actor_id=viewer.pk, outcome=Outcome.ALLOWED
        ).count()
        == 1
    )


@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_someone_who_may_not_see_the_case_gets_404_and_a_recorded_denial(
    request, client_for, code_only, named_case, who
):
    person = request.getfixturevalue(who)
    response = client_for(person).post(
        reverse("cases:reveal_name", kwargs={"case_id": named_case.pk})
    )
    assert response.status_code == 404
    assert GIVEN not in response.content.decode()
    assert not AccessEvent.objects.filter(
        action=Action.CASE_NAME_REVEALED, outcome=Outcome.ALLOWED
    ).exists()
    assert AccessEvent.objects.filter(
        action=Action.CASE_NAME_REVEALED, actor_id=person.pk, outcome=Outcome.DENIED
    ).exists()


def test_a_get_of_show_name_is_not_allowed_and_records_nothing(
    client_for, caseworker, code_only, named_case
):
    url = reverse("cases:reveal_name", kwargs={"case_id": named_case.pk})
    response = client_for(caseworker).get(url)
    assert response.status_code == 405
    assert not AccessEvent.objects.filter(action=Action.CASE_NAME_REVEALED).exists()


def test_the_service_refuses_a_person_who_may_not_see_the_case(teammate, named_case):
    from django.core.exceptions import PermissionDenied

    from cases.services.labels import record_name_revealed

    with pytest.raises(PermissionDenied):
        record_name_revealed(actor=teammate, case=named_case)
    assert not AccessEvent.objects.filter(action=Action.CASE_NAME_REVEALED).exists()


def test_a_shredded_case_offers_no_show_name(client_for, caseworker, code_only, named_case):
    from cases.models import Survivor

    vault_services.shred_owner(named_case.survivor_id)
    Survivor.objects.filter(pk=named_case.survivor_id).update(shredded_at=timezone.now())
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    header = _header(
        client.get(reverse("cases:case_detail", kwargs={"case_id": named_case.pk})).content.decode()
    )
    assert "This survivor's data was shredded" in header
    assert reverse("cases:reveal_name", kwargs={"case_id": named_case.pk}) not in header
