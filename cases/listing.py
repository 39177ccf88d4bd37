"""Case rows as lists show them: the case list (``cases.views.lists``) and the homes
(``workspace.dashboards``) fetch rows with ``with_next_follow_up`` and open only their
names with ``open_names``; the caller records the page's access event and one for each
case shown (``cases.sightings.record_list_page``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from cases import vocabularies as v
from cases.models import Case, FollowUp
from vault import services as vault
from vault.exceptions import CannotOpen, OwnerShredded

if TYPE_CHECKING:
    from accounts.models import User

# Sealed values a list never shows: left in the database, not carried to the page.
_UNLISTED = (
    "narrative",
    "perpetrators",
    "needs_note",
    "safety_plan",
    "survivor__aliases",
    "survivor__birth_date",
    "survivor__estimated_age",
    "survivor__family_contacts",
    "survivor__guardian",
    "survivor__safe_contact",
)


def with_next_follow_up(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Everything a case row shows, in the one query that fetches the rows."""
    next_due = (
        FollowUp.objects.filter(case=OuterRef("pk"), done_at__isnull=True)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return (
        cases.select_related("survivor", "owner", "team")
        .defer(*_UNLISTED)
        .annotate(next_follow_up_on=Subquery(next_due))
    )


def open_names(cases: Iterable[Case], *, actor: User) -> list[Case]:
    """Open the names of these cases' survivors and set row attributes for the templates.

    Sets ``list_name`` (may be empty: not recorded), ``name_state`` ("" when open,
    "shredded" or "unreadable"), ``do_not_contact`` and ``follow_up_overdue``. The
    caller records the page's events (``cases.sightings.record_list_page``).
    """
    rows = list(cases)
    today = timezone.localdate()
    vault.preload_data_keys(case.survivor_id for case in rows if not case.survivor.is_shredded)
    for case in rows:
        survivor = case.survivor
        case.list_name, case.name_state = "", ""
        if survivor.is_shredded:
            case.name_state = "shredded"
        else:
            try:
                given = vault.unseal(survivor, "given_names", actor=actor) or ""
                family = vault.unseal(survivor, "family_names", actor=actor) or ""
                case.list_name = " ".join(part for part in (given, family) if part)
            except OwnerShredded:
                case.name_state = "shredded"
            except CannotOpen:  # recorded by the vault as an integrity event
                case.name_state = "unreadable"
        case.do_not_contact = survivor.contact_channel == v.ContactChannel.DO_NOT_CONTACT
        due = getattr(case, "next_follow_up_on", None)
        case.follow_up_overdue = due is not None and due < today
    return rows
