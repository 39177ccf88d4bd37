"""Run by the production-stack test with the *installed* Amparo (its own venv, outside the
source tree): ``python stack_helper.py COMMAND [ARG]``, printing JSON.

It makes what the test needs but does not drive through pages: the people (with
authenticators whose secrets the test knows, standing in for the invitation flow, which
is not on main yet), her consent, and an attachment. It imports only the installed
package, never tests/.
"""

from __future__ import annotations

import json
import sys

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from accounts.models import Organization, OrganizationKind, Role, Team, User  # noqa: E402
from cases import vocabularies as cv  # noqa: E402
from cases.models import Case  # noqa: E402
from cases.services import work  # noqa: E402
from cases.services.intake import Identity, register_intake  # noqa: E402
from referrals import services as referrals  # noqa: E402
from referrals import vocabularies as rv  # noqa: E402
from referrals.models import Referral, ServiceOffering  # noqa: E402

PASSWORD = "una-contraseña-larga-de-prueba-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _person(username: str, organization: Organization, role: str) -> str:
    user = User.objects.create_user(
        username=username, password=PASSWORD, organization=organization, role=role,
        email=f"{username}@stack.invalid",
    )
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return device.key


def people() -> dict:
    ngo = Organization.objects.create(
        name="Asociación Pila", kind=OrganizationKind.NGO, country="PE", city="Lima")
    shelter = Organization.objects.create(
        name="Casa Refugio Pila", kind=OrganizationKind.SHELTER, country="PE", city="Arequipa")
    team = Team.objects.create(organization=ngo, name="Equipo Pila")
    secrets = {
        "lucia": _person("lucia", ngo, Role.CASEWORKER),
        "carmen": _person("carmen", ngo, Role.SUPERVISOR),
        "refugio": _person("refugio", shelter, Role.PARTNER),
    }
    team.members.add(User.objects.get(username="lucia"))
    team.supervisors.add(User.objects.get(username="carmen"))
    offering = ServiceOffering.objects.create(
        organization=shelter, service_type=cv.ServiceType.SHELTER, name="Casa Refugio Arequipa",
        city="Arequipa", region="Arequipa", languages=["es"], accepts_children=False,
        genders_served=["female"], total_places=12, free_places=3,
    )
    return {"password": PASSWORD, "secrets": secrets, "offering": str(offering.pk)}


def consent(case_id: str) -> dict:
    lucia = User.objects.get(username="lucia")
    case = Case.objects.get(pk=case_id)
    work.record_consent(
        actor=lucia, case=case, purpose=cv.ConsentPurpose.REFERRAL, given=True,
        method=cv.ConsentMethod.VERBAL, given_by=cv.ConsentGivenBy.SURVIVOR,
        recipient_service_type=cv.ServiceType.SHELTER,
        scope=[scope.value for scope in cv.ConsentScope],
    )
    return {"case": case.code}


def attach(case_id: str) -> dict:
    lucia = User.objects.get(username="lucia")
    case = Case.objects.get(pk=case_id)
    attachment = work.add_attachment(
        actor=lucia, case=case, kind="legal", upload=SimpleUploadedFile("denuncia.pdf", PDF))
    return {"attachment": str(attachment.pk), "bytes": PDF.decode("latin-1")}


def caseworker(username: str) -> dict:
    """One more caseworker of Lucía's team (the two-node test locks her account)."""
    team = Team.objects.get(name="Equipo Pila")
    secret = _person(username, team.organization, Role.CASEWORKER)
    team.members.add(User.objects.get(username=username))
    return {"secret": secret}


def case() -> dict:
    """A case of Lucía's with consent to a shelter referral."""
    lucia = User.objects.get(username="lucia")
    registered = register_intake(
        actor=lucia, team=lucia.teams.get(),
        identity=Identity(given_names="Ana Lucía", family_names="Condori", gender="female",
                          nationality="PE", languages=["es"]),
    )
    consent(str(registered.pk))
    return {"case": str(registered.pk), "code": registered.code}


def submitted(case_id: str) -> dict:
    """A referral of the case to the shelter, submitted for approval."""
    lucia = User.objects.get(username="lucia")
    draft = referrals.create_referral(
        actor=lucia, case=Case.objects.get(pk=case_id),
        offering=ServiceOffering.objects.get(name="Casa Refugio Arequipa"),
        urgency=rv.Urgency.URGENT, reason="Necesita un lugar seguro.",
        items=rv.minimum_necessary("shelter"),
    )
    referrals.submit_referral(actor=lucia, referral=draft)
    return {"referral": str(draft.pk)}


def referral_state(referral_id: str) -> dict:
    referral = Referral.objects.get(pk=referral_id)
    return {"state": referral.state,
            "approvals": referral.events.filter(to_state=rv.State.SENT).count()}


def outgoing_mail() -> dict:
    from referrals.models import OutgoingMail

    return {"owed": OutgoingMail.objects.count(),
            "unsent": OutgoingMail.objects.filter(sent_at__isnull=True).count()}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    commands = {"people": people, "consent": consent, "attach": attach,
                "caseworker": caseworker, "case": case, "submitted": submitted,
                "referral_state": referral_state, "outgoing_mail": outgoing_mail}
    print(json.dumps(commands[command](*args)))
