"""What the health URL and ``amparo health`` check, each answering ok or a reason.

Reasons are for the operator (``amparo health``, the log); the public URL answers only
200 or 503, because a stranger must not learn which part of the deployment is down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def _database(alias: str) -> Check:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return Check(f"database {alias}", False, type(error).__name__)
    return Check(f"database {alias}", True)


def _master_key() -> Check:
    from django.core.exceptions import ImproperlyConfigured

    from vault import keyring

    try:
        problem = keyring.stale_reason()
    except ImproperlyConfigured as error:  # no key loaded, or none readable at all
        return Check("master key", False, type(error).__name__)
    return Check("master key", problem is None, problem or "")


def _worker() -> Check:
    from operations.models import WorkerHeartbeat

    limit = timedelta(seconds=settings.AMPARO_HEALTH_WORKER_SECONDS)
    latest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True)
    beat = latest.first()
    if beat is None:
        return Check("worker", False, "no worker has ever run")
    age = timezone.now() - beat
    return Check("worker", age <= limit, f"last beat {int(age.total_seconds())} s ago")


def _sealing() -> Check:
    from audit.models import AccessEvent, EventSeal

    # Only events above the newest seal can be unsealed cheaply; older gaps are the
    # look-back's and verify_audit's business.
    newest = EventSeal.objects.order_by("-event_id").values_list("event_id", flat=True).first()
    oldest = (
        AccessEvent.objects.filter(pk__gt=newest or 0).order_by("pk")
        .values_list("occurred_at", flat=True).first()
    )
    if oldest is None:
        return Check("audit sealing", True)
    lag = (timezone.now() - oldest).total_seconds()
    return Check(
        "audit sealing", lag <= 2 * settings.AMPARO_AUDIT_SEAL_BOUND_SECONDS,
        f"oldest unsealed event {int(lag)} s old",
    )


def _mail() -> Check:
    from referrals.models import OutgoingMail

    cutoff = timezone.now() - timedelta(minutes=settings.AMPARO_HEALTH_MAIL_MINUTES)
    late = OutgoingMail.objects.filter(sent_at__isnull=True, created_at__lt=cutoff).count()
    return Check("mail backlog", late == 0, f"{late} mails owed for too long" if late else "")


def run_checks() -> list[Check]:
    checks = [_database("default"), _database("keys"), _master_key()]
    if checks[0].ok:
        for check in (_worker, _sealing, _mail):
            try:
                checks.append(check())
            except DatabaseError as error:
                checks.append(Check(check.__name__.strip("_"), False, type(error).__name__))
    return checks


def healthy(checks: list[Check]) -> bool:
    return all(check.ok for check in checks)
