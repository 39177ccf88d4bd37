"""vault_status fails on what issue 11 found it silent about: a main database restored
with an older keys database, and a shredded survivor whose key is still there."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from cases.models import Survivor
from tests.vault.conftest import BOTH_DATABASES
from vault import services as vault
from vault.models import DataKey
from vault.routers import KEYS_ALIAS

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def _status() -> str:
    out = io.StringIO()
    call_command("vault_status", stdout=out)
    return out.getvalue()


def test_a_consistent_vault_is_clean(make_case, caseworker):
    make_case(caseworker)

    assert "owners with sealed data but no data key: 0" in _status()


def test_a_keys_database_older_than_the_main_database_fails(make_case, caseworker):
    make_case(caseworker)
    newer = make_case(caseworker, given_names="Ana")
    # The restore mismatch: the keys backup was taken before the newer case existed.
    DataKey.objects.using(KEYS_ALIAS).filter(owner_id=newer.survivor_id).delete()

    with pytest.raises(CommandError, match="1 owners have sealed data but no data key"):
        _status()


def test_an_attachment_or_note_owner_without_a_key_fails_too(make_record):
    record = make_record(secret="nota")  # any model with sealed fields counts
    DataKey.objects.using(KEYS_ALIAS).filter(owner_id=record.owner_id).delete()

    with pytest.raises(CommandError, match=str(record.owner_id)):
        _status()


def test_a_shredded_survivor_whose_key_is_live_fails(make_case, caseworker):
    case = make_case(caseworker)
    survivor = Survivor.objects.get(pk=case.survivor_id)
    survivor.shredded_at = survivor.created_at  # the main database says: shredded ...
    survivor.save(update_fields=["shredded_at"])  # ... but the key was never destroyed

    with pytest.raises(CommandError, match="1 shredded owners still have a live data key"):
        _status()

    vault.shred_owner(survivor.pk)
    assert "shredded owners whose key is still live: 0" in _status()
