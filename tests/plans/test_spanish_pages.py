"""Every plan page reads entirely in Spanish when Spanish is asked for (the check of
tests/accounts/test_spanish_pages.py, applied to the plan's pages with their data)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Team, User
from plans import vocabularies as pv
from plans.models import AssistanceEntry
from tests.accounts.translation import (
    page_language,
    spelled_the_same,
    still_english,
    visible_pieces,
)
from tests.plans.conftest import THREE_GOALS

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def world(approved, case, caseworker):
    entry = AssistanceEntry.objects.create(
        case=case, survivor_id=case.survivor_id, category=pv.Area.HEALTH,
        started_on=timezone.localdate(), provider=case.organization,
        source=pv.AssistanceSource.REFERRAL, status=pv.AssistanceStatus.TO_CONFIRM,
    )
    goal = approved.goals.first()
    return {"case": case, "goal": goal, "entry": entry}


def _pages(w):
    case = w["case"]
    return {
        "plan": ("GET", reverse("plans:plan_detail", args=[case.pk]), None),
        "plan, goal refused": ("POST", reverse("plans:add_goal", args=[case.pk]),
                               {"goal-area": "health"}),
        "agreement": ("GET", reverse("plans:agreement", args=[case.pk]), None),
        "agreement, refused": ("POST", reverse("plans:agreement", args=[case.pk]), {}),
        "goal": ("GET", reverse("plans:edit_goal", args=[case.pk, w["goal"].pk]), None),
        "review": ("GET", reverse("plans:review", args=[case.pk]), None),
        "review, refused": ("POST", reverse("plans:review", args=[case.pk]), {}),
        "final review": ("GET", reverse("plans:final_review", args=[case.pk]), None),
        "final review, refused": ("POST", reverse("plans:final_review", args=[case.pk]), {}),
        "confirm": ("GET", reverse("plans:confirm_assistance", args=[case.pk, w["entry"].pk]),
                    None),
        "copy": ("GET", reverse("plans:print_copy", args=[case.pk]),
                 {"parts": [p.value for p in pv.PrintPart]}),
    }


def _names(case) -> set[str]:
    # Data, shown as entered; and the copy's languages, named each in its own language.
    names = {"Amparo", "María José Pérez Salas", "María José", "Pérez Salas", case.code,
             "English", "Español"}
    for user in User.objects.all():
        names.update({user.username, user.first_name, user.last_name, user.get_full_name(),
                      user.display_name})
    names.update(Organization.objects.values_list("name", flat=True))
    names.update(Team.objects.values_list("name", flat=True))
    for _area, wording in THREE_GOALS:
        names.update({wording, f"Paso: {wording}"})
    return {name for name in names if name}


PAGE_NAMES = ["plan", "plan, goal refused", "agreement", "agreement, refused", "goal",
              "review", "review, refused", "final review", "final review, refused", "confirm",
              "copy"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_plan_page_has_no_untranslated_text(client_for, world, caseworker, name):
    method, url, data = _pages(world)[name]
    html = {}
    for language in ("en", "es"):
        client = client_for(caseworker)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        if name == "copy":
            data = {**data, "language": language}
        response = client.post(url, data or {}) if method == "POST" else client.get(url, data)
        assert response.status_code == 200, (name, response.status_code)
        html[language] = response.content.decode()
        assert page_language(html[language]) == language
    names = _names(world["case"])
    english = visible_pieces(html["en"], "en", names)
    spanish = visible_pieces(html["es"], "es", names)
    unchanged = sorted(p for p in english & spanish if p not in spelled_the_same())
    assert not unchanged, f"{name}: still in English in Spanish: {unchanged}"
    assert not sorted(spanish & still_english()), name
