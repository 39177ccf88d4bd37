"""Shredding finishes: a data key that could not be destroyed is destroyed later (issue 12,
opening 5). The confirmation commits first; the key goes after it, and until it is gone the
request stays pending, ``vault_status`` fails and ``finish_shredding`` keeps trying."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from audit.models import AccessEvent, Action
from cases import vocabularies as v
from cases.models import ShredRequest, Survivor
from cases.services.management import confirm_shredding, finish_shredding, request_shredding
from vault import datakeys
from vault import services as vault
from vault.exceptions import OwnerShredded

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


class KeysDatabaseDown(Exception):
    pass


@pytest.fixture
def confirmed_while_keys_fail(supervisor, org_admin, case, monkeypatch,
                              django_capture_on_commit_callbacks):
    """A shredding confirmed while the keys database refuses to destroy the key."""
    real_shred = datakeys.shred

    def fail(owner_id):
        raise KeysDatabaseDown

    monkeypatch.setattr(datakeys, "shred", fail)
    item = request_shredding(actor=supervisor, case=case, reason=v.ShredReason.SURVIVOR_REQUEST)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_shredding(actor=org_admin, shred_request=item)
    monkeypatch.setattr(datakeys, "shred", real_shred)
    return item


def test_a_confirmed_shredding_destroys_the_key_and_says_when(
    supervisor, org_admin, case, django_capture_on_commit_callbacks
):
    item = request_shredding(actor=supervisor, case=case, reason=v.ShredReason.SURVIVOR_REQUEST)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_shredding(actor=org_admin, shred_request=item)
    item.refresh_from_db()
    assert item.key_destroyed_at is not None
    assert vault.is_shredded(case.survivor_id)
    assert AccessEvent.objects.filter(
        action=Action.VAULT_OWNER_SHREDDED, target_id=str(case.survivor_id)
    ).count() == 1
    assert finish_shredding() == (0, 0)


def test_a_failed_key_destruction_stays_pending_and_vault_status_fails(
    confirmed_while_keys_fail, case, caplog
):
    item = ShredRequest.objects.get(pk=confirmed_while_keys_fail.pk)
    assert item.status == ShredRequest.Status.CONFIRMED
    assert item.key_destroyed_at is None
    assert Survivor.objects.get(pk=case.survivor_id).is_shredded
    # Her key survived: her data still opens, and the operator must be told so.
    assert not vault.is_shredded(case.survivor_id)
    logged = " ".join(record.getMessage() for record in caplog.get_records("setup"))
    assert "NOT destroyed" in logged and "KeysDatabaseDown" in logged
    with pytest.raises(CommandError, match="still have a live data key"):
        call_command("vault_status")


def test_the_command_completes_a_failed_key_destruction_later(confirmed_while_keys_fail, case):
    call_command("finish_shredding")

    item = ShredRequest.objects.get(pk=confirmed_while_keys_fail.pk)
    assert item.key_destroyed_at is not None
    assert vault.is_shredded(case.survivor_id)
    with pytest.raises(OwnerShredded):
        vault.unseal(Survivor.objects.get(pk=case.survivor_id), "given_names")
    assert AccessEvent.objects.filter(
        action=Action.VAULT_OWNER_SHREDDED, target_id=str(case.survivor_id)
    ).count() == 1
    call_command("vault_status")  # healthy again: no shredded owner keeps a key
    assert finish_shredding() == (0, 0)  # nothing left to do, and nothing done twice


def test_the_command_fails_while_the_key_still_cannot_be_destroyed(
    confirmed_while_keys_fail, monkeypatch
):
    monkeypatch.setattr(datakeys, "shred", lambda owner_id: (_ for _ in ()).throw(KeysDatabaseDown))
    with pytest.raises(CommandError, match="could not be destroyed"):
        call_command("finish_shredding")
    assert ShredRequest.objects.get(pk=confirmed_while_keys_fail.pk).key_destroyed_at is None


def test_the_worker_job_completes_a_failed_key_destruction(confirmed_while_keys_fail, case):
    from operations import jobs

    assert "finish_shredding" in [job.name for job in jobs.periodic_jobs()]
    assert jobs.finish_shredding() == 1
    assert vault.is_shredded(case.survivor_id)
    assert ShredRequest.objects.get(pk=confirmed_while_keys_fail.pk).key_destroyed_at is not None
