"""The blind indexes on a survivor's row, taken together, are shared by at least the
configured minimum of survivors (vault/blind_index.py): a database reader cannot single
a woman out by them, nor link her across organisations. Duplicate detection still finds
her (candidates confirmed after opening)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from audit.models import AccessEvent, Action
from cases.indexing import index_survivor
from cases.models import NAME_INDEX, Survivor
from cases.services.intake import find_possible_duplicates
from vault.fields import BlindIndexField

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

GIVEN = ["María", "Ana", "Rosa", "Luz", "Carmen", "Daniela", "Yuleisy", "Andrea", "Sofía",
         "Valentina", "Paola", "Karla", "Diana", "Gabriela", "Isabel", "Juana", "Lucía", "Elena",
         "Marisol", "Wendy"]
FAMILY = ["Pérez", "García", "Rodríguez", "Salas", "Gómez", "Díaz", "Torres", "Rojas",
          "Vargas", "Castillo", "Mendoza", "Flores", "Ramos", "Cruz", "Herrera", "Medina",
          "Suárez", "Aguilar", "Chávez", "Ríos", "Ortiz", "Núñez", "Campos", "Silva", "Reyes"]


def _stored_indexes(survivor: Survivor) -> tuple:
    """Every blind index stored on her row: what a database reader sees together."""
    return tuple(
        getattr(survivor, field.attname)
        for field in Survivor._meta.concrete_fields
        if isinstance(field, BlindIndexField)
    )


def _distinct_people(count: int) -> list[tuple[str, int]]:
    people = []
    for number in range(count):
        given = f"{GIVEN[number % len(GIVEN)]} {GIVEN[(number // len(GIVEN)) % len(GIVEN)]}"
        family = f"{FAMILY[(number // 400) % len(FAMILY)]} {FAMILY[(number * 7) % len(FAMILY)]}"
        people.append((f"{given} {family}", 1960 + number % 45))
    assert len(set(people)) == count
    return people


@override_settings(AMPARO_BLIND_INDEX_EXPECTED_RECORDS=2_000, AMPARO_BLIND_INDEX_MIN_BUCKET=10)
def test_the_combined_indexes_of_a_row_are_shared_by_the_minimum(organization):
    people = _distinct_people(2_000)
    rows = []
    for name, _year in people:
        survivor = Survivor(id=uuid.uuid4(), organization=organization)
        index_survivor(survivor, name=name)
        rows.append(_stored_indexes(survivor))
    shared = Counter(rows)

    below_minimum = sum(1 for row in rows if shared[row] < 10)

    assert below_minimum / len(rows) < 0.01


def test_a_survivor_row_carries_one_blind_index(organization):
    indexes = [f for f in Survivor._meta.concrete_fields if isinstance(f, BlindIndexField)]

    assert [field.name for field in indexes] == ["name_key"]


def test_one_woman_in_two_organisations_is_not_linked_by_index(organization, other_organization):
    names = [name for name, _year in _distinct_people(64)]
    here, there = [], []
    for name in names:
        for organisation, keys in ((organization, here), (other_organization, there)):
            survivor = Survivor(id=uuid.uuid4(), organization=organisation)
            index_survivor(survivor, name=name)
            keys.append(survivor.name_key)

    assert sum(a == b for a, b in zip(here, there, strict=True)) < 8  # what chance gives


def test_duplicate_detection_finds_her_by_name_and_year_after_opening(caseworker, make_case):
    case = make_case(caseworker, given_names="María José", family_names="Pérez Salas",
                     birth_date=date(1996, 4, 12))

    found = find_possible_duplicates(actor=caseworker, full_name="MARIA  jose perez salas",
                                     birth_year=1996)
    other_year = find_possible_duplicates(actor=caseworker, full_name="María José Pérez Salas",
                                          birth_year=1997)

    assert found.visible_codes == (case.code,)
    assert other_year.visible_codes == ()


def test_reindexing_recomputes_stale_rows_and_can_be_run_again(caseworker, make_case):
    cases = [make_case(caseworker, given_names=f"Ana {n}", family_names="Rojas") for n in range(3)]
    Survivor.objects.filter(pk=cases[0].survivor_id).update(name_key=None, index_version="")
    Survivor.objects.filter(pk=cases[1].survivor_id).update(name_key=1, index_version="old/9")
    current = {c.survivor_id: Survivor.objects.get(pk=c.survivor_id).name_key for c in cases[2:]}
    history_rows = Survivor.history.count()

    call_command("reindex_blind_indexes", "--no-progress", "--batch-size", "1", stdout=StringIO())

    for case in cases:
        survivor = Survivor.objects.get(pk=case.survivor_id)
        assert survivor.index_version == NAME_INDEX.version()
        assert survivor.name_key == NAME_INDEX.compute(
            f"Ana {cases.index(case)} Rojas", scope=caseworker.organization_id
        )
    assert Survivor.objects.get(pk=cases[2].survivor_id).name_key == current[cases[2].survivor_id]
    assert AccessEvent.objects.filter(action=Action.BLIND_INDEXES_RECOMPUTED).count() == 2
    assert Survivor.history.count() == history_rows  # no history row for a recomputation
    assert find_possible_duplicates(
        actor=caseworker, full_name="Ana 0 Rojas", birth_year=1996
    ).visible_codes == (cases[0].code,)


def test_a_changed_sizing_makes_every_row_stale_until_reindexed(caseworker, make_case):
    case = make_case(caseworker)

    with override_settings(AMPARO_BLIND_INDEX_EXPECTED_RECORDS=100_000):
        assert not Survivor.objects.filter(index_version=NAME_INDEX.version()).exists()
        call_command("reindex_blind_indexes", "--no-progress", stdout=StringIO())
        survivor = Survivor.objects.get(pk=case.survivor_id)
        assert survivor.index_version == NAME_INDEX.version()
        assert survivor.name_key < 2**NAME_INDEX.bits

