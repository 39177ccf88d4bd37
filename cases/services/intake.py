"""Registering an intake and editing its sections, in whatever order the conversation allows."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, Team
from audit.models import AccessEvent, Action, Outcome
from audit.services import record_event
from cases import vocabularies as v
from cases.indexing import full_name as indexed_full_name
from cases.indexing import index_document, index_survivor
from cases.listing import NEWEST_FIRST, PAGE_SIZE, with_next_follow_up
from cases.models import (
    DOCUMENT_INDEX,
    NAME_INDEX,
    Case,
    CaseCodeCounter,
    RouteStop,
    Survivor,
    SurvivorDocument,
)
from cases.queries import (
    Access,
    access_level,
    unindexed,
    visible_cases_by_survivor,
)
from cases.services.access import SHREDDED_MESSAGE
from vault import services as vault
from vault.exceptions import CannotOpen

if TYPE_CHECKING:
    from accounts.models import Organization, User

ADULT_AGE = 18

logger = logging.getLogger(__name__)


def _require(actor: User, case: Case, needed: Access) -> None:
    if access_level(actor, case) < needed:
        raise PermissionDenied
    if case.survivor.is_shredded:
        # Her intake cannot be edited once shredded: nothing could be sealed for her.
        raise ValidationError(SHREDDED_MESSAGE())


# --- minors -------------------------------------------------------------------------


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def age_band(age: int | None) -> str:
    if age is None:
        return v.AgeBand.UNKNOWN
    bands = (
        (12, v.AgeBand.CHILD),
        (17, v.AgeBand.ADOLESCENT),
        (24, v.AgeBand.YOUNG_ADULT),
        (34, v.AgeBand.ADULT_25),
        (49, v.AgeBand.ADULT_35),
    )
    for limit, band in bands:
        if age <= limit:
            return band
    return v.AgeBand.ADULT_50


@dataclass(frozen=True)
class AgeFacts:
    """What is known of her age, and what follows from it for the minors rules."""

    birth_date: date | None = None
    estimated_age: int | None = None
    age_uncertain: bool = False

    @property
    def age(self) -> int | None:
        if self.birth_date is not None:
            return age_on(self.birth_date, timezone.localdate())
        return self.estimated_age

    @property
    def is_child(self) -> bool:
        """Treated as a child when under 18, or when her age is uncertain and she may be.

        An uncertain estimate of 18 to 20 could still be a minor, so the benefit of the
        doubt extends three years above the line (DOMAIN.md: treat her as a child until
        shown otherwise).
        """
        age = self.age
        if age is None:
            return self.age_uncertain
        if age < ADULT_AGE:
            return True
        return self.age_uncertain and age < ADULT_AGE + 3


# --- case codes ---------------------------------------------------------------------


def allocate_code(organization: Organization, *, prefix: str, year: int) -> str:
    """The next case code of an organisation, ``PE-2026-0042``.

    The counter row is locked so that two intakes registered at the same moment never
    get the same number.
    """
    counter, _ = CaseCodeCounter.objects.get_or_create(organization=organization, year=year)
    counter = CaseCodeCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}-{year}-{counter.last_number:04d}"


# --- intake -------------------------------------------------------------------------


@dataclass
class Identity:
    given_names: str = ""
    family_names: str = ""
    aliases: str = ""
    birth_date: date | None = None
    estimated_age: int | None = None
    age_uncertain: bool = False
    gender: str = ""
    nationality: str = ""
    languages: list[str] = field(default_factory=list)
    family_contacts: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.family_names) if part)

    @property
    def age_facts(self) -> AgeFacts:
        return AgeFacts(self.birth_date, self.estimated_age, self.age_uncertain)


@dataclass
class Guardian:
    name: str = ""
    relationship: str = ""
    contact: str = ""

    def is_complete(self) -> bool:
        return bool(self.name.strip() and self.relationship.strip())


@dataclass
class SafeContact:
    channel: str = ""
    address: str = ""
    safe_times: str = ""
    may_leave_message: bool = False
    code_word: str = ""


def _sealed_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _apply_identity(
    survivor: Survivor, case: Case, identity: Identity, guardian: Guardian | None
) -> None:
    facts = identity.age_facts
    if facts.is_child and not (guardian and guardian.is_complete()):
        raise ValidationError(
            {"guardian": _("She may be under 18: record her guardian's name and relationship.")}
        )
    vault.seal(
        survivor,
        given_names=identity.given_names or None,
        family_names=identity.family_names or None,
        aliases=identity.aliases or None,
        birth_date=identity.birth_date.isoformat() if identity.birth_date else None,
        estimated_age=str(identity.estimated_age) if identity.estimated_age is not None else None,
        family_contacts=identity.family_contacts or None,
        guardian=_sealed_json(guardian.__dict__) if guardian and guardian.is_complete() else None,
    )
    survivor.gender = identity.gender
    survivor.nationality = identity.nationality
    survivor.languages = list(identity.languages)
    survivor.age_band = age_band(facts.age)
    index_survivor(survivor, name=identity.full_name)
    case.is_child = facts.is_child
    case.age_uncertain = facts.age_uncertain


@transaction.atomic
def register_intake(
    *,
    actor: User,
    team: Team,
    identity: Identity,
    guardian: Guardian | None = None,
    code_prefix: str = "PE",
    documents: list[dict[str, Any]] | None = None,
) -> Case:
    """Open a new case for a survivor met for the first time.

    Only what a first meeting can give is required: a team, and a guardian when she may
    be a child. Everything else is filled in later, section by section. ``documents``
    (as for ``set_documents``) are the ones she showed at the first meeting, if any.
    """
    if not actor.has_role(Role.CASEWORKER, Role.SUPERVISOR):
        raise PermissionDenied
    in_team = (
        team.members.filter(pk=actor.pk).exists() or team.supervisors.filter(pk=actor.pk).exists()
    )
    if team.organization_id != actor.organization_id or not in_team:
        raise PermissionDenied
    survivor = Survivor(organization_id=actor.organization_id)
    today = timezone.localdate()
    case = Case(
        organization_id=actor.organization_id,
        survivor=survivor,
        team=team,
        owner=actor,
        opened_on=today,
    )
    _apply_identity(survivor, case, identity, guardian)
    survivor.save()
    case.code = allocate_code(actor.organization, prefix=code_prefix, year=today.year)
    case.survivor = survivor
    case.save()
    for item in documents or ():
        _add_document(survivor.pk, item, organization_id=survivor.organization_id)
    record_event(action=Action.CASE_REGISTERED, actor=actor, target=case, case_code=case.code)
    return case


@transaction.atomic
def update_identity(
    *, actor: User, case: Case, identity: Identity, guardian: Guardian | None
) -> Case:
    case = Case.objects.select_for_update().select_related("survivor").get(pk=case.pk)
    _require(actor, case, Access.WORK)
    survivor = case.survivor
    _apply_identity(survivor, case, identity, guardian)
    survivor.save()
    case.save(update_fields=["is_child", "age_uncertain", "updated_at"])
    record_event(
        action=Action.CASE_UPDATED,
        actor=actor,
        target=case,
        case_code=case.code,
        purpose="identity",
    )
    return case


def _add_document(survivor_id: Any, item: dict[str, Any], *, organization_id: Any) -> None:
    document = SurvivorDocument(
        survivor_id=survivor_id,
        kind=item["kind"],
        issuing_country=item.get("issuing_country", ""),
        held_by_survivor=item.get("held_by_survivor", True),
    )
    vault.seal(document, number=item["number"])
    index_document(document, number=item["number"], organization_id=organization_id)
    document.save()


@transaction.atomic
def set_documents(*, actor: User, case: Case, documents: list[dict[str, Any]]) -> None:
    """Replace her identity documents: dicts with ``kind``, ``number``, ``issuing_country``,
    ``held_by_survivor``."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(actor, case, Access.WORK)
    SurvivorDocument.objects.filter(survivor_id=case.survivor_id).delete()
    for item in documents:
        _add_document(case.survivor_id, item, organization_id=case.organization_id)
    record_event(
        action=Action.CASE_UPDATED,
        actor=actor,
        target=case,
        case_code=case.code,
        purpose="documents",
    )


