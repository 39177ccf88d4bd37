"""Sections of the case page that belong to apps above ``cases``.

The case page shows her referrals, but ``cases`` knows nothing of referrals: the app that
owns such a section registers it here in its ``AppConfig.ready()`` (``referrals`` adds
"Referrals"), and the page builds and shows every registered section after its follow-ups,
in the order registered. A section gets the case already fetched and its access level
already checked by the page's getter: it adds what it shows to the page's context and
records nothing (the page's one ``CASE_VIEWED`` event covers it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from accounts.models import User
    from cases.queries import CaseAccess


@dataclass(frozen=True)
class SectionRequest:
    """What a section may know of the page it is built for."""

    access: CaseAccess
    actor: User
    can_work: bool  # she may work the case, and its data is not shredded

    @property
    def case(self) -> Any:
        return self.access.case


@dataclass(frozen=True)
class CaseSection:
    """One section: ``anchor`` is its id on the page (and in links such as
    ``…/cases/<id>/#referrals``); ``build`` returns its part of the page's context;
    ``count_key`` names the list in it whose length the page's menu shows."""

    anchor: str
    title: Promise | str
    template: str
    build: Callable[[SectionRequest], dict[str, Any]]
    count_key: str = ""


_SECTIONS: dict[str, CaseSection] = {}


def register(section: CaseSection) -> None:
    """Add a section (once: registering the same anchor again replaces it, so that a
    second ``ready()`` in tests does not show it twice)."""
    _SECTIONS[section.anchor] = section


def registered() -> tuple[CaseSection, ...]:
    return tuple(_SECTIONS.values())


# The case page's own sections, in the page's order (the registered ones come after
# "follow-ups"). Each is a ``<details>`` collapsed by default; ``?section=<key>`` opens it.
OWN_SECTIONS = (
    "risk", "follow-ups", "notes", "consent", "attachments", "identity", "profile", "route",
    "needs", "linked", "episodes",
)


def section_keys() -> tuple[str, ...]:
    """Every section the case page has: its own and the registered ones."""
    return OWN_SECTIONS + tuple(section.anchor for section in registered())


def section_url(case: Any, key: str, *, anchor: str = "") -> str:
    """The case page with section ``key`` open and in view: one address per section, and
    it works without JavaScript (the server opens the section; the fragment scrolls to it).
    ``case`` is a case or its id; ``anchor`` is a place inside the section (the safety
    plan inside "risk"), the section itself by default. An unknown key is a programming
    error, not a link to a page that silently opens nothing."""
    if key not in section_keys():
        raise ValueError(f"The case page has no section {key!r}")
    case_id = getattr(case, "pk", case)
    page = reverse("cases:case_detail", kwargs={"case_id": case_id})
    return f"{page}?section={key}#{anchor or key}"


@dataclass(frozen=True)
class BuiltSection:
    anchor: str
    title: Promise | str
    template: str
    count: int | None


def build_sections(request: SectionRequest) -> tuple[dict[str, Any], list[BuiltSection]]:
    """Every registered section's context (merged) and what the page needs to show it."""
    context: dict[str, Any] = {}
    shown = []
    for section in registered():
        part = section.build(request)
        context.update(part)
        count = len(part[section.count_key]) if section.count_key else None
        shown.append(BuiltSection(section.anchor, section.title, section.template, count))
    return context, shown
