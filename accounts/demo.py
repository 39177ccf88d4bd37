"""The fictional demo network that ``make run`` serves.

Every organisation, person and (later) case here is invented. Demo accounts share one
published password, so this refuses to run unless the demo or development flag is on.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from accounts.models import Organization, OrganizationKind, Role, Team, User

DEMO_PASSWORD = "amparo-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: str
    organization: str
    teams: tuple[str, ...] = ()


ORGANIZATIONS = [
    ("Asociación Camino Seguro", OrganizationKind.NGO, "Perú", "Lima",
     "Oficina de Lima, +51 1 555 0100 (lunes a viernes, 9:00–18:00)"),
    ("Casa Refugio Mujeres del Sur", OrganizationKind.SHELTER, "Perú", "Arequipa",
     "Recepción de la casa, +51 54 555 0200 (24 horas)"),
    ("Clínica Jurídica Libertad", OrganizationKind.LEGAL_AID, "Perú", "Lima",
     "derivaciones@clinica-libertad.example"),
    ("Unidad de Protección y Retorno", OrganizationKind.PROTECTION_UNIT, "Perú", "Lima",
     "Mesa de partes, +51 1 555 0300"),
]

TEAMS = [
    ("Asociación Camino Seguro", "Atención inicial Lima"),
    ("Asociación Camino Seguro", "Seguimiento"),
]

PEOPLE = [
    DemoPerson(
        "lucia",
        "Lucía",
        "Ramos",
        Role.CASEWORKER,
        "Asociación Camino Seguro",
        ("Atención inicial Lima",),
    ),
    DemoPerson(
        "mateo", "Mateo", "Quispe", Role.CASEWORKER, "Asociación Camino Seguro", ("Seguimiento",)
    ),
    DemoPerson(
        "carmen",
        "Carmen",
        "Villanueva",
        Role.SUPERVISOR,
        "Asociación Camino Seguro",
        ("Atención inicial Lima", "Seguimiento"),
    ),
    DemoPerson("raul", "Raúl", "Paredes", Role.AUDITOR, "Asociación Camino Seguro"),
    DemoPerson("admin.camino", "Rosa", "Huamán", Role.ORG_ADMIN, "Asociación Camino Seguro"),
    DemoPerson("refugio", "Elena", "Torres", Role.PARTNER, "Casa Refugio Mujeres del Sur"),
    DemoPerson("admin.refugio", "Julia", "Mamani", Role.ORG_ADMIN, "Casa Refugio Mujeres del Sur"),
    DemoPerson("clinica", "Andrés", "Salazar", Role.PARTNER, "Clínica Jurídica Libertad"),
    DemoPerson("proteccion", "Sofía", "Castro", Role.PARTNER, "Unidad de Protección y Retorno"),
]


def ensure_demo_allowed() -> None:
    if not (settings.AMPARO_DEMO or settings.DEBUG):
        raise ImproperlyConfigured(
            "The demo network has a published password. Load it only with AMPARO_DEMO=1."
        )


@transaction.atomic
def seed_demo_network() -> list[DemoPerson]:
    """Create or refresh the demo network; running it twice changes nothing more."""
    ensure_demo_allowed()
    # Demo accounts take well-known usernames and a published password: never over a real
    # account that happens to be called "lucia", nor into a database with real people.
    real = User.objects.filter(demo_account=False)
    if real.exists():
        raise ImproperlyConfigured(
            f"seed_demo refuses to run: this database has {real.count()} accounts that the "
            "demo did not create. Load the demo only into a database of its own."
        )
    organizations = {}
    for name, kind, country, city, partner_contact in ORGANIZATIONS:
        organizations[name], _ = Organization.objects.update_or_create(
            name=name, defaults={"kind": kind, "country": country, "city": city,
                                 "partner_contact": partner_contact}
        )
    teams = {}
    for org_name, team_name in TEAMS:
        teams[team_name], _ = Team.objects.get_or_create(
            organization=organizations[org_name], name=team_name
        )
    for person in PEOPLE:
        user, _ = User.objects.update_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "role": person.role,
                "organization": organizations[person.organization],
                "email": f"{person.username}@demo.invalid",
                "demo_account": True,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        for team_name in person.teams:
            if person.role == Role.SUPERVISOR:
                teams[team_name].supervisors.add(user)
            else:
                teams[team_name].members.add(user)
    return PEOPLE
