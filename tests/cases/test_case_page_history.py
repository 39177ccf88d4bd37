"""The change history of a case: who changed what, opened only for those who may see it."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from cases.services import intake, work

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _url(case):
    return reverse("cases:case_history", kwargs={"case_id": case.pk})


def test_it_shows_a_change_with_who_and_old_and_new_values(client_for, caseworker, case):
    client = client_for(caseworker)
    client.post(
        reverse("cases:update_safety_plan", kwargs={"case_id": case.pk}),
        {"safety-plan": "Plan uno"},
    )
    client.post(
        reverse("cases:update_safety_plan", kwargs={"case_id": case.pk}),
        {"safety-plan": "Plan dos"},
    )
    intake.update_profile(actor=caseworker, case=case, trafficking_status="confirmed")
    response = client.get(_url(case))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Plan uno" in text and "Plan dos" in text
    assert "Confirmed victim" in text and "Possible victim" in text
    assert caseworker.display_name in text
    assert text.index("Confirmed victim") < text.index("Plan dos")  # newest first


def test_a_sealed_field_saved_unchanged_is_not_shown_as_changed(client_for, caseworker, case):
    work.update_safety_plan(actor=caseworker, case=case, plan="El mismo plan")
    work.update_safety_plan(actor=caseworker, case=case, plan="El mismo plan")
    text = client_for(caseworker).get(_url(case)).content.decode()
    assert text.count("El mismo plan") == 1  # set once; the second save changed nothing


def test_it_records_one_history_event(client_for, caseworker, case):
    before = AccessEvent.objects.count()
    client_for(caseworker).get(_url(case))
    events = list(AccessEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == [Action.CASE_HISTORY_VIEWED]


def test_the_read_only_colleague_may_read_it(client_for, viewer, case):
    response = client_for(viewer).get(_url(case))
    assert response.status_code == 200
    assert "María José" in response.content.decode()


@pytest.mark.parametrize("person", ["outsider", "teammate"])
def test_people_who_cannot_see_the_case_get_404(request, client_for, case, person):
    user = request.getfixturevalue(person)
    response = client_for(user).get(_url(case))
    assert response.status_code == 404
    assert AccessEvent.objects.filter(
        action=Action.CASE_HISTORY_VIEWED, outcome=Outcome.DENIED, actor=user
    ).exists()


def test_notes_and_consent_changes_appear(client_for, caseworker, case):
    work.add_note(actor=caseworker, case=case, body="Una nota")
    consent = work.record_consent(
        actor=caseworker,
        case=case,
        purpose="data_processing",
        given=True,
        method="verbal",
        given_by="survivor",
    )
    work.withdraw_consent(actor=caseworker, case=case, consent=consent, reason="survivor_request")
    text = client_for(caseworker).get(_url(case)).content.decode()
    assert "Una nota" in text
    assert "The survivor asked" in text


def _add_notes(caseworker, case, count):
    for number in range(count):
        work.add_note(actor=caseworker, case=case, body=f"Nota número {number}")


def test_it_shows_fifteen_changes_a_page_newest_first(client_for, caseworker, case):
    _add_notes(caseworker, case, 20)
    client = client_for(caseworker)
    first = client.get(_url(case)).content.decode()
    assert first.count("<li>\n      <p class=\"entry-head\">") == 15
    assert "Nota número 19" in first and "Nota número 4" not in first
    second = client.get(_url(case), {"page": 2}).content.decode()
    assert "Nota número 4" in second and "Nota número 19" not in second


def test_it_filters_by_kind_of_change_and_keeps_the_filter_on_the_next_page(
    client_for, caseworker, case
):
    _add_notes(caseworker, case, 16)
    work.update_safety_plan(actor=caseworker, case=case, plan="Plan de hoy")
    client = client_for(caseworker)

    notes = client.get(_url(case), {"kind": "notes"}).content.decode()
    assert "Plan de hoy" not in notes and "Nota número 15" in notes
    assert '<option value="notes" selected>' in notes
    assert "?kind=notes&amp;page=2" in notes  # the pager keeps the filter
    record = client.get(_url(case), {"kind": "record"}).content.decode()
    assert "Plan de hoy" in record and "Nota número" not in record


def test_an_unknown_kind_shows_every_change_and_says_why(client_for, caseworker, case):
    work.update_safety_plan(actor=caseworker, case=case, plan="Plan de hoy")
    response = client_for(caseworker).get(_url(case), {"kind": "nada"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is no such kind of change. All changes are shown." in text
    assert "Plan de hoy" in text
