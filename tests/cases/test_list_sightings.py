"""Names seen in lists leave a trace on the case (issue 12, opening 4), seen from the side
of a curious colleague: a supervisor of a busy team pages through the case list without
opening a single case. Every case a list, a search or a home page showed names her in its
trail, and more than ``AMPARO_ANOMALY_LISTED_CASES_PER_HOUR`` of others' cases in an hour
is an anomaly; a page of 50, or her own caseload, is not (cases.sightings)."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent, Action, EventSeal, Outcome
from cases import vocabularies as v
from cases.models import Case
from oversight import access_summary, anomalies, queries
from oversight.anomalies import Rule
from tests.audit.chain_helpers import verify
from tests.cases.helpers_lists import AllQueries, many_cases

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _page(client, number: int = 1) -> list[str]:
    """The codes on page ``number`` of her list, reached as she would: the list pages by
    cursor, so page n follows the "next" link of page n - 1 (asked just before, or turned
    to here without being counted by the caller)."""
    if number == 1:
        url = "/cases/"
    elif getattr(client, "turned_to", 0) == number - 1:
        url = f"/cases/?after={client.next_cursor}"
    else:
        _page(client, number - 1)
        url = f"/cases/?after={client.next_cursor}"
    response = client.get(url)
    assert response.status_code == 200
    client.turned_to, client.next_cursor = number, response.context["page"].next_cursor
    return [case.code for case in response.context["rows"]]


def _listed(person, **filters):
    return AccessEvent.objects.filter(action=Action.CASE_LISTED, actor=person, **filters)


def _found(auditor, rule: Rule) -> list:
    return anomalies.find_anomalies(queries.events_for_auditor(auditor))[rule]


# --- the trail of each case she saw ------------------------------------------------------


def test_each_case_on_the_pages_she_turned_names_her_in_its_trail(
    caseworker, supervisor, auditor, client_for
):
    many_cases(caseworker, 60)
    client = client_for(supervisor)
    shown = _page(client, 1) + _page(client, 2)
    assert len(set(shown)) == 60

    for code in shown:
        trail = queries.case_trail(auditor, code)
        assert [(e.actor, e.purpose) for e in trail.filter(action=Action.CASE_LISTED)] == [
            (supervisor, "list")
        ], code
    # Who accessed it: seen in a list, counted apart from what she did on the case.
    lines = access_summary.who_accessed(queries.case_trail(auditor, shown[0]))
    [hers] = [line for line in lines if line.key == supervisor.username]
    assert (hers.listed, hers.actions, hers.total) == (1, [], 1)
    # Her activity: one line per case she saw, each seen once.
    activity = access_summary.activity_by_case(
        queries.events_for_auditor(auditor).filter(actor=supervisor)
    )
    assert {line.key: line.listed for line in activity if line.key} == dict.fromkeys(shown, 1)


def test_the_auditor_pages_show_seen_in_lists_apart(caseworker, supervisor, auditor, client_for):
    many_cases(caseworker, 3)
    [code, *_] = _page(client_for(supervisor))
    page = client_for(auditor).get(
        f"/audit/case/?code={code}", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Visto en listas" in page
    page = client_for(auditor).get(
        f"/audit/person/?person={supervisor.pk}", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Visto en listas" in page and code in page


def test_the_auditors_home_is_not_flooded_by_a_page_of_sightings(
    caseworker, supervisor, auditor, client_for
):
    from oversight.home import auditor_summary

    many_cases(caseworker, 20)
    _page(client_for(supervisor))
    recent = auditor_summary(auditor)["recent_events"]
    assert recent and Action.CASE_LISTED not in {e.action for e in recent}
    assert (recent[0].action, recent[0].actor) == (Action.CASE_LIST_VIEWED, supervisor)


# --- the anomaly ---------------------------------------------------------------------------


def test_paging_through_more_than_100_others_cases_in_an_hour_is_an_anomaly(
    caseworker, supervisor, auditor, client_for
):
    many_cases(caseworker, 120)
    client = client_for(supervisor)

    _page(client, 1)
    _page(client, 1)  # the same 50 again: still 50 cases
    assert _found(auditor, Rule.MANY_LISTED) == []
    _page(client, 2)
    assert _found(auditor, Rule.MANY_LISTED) == []  # 100 is the limit, not beyond it
    _page(client, 3)

    # One finding, at the moment the 101st case was shown (as the opened-cases rule).
    [finding] = _found(auditor, Rule.MANY_LISTED)
    assert (finding.actor_id, finding.username, finding.count) == (
        supervisor.pk, supervisor.username, 101)
    # She opened none: the rule of cases opened in an hour does not count names in lists.
    assert _found(auditor, Rule.MANY_CASES) == []
    page = client_for(auditor).get("/audit/anomalies/", HTTP_ACCEPT_LANGUAGE="es")
    assert "101 casos ajenos vistos en listas en una hora" in page.content.decode()


def test_her_own_caseload_in_lists_is_no_anomaly(caseworker, auditor, client_for):
    many_cases(caseworker, 120)
    client = client_for(caseworker)
    for number in (1, 2, 3):
        _page(client, number)
    assert _listed(caseworker).count() == 120
    assert _found(auditor, Rule.MANY_LISTED) == []


def test_the_limit_is_a_setting(caseworker, supervisor, auditor, client_for, settings):
    settings.AMPARO_ANOMALY_LISTED_CASES_PER_HOUR = 40
    many_cases(caseworker, 45)
    _page(client_for(supervisor))
    assert [f.count for f in _found(auditor, Rule.MANY_LISTED)] == [41]


# --- searches and homes ----------------------------------------------------------------


def test_a_search_records_the_cases_it_found_and_only_for_who_may_see_them(
    make_case, caseworker, supervisor, teammate, client_for
):
    case = make_case(caseworker, given_names="Lucía", family_names="Quispe Mamani")
    make_case(caseworker)  # another name: not found, not seen

    client_for(supervisor).post("/cases/", {"full_name": "Lucía Quispe Mamani"})
    assert [(e.case_code, e.purpose) for e in _listed(supervisor)] == [(case.code, "search")]
    # A teammate without access finds nothing, and nothing is on the case in her name.
    client_for(teammate).post("/cases/", {"full_name": "Lucía Quispe Mamani"})
    assert not _listed(teammate).exists()
    assert AccessEvent.objects.filter(actor=teammate, action=Action.CASE_LIST_VIEWED,
                                      purpose="search").count() == 1


def test_her_home_records_the_cases_it_names(make_case, caseworker, client_for):
    first, second = make_case(caseworker), make_case(caseworker, given_names="Rosa")
    assert client_for(caseworker).get("/").status_code == 200
    assert sorted((e.case_code, e.purpose) for e in _listed(caseworker)) == sorted(
        [(first.code, "dashboard"), (second.code, "dashboard")])


def test_the_team_home_records_a_case_once_though_two_sections_name_it(
    make_case, caseworker, supervisor, client_for
):
    case = make_case(caseworker)
    # A child at high risk: in the team home's high-risk and children sections both.
    Case.objects.filter(pk=case.pk).update(risk_level=v.RiskLevel.HIGH, is_child=True)
    response = client_for(supervisor).get("/")
    assert response.status_code == 200
    assert response.content.decode().count(case.code) >= 2
    assert [(e.case_code, e.purpose) for e in _listed(supervisor)] == [(case.code, "dashboard")]


# --- the cost and the chain --------------------------------------------------------------


def test_a_page_of_50_and_its_sightings_are_one_insert(caseworker, supervisor, client_for):
    many_cases(caseworker, 50)
    client = client_for(supervisor)
    _page(client)  # warm
    with AllQueries() as queries_made:
        assert len(_page(client)) == 50
    inserts = [sql for sql in queries_made.statements
               if sql.upper().startswith("INSERT") and "audit_accessevent" in sql]
    assert len(inserts) == 1
    assert _listed(supervisor).count() == 100


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_the_chain_verifies_after_pages_of_sightings(caseworker, supervisor, client_for, settings):
    """Real commits: each page's events are sealed after its commit, in order."""
    settings.AMPARO_AUDIT_SEAL_INTERVAL_SECONDS = 0  # seal at every commit
    many_cases(caseworker, 70)
    client = client_for(supervisor)
    _page(client, 1)
    _page(client, 2)
    sightings = list(_listed(supervisor).values_list("pk", flat=True))
    assert len(sightings) == 70
    assert EventSeal.objects.filter(event_id__in=sightings).count() == 70
    verify()  # verify_audit: raises CommandError unless every seal and link holds


# --- who gets what -----------------------------------------------------------------------


def test_the_read_only_colleague_sees_and_is_recorded_for_the_shared_case_only(
    make_case, caseworker, viewer, case, client_for
):
    make_case(caseworker, given_names="Rosa")  # not shared with her
    assert _page(client_for(viewer)) == [case.code]
    assert [e.case_code for e in _listed(viewer)] == [case.code]


def test_the_owner_is_recorded_for_her_own_cases(case, caseworker, client_for):
    assert _page(client_for(caseworker)) == [case.code]
    assert [e.case_code for e in _listed(caseworker)] == [case.code]


def test_an_outsider_sees_none_and_leaves_no_trace_on_them(case, outsider, client_for):
    assert _page(client_for(outsider)) == []
    assert not AccessEvent.objects.filter(action=Action.CASE_LISTED, case_code=case.code,
                                          actor=outsider).exists()


def test_a_refused_person_leaves_one_denial_and_no_sighting(case, auditor, client_for):
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert client_for(auditor).get("/cases/").status_code == 403
    assert [(e.action, e.outcome) for e in AccessEvent.objects.filter(pk__gt=before)] == [
        (Action.CASE_LIST_VIEWED, Outcome.DENIED)]
