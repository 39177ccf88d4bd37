"""Fictional cases for the demo network, bulk cases for benchmarks, and a canary survivor.

Every name, place and story here is invented (Venezuelan and Colombian women moved to
Peru, as DOMAIN.md describes). Cases are built through the services a caseworker's
pages use (``cases.services.intake``, ``work``, ``management``), so the demo holds what
real use would: sealed values, history rows, audit events. Direct writes, each marked
``# direct:`` below, are only for what no service does (back-dating a case, the
follow-up status, a text birth date for the canary) and for the bulk path, which seals
values with ``vault.seal`` and inserts them with ``bulk_create``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.demo import ensure_demo_allowed
from accounts.models import Organization, Role, Team, User
from cases import vocabularies as v
from cases.indexing import index_survivor
from cases.models import NAME_INDEX, Case, CaseCodeCounter, Survivor
from cases.services import attachments as attachment_services
from cases.services import consent as consent_services
from cases.services import intake, management, work
from cases.services import links as link_services
from cases.services.intake import Guardian, Identity, SafeContact, age_band
from vault import services as vault
from vault.exceptions import CannotOpen
from vault.scope import key_scope

DEMO_ORGANIZATION = "Asociación Camino Seguro"
DEMO_CASE_COUNT = 30

GIVEN_NAMES = [
    "María José",
    "Yuleisy",
    "Daniela",
    "Andreína",
    "Yorgelis",
    "Karla Valentina",
    "Mariángel",
    "Luisana",
    "Génesis",
    "Paola Andrea",
    "Leidy Johana",
    "Yesenia",
    "Dayana",
    "Nairobi",
    "Wendy Carolina",
    "Rosmary",
    "Yelitza",
    "Ángela María",
    "Marbelis",
    "Isabella",
]
FAMILY_NAMES = [
    "Pérez Salas",
    "Rondón Guerra",
    "Castillo Mejías",
    "Briceño Lugo",
    "Quintero Ochoa",
    "Ramírez Toro",
    "Ospina Cárdenas",
    "Villamizar Peña",
    "Suárez Blanco",
    "Gutiérrez Rivas",
    "Montilla Acosta",
    "Zambrano Parra",
    "Hernández Colmenares",
    "Carvajal Duque",
    "Arias Moreno",
]
PLACES = {
    "VE": ["Maracaibo", "Valencia", "Barquisimeto", "San Cristóbal", "Maturín"],
    "CO": ["Cúcuta", "Pereira", "Cali", "Bucaramanga"],
    "EC": ["Tulcán", "Huaquillas", "Quito"],
    "PE": ["Tumbes", "Lima", "Trujillo", "Juliaca", "Puerto Maldonado", "Mollendo"],
}
NOTES = [
    "Llamada breve: está en el albergue, duerme mejor. Pide ayuda con el trámite de carné.",
    "Acompañamiento al centro de salud. Próxima cita en dos semanas.",
    "Una conocida de la red preguntó por ella en el mercado. Revisar plan de seguridad.",
    "Habló con su madre por videollamada desde la oficina. Tranquila después.",
    "Reunión con la abogada de la clínica jurídica; decide esperar antes de denunciar.",
]
NARRATIVES = [
    "Le ofrecieron trabajo como vendedora en una tienda de ropa en Lima. Al llegar le dijeron "
    "que debía pagar el pasaje y la comida con trabajo en un bar.",
    "Una prima la contactó por WhatsApp con una oferta de mesera. La trasladaron por Tumbes "
    "y le quitaron el teléfono en la primera casa.",
    "Vivía con otras mujeres en una casa vigilada; las cambiaban de ciudad cada pocas semanas.",
]


@dataclass(frozen=True)
class DemoCasePlan:
    """What one demo case looks like; chosen by a seeded random generator."""

    owner: str
    given_names: str
    family_names: str
    nationality: str
    languages: tuple[str, ...]
    age: int
    child: bool
    channel: str
    risk: str
    state: str  # open, follow_up, closed
    opened_days_ago: int


# Where a Lima NGO's women were identified: mostly the capital and Callao, then the mining
# and border regions. Drawn from the case code, so the rest of the demo's draws stay as
# they were.
IDENTIFICATION_PLACES = (
    (v.IdentificationPlace.LIMA_METROPOLITAN, 10),
    (v.IdentificationPlace.CALLAO, 3),
    (v.IdentificationPlace.MADRE_DE_DIOS, 2),
    (v.IdentificationPlace.LORETO, 1),
    (v.IdentificationPlace.CUSCO, 1),
    (v.IdentificationPlace.TUMBES, 1),
    (v.IdentificationPlace.PUNO, 1),
    (v.IdentificationPlace.OTHER_COUNTRY, 1),
)


def _identification_place(code: str) -> str:
    places, weights = zip(*IDENTIFICATION_PLACES, strict=True)
    return random.Random(code).choices(places, weights=weights)[0]  # noqa: S311 - invented demo data


def _only_through_the_office_for_some(number: int, channel: str) -> str:
    """Every ninth case (from the eighth) is reached only through the office. The drawn
    channel is drawn anyway, so the rest of the demo stays the same as before."""
    return v.ContactChannel.THROUGH_OFFICE if number % 9 == 7 else channel

def _plans(count: int) -> list[DemoCasePlan]:
    rng = random.Random(2026)  # noqa: S311 - invented demo data, the same every time
    plans = []
    for number in range(count):
        nationality = rng.choices(["VE", "CO", "PE", "EC"], weights=[60, 28, 7, 5])[0]
        languages = ("es",)
        if nationality == "CO" and rng.random() < 0.2:
            languages = ("es", "guc")  # Wayuu women from La Guajira
        elif nationality == "PE" and rng.random() < 0.5:
            languages = ("qu", "es")
        child = number % 7 == 3
        plans.append(
            DemoCasePlan(
                owner="lucia" if number % 5 < 3 else "mateo",
                given_names=GIVEN_NAMES[number % len(GIVEN_NAMES)],
                family_names=FAMILY_NAMES[(number * 7) % len(FAMILY_NAMES)],
                nationality=nationality,
                languages=languages,
                age=rng.randint(14, 17) if child else rng.randint(18, 41),
                child=child,
                channel=_only_through_the_office_for_some(number, (
                    v.ContactChannel.DO_NOT_CONTACT
                    if number % 9 == 4
                    else rng.choice(
                        [
                            v.ContactChannel.WHATSAPP,
                            v.ContactChannel.SIGNAL,
                            v.ContactChannel.PHONE_CALL,
                            v.ContactChannel.THROUGH_CONTACT,
                        ]
                    )
                )),
                risk=rng.choices(list(v.RiskLevel.values), weights=[20, 35, 30, 15])[0],
                state="closed" if number % 6 == 5 else ("follow_up" if number % 4 == 2 else "open"),
                opened_days_ago=rng.randint(2, 400),
            )
        )
    # The first case is the one the examples use: José Pérez's namesake.
    plans[0] = DemoCasePlan(
        **{
            **plans[0].__dict__,
            "given_names": "María José",
            "family_names": "Pérez Salas",
            "state": "open",
        }
    )
    return plans


def demo_organization() -> Organization:
    return Organization.objects.get(name=DEMO_ORGANIZATION)


def _team_of(user: User) -> Team:
    return user.teams.first() or user.supervised_teams.first()


# --- about 30 cases through the services -----------------------------------------------


@key_scope()
def seed_demo_cases(count: int = DEMO_CASE_COUNT) -> int:
    """Add the demo cases unless the demo organisation already has cases; returns how many.

    Idempotent: a second run (or a run after ``--cases``) adds nothing.
    """
    ensure_demo_allowed()
    organization = demo_organization()
    if Case.objects.filter(organization=organization).exists():
        return 0
    people = {u.username: u for u in User.objects.filter(organization=organization)}
    supervisor = people["carmen"]
    today = timezone.localdate()
    for number, plan in enumerate(_plans(count)):
        _seed_one(number, plan, owner=people[plan.owner], supervisor=supervisor, today=today)
    return count


@transaction.atomic
def _seed_one(
    number: int, plan: DemoCasePlan, *, owner: User, supervisor: User, today: date
) -> Case:
    rng = random.Random(number)  # noqa: S311 - invented demo data, not secrets
    opened = today - timedelta(days=plan.opened_days_ago)
    birth = date(today.year - plan.age, rng.randint(1, 12), rng.randint(1, 28))
    knows_birth_date = not plan.child and rng.random() < 0.6
    identity = Identity(
        given_names=plan.given_names,
        family_names=plan.family_names,
        aliases=rng.choice(["", "", "La Flaca", "Yuli", "Mari"]),
        birth_date=birth if knows_birth_date else None,
        estimated_age=None if knows_birth_date else plan.age,
        age_uncertain=not knows_birth_date,
        gender=v.Gender.FEMALE,
        nationality=plan.nationality,
        languages=list(plan.languages),
        family_contacts=rng.choice(["Madre en Maracaibo, por WhatsApp", "Hermana en Cúcuta", ""]),
    )
    guardian = None
    if plan.child or identity.age_facts.is_child:
        guardian = Guardian(
            name=rng.choice(["Carmen Rondón", "Luis Quintero", "Defensoría (DEMUNA)"]),
            relationship=rng.choice(["madre", "tío", "tutela estatal"]),
        )
    case = intake.register_intake(
        actor=owner, team=_team_of(owner), identity=identity, guardian=guardian
    )
    # direct: no service back-dates a case; the demo needs cases of different ages.
    case.opened_on = opened
    case.save(update_fields=["opened_on"])

    if plan.channel == v.ContactChannel.DO_NOT_CONTACT:
        contact = SafeContact(channel=plan.channel)
    else:
        contact = SafeContact(
            channel=plan.channel,
            address=f"+51 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            safe_times=rng.choice(
                ["Mañanas, 9 a 11", "Después de las 20:00", "Solo martes y jueves"]
            ),
            may_leave_message=rng.random() < 0.3,
            code_word=rng.choice(["girasol", "azul", ""]),
        )
    intake.update_safe_contact(actor=owner, case=case, contact=contact)
    if rng.random() < 0.5:
        intake.set_documents(
            actor=owner,
            case=case,
            documents=[
                {
                    "kind": v.DocumentType.NATIONAL_ID,
                    "issuing_country": plan.nationality,
                    "number": f"V-{rng.randint(10_000_000, 30_999_999)}",
                    "held_by_survivor": rng.random() < 0.5,
                }
            ],
        )
    debt = rng.random() < 0.7
    intake.update_profile(
        actor=owner,
        case=case,
        perpetrators=rng.choice(["Alias «el Gato», dueño del bar", ""]),
        trafficking_status=rng.choice(
            [v.TraffickingStatus.POSSIBLE, v.TraffickingStatus.CONFIRMED]
        ),
        determined_by=v.DeterminedBy.NGO,
        exploitation_types=[v.ExploitationType.SEXUAL_PROSTITUTION]
        if rng.random() < 0.8
        else [v.ExploitationType.FORCED_LABOUR],
        recruitment_methods=[rng.choice(
            [
                v.RecruitmentMethod.JOB_OFFER,
                v.RecruitmentMethod.RELATIVE,
                v.RecruitmentMethod.ONLINE_SOCIAL,
                v.RecruitmentMethod.VICTIM_RECRUITER,
            ]
        )],
        recruiter_relationship=rng.choice(list(v.RecruiterRelationship.values)),
        means_of_control=[
            v.MeansOfControl.DEBT_BONDAGE,
            v.MeansOfControl.MONITORS_PHONE,
            v.MeansOfControl.THREATS_FAMILY,
        ][: rng.randint(1, 3)],
        debt_amount=Decimal(rng.choice([3000, 3500, 4000])) if debt else None,
        debt_currency=v.Currency.USD if debt else "",
        identification_place=_identification_place(case.code),
    )
    origin = plan.nationality if plan.nationality in PLACES else "VE"
    intake.set_route(
        actor=owner,
        case=case,
        stops=[
            {
                "kind": v.RouteStopKind.RECRUITMENT,
                "country": origin,
                "place": rng.choice(PLACES[origin]),
                "when": "2025",
            },
            {
                "kind": v.RouteStopKind.TRANSIT,
                "country": "EC",
                "place": rng.choice(PLACES["EC"]),
                "when": "2025",
            },
            {
                "kind": v.RouteStopKind.EXPLOITATION,
                "country": "PE",
                "place": rng.choice(PLACES["PE"]),
                "when": "2025–2026",
            },
        ],
    )
    intake.update_needs_and_narrative(
        actor=owner,
        case=case,
        immediate_needs=["shelter", "medical"][: rng.randint(1, 2)],
        needs_note="",
        narrative=rng.choice(NARRATIVES),
    )
    work.record_risk_assessment(
        actor=owner,
        case=case,
        assessed_on=min(today, opened + timedelta(days=1)),
        level=plan.risk,
        factors=[v.RiskFactor.THREATS_TO_FAMILY_ABROAD, v.RiskFactor.OUTSTANDING_DEBT][
            : rng.randint(0, 2)
        ],
        notes="La red sabe que está viva." if plan.risk in ("high", "critical") else "",
        # Every fourth review is overdue, so the team home has something to show.
        next_review_on=today + timedelta(days=rng.choice([-6, 10, 20, 30])),
    )
    if plan.risk in ("high", "critical"):
        work.update_safety_plan(
            actor=owner,
            case=case,
            plan="No salir sola de noche. Número de la coordinadora guardado con otro nombre.",
        )
    for body in rng.sample(NOTES, rng.randint(1, 2)):
        work.add_note(actor=owner, case=case, body=body)
    if number % 3 == 0:
        consent_services.record_consent(
            actor=owner,
            case=case,
            purpose=v.ConsentPurpose.DATA_PROCESSING,
            given=True,
            method=v.ConsentMethod.VERBAL,
            given_by=consent_services.allowed_givers(case)[0],
            interpreter_language="guc" if "guc" in plan.languages else "",
        )
    if plan.state != "closed":
        # Some overdue, some due this week, some later: the "my work" page has all kinds.
        for offset in sorted(rng.sample([-9, -3, 1, 4, 6, 15, 30], 2)):
            work.add_follow_up(
                actor=owner,
                case=case,
                kind=rng.choice(
                    [
                        v.FollowUpKind.CHECK_IN,
                        v.FollowUpKind.MEDICAL,
                        v.FollowUpKind.LEGAL,
                        v.FollowUpKind.DOCUMENTS,
                    ]
                ),
                due_on=today + timedelta(days=offset),
                assignee=owner,
            )
    if plan.state == "follow_up":
        case.status = v.CaseStatus.FOLLOW_UP  # direct: no service moves a case to follow-up
        case.save(update_fields=["status", "updated_at"])
    elif plan.state == "closed":
        management.close_case(
            actor=owner,
            case=case,
            status=rng.choice([v.CaseStatus.CLOSED, v.CaseStatus.CLOSED_REFERRED]),
            reason=rng.choice(
                [
                    v.ClosureReason.GOALS_MET,
                    v.ClosureReason.TRANSFERRED,
                    v.ClosureReason.LOST_CONTACT,
                ]
            ),
            check_ins=[management.add_months(today, months) for months in (3, 6, 12, 24)],
        )
    return case


# --- many cases, quickly, for benchmarks ------------------------------------------------


def _bulk_codes(organization: Organization, count: int, *, prefix: str, year: int) -> Iterator[str]:
    # Locked so that intakes registered meanwhile never reuse a reserved number.
    counter, _ = CaseCodeCounter.objects.get_or_create(organization=organization, year=year)
    counter = CaseCodeCounter.objects.select_for_update().get(pk=counter.pk)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    for number in range(first, first + count):
        yield f"{prefix}-{year}-{number:04d}"


def bulk_create_cases(
    *,
    owners: list[User],
    count: int,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create ``count`` minimal cases (sealed names and birth date) spread over ``owners``.

    Each owner's cases go to her first team. One new data key per survivor is the
    dominant cost, so a batch's keys are created with one insert
    (``vault.services.create_data_keys``, committed before the rows that use them); values
    are sealed with ``vault.seal`` and rows inserted with ``bulk_create``. Measured on a
    loaded 2-core machine: about 450 cases a second (100,000 in under 4 minutes), a
    third of it the audit events of the new keys.
    These are benchmark rows, not a caseworker's work: no history rows and no audit
    event per case (the vault still records each key it creates).
    """
    ensure_demo_allowed()
    organization = owners[0].organization
    teams = {owner.pk: _team_of(owner) for owner in owners}
    rng = random.Random(count)  # noqa: S311 - invented demo data, not secrets
    today = timezone.localdate()
    created = 0
    while created < count:
        size = min(batch_size, count - created)
        with transaction.atomic(), key_scope():
            codes = _bulk_codes(organization, size, prefix="PE", year=today.year)
            survivor_ids = [uuid.uuid4() for _ in range(size)]
            vault.create_data_keys(survivor_ids)  # committed at once, before the rows
            survivors, cases = [], []
            for number, survivor_id in enumerate(survivor_ids):
                owner = owners[(created + number) % len(owners)]
                given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
                birth = date(rng.randint(1975, 2006), rng.randint(1, 12), rng.randint(1, 28))
                survivor = Survivor(
                    id=survivor_id,
                    organization=organization,
                    gender=v.Gender.FEMALE,
                    nationality=rng.choice(["VE", "VE", "VE", "CO", "CO", "PE"]),
                    languages=["es"],
                    age_band=age_band(intake.age_on(birth, today)),
                )
                vault.seal(
                    survivor, given_names=given, family_names=family, birth_date=birth.isoformat()
                )
                index_survivor(survivor, name=f"{given} {family}")
                survivors.append(survivor)
                cases.append(
                    Case(
                        organization=organization,
                        survivor=survivor,
                        code=next(codes),
                        team=teams[owner.pk],
                        owner=owner,
                        status=rng.choice(v.CaseStatus.values),
                        risk_level=rng.choice(["", *v.RiskLevel.values]),
                        opened_on=today - timedelta(days=rng.randint(0, 2000)),
                    )
                )
            Survivor.objects.bulk_create(survivors, batch_size=batch_size)
            Case.objects.bulk_create(cases, batch_size=batch_size)
        created += size
        if progress is not None:
            progress(size)
    return created


