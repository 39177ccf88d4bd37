"""What left Amparo stays on the record: export records are append-only in the database,
and the auditor reads them — who, when, what kind, how many cases, why names were
included, and one export's case codes — at /audit/exports/ (issue 13; DESIGN §8)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.db import DatabaseError
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from reports.models import ExportKind, ExportRecord, IdentityReason
from tests.factories import UserFactory

LIST = "export_audit:list"


def _export(user, *, kind=ExportKind.CASES_CSV, codes=("LIM-2026-0001", "LIM-2026-0002"),
            reason=IdentityReason.COURT_ORDER) -> ExportRecord:
    return ExportRecord.objects.create(
        kind=kind, organization_id=user.organization_id, exported_by=user,
        first_month=date(2026, 1, 1), last_month=date(2026, 3, 1),
        recipient_kind="" if kind == ExportKind.CTDC else "passphrase",
        identity_reason="" if kind == ExportKind.CTDC else reason,
        case_codes=[] if kind == ExportKind.CTDC else list(codes),
        record_count=len(codes),
    )


def _detail(export: ExportRecord) -> str:
    return reverse("export_audit:detail", args=[export.pk])


def _last_event() -> AccessEvent:
    return AccessEvent.objects.order_by("-pk").first()


@pytest.fixture
def outsider_supervisor(other_organization):
    return UserFactory(organization=other_organization, role=Role.SUPERVISOR, username="otra")


@pytest.fixture
def outsider_auditor(other_organization):
    return UserFactory(organization=other_organization, role=Role.AUDITOR,
                       username="otraauditora")


# --- the auditor's pages ------------------------------------------------------------


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_auditor_lists_her_organisations_exports_and_the_look_is_recorded(
    client_for, auditor, supervisor, outsider_supervisor
):
    ours = _export(supervisor)
    _export(outsider_supervisor, codes=("OTRA-0001",))
    response = client_for(auditor).get(reverse(LIST), HTTP_ACCEPT_LANGUAGE="es")

    html = response.content.decode()
    assert response.status_code == 200
    assert "supervisor" in html and "Lo ordenó un juzgado o la fiscalía" in html
    assert _detail(ours) in html and "otra" not in html
    assert "Exportaciones" in html
    event = _last_event()
    assert (event.action, event.outcome, event.actor) == (
        Action.AUDIT_EXPORTS_VIEWED, Outcome.ALLOWED, auditor)


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_auditor_reads_the_case_codes_of_one_export(client_for, auditor, supervisor):
    export = _export(supervisor)
    html = client_for(auditor).get(_detail(export)).content.decode()

    assert "LIM-2026-0001" in html and "LIM-2026-0002" in html
    event = _last_event()
    assert (event.action, event.target_type, event.target_id) == (
        Action.AUDIT_EXPORT_VIEWED, "exportrecord", str(export.pk))


@pytest.mark.django_db(databases=["default", "keys"])
def test_a_ctdc_export_says_why_it_has_no_codes(client_for, auditor, supervisor):
    export = _export(supervisor, kind=ExportKind.CTDC)
    html = client_for(auditor).get(_detail(export), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "La exportación CTDC es anónima" in html


@pytest.mark.django_db(databases=["default", "keys"])
def test_another_organisations_export_is_not_found_and_the_attempt_recorded(
    client_for, auditor, outsider_supervisor
):
    theirs = _export(outsider_supervisor, codes=("OTRA-0001",))
    response = client_for(auditor).get(_detail(theirs))

    assert response.status_code == 404 and b"OTRA-0001" not in response.content
    event = _last_event()
    assert (event.action, event.outcome) == (Action.AUDIT_EXPORT_VIEWED, Outcome.DENIED)


@pytest.mark.django_db(databases=["default", "keys"])
def test_an_export_that_does_not_exist_is_not_found(client_for, auditor):
    response = client_for(auditor).get(
        reverse("export_audit:detail", args=[uuid.uuid4()]))

    assert response.status_code == 404
    assert _last_event().outcome == Outcome.DENIED


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_auditor_of_another_organisation_sees_none_of_ours(
    client_for, outsider_auditor, supervisor
):
    ours = _export(supervisor)
    client = client_for(outsider_auditor)

    assert b"supervisor" not in client.get(reverse(LIST)).content
    assert client.get(_detail(ours)).status_code == 404


@pytest.mark.django_db(databases=["default", "keys"])
@pytest.mark.parametrize("person", ["supervisor", "caseworker", "org_admin", "partner"])
def test_anyone_but_an_auditor_is_refused_and_the_refusal_recorded(
    client_for, request, person, supervisor
):
    """The supervisor who made the export (its owner), a caseworker, the organisation's
    administrator (who reads no content) and a partner (an outsider): 403 each."""
    export = _export(supervisor)
    user = request.getfixturevalue(person)
    client = client_for(user)
    for url in (reverse(LIST), _detail(export)):
        response = client.get(url)
        assert response.status_code == 403 and b"LIM-2026-0001" not in response.content
        event = _last_event()
        assert (event.action, event.outcome, event.actor) == (
            Action.AUDIT_ACCESS_DENIED, Outcome.DENIED, user)


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_auditors_home_and_menu_lead_to_the_exports(client_for, auditor):
    html = client_for(auditor).get(reverse("home")).content.decode()

    assert html.count(f'href="{reverse(LIST)}"') >= 2  # menu and home card


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_list_refuses_nothing_on_a_bad_page_number(client_for, auditor, supervisor):
    _export(supervisor)
    response = client_for(auditor).get(reverse(LIST), {"page": "x' OR 1=1"})

    assert response.status_code == 200 and ExportRecord.objects.count() == 1


# --- append-only ------------------------------------------------------------------------


@pytest.fixture
def committed_export(supervisor):
    return _export(supervisor)


def _refused(application_connection, statement: str) -> None:
    with (
        application_connection() as app,
        app.cursor() as cursor,
        pytest.raises(DatabaseError, match="append-only"),
    ):
        cursor.execute(statement)


@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_the_database_refuses_to_change_an_export_record(committed_export,
                                                         application_connection):
    _refused(application_connection, "UPDATE reports_exportrecord SET case_codes = '[]'")
    _refused(application_connection, "UPDATE reports_exportrecord SET record_count = 0")

    kept = ExportRecord.objects.get(pk=committed_export.pk)
    assert kept.case_codes == ["LIM-2026-0001", "LIM-2026-0002"] and kept.record_count == 2


@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_the_database_refuses_to_delete_an_export_record(committed_export,
                                                         application_connection):
    _refused(application_connection, "DELETE FROM reports_exportrecord")

    assert ExportRecord.objects.filter(pk=committed_export.pk).exists()


@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_new_exports_are_still_recorded(committed_export, supervisor):
    _export(supervisor, codes=("LIM-2026-0003",))

    assert ExportRecord.objects.count() == 2


def test_the_application_role_may_only_read_and_insert_export_records():
    from audit.roles import APPEND_ONLY_TABLES

    assert "reports_exportrecord" in APPEND_ONLY_TABLES
