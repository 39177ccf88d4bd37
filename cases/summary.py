"""What every case page shows at the top: who she is, how to reach her safely, and risk.

Opening her name and safe contact is part of the page view the caller has already
recorded through ``get_case_for_user``; nothing here records or writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cases import vocabularies as v
from core.opened import as_json_object
from vault import services as vault
from vault.exceptions import CannotOpen, OwnerShredded

if TYPE_CHECKING:
    from accounts.models import User
    from cases.models import Case


@dataclass(frozen=True)
class CaseSummary:
    case: Case
    name: str
    unreadable: bool  # shredded, or a value that would not open (already recorded)
    shredded: bool
    contact_channel: str
    do_not_contact: bool
    safe_contact: dict
    guardian: dict

    @property
    def contact_channel_label(self) -> str:
        return v.ContactChannel(self.contact_channel).label if self.contact_channel else ""


def open_json(instance, field_name: str, *, actor: User | None) -> dict:
    # Defensive (core/opened.py): text that is not a JSON object shows as empty.
    return as_json_object(vault.unseal(instance, field_name, actor=actor))


def full_name(survivor, *, actor: User | None) -> str:
    given = vault.unseal(survivor, "given_names", actor=actor) or ""
    family = vault.unseal(survivor, "family_names", actor=actor) or ""
    return " ".join(part for part in (given, family) if part)


def case_summary(case: Case, *, actor: User) -> CaseSummary:
    survivor = case.survivor
    channel = survivor.contact_channel
    try:
        name = full_name(survivor, actor=actor)
        contact = open_json(survivor, "safe_contact", actor=actor)
        guardian = open_json(survivor, "guardian", actor=actor)
        unreadable = shredded = False
    except OwnerShredded:
        name, contact, guardian, unreadable, shredded = "", {}, {}, True, True
    except CannotOpen:
        name, contact, guardian, unreadable, shredded = "", {}, {}, True, False
    return CaseSummary(
        case=case,
        name=name,
        unreadable=unreadable,
        shredded=shredded,
        contact_channel=channel,
        do_not_contact=channel == v.ContactChannel.DO_NOT_CONTACT,
        safe_contact=contact,
        guardian=guardian,
    )
