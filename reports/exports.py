"""The organisation's own export: the files themselves (CSV or XLSX), and their encryption.

Coded and operational fields only, unless the supervisor gives a reason for names and
birth dates (``IdentityReason``); those are opened with her as the actor, like any look
at a case she supervises. The file is encrypted in the age format (pyrage) to a
passphrase or to an age public key before it leaves the server, so any age tool
(``age -d``, rage, pyrage) opens it; nothing is kept on the server.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyrage
from django.db.models import QuerySet
from openpyxl import Workbook

from cases.models import Case
from reports.models import RecipientKind
from vault import services as vault
from vault.exceptions import CannotOpen
from vault.scope import key_scope

if TYPE_CHECKING:
    from accounts.models import User

CODED_COLUMNS = (
    ("code", "case_code"),
    ("team__name", "team"),
    ("status", "status"),
    ("closure_reason", "closure_reason"),
    ("opened_on", "opened_on"),
    ("closed_on", "closed_on"),
    ("is_child", "child"),
    ("risk_level", "risk_level"),
    ("trafficking_status", "trafficking_status"),
    ("determined_by", "determined_by"),
    ("exploitation_types", "exploitation_types"),
    ("labour_industry", "labour_industry"),
    ("recruitment_methods", "recruitment_method"),
    ("recruitment_platform", "recruitment_platform"),
    ("recruiter_relationship", "recruiter_relationship"),
    ("means_of_control", "means_of_control"),
    ("survivor__gender", "gender"),
    ("survivor__age_band", "age_band"),
    ("survivor__nationality", "nationality"),
    ("identification_place", "identification_place"),
)
IDENTITY_FIELDS = (("given_names", "given_names"), ("family_names", "family_names"),
                   ("birth_date", "birth_date"))
CHUNK = 500


class RecipientError(ValueError):
    """The public key or passphrase cannot be used to encrypt."""


@dataclass(frozen=True)
class Recipient:
    kind: str
    value: str

    def encrypt(self, data: bytes) -> bytes:
        if self.kind == RecipientKind.PASSPHRASE:
            return pyrage.passphrase.encrypt(data, self.value)
        try:
            key = pyrage.x25519.Recipient.from_str(self.value.strip())
        except (pyrage.RecipientError, ValueError) as exc:
            raise RecipientError(str(type(exc).__name__)) from None
        return pyrage.encrypt(data, [key])


def check_public_key(value: str) -> bool:
    try:
        pyrage.x25519.Recipient.from_str(value.strip())
    except (pyrage.RecipientError, ValueError):
        return False
    return True


def _cell(value: object) -> str:
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    text = "" if value is None else str(value)
    if isinstance(value, bool):
        text = "1" if value else "0"
    # A spreadsheet would run a cell that starts like a formula.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def header(with_identity: bool) -> list[str]:
    names = [name for _field, name in CODED_COLUMNS]
    return names + [name for _field, name in IDENTITY_FIELDS] if with_identity else names


def rows(cases: QuerySet[Case], *, actor: User, with_identity: bool) -> Iterator[list[str]]:
    """The export's rows, in chunks; names opened only when ``with_identity``."""
    fields = [field for field, _name in CODED_COLUMNS]
    queryset = cases.select_related("survivor", "team").order_by("opened_on", "code")
    with key_scope():
        for chunk in _chunks(queryset.iterator(chunk_size=CHUNK), CHUNK):
            if with_identity:
                vault.preload_data_keys(
                    c.survivor_id for c in chunk if not c.survivor.is_shredded
                )
            for case in chunk:
                values = [_cell(_value(case, field)) for field in fields]
                if with_identity:
                    values += [_cell(_opened(case, name, actor)) for name, _c in IDENTITY_FIELDS]
                yield values


def _chunks(items: Iterable[Case], size: int) -> Iterator[list[Case]]:
    chunk: list[Case] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _value(case: Case, path: str) -> object:
    value: object = case
    for part in path.split("__"):
        value = getattr(value, part)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _opened(case: Case, field_name: str, actor: User) -> str:
    if case.survivor.is_shredded:
        return ""
    try:
        value = vault.unseal(case.survivor, field_name, actor=actor)
    except CannotOpen:
        return ""  # recorded by the vault; the export says nothing it could not open
    return value.decode() if isinstance(value, bytes) else (value or "")


def as_csv(header_row: list[str], data: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header_row)
    writer.writerows(data)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(header_row: list[str], data: Iterable[list[str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("cases")
    sheet.append(header_row)
    for row in data:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
