"""Opened data keys live for one request or command, never longer."""

from __future__ import annotations

import io

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from tests.vault.conftest import BOTH_DATABASES
from vault import scope
from vault import services as vault
from vault.middleware import KeyCacheMiddleware

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def test_keys_are_cached_for_one_request_only(make_record, django_assert_num_queries):
    record = make_record(secret="secreto")
    seen = {}

    def view(request):
        vault.unseal(record, "secret")
        seen["cached"] = dict(scope.current().keys)
        with django_assert_num_queries(0, using="keys"):
            vault.unseal(record, "secret")  # second opening: no trip to the keys database
        return HttpResponse("ok")

    KeyCacheMiddleware(view)(RequestFactory().get("/"))
    assert list(seen["cached"]) == [record.owner_id.int]
    assert scope.current() is None


def test_nothing_is_cached_outside_a_scope(make_record, django_assert_num_queries):
    record = make_record(secret="secreto")
    assert scope.current() is None
    with django_assert_num_queries(1, using="keys"):
        vault.unseal(record, "secret")
    with django_assert_num_queries(1, using="keys"):
        vault.unseal(record, "secret")


def test_scope_is_emptied_when_it_ends_even_on_error(make_record):
    record = make_record(secret="secreto")
    with pytest.raises(RuntimeError), scope.key_scope() as current:
        vault.unseal(record, "secret")
        assert current.keys
        raise RuntimeError
    assert current.keys == {}
    assert scope.current() is None


def test_scopes_nest(make_record):
    record = make_record(secret="secreto")
    with scope.key_scope() as outer:
        with scope.key_scope() as inner:
            vault.unseal(record, "secret")
        assert inner is outer and outer.keys


def test_commands_run_in_their_own_scope(make_record):
    from django.core.management import call_command

    make_record(secret="secreto")
    call_command("vault_status", stdout=io.StringIO())
    assert scope.current() is None


def test_preload_unwraps_many_owners_with_one_query(make_record, django_assert_num_queries):
    records = [make_record(secret=f"persona {n}") for n in range(5)]
    shredded = make_record(secret="borrada")
    vault.shred_owner(shredded.owner_id)
    with scope.key_scope() as current:
        with django_assert_num_queries(1, using="keys"):
            vault.preload_data_keys([r.owner_id for r in [*records, shredded]])
        with django_assert_num_queries(0, using="keys"):
            assert [vault.unseal(r, "secret") for r in records] == [
                f"persona {n}" for n in range(5)
            ]
        assert shredded.owner_id not in current
    vault.preload_data_keys([records[0].owner_id])  # outside a scope: caches nothing


def test_create_data_keys_in_bulk(django_assert_num_queries):
    import uuid

    from vault.models import DataKey
    from vault.routers import KEYS_ALIAS

    owners = [uuid.uuid4() for _ in range(3)]
    with scope.key_scope() as current:
        vault.create_data_keys(owners)
        assert all(owner in current for owner in owners)
    assert DataKey.objects.using(KEYS_ALIAS).filter(owner_id__in=owners).count() == 3
