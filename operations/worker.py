"""The worker: background tasks (notification mail), periodic jobs and a heartbeat.

It survives database restarts: an error from the database ends the current turn, the
worker closes its connections, waits (1, 2, 4 … up to 30 seconds) and starts a new turn
with new connections. Nothing is lost meanwhile: mail owed is a row written with the
step it belongs to, and the periodic ``send_pending_mail`` job sends what the tasks did
not. systemd (deploy/amparo-worker.service, Restart=always) restarts it if it dies.
"""

from __future__ import annotations

import logging
import socket
import time

from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

from operations.jobs import Scheduler, periodic_jobs
from operations.models import WorkerHeartbeat

logger = logging.getLogger("amparo.worker")

HEARTBEAT_SECONDS = 10
MAX_BACKOFF_SECONDS = 30


class Worker:
    def __init__(self, *, interval: float = 1.0, worker_id: str | None = None) -> None:
        self.interval = interval
        self.worker_id = worker_id or get_random_string(32)
        # django-tasks' own worker, in batch mode: each turn runs every ready task.
        self.tasks = TaskWorker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME], interval=0, batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=False, max_tasks=None,
            worker_id=self.worker_id, excluded_queue_names=[],
        )
        self.scheduler = Scheduler(periodic_jobs())
        self.started_at = timezone.now()
        self._last_beat = 0.0

    @property
    def running(self) -> bool:
        return self.tasks.running

    def run(self, *, turns: int | None = None) -> None:
        """Turn until stopped (SIGTERM, SIGINT) or, for tests, ``turns`` times."""
        logger.info("worker %s started", self.worker_id)
        backoff = 1.0
        done = 0
        while self.running and (turns is None or done < turns):
            done += 1
            try:
                self.turn()
            except DatabaseError as error:
                logger.warning(
                    "worker %s: database unavailable (%s); retrying in %.0f s",
                    self.worker_id, type(error).__name__, backoff,
                )
                self._drop_connections()
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            backoff = 1.0
            if turns is None or done < turns:
                time.sleep(min(self.interval, max(self.scheduler.seconds_to_next(), 0.05)))
        logger.info("worker %s stopped", self.worker_id)

    def turn(self) -> None:
        close_old_connections()
        self.beat()
        self.tasks.run()  # every ready task, then returns
        self.scheduler.run_due()

    def beat(self) -> None:
        now = time.monotonic()
        if now - self._last_beat < HEARTBEAT_SECONDS:
            return
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"hostname": socket.gethostname()[:255], "beat_at": timezone.now(),
                      "started_at": self.started_at},
        )
        self._last_beat = now

    @staticmethod
    def _drop_connections() -> None:
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except DatabaseError:
                # A dead connection may fail to close; Django forgets it either way.
                connection.connection = None
