"""Linked cases: a sealed group label; each person sees only the linked cases she may see."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action
from cases.models import CaseLink, LinkGroup
from cases.services import work
from tests.factories import UserFactory
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

LABEL = "Misma casa, Mollendo 2026"


def _content_events():
    return list(AccessEvent.objects.exclude(action=Action.VAULT_KEY_CREATED).order_by("pk"))


def _create(client, case, label=LABEL):
    return client.post(
        reverse("cases:create_link_group", kwargs={"case_id": case.pk}), {"new_group-label": label}
    )


def _join(client, case, group):
    return client.post(
        reverse("cases:join_link_group", kwargs={"case_id": case.pk}),
        {"join_group-group": group.pk},
    )


def test_the_owner_starts_a_group_with_a_sealed_label(client_for, caseworker, case):
    before = len(_content_events())
    response = _create(client_for(caseworker), case)
    assert response.status_code == 302
    assert response["Location"].endswith("#linked")
    group = LinkGroup.objects.get()
    assert LABEL.encode() not in bytes(group.label)
    assert vault.unseal(group, "label") == LABEL
    assert list(group.cases.all()) == [case]
    assert [e.action for e in _content_events()[before:]] == [Action.CASE_LINKED]


def test_an_empty_label_is_refused(client_for, caseworker, case):
    assert _create(client_for(caseworker), case, label="  ").status_code == 200
    assert not LinkGroup.objects.exists()


def test_a_case_joins_a_group_holding_a_case_she_can_see(client_for, caseworker, make_case, case):
    group = work.create_link_group(actor=caseworker, case=case, label=LABEL)
    second = make_case(caseworker, given_names="Daniela")
    assert _join(client_for(caseworker), second, group).status_code == 302
    assert set(group.cases.all()) == {case, second}


def test_a_case_cannot_join_a_group_of_cases_she_cannot_see(
    client_for, caseworker, organization, team, make_case, case
):
    colleague = UserFactory(organization=organization, role="caseworker", username="colega")
    team.members.add(colleague)
    hidden = make_case(colleague, given_names="Oculta")
    group = work.create_link_group(actor=colleague, case=hidden, label="Otra casa")
    response = _join(client_for(caseworker), case, group)
    assert response.status_code == 200
    assert not CaseLink.objects.filter(case=case).exists()


def test_the_read_only_colleague_cannot_link(client_for, viewer, case):
    assert _create(client_for(viewer), case).status_code == 403
    assert not LinkGroup.objects.exists()


def test_an_outsider_cannot_link(client_for, outsider, case):
    assert _create(client_for(outsider), case).status_code == 404
    assert not LinkGroup.objects.exists()


def test_the_case_page_lists_only_linked_cases_the_viewer_may_see(
    client_for, caseworker, supervisor, organization, team, make_case, case
):
    colleague = UserFactory(organization=organization, role="caseworker", username="colega")
    team.members.add(colleague)
    group = work.create_link_group(actor=caseworker, case=case, label=LABEL)
    mine = make_case(caseworker, given_names="Daniela")
    work.add_to_link_group(actor=caseworker, case=mine, group=group)
    theirs = make_case(colleague, given_names="Oculta")
    work.add_to_link_group(actor=supervisor, case=theirs, group=group)  # she sees both
    page = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    text = page.content.decode()
    assert LABEL in text
    assert mine.code in text
    assert theirs.code not in text
    assert "Oculta" not in text


def test_two_groups_of_the_same_name_are_told_apart_when_joining(
    client_for, caseworker, make_case, case
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    lima = ZoneInfo("America/Lima")
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=lima), tick=False):
        older = work.create_link_group(actor=caseworker, case=case, label=LABEL)
        work.add_to_link_group(actor=caseworker, case=make_case(caseworker), group=older)
    with time_machine.travel(datetime(2026, 5, 20, 10, tzinfo=lima), tick=False):
        newer = work.create_link_group(actor=caseworker, case=make_case(caseworker), label=LABEL)
    joining = make_case(caseworker)

    page = reverse("cases:case_detail", kwargs={"case_id": joining.pk})
    response = client_for(caseworker).get(page)
    field = response.context["join_group_form"].fields["group"]
    choices = [str(label) for value, label in field.choices if value]

    assert len(choices) == 2 and choices[0] != choices[1]
    assert choices[0].startswith(LABEL) and newer.reference in choices[0]
    assert "1 case" in choices[0] and "05/20/2026" in choices[0]
    assert older.reference in choices[1] and "2 cases" in choices[1] and "03/02/2026" in choices[1]
    assert older.reference != newer.reference
