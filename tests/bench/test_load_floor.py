"""The load benchmark's floor (bench/load_floor.py): the same pages and the same scoped
queries without opening sealed values or writing access events, and the real pages
beside it unchanged."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action
from cases.models import Note
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def floor(settings):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    import load_floor

    settings.MIDDLEWARE = ["load_floor.FloorMiddleware", *settings.MIDDLEWARE]
    yield load_floor
    load_floor.install()()  # the originals back, for the tests that follow


@pytest.fixture
def case(make_case, caseworker):
    return make_case(caseworker)


def _events() -> int:
    return AccessEvent.objects.count()


def test_the_floor_shows_the_case_page_without_opening_her_name_or_recording(
    floor, case, caseworker, client_for
):
    client = client_for(caseworker)
    path = reverse("cases:case_detail", args=[case.pk])
    before = _events()

    response = client.get(floor.PREFIX + path)

    assert response.status_code == 200
    assert "María José" not in response.content.decode()
    assert _events() == before


def test_a_real_page_beside_the_floor_still_opens_and_records(floor, case, caseworker, client_for):
    client = client_for(caseworker)
    path = reverse("cases:case_detail", args=[case.pk])
    client.get(floor.PREFIX + path)
    before = _events()

    response = client.get(path)

    assert response.status_code == 200
    assert "María José" in response.content.decode()
    assert _events() == before + 1
    assert AccessEvent.objects.order_by("-pk").first().action == Action.CASE_VIEWED


def test_a_note_through_the_floor_is_stored_without_an_event(floor, case, caseworker, client_for):
    client = client_for(caseworker)
    before = _events()

    response = client.post(
        floor.PREFIX + reverse("cases:add_note", args=[case.pk]), {"note-body": "Llamó hoy."}
    )

    assert response.status_code == 302
    assert Note.objects.filter(case=case).count() == 1
    assert _events() == before


def test_the_floor_runs_the_same_scoped_getter_an_outsider_gets_404(
    floor, case, other_organization, client_for
):
    outsider = UserFactory(organization=other_organization, role=Role.CASEWORKER)

    response = client_for(outsider).get(floor.PREFIX + reverse("cases:case_detail", args=[case.pk]))

    assert response.status_code == 404
