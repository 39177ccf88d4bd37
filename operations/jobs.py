"""The periodic jobs, run by the worker (``amparo run_worker``) on their own timers.

One scheduler in the worker rather than cron or systemd timers: one unit to install, and
the jobs share the worker's reconnection after a database restart. Each job is safe to
run in several workers at once (they take locks or work row by row), so a second worker
on another machine needs no coordination. Each job can also be run once by hand:
``amparo run_jobs --once`` (or the management command each job names).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("amparo.jobs")


def seal_audit_log() -> int:
    """Seal what committed events are still unsealed (those of quiet processes too).

    The events above the newest seal are named by id: ``seal_pending`` alone reads only a
    window of ids above the newest seal, and ids are not dense (a sequence skips what
    rolled back), so an event far above it would wait for ever.
    """
    from audit.chain import ON_COMMIT_LIMIT, seal_pending
    from audit.models import AccessEvent, EventSeal

    total = 0
    while True:
        newest = (
            EventSeal.objects.order_by("-event_id").values_list("event_id", flat=True).first()
        ) or 0
        above = list(
            AccessEvent.objects.filter(pk__gt=newest).order_by("pk")
            .values_list("pk", flat=True)[:ON_COMMIT_LIMIT]
        )
        sealed = seal_pending(event_ids=above, look_back=True, wait=False)
        if not sealed:  # 0, or None: another process is sealing right now
            return total
        total += sealed
        if sealed < ON_COMMIT_LIMIT:
            return total


def send_pending_mail() -> int:
    from referrals.mail import send_pending

    sent, _failed = send_pending()
    return sent


def clear_expired_sessions() -> int:
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def prune_task_results() -> int:
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=settings.AMPARO_TASK_RESULT_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


def write_audit_checkpoint() -> int:
    """Write a signed checkpoint of the access log into AMPARO_AUDIT_CHECKPOINT_DIR.

    The operator ships that directory off the server (docs/operations.md); a checkpoint
    kept elsewhere is what proves later that the log was not cut and rebuilt.
    """
    from audit.checkpoints import take_checkpoint

    directory = settings.AMPARO_AUDIT_CHECKPOINT_DIR
    if not directory:
        return 0
    checkpoint = take_checkpoint()
    path = Path(directory) / f"checkpoint-{timezone.now():%Y%m%dT%H%M%SZ}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_text(json.dumps(checkpoint, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)  # a shipping job never picks up half a file
    return 1


def finish_shredding() -> int:
    """Destroy the data keys still live after a confirmed shredding (a failure at the
    confirmation leaves the request pending; this completes it)."""
    from cases.services.management import finish_shredding as finish
    from vault.scope import key_scope

    with key_scope():
        completed, _failed = finish()
    return completed


def expire_packets() -> int:
    """Empty the packets of referrals completed AMPARO_PACKET_DAYS_AFTER_COMPLETION ago."""
    from referrals.services import expire_completed_packets

    return expire_completed_packets()


def open_retention_reviews() -> int:
    """Queue for their supervisors the closed cases whose retention period ended
    (cases.services.retention); safe to run often: a case is never queued twice."""
    from cases.services.retention import open_retention_reviews as open_reviews

    return open_reviews()


@dataclass
class Job:
    name: str
    run: Callable[[], int]
    every_seconds: float
    next_at: float = field(default=0.0)


def periodic_jobs() -> list[Job]:
    """Every periodic job with its interval (settings: docs/operations.md)."""
    return [
        # A third of the bound: an event committed just after one sealing is sealed by the
        # next, well inside the bound even when that one waits for another sealer.
        Job("seal_audit_log", seal_audit_log, settings.AMPARO_AUDIT_SEAL_BOUND_SECONDS / 3),
        Job("send_pending_mail", send_pending_mail, 60),
        Job("clear_expired_sessions", clear_expired_sessions, 3600),
        Job("prune_task_results", prune_task_results, 24 * 3600),
        Job("write_audit_checkpoint", write_audit_checkpoint,
            settings.AMPARO_AUDIT_CHECKPOINT_MINUTES * 60),
        Job("finish_shredding", finish_shredding, 600),
        Job("expire_packets", expire_packets, 3600),
        Job("open_retention_reviews", open_retention_reviews, 24 * 3600),
    ]


class Scheduler:
    """Runs each job when due; a failing job is logged and tried again at its next turn."""

    def __init__(self, jobs: list[Job], *, clock: Callable[[], float] = time.monotonic) -> None:
        self.jobs = jobs
        self.clock = clock

    def run_due(self) -> list[str]:
        ran = []
        for job in self.jobs:
            now = self.clock()
            if now < job.next_at:
                continue
            job.next_at = now + job.every_seconds
            try:
                done = job.run()
            except Exception as error:
                # Database errors propagate: the worker reconnects and calls again.
                from django.db import DatabaseError

                if isinstance(error, DatabaseError):
                    job.next_at = 0.0
                    raise
                # The type only: a message may quote a value (the log carries no content).
                logger.error("job %s failed: %s", job.name, type(error).__name__)
                continue
            ran.append(job.name)
            if done:
                logger.info("job %s: %s", job.name, done)
        return ran

    def seconds_to_next(self) -> float:
        return max(0.0, min(job.next_at for job in self.jobs) - self.clock())
