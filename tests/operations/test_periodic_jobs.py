"""The periodic jobs the worker runs do their work: checkpoints written where the
operator ships them from (and they verify), expired sessions and old task results gone,
owed mail sent."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from audit.models import Action
from audit.services import record_event
from operations import jobs

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def signing_key(tmp_path) -> str:
    from audit.checkpoints import new_key_pem

    path = tmp_path / "signing.pem"
    path.write_text(new_key_pem())
    return str(path)


def test_a_checkpoint_is_written_to_the_shipping_directory_and_verifies(tmp_path,
                                                                          signing_key):
    record_event(action=Action.LOGIN_FAILED)
    outbox = tmp_path / "checkpoints"
    with override_settings(AMPARO_AUDIT_CHECKPOINT_DIR=str(outbox),
                           AMPARO_AUDIT_SIGNING_KEY_FILE=signing_key):
        assert jobs.write_audit_checkpoint() == 1
        [checkpoint] = outbox.glob("checkpoint-*.json")
        assert not list(outbox.glob("*.part"))
        out = io.StringIO()
        call_command("verify_audit", "--checkpoint", str(checkpoint), stdout=out)


def test_without_a_directory_no_checkpoint_is_written():
    with override_settings(AMPARO_AUDIT_CHECKPOINT_DIR=""):
        assert jobs.write_audit_checkpoint() == 0


def test_expired_sessions_are_cleared_and_live_ones_kept():
    live, old = SessionStore(), SessionStore()
    live.create()
    old.create()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1))

    assert jobs.clear_expired_sessions() == 1
    assert Session.objects.filter(session_key=live.session_key).exists()


def test_finished_task_results_are_pruned_after_the_configured_days():
    from django_tasks_db.models import DBTaskResult

    from referrals.mail import deliver

    result = DBTaskResult.objects.create(
        task_path=deliver.module_path, args_kwargs={"args": ["x"], "kwargs": {}},
        status="SUCCESSFUL", backend_name="default",
        finished_at=timezone.now() - timedelta(days=15),
    )
    recent = DBTaskResult.objects.create(
        task_path=deliver.module_path, args_kwargs={"args": ["y"], "kwargs": {}},
        status="SUCCESSFUL", backend_name="default", finished_at=timezone.now(),
    )

    with override_settings(AMPARO_TASK_RESULT_DAYS=14):
        assert jobs.prune_task_results() == 1
    assert not DBTaskResult.objects.filter(pk=result.pk).exists()
    assert DBTaskResult.objects.filter(pk=recent.pk).exists()


def test_run_jobs_runs_every_job_once(signing_key, tmp_path):
    out = io.StringIO()
    with override_settings(AMPARO_AUDIT_CHECKPOINT_DIR=str(tmp_path / "cp"),
                           AMPARO_AUDIT_SIGNING_KEY_FILE=signing_key):
        call_command("run_jobs", stdout=out)

    names = [line.split(":")[0] for line in out.getvalue().splitlines()]
    assert names == [job.name for job in jobs.periodic_jobs()]


def test_the_worker_opens_retention_reviews_daily():
    """The job is registered; its behaviour is tests/cases/test_retention_review.py."""
    [job] = [job for job in jobs.periodic_jobs() if job.name == "open_retention_reviews"]
    assert job.every_seconds == 24 * 3600
    assert job.run() == 0
