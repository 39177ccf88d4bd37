"""Exports: each one leaves its record and its access event in one transaction (and the
organisation's own export, one ``CASE_LISTED`` event per case it carries).

The organisation's own export asks for a fresh authenticator code at the moment of
export, even in a session that passed both factors long ago: whoever sits at an
unlocked screen must not walk away with the caseload. The code is checked here rather
than through ``accounts.services.verify_second_factor`` so that the export request stays
one access event (allowed, or refused with the purpose ``second_factor_refused``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from accounts.services import confirmed_totp_device
from audit.models import Action, Outcome
from audit.services import record_event
from cases import sightings
from reports import ctdc, exports
from reports.figures import Filters
from reports.models import ExportKind, ExportRecord, IdentityReason
from reports.queries import Scope

if TYPE_CHECKING:
    from accounts.models import User

SECOND_FACTOR_REFUSED = "second_factor_refused"


class ExportRefused(Exception):
    """The export was not made (the refusal is recorded)."""


@dataclass(frozen=True)
class CasesExport:
    record: ExportRecord
    content: bytes  # encrypted in the age format

    @property
    def filename(self) -> str:
        extension = "xlsx" if self.record.kind == ExportKind.CASES_XLSX else "csv"
        return f"amparo-cases-{self.record.exported_at:%Y%m%d-%H%M}.{extension}.age"


def _fresh_code_ok(actor: User, token: str) -> bool:
    token = "".join(token.split())
    device = confirmed_totp_device(actor)
    if device is None or not token.isdigit():
        return False
    # Locked so that one code cannot serve two exports sent at the same moment: django-otp
    # remembers the last time step it accepted, and a second request waits and sees it.
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    return device.verify_token(token)


def _record(actor: User, kind: str, filters: Filters, **values: object) -> ExportRecord:
    return ExportRecord.objects.create(
        kind=kind, organization_id=actor.organization_id, exported_by=actor,
        first_month=filters.first, last_month=filters.last, team_id=filters.team_id, **values,
    )


def export_cases(
    *,
    actor: User,
    scope: Scope,
    filters: Filters,
    kind: str,
    recipient: exports.Recipient,
    token: str,
    identity_reason: str = "",
) -> CasesExport:
    """Encrypt the cases of ``scope`` opened in the period to ``recipient``.

    Raises ``ExportRefused`` after recording the refusal (and committing it) when the
    code is wrong; nothing else is written then.
    """
    if kind not in (ExportKind.CASES_CSV, ExportKind.CASES_XLSX):
        raise ValueError(f"Not a case export: {kind}")
    if identity_reason and identity_reason not in IdentityReason.values:
        raise ValueError("Names are exported only for a reason from the list.")
    if identity_reason and actor.role != Role.SUPERVISOR:
        raise ExportRefused("Only supervisors may export names.")
    with transaction.atomic():
        if not _fresh_code_ok(actor, token):
            record_event(action=Action.CASES_EXPORTED, actor=actor, outcome=Outcome.DENIED,
                         target_type="exportrecord", purpose=SECOND_FACTOR_REFUSED)
            refused = True
        else:
            refused = False
    if refused:
        raise ExportRefused(SECOND_FACTOR_REFUSED)
    return _build_cases_export(actor=actor, scope=scope, filters=filters, kind=kind,
                               recipient=recipient, identity_reason=identity_reason)


@transaction.atomic
def _build_cases_export(
    *, actor: User, scope: Scope, filters: Filters, kind: str, recipient: exports.Recipient,
    identity_reason: str,
) -> CasesExport:
    cases = scope.cases(filters.team_id).filter(
        opened_on__gte=filters.first, opened_on__lt=filters.after_last
    )
    with_identity = bool(identity_reason)
    rows = list(exports.rows(cases, actor=actor, with_identity=with_identity))
    header = exports.header(with_identity)
    plain = (exports.as_xlsx if kind == ExportKind.CASES_XLSX else exports.as_csv)(header, rows)
    content = recipient.encrypt(plain)
    codes = [row[0].lstrip("'") for row in rows]
    record = _record(actor, kind, filters, recipient_kind=recipient.kind,
                     identity_reason=identity_reason, case_codes=codes, record_count=len(codes))
    record_event(action=Action.CASES_EXPORTED, actor=actor, target=record,
                 purpose=identity_reason or kind)
    # The export's event names its record, whose codes only the export's own page reads:
    # each exported case gets its own event too, so that the export shows in that case's
    # "who accessed" and in the rule of cases seen outside her caseload (cases.sightings).
    exported = set(codes)
    sightings.record_sightings(
        actor, [case for case in cases.only("pk", "code") if case.code in exported],
        where=sightings.EXPORT,
    )
    return CasesExport(record=record, content=content)


@dataclass(frozen=True)
class CtdcExport:
    record: ExportRecord
    plan: ctdc.Plan

    @property
    def filename(self) -> str:
        return f"amparo-ctdc-{self.record.exported_at:%Y%m%d}.csv"


@transaction.atomic
def export_ctdc(*, actor: User, scope: Scope, filters: Filters) -> tuple[CtdcExport, object]:
    """Plan the CTDC export and record it; returns the export and the consenting cases,
    which the caller streams with ``ctdc.stream``."""
    cases = ctdc.consenting_cases(
        scope.cases(filters.team_id).filter(
            opened_on__gte=filters.first, opened_on__lt=filters.after_last
        )
    )
    export_plan = ctdc.plan(cases)
    record = _record(actor, ExportKind.CTDC, filters, record_count=export_plan.exported)
    record_event(action=Action.CTDC_EXPORTED, actor=actor, target=record,
                 purpose=f"level_{export_plan.level}")
    return CtdcExport(record=record, plan=export_plan), cases
