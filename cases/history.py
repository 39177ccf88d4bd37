"""A case's change history, read from django-simple-history's tables.

History rows hold the same ciphertext as live rows, so sealed values open from them the
same way, and only for a person the caller has already let see the case. A sealed
value is re-sealed (with a new nonce) on every save, so stored bytes always differ:
sealed fields are compared by their opened text, never by their bytes, and a field
whose text did not change is not shown as changed. When they cannot be opened (she was
shredded) a change is shown as "changed", without content.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Team, User
from cases import vocabularies as v
from cases.models import (
    Attachment,
    Case,
    Consent,
    FollowUp,
    Note,
    RiskAssessment,
    RouteStop,
    Survivor,
    SurvivorDocument,
)
from core.formatting import as_date, local_date, number
from vault.fields import EncryptedField, EncryptedFileField

# Bookkeeping, links between rows, or index values: not changes a reader needs to see.
SKIPPED_FIELDS = {
    "id", "case", "survivor", "organization", "updated_at", "created_at", "recorded_at",
    "uploaded_at", "position", "content", "content_type",
    "index_version",  # which key computed the blind index: kept out of history
}

LIST_VOCABULARIES = {
    "exploitation_types": v.ExploitationType,
    "means_of_control": v.MeansOfControl,
    "recruitment_methods": v.RecruitmentMethod,
    "immediate_needs": v.ServiceType,
    "languages": v.Language,
    "factors": v.RiskFactor,
    "scope": v.ConsentScope,
}

SEALED_JSON_KEYS = {
    "channel": _("channel"),
    "address": _("number or address"),
    "safe_times": _("safe times"),
    "may_leave_message": _("a message may be left"),
    "code_word": _("code word"),
    "name": _("name"),
    "relationship": _("relationship"),
    "contact": _("contact"),
}

CREATED, CHANGED, DELETED = "+", "~", "-"
ACTIONS = {CREATED: _("added"), CHANGED: _("changed"), DELETED: _("removed")}


# The kinds of change the history page filters by (issue 14): key in ``?kind=``, label,
# and the tables it reads. Survivor and case rows are one kind: "her record".
KINDS = {
    "record": (_("Her record and the case"), (Case, Survivor)),
    "documents": (_("Documents"), (SurvivorDocument,)),
    "route": (_("Route"), (RouteStop,)),
    "risk": (_("Risk assessments"), (RiskAssessment,)),
    "consent": (_("Consent"), (Consent,)),
    "notes": (_("Notes"), (Note,)),
    "attachments": (_("Attachments"), (Attachment,)),
    "follow-ups": (_("Follow-ups"), (FollowUp,)),
}


def _sources(case: Case, kind: str = "") -> list[tuple[type[Model], Any]]:
    """Every history table that belongs to this case, with the filter that selects it
    (only those of ``kind`` when one is given)."""
    sources = [
        (Case, {"id": case.pk}),
        (Survivor, {"id": case.survivor_id}),
        (SurvivorDocument, {"survivor_id": case.survivor_id}),
        (RouteStop, {"case_id": case.pk}),
        (RiskAssessment, {"case_id": case.pk}),
        (Consent, {"case_id": case.pk}),
        (Note, {"case_id": case.pk}),
        (Attachment, {"case_id": case.pk}),
        (FollowUp, {"case_id": case.pk}),
    ]
    if kind:
        models = KINDS[kind][1]
        sources = [(model, filters) for model, filters in sources if model in models]
    return sources


@dataclass
class Change:
    label: str
    old: Any = None
    new: Any = None
    sealed: bool = False
    unreadable: bool = False  # sealed and could not be opened: "changed", no content


@dataclass
class HistoryRow:
    when: Any
    who: User | None
    what: str
    action: str
    action_code: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class HistoryEntry:
    record: Any
    previous: Any
    model: type[Model]

    def describe(self, opener: Callable, references: dict) -> HistoryRow:
        """The entry as the page shows it; opens sealed values with ``opener``."""
        record, previous = self.record, self.previous
        kind = record.history_type
        changes = []
        for model_field in self.model._meta.concrete_fields:
            name = model_field.name
            if name in SKIPPED_FIELDS or isinstance(model_field, EncryptedFileField):
                continue
            if getattr(model_field, "index", None) is not None and name.endswith("_key"):
                continue
            label = str(model_field.verbose_name)
            if isinstance(model_field, EncryptedField):
                change = _sealed_change(model_field, label, record, previous, kind, opener)
            else:
                change = _plain_change(model_field, label, record, previous, kind, references)
            if change is not None:
                changes.append(change)
        return HistoryRow(
            when=record.history_date,
            who=record.history_user,
            what=str(self.model._meta.verbose_name),
            action=str(ACTIONS.get(kind, kind)),
            action_code=kind,
            changes=changes,
        )


def case_history_entries(case: Case, kind: str = "") -> list[HistoryEntry]:
    """All history records of the case and its rows (of one kind of ``KINDS`` when
    given), newest first (nothing opened yet)."""
    entries: list[HistoryEntry] = []
    for model, filters in _sources(case, kind):
        records = list(
            model.history.filter(**filters)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        previous = None
        for record in records:
            same_row = previous is not None and previous.id == record.id
            entries.append(HistoryEntry(record, previous if same_row else None, model))
            previous = record
    entries.sort(key=lambda e: (e.record.history_date, e.record.history_id), reverse=True)
    return entries


def describe_entries(entries: list[HistoryEntry], opener: Callable) -> list[HistoryRow]:
    """The entries of one page as rows, opening only their values."""
    references = _resolve_references(entries)
    return [entry.describe(opener, references) for entry in entries]


def _resolve_references(entries: list[HistoryEntry]) -> dict:
    """Load the people, teams and organisations named in the entries in three queries."""
    ids: dict[type[Model], set] = {User: set(), Team: set(), Organization: set()}
    for entry in entries:
        for record in (entry.record, entry.previous):
            if record is None:
                continue
            for model_field in entry.model._meta.concrete_fields:
                target = model_field.related_model if model_field.is_relation else None
                if target in ids and model_field.name not in SKIPPED_FIELDS:
                    value = getattr(record, model_field.attname)
                    if value is not None:
                        ids[target].add(value)
    references = {}
    for model, pks in ids.items():
        if pks:
            for obj in model.objects.filter(pk__in=pks):
                references[(model, obj.pk)] = obj
    return references


def _display(model_field, value: Any, references: dict) -> Any:
    if value in (None, ""):
        return ""
    if model_field.is_relation:
        obj = references.get((model_field.related_model, value))
        if obj is None:
            return "—"
        return obj.display_name if isinstance(obj, User) else str(obj)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.name in LIST_VOCABULARIES:
        known = dict(LIST_VOCABULARIES[model_field.name].choices)
        return ", ".join(str(known.get(item, item)) for item in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field.name == "size":
        return filesizeformat(value)
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, datetime):
        return date_format(localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return value


def _plain_change(model_field, label: str, record, previous, kind: str, references: dict) -> Change | None:  # noqa: E501
    new = getattr(record, model_field.attname)
    old = getattr(previous, model_field.attname) if previous is not None else None
    if kind == CREATED:
        if new in (None, "", [], False):
            return None
        return Change(label=label, new=_display(model_field, new, references))
    if kind == DELETED:
        return None
    if previous is None or old == new:
        return None
    return Change(
        label=label,
        old=_display(model_field, old, references),
        new=_display(model_field, new, references),
    )


def _open_text(opener: Callable, record, name: str) -> tuple[str | None, bool]:
    """(text, unreadable) of a sealed value in a history record."""
    if record is None or getattr(record, name) is None:
        return None, False
    opened = opener(record, name)
    if opened.problem:
        return None, True
    text = opened.text
    if as_date(text) is not None:  # a sealed date is kept as ISO text
        return local_date(text), False
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return text, False
        text = "; ".join(
            f"{SEALED_JSON_KEYS.get(key, key)}: {_json_value(value)}"
            for key, value in sorted(data.items()) if value not in ("", None)
        )
    return text, False


def _json_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value in v.ContactChannel.values:
        return str(v.ContactChannel(value).label)
    return str(value)


def _sealed_change(model_field, label: str, record, previous, kind: str, opener: Callable) -> Change | None:  # noqa: E501
    name = model_field.attname
    if kind == DELETED:
        return None
    new, new_unreadable = _open_text(opener, record, name)
    if kind == CREATED:
        if new is None and not new_unreadable:
            return None
        return Change(label=label, new=new or "", sealed=True, unreadable=new_unreadable)
    if previous is None:
        return None
    if getattr(previous, name) is None and getattr(record, name) is None:
        return None
    old, old_unreadable = _open_text(opener, previous, name)
    if new_unreadable or old_unreadable:
        # Bytes always differ after a save; without opening them nobody can tell.
        if bytes(getattr(previous, name) or b"") == bytes(getattr(record, name) or b""):
            return None
        return Change(label=label, sealed=True, unreadable=True)
    if (old or "") == (new or ""):
        return None
    return Change(label=label, old=old or "", new=new or "", sealed=True)