@transaction.atomic
def update_safe_contact(*, actor: User, case: Case, contact: SafeContact) -> None:
    case = Case.objects.select_for_update().select_related("survivor").get(pk=case.pk)
    _require(actor, case, Access.WORK)
    survivor = case.survivor
    survivor.contact_channel = contact.channel
    # "Do not contact" keeps what she said (who may answer, a code word): that is when
    # her team needs it most, to recognise her or a danger. Only the channel stops contact.
    vault.seal(survivor, safe_contact=_sealed_json(contact.__dict__))
    survivor.save(update_fields=["contact_channel", "safe_contact"])
    record_event(
        action=Action.CASE_UPDATED,
        actor=actor,
        target=case,
        case_code=case.code,
        purpose="safe_contact",
    )


PROFILE_FIELDS = (
    "trafficking_status",
    "determined_by",
    "exploitation_types",
    "labour_industry",
    "recruitment_methods",
    "recruitment_platform",
    "recruiter_relationship",
    "means_of_control",
    "debt_amount",
    "debt_currency",
    "identification_place",
)


@transaction.atomic
def update_profile(*, actor: User, case: Case, perpetrators: str = "", **coded: Any) -> None:
    """The trafficking profile: coded fields, plus a sealed description of perpetrators."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(actor, case, Access.WORK)
    unknown = set(coded) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {sorted(unknown)}")
    unknown_methods = set(coded.get("recruitment_methods") or []) - set(v.RecruitmentMethod.values)
    if unknown_methods:
        raise ValidationError(
            {"recruitment_methods": _("Choose how she was recruited from the list.")}
        )
    for name, value in coded.items():
        setattr(case, name, value)
    vault.seal(case, perpetrators=perpetrators or None)
    case.full_clean(exclude=["survivor", "team", "owner", "organization", "code"])
    case.save(update_fields=[*coded.keys(), "perpetrators", "updated_at"])
    record_event(
        action=Action.CASE_UPDATED, actor=actor, target=case, case_code=case.code, purpose="profile"
    )


@transaction.atomic
def set_route(*, actor: User, case: Case, stops: list[dict[str, Any]]) -> None:
    """Replace her route: dicts with ``kind``, ``country``, ``place``, ``when``."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(actor, case, Access.WORK)
    RouteStop.objects.filter(case=case).delete()
    for position, item in enumerate(stops):
        stop = RouteStop(
            case=case,
            survivor_id=case.survivor_id,
            position=position,
            kind=item["kind"],
            country=item.get("country", ""),
        )
        vault.seal(stop, place=item.get("place") or None, when=item.get("when") or None)
        stop.save()
    record_event(
        action=Action.CASE_UPDATED, actor=actor, target=case, case_code=case.code, purpose="route"
    )


