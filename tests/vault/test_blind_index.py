"""Blind indexes: normalised, keyed, truncated so that many records share each value."""

from __future__ import annotations

import base64
import os
from collections import Counter

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tests.vault.conftest import BOTH_DATABASES
from tests.vaultdemo.models import SURNAME_BIRTH_YEAR, SealedRecord
from vault import blind_index, keyring
from vault import services as vault
from vault.blind_index import BlindIndex, Part, normalise, truncation_bits

SURNAME = BlindIndex("tests.surname", ["surname"])
ORG = "organisation-1"


@pytest.mark.parametrize(
    "variant",
    ["José Pérez", "JOSE PEREZ", "jose  perez", "  josé\tpérez ", "Jose\u0301 Pe\u0301rez",
     "ＪＯＳＥ　ＰＥＲＥＺ"],
)
def test_spellings_of_one_name_normalise_alike(variant):
    assert normalise(variant) == "jose perez"
    assert SURNAME.compute(variant, scope=ORG) == SURNAME.compute("José Pérez", scope=ORG)


@pytest.mark.parametrize(
    ("variant", "expected"),
    [("Muñoz", "munoz"), ("STRAßE", "strasse"), ("Øster", "oster"), ("Łukasz", "lukasz"),
     ("İbrahim", "ibrahim"), ("Ǆuro", "dzuro"), ("ﬁdel", "fidel")],
)
def test_letters_fold_to_plain_latin(variant, expected):
    assert normalise(variant) == expected


def test_different_names_mostly_differ():
    values = {SURNAME.compute(f"apellido{n}", scope=ORG) for n in range(200)}
    assert len(values) > 100


def test_different_index_names_give_different_indexes():
    other = BlindIndex("tests.surname_other_purpose", ["surname"])
    names = [f"apellido{n}" for n in range(64)]
    ours = [SURNAME.compute(n, scope=ORG) for n in names]
    assert ours != [other.compute(n, scope=ORG) for n in names]


def test_different_index_keys_give_different_indexes():
    names = [f"apellido{n}" for n in range(64)]
    before = [SURNAME.compute(n, scope=ORG) for n in names]
    original = keyring.get()
    keyring.install(keyring.Keys(
        master=original.master,
        index=keyring.parse_index_key(base64.b64encode(os.urandom(32)).decode(), source="test"),
    ))
    try:
        after = [SURNAME.compute(n, scope=ORG) for n in names]
    finally:
        keyring.install(original)
    assert before != after
    assert [SURNAME.compute(n, scope=ORG) for n in names] == before


def test_compound_index_parts_cannot_be_shifted():
    index = BlindIndex("tests.two_names", ["first", "second"])
    pairs = [(f"ab{n}", "c") for n in range(32)]
    shifted = [(f"a{n}", "bc") for n in range(32)]
    unshifted = [index.compute(*p, scope=ORG) for p in pairs]
    assert unshifted != [index.compute(*p, scope=ORG) for p in shifted]


def test_compound_index_for_duplicate_detection():
    wanted = SURNAME_BIRTH_YEAR.compute("PEREZ", "1990", scope=ORG)
    assert SURNAME_BIRTH_YEAR.compute("Pérez", 1990, scope=ORG) == wanted


def test_empty_part_gives_no_index():
    assert SURNAME_BIRTH_YEAR.compute("", 1990, scope=ORG) is None
    assert SURNAME_BIRTH_YEAR.compute("Pérez", None, scope=ORG) is None


def test_no_blind_index_on_a_low_entropy_field_alone():
    with pytest.raises(ImproperlyConfigured, match="low-entropy"):
        BlindIndex("tests.birth_year", [Part("birth_year", low_entropy=True)])
    with pytest.raises(ImproperlyConfigured, match="low-entropy"):
        BlindIndex("tests.year_and_sex", [Part("year", True), Part("sex", True)])


def test_an_index_name_is_declared_once():
    with pytest.raises(ImproperlyConfigured, match="twice"):
        BlindIndex("tests.surname", ["surname"])


def test_different_organisations_get_unrelated_indexes():
    names = [f"apellido{n}" for n in range(64)]
    here = [SURNAME.compute(n, scope="organisation-1") for n in names]
    there = [SURNAME.compute(n, scope="organisation-2") for n in names]
    assert here != there
    assert sum(a == b for a, b in zip(here, there, strict=True)) < 8  # chance alone


