"""What every case page shows at the top: who she is, how to reach her safely, and risk.

Opening her name and safe contact is part of the page view the caller has already
recorded through ``get_case_for_user``; nothing here records or writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cases import vocabularies as v
from cases.labels import HIDDEN, shows_case_code_only
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
    # Her organisation shows the case code alone and the name was not asked for: it was
    # not opened (cases.labels); the header offers the recorded "Show name" instead.
    name_hidden: bool = False

    @property
    def name_state(self) -> str:
        """As a list row's (``cases.listing.open_names``), for the case label."""
        if self.shredded:
            return "shredded"
        if self.unreadable:
            return "unreadable"
        return HIDDEN if self.name_hidden else ""

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


def case_summary(case: Case, *, actor: User, reveal_name: bool = False) -> CaseSummary:
    """The header of ``case`` for ``actor``. Her name is left sealed when her organisation
    shows the case code alone, unless ``reveal_name`` (a recorded "Show name", or a
    printed copy she chose to include the name in)."""
    survivor = case.survivor
    channel = survivor.contact_channel
    name_hidden = shows_case_code_only(actor) and not reveal_name
    try:
        if survivor.is_shredded:
            # Said before anything is opened: with the name left sealed, no value might
            # be there to tell the vault's refusal.
            raise OwnerShredded(survivor.pk)
        name = "" if name_hidden else full_name(survivor, actor=actor)
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
        name_hidden=name_hidden and not (shredded or unreadable),
    )
