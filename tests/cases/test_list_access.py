"""Who sees which cases in the list (DESIGN §5), and who may not open the list at all.

Auditors, partners and org admins have no case role: the list answers 403 and records
the denied attempt. Everyone with a case role sees exactly ``visible_cases``.
"""

import pytest

from audit.models import AccessEvent, Action, Outcome

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def listed(client) -> set[str]:
    response = client.get("/cases/")
    assert response.status_code == 200
    return {case.code for case in response.context["rows"]}


def test_the_owner_the_supervisor_and_colleagues_it_is_shared_with_see_it(
    case, caseworker, supervisor, viewer, collaborator, client_for
):
    for person in (caseworker, supervisor, viewer, collaborator):
        assert listed(client_for(person)) == {case.code}


def test_teammates_other_supervisors_and_outsiders_see_none_of_it(
    case, teammate, other_supervisor, outsider, client_for
):
    for person in (teammate, other_supervisor, outsider):
        client = client_for(person)
        assert listed(client) == set()
        assert client.get(f"/cases/?code={case.code}").context["rows"] == []


@pytest.mark.parametrize("role", ["auditor", "partner", "org_admin"])
def test_people_without_a_case_role_are_refused_and_it_is_recorded(case, role, request, client_for):
    person = request.getfixturevalue(role)
    response = client_for(person).get("/cases/")
    assert response.status_code == 403
    assert case.code not in response.content.decode()
    event = AccessEvent.objects.get(action=Action.CASE_LIST_VIEWED, actor=person)
    assert event.outcome == Outcome.DENIED


def test_anonymous_visitors_are_sent_to_sign_in(case, client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]
