"""The referral packet: what the provider may read, chosen by the caseworker, sealed once.

``build`` opens only the ticked items of the case (and the chosen notes) and returns the
snapshot; the services seal it with the survivor's key at approval or emergency send.
``open_packet`` gives it back to a reader whom ``referrals.queries`` let through; the
caller records the look. Nothing unticked is ever opened here, so it cannot leak into the
packet, the partner's pages or mail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from cases import vocabularies as cv
from cases.models import Note
from core.labels import label
from referrals import vocabularies as rv
from vault import services as vault
from vault.exceptions import CannotOpen, OwnerShredded

if TYPE_CHECKING:
    from accounts.models import User
    from referrals.models import Referral

PACKET_VERSION = 1


def _open(instance, field_name: str, actor: User) -> str:
    return vault.unseal(instance, field_name, actor=actor) or ""


def _open_json(instance, field_name: str, actor: User) -> dict:
    raw = _open(instance, field_name, actor)
    return json.loads(raw) if raw else {}


def build(referral: Referral, *, actor: User) -> dict[str, Any]:
    """The snapshot of the ticked items, as plain JSON-able data (codes, not labels)."""
    case, survivor = referral.case, referral.survivor
    items = set(referral.items)
    shared: dict[str, Any] = {}
    if rv.PacketItem.NAME in items:
        given = _open(survivor, "given_names", actor)
        family = _open(survivor, "family_names", actor)
        shared["name"] = " ".join(part for part in (given, family) if part)
    if rv.PacketItem.ALIASES in items:
        shared["aliases"] = _open(survivor, "aliases", actor)
    if rv.PacketItem.AGE_BAND in items:
        shared["age_band"] = survivor.age_band
    if rv.PacketItem.BIRTH_DATE in items:
        shared["birth_date"] = _open(survivor, "birth_date", actor)
        if not shared["birth_date"]:
            estimated = _open(survivor, "estimated_age", actor)
            shared["estimated_age"] = estimated
    if rv.PacketItem.GENDER in items:
        shared["gender"] = survivor.gender
    if rv.PacketItem.NATIONALITY in items:
        shared["nationality"] = survivor.nationality
    if rv.PacketItem.LANGUAGES in items:
        shared["languages"] = list(survivor.languages or [])
    if rv.PacketItem.SAFE_CONTACT in items:
        contact = _open_json(survivor, "safe_contact", actor)
        contact["channel"] = survivor.contact_channel
        shared["safe_contact"] = contact
    if rv.PacketItem.GUARDIAN in items and case.is_child:
        shared["guardian"] = _open_json(survivor, "guardian", actor)
    if rv.PacketItem.NEEDS in items:
        shared["needs"] = {
            "codes": list(case.immediate_needs or []),
            "note": _open(case, "needs_note", actor),
        }
    if rv.PacketItem.RISK in items:
        latest = case.risk_assessments.order_by("-assessed_on", "-recorded_at").first()
        shared["risk"] = {
            "level": case.risk_level,
            "factors": list(latest.factors) if latest else [],
            "assessed_on": latest.assessed_on.isoformat() if latest else "",
        }
    if rv.PacketItem.NOTES in items and referral.note_ids:
        notes = Note.objects.filter(case=case, pk__in=referral.note_ids).order_by("created_at")
        shared["notes"] = [
            {"date": timezone.localtime(note.created_at).date().isoformat(),
             "body": _open(note, "body", actor)}
            for note in notes
        ]
    return {
        "version": PACKET_VERSION,
        "case_code": case.code,
        "service": referral.offering.name,
        "service_type": referral.offering.service_type,
        "urgency": referral.urgency,
        "emergency": referral.emergency,
        "is_child": case.is_child,
        "reason": _open(referral, "reason", actor),
        "beyond_minimum_reason": _open(referral, "beyond_minimum_reason", actor),
        "items": shared,
        "sealed_at": timezone.now().isoformat(),
    }


def seal(referral: Referral, *, actor: User) -> None:
    """Build and seal the packet onto the (locked, unsaved) referral."""
    snapshot = build(referral, actor=actor)
    vault.seal(referral, packet=json.dumps(snapshot, ensure_ascii=False, sort_keys=True))
    referral.packet_sealed_at = timezone.now()


@dataclass
class Packet:
    """An opened packet with labels for the page; ``closed`` says why it did not open."""

    data: dict[str, Any] = field(default_factory=dict)
    closed: str = ""  # "", "withdrawn", "shredded", "unreadable", "not_sent"

    @property
    def items(self) -> dict[str, Any]:
        return self.data.get("items", {})

    def rows(self) -> list[tuple[str, Any]]:
        """(label, value) pairs in the vocabulary's order, coded values labelled."""
        return [(label, value) for _code, label, value in self.entries()]

    def entries(self) -> list[tuple[str, str, Any]]:
        """(item code, label, value) in the vocabulary's order, coded values labelled."""
        labels = dict(rv.PacketItem.choices)
        rows: list[tuple[str, str, Any]] = []
        items = self.items
        for code in rv.PacketItem.values:
            if code not in items and not (code == "birth_date" and "estimated_age" in items):
                continue
            value = items.get(code)
            if code == "age_band":
                value = label(value, cv.AgeBand)
            elif code == "gender":
                value = label(value, cv.Gender)
            elif code == "nationality":
                value = label(value, cv.Nationality)
            elif code == "languages":
                value = ", ".join(label(code_, cv.Language) for code_ in value or [])
            elif code == "birth_date" and not value:
                value = items.get("estimated_age", "")
            rows.append((code, str(labels[code]), value))
        return rows



def open_packet(referral: Referral, *, actor: User) -> Packet:
    """The sealed packet for a reader already let through; closed when it must not open."""
    from referrals.vocabularies import State

    if referral.state == State.WITHDRAWN:
        return Packet(closed="withdrawn")
    if referral.packet is None:
        return Packet(closed="not_sent")
    try:
        raw = vault.unseal(referral, "packet", actor=actor)
    except OwnerShredded:
        return Packet(closed="shredded")
    except CannotOpen:
        return Packet(closed="unreadable")
    try:
        return Packet(data=json.loads(raw))
    except ValueError:
        return Packet(closed="unreadable")
