"""The caseworker's "my work" home: open cases, follow-ups due, recent changes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases import vocabularies as v
from cases.models import Case, Note
from cases.services import management, work
from workspace.dashboards import _CHANGE_LABELS

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_a_new_caseworker_sees_honest_empty_sections(caseworker, client_for):
    response = client_for(caseworker).get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "workspace/my_work.html"
    context = response.context
    assert context["open_rows"] == [] and context["follow_ups"] == [] and context["changes"] == []


def test_it_lists_her_open_cases_with_names_but_not_closed_ones(make_case, caseworker, client_for):
    open_case = make_case(caseworker, given_names="Yuleisy", family_names="Rondón")
    closed = make_case(caseworker, given_names="Dayana")
    management.close_case(
        actor=caseworker, case=closed, status=v.CaseStatus.CLOSED, reason=v.ClosureReason.GOALS_MET
    )
    response = client_for(caseworker).get("/")
    assert [case.code for case in response.context["open_rows"]] == [open_case.code]
    assert "Yuleisy Rondón" in response.content.decode()


def test_it_shows_her_follow_ups_overdue_and_due_this_week_but_not_later(
    make_case, caseworker, client_for
):
    case = make_case(caseworker)
    today = timezone.localdate()
    for days in (-3, 0, 6, 8):
        work.add_follow_up(
            actor=caseworker,
            case=case,
            kind="check_in",
            due_on=today + timedelta(days=days),
            assignee=caseworker,
        )
    response = client_for(caseworker).get("/")
    due = [f.due_on for f in response.context["follow_ups"]]
    assert due == [today - timedelta(days=3), today, today + timedelta(days=6)]
    assert response.context["overdue_count"] == 1


def test_follow_ups_assigned_to_someone_else_are_not_hers(
    make_case, caseworker, supervisor, client_for
):
    case = make_case(caseworker)
    work.add_follow_up(
        actor=supervisor,
        case=case,
        kind="check_in",
        due_on=timezone.localdate(),
        assignee=supervisor,
    )
    assert client_for(caseworker).get("/").context["follow_ups"] == []


def test_recent_changes_name_the_case_and_the_kind_of_change_but_no_content(
    make_case, caseworker, client_for
):
    case = make_case(caseworker)
    work.add_note(actor=caseworker, case=case, body="Secreto: vive en la calle Los Olivos")
    response = client_for(caseworker).get("/")
    changes = response.context["changes"]
    kinds = {change.what for change in changes}
    assert {_CHANGE_LABELS[(Note, "+")], _CHANGE_LABELS[(Case, "+")]} <= kinds
    assert all(change.code == case.code for change in changes)
    assert "Olivos" not in response.content.decode()


def test_a_teammates_cases_do_not_show_on_her_home(make_case, caseworker, teammate, client_for):
    make_case(teammate, given_names="Génesis")
    response = client_for(caseworker).get("/")
    assert response.context["open_rows"] == [] and response.context["changes"] == []
    assert "Génesis" not in response.content.decode()


def test_each_visit_leaves_one_page_event_and_one_per_case_it_names(
    make_case, caseworker, client_for
):
    make_case(caseworker)
    client = client_for(caseworker)
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    context = client.get("/").context
    page, *sightings = AccessEvent.objects.filter(pk__gt=before).order_by("pk")
    assert (page.action, page.purpose, page.case_code) == (
        Action.CASE_LIST_VIEWED,
        "dashboard",
        "",
    )
    # Each case whose name the page shows, once (cases.sightings), with its code only.
    rows = context["open_rows"]
    named = {case.code for case in [*rows, *(f.case for f in context["follow_ups"])]}
    assert named
    assert sorted((e.action, e.purpose, e.case_code) for e in sightings) == sorted(
        (Action.CASE_LISTED, "dashboard", code) for code in named
    )