@transaction.atomic
def update_needs_and_narrative(
    *, actor: User, case: Case, immediate_needs: list[str], needs_note: str, narrative: str
) -> None:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require(actor, case, Access.WORK)
    case.immediate_needs = list(immediate_needs)
    vault.seal(case, needs_note=needs_note or None, narrative=narrative or None)
    case.save(update_fields=["immediate_needs", "needs_note", "narrative", "updated_at"])
    record_event(
        action=Action.CASE_UPDATED,
        actor=actor,
        target=case,
        case_code=case.code,
        purpose="narrative",
    )


# --- duplicate detection ------------------------------------------------------------


# The event purposes of the duplicate check: the check itself (one per intake request,
# counted by the rate limit) and each case it matched (in that case's own trail).
CHECK_PURPOSE = "intake"
MATCH_PURPOSE = "intake_match"
# A match in a case the person cannot see: what a probe for a hidden woman looks like
# (oversight.anomalies counts these).
HIDDEN_MATCH_PURPOSE = "intake_hidden_match"


@dataclass(frozen=True)
class DuplicateReport:
    """What the caseworker may be told: codes of matches she can see, and whether others exist.

    A match in a case she cannot see is reported only as "a possible match exists, your
    supervisor can check": no code, no team, nothing about that survivor.
    """

    visible_codes: tuple[str, ...] = ()
    hidden_match: bool = False
    visible_ids: tuple[Any, ...] = ()  # the same cases as ``visible_codes``, for links

    @property
    def found(self) -> bool:
        return bool(self.visible_codes) or self.hidden_match


class TooManyDuplicateChecks(ValidationError):
    """The person reached ``AMPARO_DUPLICATE_CHECKS_PER_HOUR``: nothing was checked."""


def duplicate_checks_per_hour() -> int:
    return int(settings.AMPARO_DUPLICATE_CHECKS_PER_HOUR)


