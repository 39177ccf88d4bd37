"""The place of identification is asked at intake as a coded region of Peru (issue 13:
"by city of identification"), kept in clear and shown on the case page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import vocabularies as v
from cases.models import Case
from cases.services import intake

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _profile(client, case, HTTP_ACCEPT_LANGUAGE="en", **values):
    return client.post(reverse("cases:edit_section", args=[case.pk, "profile"]),
                       {"trafficking_status": "possible", **values},
                       HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE)


def test_the_profile_records_the_region_where_she_was_identified(client_for, caseworker, case):
    client = client_for(caseworker)
    response = _profile(client, case, identification_place="PE-MDD")

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).identification_place == "PE-MDD"
    page = client.get(reverse("cases:case_detail", kwargs={"case_id": case.pk}),
                      HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Lugar de identificación" in page and "Madre de Dios" in page


def test_the_region_is_optional(client_for, caseworker, case):
    response = _profile(client_for(caseworker), case, identification_place="")

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).identification_place == ""


def test_the_intake_form_offers_the_regions_in_spanish(client_for, caseworker, case):
    page = client_for(caseworker).get(
        reverse("cases:edit_section", args=[case.pk, "profile"]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()

    assert 'name="identification_place"' in page
    assert "Lima Metropolitana" in page and "Otro país" in page and "Apurímac" in page


def test_a_town_typed_in_place_of_a_region_is_refused_and_nothing_changes(
    client_for, caseworker, case
):
    intake.update_profile(actor=caseworker, case=case,
                          identification_place=v.IdentificationPlace.CALLAO)
    response = _profile(
        client_for(caseworker), case, identification_place="Puerto Maldonado",
        exploitation_types=["forced_labour"], HTTP_ACCEPT_LANGUAGE="es",
    )

    assert response.status_code == 200
    assert "Escoja una opción válida" in response.content.decode()
    case.refresh_from_db()
    assert case.identification_place == "PE-CAL" and case.exploitation_types == []


def test_the_service_refuses_a_code_outside_the_list(caseworker, case):
    with pytest.raises(ValidationError):
        intake.update_profile(actor=caseworker, case=case, identification_place="Lima")
    assert Case.objects.get(pk=case.pk).identification_place == ""


def test_every_region_of_peru_and_the_two_other_answers_are_offered():
    codes = set(v.IdentificationPlace.values)
    regions = {c for c in codes if c.startswith("PE-")}
    # 24 departments, the Constitutional Province of Callao, Lima Province (ISO 3166-2:PE)
    assert len(regions) == 26
    assert {"other_country", "unknown"} <= codes
