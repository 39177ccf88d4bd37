"""The intake holds the field's facts (issue 14): five route stops in one visit, the
guardian block flagged only for a (possible) child."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case, RouteStop
from cases.services.intake import Guardian, Identity, update_identity

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

STOPS = [("recruitment", "VE", "Maracaibo"), ("transit", "CO", "Cúcuta"),
         ("transit", "EC", "Huaquillas"), ("transit", "PE", "Tumbes"),
         ("exploitation", "PE", "Lima")]


def _section(case, slug):
    return reverse("cases:edit_section", args=[case.pk, slug])


def test_five_route_stops_are_entered_in_one_visit(client_for, caseworker, case):
    client = client_for(caseworker)
    page = client.get(_section(case, "route")).content.decode()
    assert page.count('name="route-4-place"') == 1  # five empty rows are offered

    data = {"route-TOTAL_FORMS": "5", "route-INITIAL_FORMS": "0",
            "route-MIN_NUM_FORMS": "0", "route-MAX_NUM_FORMS": "20"}
    for index, (kind, country, place) in enumerate(STOPS):
        data.update({f"route-{index}-kind": kind, f"route-{index}-country": country,
                     f"route-{index}-place": place, f"route-{index}-when": ""})
    response = client.post(_section(case, "route"), data)

    assert response.status_code == 302
    assert RouteStop.objects.filter(case=case).count() == 5


def _guardian_block(page: str) -> str:
    start = page.index("<legend>Guardian</legend>")
    return page[page.rindex("<fieldset", 0, start):start]


def test_an_adults_guardian_block_has_no_warning_border(client_for, caseworker, case):
    page = client_for(caseworker).get(_section(case, "identity")).content.decode()
    assert "form-section--guardian" not in _guardian_block(page)


def test_a_possible_childs_guardian_block_is_flagged(client_for, caseworker, case):
    update_identity(
        actor=caseworker, case=case,
        identity=Identity(given_names="Ana", family_names="Quispe", estimated_age=15,
                          gender="female", nationality="PE", languages=["es"]),
        guardian=Guardian(name="Rosa Quispe", relationship="madre", contact="tía"),
    )
    assert Case.objects.get(pk=case.pk).is_child

    page = client_for(caseworker).get(_section(case, "identity")).content.decode()
    assert "form-section--guardian" in _guardian_block(page)


def test_the_new_intake_does_not_flag_an_unknown_age(client_for, caseworker):
    page = client_for(caseworker).get(reverse("cases:intake_start")).content.decode()
    assert "form-section--guardian" not in _guardian_block(page)