def _checks_in_the_last_hour(actor: User) -> int:
    # A check ends either in a warning (the check's own event) or in a registration:
    # both count, so that testing names by registering them is limited too.
    return (
        AccessEvent.objects.filter(
            actor=actor,
            outcome=Outcome.ALLOWED,
            occurred_at__gte=timezone.now() - timedelta(hours=1),
        )
        .filter(
            Q(action=Action.DUPLICATE_CHECKED, purpose=CHECK_PURPOSE)
            | Q(action=Action.CASE_REGISTERED)
        )
        .count()
    )


def find_possible_duplicates(
    *,
    actor: User,
    full_name: str = "",
    birth_year: int | None = None,
    document_number: str = "",
    exclude_survivor: Survivor | None = None,
    record: bool = True,
) -> DuplicateReport:
    """Look for the same person among her organisation's survivors through blind indexes.

    Index values are shared by many survivors on purpose, so every candidate is opened
    and compared before it counts as a match. With ``record`` the check is this request's
    access event; the intake that registers in the same request records that instead.

    Probes are seen (issue 12): each matched case gets an event with its code, so the
    check shows in that case's "who accessed"; a match in a case the person cannot see is
    marked for the anomaly rules and its team's supervisors are told (code and link
    only). A person may check at most ``AMPARO_DUPLICATE_CHECKS_PER_HOUR`` times an hour;
    beyond that ``TooManyDuplicateChecks`` is raised, recorded, and nothing is opened.
    """
    if _checks_in_the_last_hour(actor) >= duplicate_checks_per_hour():
        # Not in a transaction (the intake page checks before it registers): the refusal
        # stays recorded although the caller is refused.
        record_event(
            action=Action.DUPLICATE_CHECKED,
            actor=actor,
            outcome=Outcome.DENIED,
            purpose="rate_limited",
        )
        raise TooManyDuplicateChecks(
            _(
                "You have checked for existing cases many times in the last hour. Wait a "
                "while, or ask your supervisor, before you register another intake."
            )
        )
    candidates: dict[Any, Survivor] = {}
    base = Survivor.objects.filter(organization_id=actor.organization_id, shredded_at__isnull=True)
    if exclude_survivor is not None:
        base = base.exclude(pk=exclude_survivor.pk)
    matches: set[Any] = set()
    organization_id = actor.organization_id
    if full_name.strip() and birth_year:
        # The row's one index is the name's; the year is compared after opening.
        key = NAME_INDEX.compute(full_name, scope=organization_id)
        for survivor in base.filter(name_key=key):
            candidates[survivor.pk] = survivor
            if _same_name_and_year(survivor, full_name, birth_year):
                matches.add(survivor.pk)
    if document_number.strip():
        key = DOCUMENT_INDEX.compute(document_number, scope=organization_id)
        documents = SurvivorDocument.objects.filter(
            number_key=key, survivor__in=base
        ).select_related("survivor")
        for document in documents:
            try:
                number = vault.unseal(document, "number")
            except CannotOpen:
                continue
            if DOCUMENT_INDEX.confirm([number], [document_number]):
                matches.add(document.survivor_id)
    if record:
        record_event(action=Action.DUPLICATE_CHECKED, actor=actor, purpose=CHECK_PURPOSE)
    if not matches:
        return DuplicateReport()
    visible = visible_cases_by_survivor(actor).filter(survivor_id__in=matches)
    rows = list(visible.order_by("code").values_list("pk", "code", "survivor_id"))
    visible_survivors = {survivor_id for _pk, _code, survivor_id in rows}
    _record_matches(actor, matches, visible_ids={pk for pk, _code, _s in rows})
    return DuplicateReport(
        visible_codes=tuple(code for _pk, code, _s in rows),
        hidden_match=bool(matches - visible_survivors),
        visible_ids=tuple(pk for pk, _code, _s in rows),
    )


def _record_matches(actor: User, survivor_ids: set[Any], *, visible_ids: set[Any]) -> None:
    """One event per matched case, in its trail; its supervisors told of a hidden one."""
    matched = (
        Case.objects.filter(organization_id=actor.organization_id, survivor_id__in=survivor_ids)
        .select_related("team")
        .order_by("code")
    )
    for case in matched:
        hidden = case.pk not in visible_ids
        record_event(
            action=Action.DUPLICATE_CHECKED,
            actor=actor,
            target=case,
            case_code=case.code,
            purpose=HIDDEN_MATCH_PURPOSE if hidden else MATCH_PURPOSE,
        )
        if hidden:
            _tell_supervisors_of_probe(case)


