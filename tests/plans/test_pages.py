"""The plan's pages: bad input is refused in her language and changes nothing; the copy
for her shows only what the caseworker chose and never her safe contact; after
shredding nothing is shown or offered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action
from cases import vocabularies as cv
from cases.services.intake import SafeContact, update_safe_contact
from cases.services.management import confirm_shredding, request_shredding
from plans import vocabularies as pv
from plans.models import Goal

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _url(name, case, **kwargs):
    return reverse(f"plans:{name}", kwargs={"case_id": case.pk, **kwargs})


def test_a_goal_without_words_is_refused_at_the_top_of_the_page(client_for, draft, case,
                                                                caseworker):
    before = Goal.objects.count()
    response = client_for(caseworker).post(_url("add_goal", case),
                                           {"goal-area": "health", "goal-wording": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "Her goal, in her own words: This field is required." in page
    assert Goal.objects.count() == before


def test_the_refusal_speaks_spanish_to_a_spanish_speaker(client_for, draft, case, caseworker):
    client = client_for(caseworker)
    response = client.post(_url("add_goal", case), {"goal-area": "x", "goal-wording": ""},
                           HTTP_ACCEPT_LANGUAGE="es")
    page = response.content.decode()
    assert "Hay un problema" in page


def test_submitting_an_incomplete_plan_says_why_and_changes_nothing(client_for, case, caseworker):
    client = client_for(caseworker)
    assert client.post(_url("start_plan", case)).status_code == 302
    response = client.post(_url("submit_plan", case))
    assert response.status_code == 200
    assert "at least one of her goals" in response.content.decode()
    case.plan.refresh_from_db()
    assert case.plan.status == pv.PlanStatus.DRAFT


def test_a_read_only_colleague_sees_the_plan_without_forms(client_for, approved, case, viewer):
    page = client_for(viewer).get(_url("plan_detail", case)).content.decode()
    assert "Quiero un lugar seguro donde dormir." in page
    assert _url("add_goal", case) not in page
    assert _url("review", case) not in page
    assert _url("print_copy", case) not in page


def test_her_copy_shows_what_was_chosen_and_never_her_safe_contact(
    client_for, approved, case, caseworker
):
    update_safe_contact(actor=caseworker, case=case, contact=SafeContact(
        channel=cv.ContactChannel.WHATSAPP, address="+51 999 555 123", code_word="girasol"))
    client = client_for(caseworker)
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = client.get(_url("print_copy", case), {"parts": ["goals"], "language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Quiero un lugar seguro donde dormir." in page
    assert "Paso:" not in page  # actions were not ticked
    assert "María" not in page  # nor her name
    assert "+51 999 555 123" not in page and "girasol" not in page
    assert '<html lang="en">' in page
    events = AccessEvent.objects.filter(pk__gt=before)
    assert [(e.action, e.purpose) for e in events] == [(Action.PLAN_PRINTED, "goals")]

    spanish = client.get(_url("print_copy", case),
                         {"parts": ["goals", "actions", "name"], "language": "es"})
    page = spanish.content.decode()
    assert '<html lang="es">' in page and "Plan de apoyo de María José Pérez Salas" in page
    assert "Paso:" in page
    assert "+51 999 555 123" not in page and "girasol" not in page


def test_after_shredding_the_plan_shows_nothing_and_offers_nothing(
    client_for, approved, case, caseworker, supervisor, org_admin,
    django_capture_on_commit_callbacks,
):
    asked = request_shredding(actor=supervisor, case=case, reason=cv.ShredReason.SURVIVOR_REQUEST)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_shredding(actor=org_admin, shred_request=asked)
    page = client_for(caseworker).get(_url("plan_detail", case)).content.decode()
    assert "Quiero un lugar seguro" not in page
    assert "Shredded" in page
    assert _url("add_goal", case) not in page
    response = client_for(caseworker).post(_url("add_goal", case),
                                           {"goal-area": "health", "goal-wording": "Algo."})
    assert response.status_code == 200
    assert "shredded" in response.content.decode()


def _plan_page_queries(client, case) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url("plan_detail", case)).status_code == 200
    return len(queries)


def test_the_plan_page_reads_the_same_number_of_queries_for_more_goals(
    client_for, approved, case, caseworker
):
    from plans import services

    client = client_for(caseworker)
    _plan_page_queries(client, case)  # warm the session and the key cache's first reads
    three = _plan_page_queries(client, case)
    for area in (pv.Area.EDUCATION, pv.Area.FAMILY, pv.Area.LIVELIHOOD):
        goal = services.add_goal(actor=caseworker, case=case, area=area, wording="Otro más.")
        services.add_action(actor=caseworker, case=case, goal=goal, description="Un paso.",
                            performer=pv.Performer.SURVIVOR)
    six = _plan_page_queries(client, case)
    assert six == three, (three, six)
    assert three <= 25


def test_the_languages_of_her_copy_are_named_each_in_its_own_language(
    client_for, approved, case, caseworker
):
    page = client_for(caseworker).get(_url("plan_detail", case), HTTP_ACCEPT_LANGUAGE="es")
    html = page.content.decode()
    assert '<html lang="es">' in html
    # "English" on a Spanish page is a name in English, marked so: not an untranslated word.
    assert '<option value="en" lang="en">English</option>' in html
    assert '<option value="es" selected lang="es">Español</option>' in html


@pytest.mark.parametrize(("language", "plan_heading", "form_heading"), [
    ("en", "Support plan for case {code}", "How she agreed to her plan · {code}"),
    ("es", "Plan de apoyo del caso {code}", "Cómo acordó su plan · {code}"),
])
def test_the_plan_pages_name_their_purpose_in_the_h1_not_the_case_pages_heading(
    client_for, approved, case, caseworker, language, plan_heading, form_heading
):
    import re

    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language

    def h1(url: str) -> str:
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1
        return re.search(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S).group(1).strip()

    case_heading = h1(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    assert h1(_url("plan_detail", case)) == plan_heading.format(code=case.code)
    assert h1(_url("agreement", case)) == form_heading.format(code=case.code)
    assert case_heading not in {h1(_url("plan_detail", case)), h1(_url("review", case))}