# --- the canary survivor ------------------------------------------------------------------


@key_scope()
def plant_canary(text: str) -> Case:
    """Put ``text`` into every sealed field of one demo survivor and one attachment of hers.

    The canary survivor is the one named "``text`` ``text``"; she is created the first
    time and overwritten on later runs with the same text. Covered: all of her identity
    fields (names, aliases, birth date, estimated age, family contacts, guardian, safe
    contact), a document number, her case's narrative, perpetrators, needs note and
    safety plan, a route stop, a risk assessment note, a note, a follow-up outcome note,
    a linked-cases label, and an attachment (its file name and content).
    """
    ensure_demo_allowed()
    organization = demo_organization()
    owner = User.objects.get(organization=organization, username="lucia", role=Role.CASEWORKER)
    full_name = f"{text} {text}"
    case = _find_canary_case(organization, full_name, owner)
    with transaction.atomic():
        if case is None:
            case = intake.register_intake(
                actor=owner,
                team=_team_of(owner),
                identity=Identity(
                    given_names=text,
                    family_names=text,
                    aliases=text,
                    family_contacts=text,
                    estimated_age=30,
                    nationality=v.Nationality.VENEZUELA,
                    languages=["es"],
                ),
                guardian=Guardian(name=text, relationship=text, contact=text),
            )
        survivor = case.survivor
        # direct: the identity service takes a real date and a number; the canary is text.
        vault.seal(survivor, birth_date=text, estimated_age=text)
        survivor.save(update_fields=["birth_date", "estimated_age"])
        intake.update_safe_contact(
            actor=owner,
            case=case,
            contact=SafeContact(
                channel=v.ContactChannel.WHATSAPP, address=text, safe_times=text, code_word=text
            ),
        )
        intake.set_documents(
            actor=owner,
            case=case,
            documents=[{"kind": v.DocumentType.PASSPORT, "number": text, "issuing_country": "VE"}],
        )
        intake.update_profile(actor=owner, case=case, perpetrators=text)
        intake.set_route(
            actor=owner,
            case=case,
            stops=[
                {"kind": v.RouteStopKind.EXPLOITATION, "country": "PE", "place": text, "when": text}
            ],
        )
        intake.update_needs_and_narrative(
            actor=owner, case=case, immediate_needs=[], needs_note=text, narrative=text
        )
        work.update_safety_plan(actor=owner, case=case, plan=text)
        work.add_note(actor=owner, case=case, body=text)
        today = timezone.localdate()
        work.record_risk_assessment(
            actor=owner,
            case=case,
            assessed_on=today,
            level=v.RiskLevel.HIGH,
            factors=[],
            notes=text,
        )
        follow_up = work.add_follow_up(
            actor=owner, case=case, kind=v.FollowUpKind.CHECK_IN, due_on=today, assignee=owner
        )
        work.complete_follow_up(
            actor=owner,
            case=case,
            follow_up=follow_up,
            outcome=v.FollowUpOutcome.REACHED_SAFE,
            note=text,
        )
        link_services.create_link_group(actor=owner, case=case, label=text)
    payload = f"{text}\n".encode()
    attachment_services.add_attachment(
        actor=owner,
        case=case,
        kind=v.AttachmentKind.OTHER,
        upload=SimpleUploadedFile(f"{text}.txt", payload, "text/plain"),
    )
    return case


def _find_canary_case(organization: Organization, full_name: str, owner: User) -> Case | None:
    """The canary survivor's case, found like any name search: blind index, then opened."""
    key = NAME_INDEX.compute(full_name, scope=organization.pk)
    for survivor in Survivor.objects.filter(organization=organization, name_key=key):
        try:
            given = vault.unseal(survivor, "given_names") or ""
            family = vault.unseal(survivor, "family_names") or ""
        except CannotOpen:
            continue
        if NAME_INDEX.confirm([f"{given} {family}"], [full_name]):
            return survivor.cases.order_by("opened_on").first()
    return None


__all__ = ["bulk_create_cases", "plant_canary", "seed_demo_cases"]
