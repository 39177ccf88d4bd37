"""The referral packet: what the provider may read, chosen by the caseworker, sealed once.

``build`` opens only the ticked items of the case (and the chosen notes) and returns the
snapshot; the services seal it with the survivor's key at approval or emergency send.
``open_packet`` gives it back to a reader whom ``referrals.queries`` let through; the
caller records the look. ``present`` labels an opened packet for every page that shows
it: the caseworker's and supervisor's preview, the partner's packet page and its print.
Nothing unticked is ever opened here, so it cannot leak into the packet, the partner's
pages or mail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cases import vocabularies as cv
from cases.models import Note
from core.formatting import local_date
from core.labels import label, labels
from core.opened import as_json_object
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
    # Defensive (core/opened.py): text that is not a JSON object counts as empty.
    return as_json_object(_open(instance, field_name, actor))


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
    closed: str = ""  # "", "withdrawn", "shredded", "ended", "unreadable", "not_sent"
    end: str = ""  # for "ended": an ``rv.PacketEnd`` code

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
            title = str(labels[code])
            if code == "birth_date" and value:
                value = local_date(value)
            elif code == "birth_date" and not value:
                # Only her estimated age was shared: it must not read as a birth date.
                value = items.get("estimated_age", "")
                title = str(_("Estimated age (years)"))
            rows.append((code, title, value))
        return rows



def end(referral: Referral, why: str) -> None:
    """Empty the packet of a (locked) referral for good, saying why; the caller saves and
    records. The packet is not in the history, so emptying it removes it."""
    referral.packet = None
    referral.packet_ended_at = timezone.now()
    referral.packet_end = why


def open_packet(referral: Referral, *, actor: User) -> Packet:
    """The sealed packet for a reader already let through; closed when it must not open."""
    from referrals.vocabularies import State

    if referral.state == State.WITHDRAWN:
        return Packet(closed="withdrawn")
    if referral.packet_end:
        return Packet(closed="ended", end=referral.packet_end)
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


# --- presenting an opened packet ----------------------------------------------------------


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@dataclass
class PresentedPacket:
    """An opened packet labelled for reading, in two shapes of the same content.

    ``parts()``: the plain rows, then the structured parts (safe contact, guardian,
    needs, risk, notes) that the partner's page and print lay out each in its own way.
    ``lines()``: every item as (label, lines of text), in the vocabulary's order, for the
    case side's compact preview.
    """

    packet: Packet

    @property
    def data(self) -> dict[str, Any]:
        return self.packet.data

    def urgency_label(self) -> str:
        return label(self.data.get("urgency"), rv.Urgency)

    def _safe_contact(self) -> dict[str, Any]:
        contact = dict(self.packet.items.get("safe_contact") or {})
        contact["channel_label"] = label(contact.get("channel"), cv.ContactChannel)
        contact["do_not_contact"] = contact.get("channel") == cv.ContactChannel.DO_NOT_CONTACT
        return contact

    def _needs(self) -> dict[str, Any]:
        needs = self.packet.items.get("needs") or {}
        return {"labels": labels(needs.get("codes", []), cv.ServiceType),
                "note": needs.get("note", "")}

    def _risk(self) -> dict[str, Any]:
        risk = self.packet.items.get("risk") or {}
        return {
            "level": risk.get("level", ""),
            "level_label": label(risk.get("level"), cv.RiskLevel),
            "factors": labels(risk.get("factors", []), cv.RiskFactor),
            "assessed_on": _date(risk.get("assessed_on")),
            "assessed_on_text": risk.get("assessed_on", ""),
        }

    def parts(self) -> dict[str, Any]:
        """Plain rows (structured items have their own parts), then those parts."""
        items = self.packet.items
        parts: dict[str, Any] = {
            "rows": [
                (title, value) for title, value in self.packet.rows()
                if not isinstance(value, dict | list)
            ],
        }
        if "safe_contact" in items:
            parts["safe_contact"] = self._safe_contact()
        if "guardian" in items:
            parts["guardian"] = dict(items["guardian"] or {})
        if "needs" in items:
            parts["needs"] = self._needs()
        if "risk" in items:
            parts["risk"] = self._risk()
        if "notes" in items:
            parts["notes"] = [
                {"date": _date(note.get("date")), "body": note.get("body", "")}
                for note in items["notes"] or []
            ]
        return parts

    def lines(self) -> list[tuple[str, list[str]]]:
        """Every item as (label, lines of text), coded values labelled."""
        rows = []
        items = self.packet.items
        for code, title, value in self.packet.entries():
            text: list[str]
            if code == rv.PacketItem.SAFE_CONTACT and isinstance(value, dict):
                text = self._safe_contact_lines()
            elif code == rv.PacketItem.NEEDS and isinstance(value, dict):
                needs = self._needs()
                text = [", ".join(needs["labels"]), needs["note"]]
            elif code == rv.PacketItem.RISK and isinstance(value, dict):
                risk = self._risk()
                text = [risk["level_label"], *risk["factors"]]
                if risk["assessed_on_text"]:
                    text.append(_("Assessed on %(date)s")
                                % {"date": local_date(risk["assessed_on_text"])})
            elif code == rv.PacketItem.GUARDIAN and isinstance(value, dict):
                text = [" · ".join(
                    str(value[key]) for key in ("name", "relationship", "contact") if value.get(key)
                )]
            elif code == rv.PacketItem.NOTES and isinstance(value, list):
                text = [f"{local_date(note.get('date', ''))} — {note.get('body', '')}"
                        for note in value]
            elif code == rv.PacketItem.BIRTH_DATE and not items.get("birth_date"):
                text = [_("about %(age)s years old") % {"age": value}] if value else []
            else:
                text = [str(value)] if value not in (None, "") else []
            rows.append((title, [line for line in text if line]))
        return rows

    def _safe_contact_lines(self) -> list[str]:
        contact = self._safe_contact()
        if contact["do_not_contact"]:
            return [_("Do not contact her.")]
        if not contact.get("channel") and not contact.get("address"):
            return []
        text = [contact["channel_label"], contact.get("address", "")]
        if contact.get("safe_times"):
            text.append(_("Safe times: %(times)s") % {"times": contact["safe_times"]})
        text.append(_("A message may be left.") if contact.get("may_leave_message")
                    else _("Never leave a message."))
        if contact.get("code_word"):
            text.append(_("Code word: %(word)s") % {"word": contact["code_word"]})
        return text


def present(packet: Packet) -> PresentedPacket:
    """The one presenter of an opened packet, for every page that shows one."""
    return PresentedPacket(packet)
