"""Blind indexes: normalised, keyed, truncated so that many records share each value."""

from __future__ import annotations

import base64
import math
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


@pytest.mark.parametrize(
    "variant",
    ["José Pérez", "JOSE PEREZ", "jose  perez", "  josé\tpérez ", "Jose\u0301 Pe\u0301rez",
     "ＪＯＳＥ　ＰＥＲＥＺ"],
)
def test_spellings_of_one_name_normalise_alike(variant):
    assert normalise(variant) == "jose perez"
    assert SURNAME.compute(variant) == SURNAME.compute("José Pérez")


@pytest.mark.parametrize(
    ("variant", "expected"),
    [("Muñoz", "munoz"), ("STRAßE", "strasse"), ("Øster", "oster"), ("Łukasz", "lukasz"),
     ("İbrahim", "ibrahim"), ("Ǆuro", "dzuro"), ("ﬁdel", "fidel")],
)
def test_letters_fold_to_plain_latin(variant, expected):
    assert normalise(variant) == expected


def test_different_names_mostly_differ():
    values = {SURNAME.compute(f"apellido{n}") for n in range(200)}
    assert len(values) > 100


def test_different_index_names_give_different_indexes():
    other = BlindIndex("tests.surname_other_purpose", ["surname"])
    names = [f"apellido{n}" for n in range(64)]
    assert [SURNAME.compute(n) for n in names] != [other.compute(n) for n in names]


def test_different_index_keys_give_different_indexes():
    names = [f"apellido{n}" for n in range(64)]
    before = [SURNAME.compute(n) for n in names]
    original = keyring.get()
    keyring.install(keyring.Keys(
        master=original.master,
        index=keyring.parse_index_key(base64.b64encode(os.urandom(32)).decode(), source="test"),
    ))
    try:
        after = [SURNAME.compute(n) for n in names]
    finally:
        keyring.install(original)
    assert before != after
    assert [SURNAME.compute(n) for n in names] == before


def test_compound_index_parts_cannot_be_shifted():
    index = BlindIndex("tests.two_names", ["first", "second"])
    pairs = [(f"ab{n}", "c") for n in range(32)]
    shifted = [(f"a{n}", "bc") for n in range(32)]
    assert [index.compute(*p) for p in pairs] != [index.compute(*p) for p in shifted]


def test_compound_index_for_duplicate_detection():
    assert SURNAME_BIRTH_YEAR.compute("Pérez", 1990) == SURNAME_BIRTH_YEAR.compute("PEREZ", "1990")


def test_empty_part_gives_no_index():
    assert SURNAME_BIRTH_YEAR.compute("", 1990) is None
    assert SURNAME_BIRTH_YEAR.compute("Pérez", None) is None


def test_no_blind_index_on_a_low_entropy_field_alone():
    with pytest.raises(ImproperlyConfigured, match="low-entropy"):
        BlindIndex("tests.birth_year", [Part("birth_year", low_entropy=True)])
    with pytest.raises(ImproperlyConfigured, match="low-entropy"):
        BlindIndex("tests.year_and_sex", [Part("year", True), Part("sex", True)])


def test_an_index_name_is_declared_once():
    with pytest.raises(ImproperlyConfigured, match="twice"):
        BlindIndex("tests.surname", ["surname"])


@pytest.mark.parametrize(
    ("records", "bucket", "bits"),
    [
        (10_000, 10, 9), (100_000, 10, 13), (1_000, 10, 6),
        (1_024, 16, 6), (1_023, 16, 5), (5, 10, 1),
    ],
)
def test_truncation_rule(records, bucket, bits):
    assert truncation_bits(records, bucket) == bits
    if records >= 2 * bucket:
        assert bits == math.floor(math.log2(records / bucket))
        assert bucket <= records / 2**bits < 2 * bucket


def test_truncation_rule_holds_for_the_configured_size(settings):
    n, k = settings.AMPARO_BLIND_INDEX_EXPECTED_RECORDS, settings.AMPARO_BLIND_INDEX_MIN_BUCKET
    bits = SURNAME_BIRTH_YEAR.bits
    assert bits == math.floor(math.log2(n / k))
    counts = Counter(SURNAME_BIRTH_YEAR.compute(f"apellido{i}", 1950 + i % 60) for i in range(n))
    assert all(0 <= value < 2**bits for value in counts)
    assert len(counts) <= 2**bits
    assert n / len(counts) >= k  # on average at least k records per index value
    alone = sum(1 for count in counts.values() if count == 1)
    assert alone / n < 0.01  # almost nobody can be singled out by the index


@override_settings(AMPARO_BLIND_INDEX_EXPECTED_RECORDS=100_000, AMPARO_BLIND_INDEX_MIN_BUCKET=10)
def test_truncation_follows_the_setting():
    assert SURNAME.bits == 13
    assert 0 <= SURNAME.compute("Pérez") < 2**13
    assert blind_index.expected_bucket_size(SURNAME) >= 10


def test_candidates_are_confirmed_after_opening():
    assert SURNAME_BIRTH_YEAR.confirm(["JOSÉ  Pérez", 1990], ["jose perez", "1990"])
    assert not SURNAME_BIRTH_YEAR.confirm(["Pereira", 1990], ["Pérez", 1990])


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_lookup_by_blind_index_then_confirm(make_record, owner):
    record = SealedRecord(owner_id=owner)
    vault.seal(record, secret="Pérez")
    vault.set_blind_index(record, "duplicate_key", "Pérez", 1990)
    record.save()
    wanted = SURNAME_BIRTH_YEAR.compute("PEREZ", 1990)
    candidates = SealedRecord.objects.filter(duplicate_key=wanted)
    assert [c for c in candidates if SURNAME_BIRTH_YEAR.confirm([vault.unseal(c, "secret"), 1990],
                                                                ["perez", 1990])] == [record]