@pytest.mark.parametrize(
    ("records", "bucket", "bits"),
    [
        (10_000, 10, 9), (100_000, 10, 12), (1_000, 10, 5),
        (1_024, 16, 5), (1_023, 16, 5), (5, 10, 1),
    ],
)
def test_truncation_rule(records, bucket, bits):
    assert truncation_bits(records, bucket) == bits
    if records >= 4 * bucket:
        # The widest width that keeps under 1 % of rows in a value shared by fewer than k.
        assert blind_index.small_bucket_share(records, bucket, bits) < 0.01
        assert blind_index.small_bucket_share(records, bucket, bits + 1) >= 0.01


def test_sizing_by_the_mean_alone_would_leave_a_third_of_the_rows_exposed():
    # 1,024 records, buckets of 16: six bits give a mean of exactly 16 per value.
    assert blind_index.small_bucket_share(1_024, 16, 6) > 1 / 3
    assert truncation_bits(1_024, 16) == 5


def test_truncation_rule_holds_for_the_configured_size(settings):
    n, k = settings.AMPARO_BLIND_INDEX_EXPECTED_RECORDS, settings.AMPARO_BLIND_INDEX_MIN_BUCKET
    bits = SURNAME.bits
    assert bits == truncation_bits(n, k)
    values = [SURNAME.compute(f"apellido{i}", scope=ORG) for i in range(n)]
    counts = Counter(values)
    assert all(0 <= value < 2**bits for value in counts)
    assert len(counts) <= 2**bits
    assert n / len(counts) >= k  # on average at least k records per index value
    below = sum(1 for value in values if counts[value] < k)
    assert below / n < 0.01  # almost nobody's value is shared by fewer than k


@override_settings(AMPARO_BLIND_INDEX_EXPECTED_RECORDS=100_000, AMPARO_BLIND_INDEX_MIN_BUCKET=10)
def test_truncation_follows_the_setting():
    assert SURNAME.bits == 12
    assert 0 <= SURNAME.compute("Pérez", scope=ORG) < 2**12
    assert blind_index.expected_bucket_size(SURNAME) >= 10


def test_the_version_names_the_key_and_width_without_revealing_the_key():
    version = SURNAME.version()
    original = keyring.get()
    assert version.endswith(f"/{SURNAME.bits}")
    assert base64.b64encode(original.index._key).decode() not in version
    keyring.install(keyring.Keys(
        master=original.master,
        index=keyring.parse_index_key(base64.b64encode(os.urandom(32)).decode(), source="test"),
    ))
    try:
        assert SURNAME.version() != version
    finally:
        keyring.install(original)
    with override_settings(AMPARO_BLIND_INDEX_EXPECTED_RECORDS=100_000):
        assert SURNAME.version() != version


def test_candidates_are_confirmed_after_opening():
    assert SURNAME_BIRTH_YEAR.confirm(["JOSÉ  Pérez", 1990], ["jose perez", "1990"])
    assert not SURNAME_BIRTH_YEAR.confirm(["Pereira", 1990], ["Pérez", 1990])


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_lookup_by_blind_index_then_confirm(make_record, owner):
    record = SealedRecord(owner_id=owner)
    vault.seal(record, secret="Pérez")
    vault.set_blind_index(record, "duplicate_key", "Pérez", 1990, scope=ORG)
    record.save()
    wanted = SURNAME_BIRTH_YEAR.compute("PEREZ", 1990, scope=ORG)
    candidates = SealedRecord.objects.filter(duplicate_key=wanted)
    assert [c for c in candidates if SURNAME_BIRTH_YEAR.confirm([vault.unseal(c, "secret"), 1990],
                                                                ["perez", 1990])] == [record]


def _model_with(*index_names: str):
    from types import SimpleNamespace

    from vault.fields import BlindIndexField

    fields = [BlindIndexField(index=name) for name in index_names]
    return SimpleNamespace(_meta=SimpleNamespace(concrete_fields=fields, label="tests.Row"))


def test_two_full_width_indexes_on_one_row_fail_the_bit_budget_check():
    from vault.checks import _bit_budget_errors

    errors = _bit_budget_errors(_model_with(SURNAME.name, SURNAME_BIRTH_YEAR.name))

    assert [error.id for error in errors] == ["vault.E005"]


def test_one_index_per_row_passes_the_bit_budget_check():
    from vault.checks import _bit_budget_errors

    assert _bit_budget_errors(_model_with(SURNAME.name)) == []