def _tell_supervisors_of_probe(case: Case) -> None:
    """Mail the case's supervisors on commit: the code and a link, nothing else."""
    addresses = sorted(
        {
            address
            for address in case.team.supervisors.filter(is_active=True).values_list(
                "email", flat=True
            )
            if address
        }
    )
    if not addresses:
        return
    link = (
        f"{settings.AMPARO_SITE_URL.rstrip('/')}"
        f"{reverse('cases:case_detail', kwargs={'case_id': case.pk})}"
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("A duplicate check matched case %(code)s") % {"code": case.code}
        body = _(
            "A colleague outside the people who work case %(code)s checked at intake for a "
            "person who matches it. The check is in the case's access trail.\n\n"
            "Open it: %(link)s\n"
        ) % {"code": case.code, "link": link}
    code = case.code

    def send() -> None:
        try:
            send_mail(subject, body, None, addresses, fail_silently=False)
        except Exception as error:  # noqa: BLE001 - a failed mail must not undo the check
            logger.warning(
                "cases: probe mail for case %s not sent (%s)", code, type(error).__name__
            )

    transaction.on_commit(send)


def record_duplicate_warning(*, actor: User) -> None:
    """The intake stopped at a possible-duplicate warning: that check is the request's event.

    (``find_possible_duplicates(record=False)`` opened other survivors' names to compare;
    when no case is registered in the same request, this records that look.)
    """
    record_event(action=Action.DUPLICATE_CHECKED, actor=actor, purpose=CHECK_PURPOSE)


def _same_name_and_year(survivor: Survivor, full_name: str, birth_year: int) -> bool:
    try:
        given = vault.unseal(survivor, "given_names") or ""
        family = vault.unseal(survivor, "family_names") or ""
        birth = vault.unseal(survivor, "birth_date") or ""
    except CannotOpen:
        return False
    return NAME_INDEX.confirm([indexed_full_name(given, family)], [full_name]) and (
        _birth_year(birth) == int(birth_year)
    )


def _birth_year(stored: str) -> int | None:
    """The year of a stored birth date ("1996-04-12"); None if it is not one."""
    try:
        return date.fromisoformat(stored).year
    except ValueError:
        return None


def search_by_name(*, actor: User, full_name: str, size: int = PAGE_SIZE) -> list[Case]:
    """Her visible cases whose survivor's full name matches exactly (after normalisation),
    newest first, at most ``size`` + 1, fetched as list rows are
    (``cases.listing.with_next_follow_up``).

    A name is the survivor's, not the case's: the survivors of that name who have a case
    she may see are found through the blind index, each name is opened once (their data
    keys in one query) and confirmed, and only then are their cases read, as many as a
    page shows. Four queries however many women share the name or how many cases each
    has (``bench/case_list.py``: joined in one query over cases, SQLite read every case of
    the organisation, and 500,000 cases with many namesakes read a thousand rows).
    """
    key = NAME_INDEX.compute(full_name, scope=actor.organization_id)
    if key is None:
        return []
    visible = visible_cases_by_survivor(actor)
    # The name key picks the few namesakes: the organisation is compared as an expression
    # so that SQLite reads the name index, not every survivor of the organisation.
    survivors = list(
        Survivor.objects.alias(unindexed_organization_id=unindexed("organization_id"))
        .filter(name_key=key, unindexed_organization_id=actor.organization_id)
        .filter(Exists(visible.filter(survivor_id=OuterRef("pk"))))
    )
    vault.preload_data_keys(survivor.pk for survivor in survivors)
    matching = []
    for survivor in survivors:
        try:
            given = vault.unseal(survivor, "given_names") or ""
            family = vault.unseal(survivor, "family_names") or ""
        except CannotOpen:
            continue
        if NAME_INDEX.confirm([" ".join(p for p in (given, family) if p)], [full_name]):
            matching.append(survivor.pk)
    if not matching:
        return []
    cases = visible.filter(survivor_id__in=matching)
    return list(with_next_follow_up(cases).order_by(*NEWEST_FIRST)[: size + 1])
