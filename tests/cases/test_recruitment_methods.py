"""How she was recruited holds several methods (HTCDS; issue 14): the form, the service,
the case page, and the data migration from the single value (cases.0006)."""

from __future__ import annotations

from uuid import UUID

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from cases import vocabularies as v
from cases.models import Case
from cases.services import intake

SINGLE = [("cases", "0005_consent_to_police_or_prosecutor")]
LIST = [("cases", "0006_several_recruitment_methods")]


@pytest.mark.django_db(databases=["default", "keys"])
def test_a_cousin_who_was_a_victim_is_both_relative_and_victim_recruiter(
    client_for, caseworker, case
):
    client = client_for(caseworker)
    response = client.post(reverse("cases:edit_section", args=[case.pk, "profile"]), {
        "trafficking_status": "possible",
        "recruitment_methods": ["relative", "victim_recruiter"],
    })

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).recruitment_methods == ["relative", "victim_recruiter"]
    page = client.get(reverse("cases:case_detail", kwargs={"case_id": case.pk}),
                      HTTP_ACCEPT_LANGUAGE="es").content.decode()
    with translation.override("es"):
        labels = [str(v.RecruitmentMethod(code).label) for code in ("relative", "victim_recruiter")]
    assert ", ".join(labels) in page


@pytest.mark.django_db(databases=["default", "keys"])
def test_an_unknown_method_is_refused_and_nothing_changes(caseworker, case):
    with pytest.raises(ValidationError):
        intake.update_profile(actor=caseworker, case=case, recruitment_methods=["kidnapping"])
    assert Case.objects.get(pk=case.pk).recruitment_methods == []


@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_the_migration_moves_the_single_method_into_the_list(make_case, caseworker):
    case = make_case(caseworker)
    intake.update_profile(actor=caseworker, case=case,
                          recruitment_methods=[v.RecruitmentMethod.JOB_OFFER])
    empty = make_case(caseworker, given_names="Rosa")
    try:
        MigrationExecutor(connection).migrate(SINGLE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, recruitment_method FROM cases_case")
            # SQLite keeps a UUID as hex text, PostgreSQL as a uuid: compare as UUIDs.
            single = {UUID(str(pk)): method for pk, method in cursor.fetchall()}
        assert single[case.pk] == "job_offer" and single[empty.pk] == ""

        MigrationExecutor(connection).migrate(LIST)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert Case.objects.get(pk=case.pk).recruitment_methods == ["job_offer"]
    assert Case.objects.get(pk=empty.pk).recruitment_methods == []
    latest = Case.history.filter(id=case.pk).order_by("-history_date").first()
    assert latest.recruitment_methods == ["job_offer"]
