"""CSV export of a search: streamed, scoped, recorded, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from oversight.views import EXPORT_COLUMNS
from tests.factories import UserFactory
from tests.oversight.auditor_support import event

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

EXPORT = reverse("oversight:export")


def _rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_it_exports_the_searched_events_and_records_the_export(client_for, auditor, caseworker):
    wanted = event(actor=caseworker, case_code="PE-2026-0003")
    event(actor=caseworker, case_code="PE-2026-0004")

    response = client_for(auditor).get(EXPORT, {"case_code": "PE-2026-0003"})

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert [row["id"] for row in rows] == [str(wanted.pk)]
    assert list(rows[0]) == EXPORT_COLUMNS
    assert rows[0]["actor_username"] == "caseworker"
    recorded = AccessEvent.objects.get(action=Action.AUDIT_EXPORTED)
    assert (recorded.actor, recorded.outcome) == (auditor, Outcome.ALLOWED)


def test_the_export_holds_only_her_organisations_events(client_for, auditor, partner):
    event(actor=partner, case_code="PE-2026-0009")

    rows = _rows(client_for(auditor).get(EXPORT))

    assert "PE-2026-0009" not in {row["case_code"] for row in rows}
    assert all(row["actor_username"] != "partner" for row in rows)


def test_a_username_like_a_formula_is_defused(client_for, auditor, organization):
    sly = UserFactory(organization=organization, role=Role.CASEWORKER, username="=cmd")
    event(actor=sly)

    rows = _rows(client_for(auditor).get(EXPORT, {"person": sly.pk}))

    assert rows[0]["actor_username"] == "'=cmd"


def test_a_caseworker_may_not_export(client_for, caseworker):
    response = client_for(caseworker).get(EXPORT)

    assert response.status_code == 403
    assert not AccessEvent.objects.filter(action=Action.AUDIT_EXPORTED).exists()
