"""The demo network's service directory and a few referrals in every state.

Everything here is invented. Directory entries are saved through
``services.save_offering`` by the organisation's own administrator where the demo has one;
the other providers (the legal-aid clinic and the protection unit have no demo
administrator) get theirs written directly (``# direct:`` below), sealed the same way.
Referrals go through the services a caseworker, a supervisor and a partner use, with the
survivor's referral consent recorded first through ``cases.services.consent.record_consent``.

Idempotent: entries are found by organisation and name; referrals are added only when no
demo case has any yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import ensure_demo_allowed
from accounts.models import Organization, Role, User
from cases import vocabularies as cv
from cases.demo import demo_organization
from cases.models import Case
from cases.services import consent as consent_services
from referrals import services
from referrals import vocabularies as rv
from referrals.models import Referral, ServiceOffering
from vault import services as vault
from vault.scope import key_scope


@dataclass(frozen=True)
class DemoService:
    organization: str
    service_type: str
    name: str
    city: str
    region: str
    languages: tuple[str, ...]
    accepts_children: bool
    hours: str
    description: str
    address: str = ""
    genders_served: tuple[str, ...] = ()
    total_places: int | None = None
    free_places: int | None = None


SERVICES = [
    DemoService(
        "Casa Refugio Mujeres del Sur",
        cv.ServiceType.SHELTER,
        "Casa Refugio — acogida temporal",
        "Arequipa",
        "Arequipa",
        ("es", "qu"),
        True,
        "Ingresos las 24 horas, todos los días",
        "Acogida temporal para mujeres y adolescentes sobrevivientes de trata, con "
        "acompañamiento psicosocial y legal.",
        address="Calle Ficticia 123, Cercado de Arequipa (dirección inventada)",
        genders_served=(cv.Gender.FEMALE,),
        total_places=12,
        free_places=3,
    ),
    DemoService(
        "Casa Refugio Mujeres del Sur",
        cv.ServiceType.PSYCHOSOCIAL,
        "Acompañamiento psicosocial",
        "Arequipa",
        "Arequipa",
        ("es", "qu"),
        True,
        "Lunes a viernes, 9:00–17:00",
        "Atención psicológica individual y grupos de apoyo para sobrevivientes.",
        genders_served=(cv.Gender.FEMALE,),
    ),
    DemoService(
        "Clínica Jurídica Libertad",
        cv.ServiceType.LEGAL_AID,
        "Asesoría y patrocinio legal",
        "Lima",
        "Lima",
        ("es", "en"),
        True,
        "Lunes a viernes, 9:00–18:00",
        "Orientación legal, denuncias, regularización migratoria y acompañamiento en el "
        "proceso penal.",
    ),
    DemoService(
        "Unidad de Protección y Retorno",
        cv.ServiceType.PROTECTION,
        "Protección y evaluación de riesgo",
        "Lima",
        "Lima",
        ("es", "en", "pt"),
        True,
        "Guardia las 24 horas",
        "Evaluación de riesgo, protección inmediata y coordinación con autoridades.",
    ),
    DemoService(
        "Unidad de Protección y Retorno",
        cv.ServiceType.RETURN,
        "Retorno voluntario y reintegración",
        "Lima",
        "Lima",
        ("es", "en", "pt"),
        False,
        "Con cita previa",
        "Retorno voluntario asistido al país de origen y apoyo a la reintegración.",
    ),
    DemoService(
        "Unidad de Protección y Retorno",
        cv.ServiceType.SHELTER,
        "Casa de tránsito Lima",
        "Lima",
        "Lima",
        ("es", "en", "pt"),
        False,
        "Ingresos con coordinación previa",
        "Alojamiento de tránsito por pocos días mientras se organiza el retorno o la "
        "derivación a un albergue.",
        address="Av. Inventada 456, Lima (dirección inventada)",
        total_places=6,
        free_places=0,
    ),
    DemoService(
        "Asociación Camino Seguro",
        cv.ServiceType.PSYCHOSOCIAL,
        "Atención psicosocial y salud",
        "Lima",
        "Lima",
        ("es", "guc"),
        True,
        "Lunes a sábado, 8:00–20:00",
        "Primera acogida, atención psicosocial y acompañamiento a servicios de salud.",
    ),
]


def _org_admin(organization: Organization) -> User | None:
    return (
        User.objects.filter(organization=organization, role=Role.ORG_ADMIN, is_active=True)
        .order_by("username")
        .first()
    )


def _partner(organization: Organization) -> User | None:
    return (
        User.objects.filter(organization=organization, role=Role.PARTNER, is_active=True)
        .order_by("username")
        .first()
    )


@transaction.atomic
def _seed_service(plan: DemoService) -> bool:
    organization = Organization.objects.get(name=plan.organization)
    if ServiceOffering.objects.filter(organization=organization, name=plan.name).exists():
        return False
    values = {
        "service_type": plan.service_type,
        "name": plan.name,
        "description": plan.description,
        "city": plan.city,
        "region": plan.region,
        "languages": list(plan.languages),
        "accepts_children": plan.accepts_children,
        "genders_served": list(plan.genders_served),
        "hours": plan.hours,
        "total_places": plan.total_places,
        "active": True,
    }
    admin = _org_admin(organization)
    if admin is not None:
        offering = services.save_offering(actor=admin, address=plan.address, **values)
    else:
        # direct: this provider has no demo administrator to save its entry.
        offering = ServiceOffering(organization=organization, **values)
        vault.seal(offering, address=plan.address or None)
        offering.save()
    if plan.free_places is not None:
        keeper = _partner(organization) or admin
        if keeper is not None:
            services.update_free_places(
                actor=keeper, offering=offering, free_places=plan.free_places
            )
        else:  # pragma: no cover - every demo provider has staff
            offering.free_places = plan.free_places
            offering.places_updated_at = timezone.now()
            offering.save(update_fields=["free_places", "places_updated_at", "updated_at"])
    return True


# --- referrals ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoReferral:
    """Where one demo referral goes and how far it gets."""

    service: str  # the name of a DemoService
    urgency: str
    reason: str
    # draft, submitted, sent, overdue, emergency, accepted, completed, declined, withdrawn
    end: str


REFERRALS = [
    DemoReferral(
        "Casa Refugio — acogida temporal",
        rv.Urgency.URGENT,
        "Necesita un lugar seguro fuera de Lima: la red la buscó en su cuarto.",
        "sent",
    ),
    DemoReferral(
        "Asesoría y patrocinio legal",
        rv.Urgency.NORMAL,
        "Quiere orientación para regularizar su situación migratoria.",
        "accepted",
    ),
    DemoReferral(
        "Protección y evaluación de riesgo",
        rv.Urgency.URGENT,
        "Amenazas a su familia en Venezuela; necesita evaluación de riesgo.",
        "submitted",
    ),
    DemoReferral(
        "Acompañamiento psicosocial",
        rv.Urgency.NORMAL,
        "Pide acompañamiento psicológico cuando llegue a Arequipa.",
        "draft",
    ),
    DemoReferral(
        "Casa Refugio — acogida temporal",
        rv.Urgency.EMERGENCY,
        "Salió esta noche del local; no tiene dónde dormir.",
        "emergency",
    ),
    DemoReferral(
        "Asesoría y patrocinio legal",
        rv.Urgency.URGENT,
        "Citación de la fiscalía la próxima semana; necesita abogada.",
        "completed",
    ),
    DemoReferral(
        "Protección y evaluación de riesgo",
        rv.Urgency.NORMAL,
        "Evaluación de riesgo antes de decidir sobre el retorno.",
        "declined",
    ),
    DemoReferral(
        "Casa Refugio — acogida temporal",
        rv.Urgency.NORMAL,
        "Acogida mientras se resuelve su vivienda.",
        "withdrawn",
    ),
    DemoReferral(
        "Casa Refugio — acogida temporal",
        rv.Urgency.URGENT,
        "Necesita acogida; la dueña del cuarto pide que se vaya.",
        "overdue",
    ),
]


def _demo_cases() -> list[Case]:
    """Open adult cases of the demo organisation, oldest code first."""
    return list(
        Case.objects.filter(
            organization=demo_organization(), status=cv.CaseStatus.OPEN, is_child=False
        )
        .select_related("owner", "survivor")
        .order_by("code")
    )


def _consent(case: Case, offering: ServiceOffering, items: list[str]) -> None:
    scope = sorted({str(rv.ITEM_SCOPE[rv.PacketItem(item)]) for item in items})
    consent_services.record_consent(
        actor=case.owner,
        case=case,
        purpose=cv.ConsentPurpose.REFERRAL,
        given=True,
        method=cv.ConsentMethod.VERBAL,
        given_by=consent_services.allowed_givers(case)[0],
        recipient_organization=offering.organization,
        scope=scope,
    )


@transaction.atomic
def _seed_referral(plan: DemoReferral, case: Case, supervisor: User) -> Referral:
    offering = ServiceOffering.objects.get(name=plan.service)
    owner = case.owner
    items = list(rv.minimum_necessary(offering.service_type))
    _consent(case, offering, items)
    referral = services.create_referral(
        actor=owner,
        case=case,
        offering=offering,
        urgency=plan.urgency,
        reason=plan.reason,
        items=items,
    )
    if plan.end == "draft":
        return referral
    if plan.end == "emergency":
        return services.send_emergency(
            actor=owner,
            referral=referral,
            confirm_without_places=True,
            reason="Es de noche y no puede volver al cuarto; la supervisora no contesta.",
        )
    referral = services.submit_referral(actor=owner, referral=referral, confirm_without_places=True)
    if plan.end == "submitted":
        return referral
    referral = services.approve_referral(actor=supervisor, referral=referral)
    partner = _partner(offering.organization)
    if plan.end == "overdue":
        # direct: no service back-dates a referral; the inbox needs one past its deadline.
        referral.sent_at = timezone.now() - timedelta(days=4)
        referral.due_at = referral.sent_at + rv.RESPONSE_TIME[rv.Urgency(referral.urgency)]
        referral.save(update_fields=["sent_at", "due_at", "updated_at"])
    elif plan.end in ("accepted", "completed"):
        referral = services.accept_referral(actor=partner, referral=referral)
        if plan.end == "completed":
            referral = services.complete_referral(
                actor=partner,
                referral=referral,
                outcome=rv.CompletionOutcome.SERVICE_PROVIDED,
                note="Se presentó la solicitud; la acompañamos a la audiencia.",
            )
    elif plan.end == "declined":
        referral = services.decline_referral(
            actor=partner,
            referral=referral,
            reason=rv.DeclineReason.NO_CAPACITY,
            note="Sin equipo disponible este mes; sugerimos la Clínica Jurídica.",
        )
    elif plan.end == "withdrawn":
        referral = services.withdraw_referral(
            actor=owner,
            referral=referral,
            reason=rv.WithdrawReason.NEED_MET,
            note="Encontró vivienda con una familiar.",
        )
    return referral


@key_scope()
def seed_demo_referrals() -> tuple[int, int]:
    """Add the directory entries and demo referrals that are missing: (entries, referrals)."""
    ensure_demo_allowed()
    added_services = sum(_seed_service(plan) for plan in SERVICES)
    organization = demo_organization()
    if Referral.objects.filter(case__organization=organization).exists():
        return added_services, 0
    supervisor = User.objects.get(username="carmen")
    cases = _demo_cases()
    added = 0
    for plan, case in zip(REFERRALS, cases, strict=False):
        _seed_referral(plan, case, supervisor)
        added += 1
    return added_services, added
